"""Writes to actions; each runs in a transaction and writes the audit trail."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from keel.actions.models import Action, ActionStatus
from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.services import ServiceError

FIELDS = ["title", "partnership", "owner", "due", "status", "source", "steps", "notes"]


def _check(action: Action):
    if not action.title.strip():
        raise ServiceError("Give the action a title: what is to be done.")
    if action.owner is not None and action.owner.is_archived:
        raise ServiceError(f"{action.owner} is archived: choose someone current as the owner.")


@transaction.atomic
def create_action(actor: Actor, values: dict) -> Action:
    """Create an action; `values` may name its source (`source`, `source_id`)."""
    action = Action(**values)
    action.title = " ".join(action.title.split())
    _check(action)
    action.full_clean(exclude=["workspace", "partnership", "owner"])
    action.save()
    record(actor, "action.created", action, diff({}, snapshot(action, FIELDS)))
    return action


@transaction.atomic
def change_action(actor: Actor, action: Action, values: dict) -> Action:
    """Change an action's title, owner, due date, status, steps or notes."""
    before = snapshot(Action.objects.get(pk=action.pk), FIELDS)
    for key, value in values.items():
        if key not in FIELDS or key in ("source", "partnership"):
            raise ServiceError(f"An action's {key.replace('_', ' ')} cannot be changed.")
        setattr(action, key, value)
    action.title = " ".join(action.title.split())
    _check(action)
    if action.status == ActionStatus.DONE and action.done_at is None:
        action.done_at = timezone.localdate()
    elif action.status != ActionStatus.DONE:
        action.done_at = None
    action.full_clean(exclude=["workspace", "partnership", "owner"])
    action.save()
    changes = diff(before, snapshot(action, FIELDS))
    if changes:
        record(actor, "action.changed", action, changes)
    return action
