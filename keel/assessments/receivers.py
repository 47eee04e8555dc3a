"""What assessments do when the core's records change: connected by AssessmentsConfig.ready()."""

from keel.assessments.services import ensure_builtin_instruments, refresh_all_summaries
from keel.core.tenancy import workspace_scope


def give_builtin_instruments(sender, instance, created, raw=False, **kwargs):
    """A new workspace starts with Keel's own instruments."""
    if created and not raw:
        with workspace_scope(instance):
            ensure_builtin_instruments()


def rescore(sender, workspace, changed, **kwargs):
    """Kept round scores depend on the anonymity threshold: re-score when it changes."""
    if "anonymity_threshold" in changed:
        refresh_all_summaries()
