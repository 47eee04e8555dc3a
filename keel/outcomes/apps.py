from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "keel.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        # `keel import measurements` and the import page offer this app's kind with the register's.
        from keel.outcomes.importing import MEASUREMENTS
        from keel.register.importers import add_kind

        add_kind(MEASUREMENTS)
