from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "keel.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from django.db.models.signals import post_save

        from keel.core.models import Workspace
        from keel.core.services import settings_changed

        post_save.connect(_give_builtin_instruments, sender=Workspace, dispatch_uid="keel_builtin_instruments")
        settings_changed.connect(_rescore, dispatch_uid="keel_rescore_rounds")


def _give_builtin_instruments(sender, instance, created, raw=False, **kwargs):
    """A new workspace starts with Keel's own instruments."""
    if created and not raw:
        from keel.assessments.services import ensure_builtin_instruments
        from keel.core.tenancy import workspace_scope

        with workspace_scope(instance):
            ensure_builtin_instruments()


def _rescore(sender, workspace, changed, **kwargs):
    """Kept round scores depend on the anonymity threshold: re-score when it changes."""
    if "anonymity_threshold" in changed:
        from keel.assessments.services import refresh_all_summaries

        refresh_all_summaries()
