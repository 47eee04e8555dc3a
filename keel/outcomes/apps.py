from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "keel.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"
