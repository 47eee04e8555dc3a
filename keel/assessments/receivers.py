"""What assessments do when the core's records change.

Found by keel.core's AppConfig (each app's `receivers` module), so the core names no app above it.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from keel.assessments.services import ensure_builtin_instruments, refresh_all_summaries
from keel.core.models import Workspace
from keel.core.services import settings_changed
from keel.core.tenancy import workspace_scope


@receiver(post_save, sender=Workspace, dispatch_uid="keel_builtin_instruments")
def give_builtin_instruments(sender, instance, created, raw=False, **kwargs):
    """A new workspace starts with Keel's own instruments."""
    if created and not raw:
        with workspace_scope(instance):
            ensure_builtin_instruments()


@receiver(settings_changed, dispatch_uid="keel_rescore_rounds")
def rescore(sender, workspace, changed, **kwargs):
    """Kept round scores depend on the anonymity threshold: re-score when it changes."""
    if "anonymity_threshold" in changed:
        refresh_all_summaries()
