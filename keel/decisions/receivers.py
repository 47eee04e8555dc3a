"""What decisions do when the core's records change. Found by keel.core's AppConfig."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from keel.core.models import Workspace
from keel.core.tenancy import workspace_scope
from keel.decisions.services import events
from keel.decisions.services.setup import ensure_defaults
from keel.register.models import KeyPersonChange


@receiver(post_save, sender=Workspace, dispatch_uid="keel_decision_defaults")
def give_default_checklists(sender, instance, created, raw=False, **kwargs):
    """A new workspace starts with Keel's checklists and decision settings."""
    if created and not raw:
        with workspace_scope(instance):
            ensure_defaults()


@receiver(post_save, sender=KeyPersonChange, dispatch_uid="keel_decision_key_person_left")
def key_person_left(sender, instance, created, raw=False, **kwargs):
    """A member's single point of contact changed: the partnership's events say a key person left."""
    if created and not raw:
        with workspace_scope(instance.workspace):
            events.key_person_left(instance)
