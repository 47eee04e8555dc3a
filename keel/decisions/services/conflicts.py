"""Writes to conflicts: raised, worked through the agreed process step by step, escalated to a neutral third
party, closed. Each runs in a transaction and writes the conflict's change log.

A conflict is between at least one member organisation and the rest: one party when a partner is at odds with
the partnership as a whole (or with us), two or more when partners are at odds with each other.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from keel.core.changelog import Actor, record
from keel.core.services import ServiceError
from keel.decisions.models import Conflict, ConflictOutcome, ConflictParty, ConflictStep
from keel.register.models import Organisation, Partnership, Person


def _check_day(day: dt.date | None, today: dt.date, what: str, not_before: dt.date | None = None) -> None:
    if day is None:
        raise ServiceError(f"Give the date {what}.")
    if day > today:
        raise ServiceError(f"{day:%d/%m/%Y} is in the future: give the date {what}, today or earlier.")
    if not_before is not None and day < not_before:
        raise ServiceError(f"{day:%d/%m/%Y} is before the conflict was raised, on {not_before:%d/%m/%Y}.")


def _check_open(conflict: Conflict) -> None:
    if not conflict.is_open:
        raise ServiceError(f"This conflict was closed on {conflict.closed_on:%d/%m/%Y}: it takes no more changes.")


def member_ids(partnership: Partnership) -> set[int]:
    return set(partnership.members.values_list("organisation_id", flat=True))


@transaction.atomic
def raise_conflict(
    actor: Actor,
    partnership: Partnership,
    values: dict,
    parties: list[Organisation],
    today: dt.date,
) -> Conflict:
    """Raise a conflict: when, by whom, about what, and between which member organisations."""
    about = (values.get("about") or "").strip()
    if not about:
        raise ServiceError("Say what the conflict is about.")
    _check_day(values.get("raised_on"), today, "the conflict was raised")
    if not parties:
        raise ServiceError("Choose at least one member organisation the conflict is with.")
    outside = [o.name for o in parties if o.pk not in member_ids(partnership)]
    if outside:
        raise ServiceError(f"{', '.join(outside)}: not a member of {partnership}. A conflict is between its members.")
    raised_by = values.get("raised_by")
    if raised_by is not None and raised_by.is_archived:
        raise ServiceError(f"{raised_by} is archived: choose someone current, or leave who raised it blank.")
    conflict = Conflict(partnership=partnership, raised_on=values["raised_on"], raised_by=raised_by, about=about)
    conflict.full_clean(exclude=["workspace", "partnership", "raised_by", "escalated_to"])
    conflict.save()
    ConflictParty.objects.bulk_create(ConflictParty(conflict=conflict, organisation=o) for o in parties)
    changes = {
        "raised_on": [None, conflict.raised_on.isoformat()],
        "raised_by": [None, str(raised_by) if raised_by else None],
        "about": [None, about],
        "between": [None, ", ".join(sorted(o.name for o in parties))],
    }
    record(actor, "conflict.raised", conflict, changes, note=str(partnership))
    return conflict


@transaction.atomic
def add_step(actor: Actor, conflict: Conflict, day: dt.date, description: str, today: dt.date) -> ConflictStep:
    """One dated step of the agreed process, taken on an open conflict."""
    _check_open(conflict)
    _check_day(day, today, "of the step", conflict.raised_on)
    description = (description or "").strip()
    if not description:
        raise ServiceError("Say what was done at this step.")
    step = ConflictStep.objects.create(conflict=conflict, date=day, description=description)
    record(actor, "conflict.step_added", conflict, {"step": [None, description]}, note=f"{day:%d/%m/%Y}")
    return step


def neutral_problem(conflict: Conflict, person: Person | None) -> str:
    """Why `person` cannot be the neutral third party of `conflict`, or "" when they can."""
    if person is None:
        return "Name the neutral third party: a person in the register."
    if person.is_archived:
        return f"{person} is archived: choose someone current."
    parties = set(conflict.parties.values_list("organisation_id", flat=True))
    if person.organisation_id in parties:
        return f"{person} works at {person.organisation}, one of the parties: a neutral third party is outside them."
    if person.organisation_id in member_ids(conflict.partnership):
        return (
            f"{person} works at {person.organisation}, a member of {conflict.partnership}: a neutral third party "
            "comes from outside the partnership."
        )
    return ""


@transaction.atomic
def escalate(actor: Actor, conflict: Conflict, person: Person | None, day: dt.date, today: dt.date) -> Conflict:
    """Bring a named neutral third party into an open conflict: someone outside the parties and the partnership."""
    _check_open(conflict)
    if problem := neutral_problem(conflict, person):
        raise ServiceError(problem)
    _check_day(day, today, "it was escalated", conflict.raised_on)
    was, was_on = conflict.escalated_to, conflict.escalated_on
    conflict.escalated_to, conflict.escalated_on = person, day
    conflict.save(update_fields=["escalated_to", "escalated_on"])
    changes = {
        "neutral third party": [str(was) if was else None, str(person)],
        "escalated_on": [was_on.isoformat() if was_on else None, day.isoformat()],
    }
    record(actor, "conflict.escalated", conflict, changes)
    return conflict


@transaction.atomic
def close_conflict(
    actor: Actor, conflict: Conflict, outcome: str, day: dt.date, resolution: str, today: dt.date
) -> Conflict:
    """Close a conflict: resolved or could not be resolved, how (or why not), and when."""
    _check_open(conflict)
    if outcome not in (ConflictOutcome.RESOLVED, ConflictOutcome.NOT_RESOLVED):
        raise ServiceError("Say whether the conflict was resolved or could not be resolved.")
    _check_day(day, today, "it was closed", conflict.raised_on)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ServiceError("Say how it was resolved, or why it could not be.")
    conflict.outcome, conflict.closed_on, conflict.resolution = outcome, day, resolution
    conflict.save(update_fields=["outcome", "closed_on", "resolution"])
    changes = {
        "outcome": [ConflictOutcome.OPEN.label, conflict.get_outcome_display()],
        "closed_on": [None, day.isoformat()],
        "resolution": [None, resolution],
    }
    record(actor, "conflict.closed", conflict, changes)
    return conflict
