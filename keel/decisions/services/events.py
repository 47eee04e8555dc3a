"""Writes to events: what happened to a partnership. Each runs in a transaction and writes the change log."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from keel.core.changelog import SYSTEM, Actor, diff, record, snapshot
from keel.core.services import ServiceError
from keel.decisions.models import Event, EventKind, Severity
from keel.register.models import KeyPersonChange, Partnership

EVENT_FIELDS = ["kind", "date", "description", "severity", "early_review"]


def date_problem(date: dt.date | None, today: dt.date) -> str:
    if date is None:
        return "Give the date it happened."
    if date > today:
        return f"{date:%d/%m/%Y} is in the future: an event is recorded once it has happened."
    return ""


@transaction.atomic
def save_event(
    actor: Actor, partnership: Partnership, values: dict, today: dt.date, event: Event | None = None
) -> Event:
    """Record (or change) an event: its kind, date, description, severity and whether it calls for an early review."""
    creating = event is None
    event = event or Event(partnership=partnership)
    before = {} if creating else snapshot(Event.objects.get(pk=event.pk), EVENT_FIELDS)
    for key, value in values.items():
        if key not in EVENT_FIELDS:
            raise ServiceError(f"{key} is not a field of an event.")
        setattr(event, key, value)
    if problem := date_problem(event.date, today):
        raise ServiceError(problem)
    event.description = (event.description or "").strip()
    event.full_clean(exclude=["workspace", "partnership", "key_person_change"])
    event.save()
    changes = diff(before, snapshot(event, EVENT_FIELDS))
    if creating or changes:
        record(actor, f"event.{'recorded' if creating else 'changed'}", event, changes, note=str(partnership))
    return event


@transaction.atomic
def delete_event(actor: Actor, event: Event) -> None:
    gone = {key: [value, None] for key, value in snapshot(event, EVENT_FIELDS).items() if value not in (None, "")}
    record(actor, "event.deleted", event, gone, note=str(event.partnership))
    event.delete()


def key_person_left(change: KeyPersonChange) -> Event:
    """The event a change of a member's single point of contact makes: continuity is at risk when people move."""
    event = Event.objects.create(
        partnership_id=change.partnership_id,
        kind=EventKind.KEY_PERSON_LEFT,
        date=change.date,
        description=str(change),
        severity=Severity.MEDIUM,
        early_review=False,
        key_person_change=change,
    )
    record(SYSTEM, "event.recorded", event, diff({}, snapshot(event, EVENT_FIELDS)), note="from a key-person change")
    return event
