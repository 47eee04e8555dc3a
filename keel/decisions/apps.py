from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "keel.decisions"
    label = "decisions"
    verbose_name = "Decisions"
