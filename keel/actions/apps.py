from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "keel.actions"
    label = "actions"
    verbose_name = "Actions"
