from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ActionsConfig(AppConfig):
    name = "keel.actions"
    label = "actions"
    verbose_name = "Actions"

    def ready(self):
        # The apps whose records actions come from describe them in their `action_sources` module.
        autodiscover_modules("action_sources")
