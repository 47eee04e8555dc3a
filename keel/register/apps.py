from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "keel.register"
    label = "register"
    verbose_name = "The partnership register"
