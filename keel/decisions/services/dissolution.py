"""Ending a partnership respectfully: start a dissolution, walk its steps, complete it, draft the letters.

A dissolution copies the workspace's ending checklist when it starts, wording and all, so editing
the checklist later never changes one already under way. Each step gets an owner (the
partnership's lead unless changed), a due date and an action in "My actions"; the action follows
the step (done when the step is done, dropped when it is waived, open again when undone).

Due dates when a dissolution starts: the steps are staggered two weeks apart in checklist order
(the first due in 14 days, the ninth in 18 weeks), so the list reads as a plan and no step is
due on the first day; owners move them as the partners agree.

The partnership ends only when every step is done or waived with a reason. Ending it keeps the
relationship (DESIGN.md): the partnership's status becomes ended, its tier relationship, and its
contact cadence the keep-in-touch cadence agreed, so the "regular communication" check goes on
watching the relationship after the partnership itself has ended.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from keel.actions.models import Action, ActionStatus, Source
from keel.actions.services import change_action, create_action
from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.services import ServiceError
from keel.decisions.models import (
    ChecklistKind,
    ClosingLetter,
    Criterion,
    Dissolution,
    DissolutionStatus,
    DissolutionStep,
    Review,
)
from keel.decisions.services.setup import ensure_defaults
from keel.register.models import Partnership, Person, Status, Tier
from keel.register.services import save_partnership

STEP_DAYS = 14  # each step due two weeks after the one before it
FIELDS = ["end_date", "achievements", "lessons", "reallocated_to", "keep_in_touch_days"]
STEP_FIELDS = ["owner", "due", "note"]
LETTER_FIELDS = ["addressee", "body", "sent_on"]


def in_progress(partnership: Partnership) -> Dissolution | None:
    return Dissolution.objects.filter(partnership=partnership, status=DissolutionStatus.IN_PROGRESS).first()


def _action_title(partnership: Partnership, wording: str) -> str:
    return f"Ending {partnership.name}: {wording}"[:200]


def _owner(partnership: Partnership) -> Person | None:
    lead = partnership.lead
    return lead if lead is not None and not lead.is_archived else None


@transaction.atomic
def start_dissolution(
    actor: Actor, partnership: Partnership, reason: str, review: Review | None = None, today: dt.date | None = None
) -> Dissolution:
    """Start ending a partnership: status dissolving, the ending checklist copied as owned, dated steps with actions."""
    today = today or timezone.localdate()
    partnership = Partnership.objects.select_for_update(of=("self",)).select_related("lead").get(pk=partnership.pk)
    if partnership.status == Status.ENDED:
        raise ServiceError(f"{partnership.name} has already ended: there is nothing left to dissolve.")
    if partnership.status == Status.PROPOSED:
        raise ServiceError(
            f"{partnership.name} is still proposed: it has not started, so there is nothing to dissolve. "
            "Archive it if it will not go ahead."
        )
    if partnership.archived_at is not None:
        raise ServiceError(f"{partnership.name} is archived: restore it first if it is to be dissolved.")
    if in_progress(partnership) is not None:
        raise ServiceError(f"A dissolution of {partnership.name} is already in progress: carry on with that one.")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the partnership is ending: the reason is kept with the dissolution.")
    if review is not None and review.partnership_id != partnership.pk:
        raise ServiceError("That review is of another partnership.")
    save_partnership(actor, {"status": Status.DISSOLVING}, partnership)
    dissolution = Dissolution.objects.create(
        partnership=partnership, review=review, started_on=today, started_by=actor.user, reason=reason
    )
    record(actor, "dissolution.started", dissolution, {"reason": [None, reason]}, note=partnership.name)
    ensure_defaults()
    checklist = Criterion.objects.filter(kind=ChecklistKind.ENDING, retired_at__isnull=True).order_by("position", "pk")
    owner = _owner(partnership)
    for position, criterion in enumerate(checklist, start=1):
        step = DissolutionStep.objects.create(
            dissolution=dissolution,
            criterion=criterion,
            position=position,
            wording=criterion.text,
            owner=owner,
            due=today + dt.timedelta(days=STEP_DAYS * position),
        )
        step.action = create_action(actor, _action_values(partnership, step))
        step.save(update_fields=["action"])
    return dissolution


def _action_values(partnership: Partnership, step: DissolutionStep) -> dict:
    return {
        "title": _action_title(partnership, step.wording),
        "partnership": partnership,
        "owner": step.owner,
        "due": step.due or timezone.localdate(),
        "source": Source.DISSOLUTION,
        "source_id": step.pk,
    }


def _open(dissolution: Dissolution) -> None:
    if dissolution.status != DissolutionStatus.IN_PROGRESS:
        raise ServiceError("This dissolution is completed: its record is kept as it was.")


@transaction.atomic
def save_dissolution(actor: Actor, dissolution: Dissolution, values: dict) -> Dissolution:
    """Record the end date agreed, what was achieved, lessons learned, where resources go, the keep-in-touch cadence."""
    _open(dissolution)
    before = snapshot(Dissolution.objects.get(pk=dissolution.pk), FIELDS)
    for key, value in values.items():
        if key not in FIELDS:
            raise ServiceError(f"A dissolution's {key.replace('_', ' ')} cannot be changed here.")
        setattr(dissolution, key, value.strip() if isinstance(value, str) else value)
    dissolution.full_clean(exclude=["workspace", "partnership", "review", "started_by"])
    dissolution.save()
    if changes := diff(before, snapshot(dissolution, FIELDS)):
        record(actor, "dissolution.changed", dissolution, changes)
    return dissolution


def _step(step: DissolutionStep) -> DissolutionStep:
    """The step as saved, locked, with its dissolution and partnership."""
    step = DissolutionStep.objects.select_for_update().select_related("dissolution__partnership").get(pk=step.pk)
    _open(step.dissolution)
    return step


def _follow(actor: Actor, step: DissolutionStep, values: dict) -> None:
    """Bring the step's action along; a step whose action was deleted gets a new one while it is open."""
    action = Action.objects.filter(pk=step.action_id).first() if step.action_id else None
    if action is not None:
        change_action(actor, action, values)
    elif not step.is_settled:
        step.action = create_action(actor, _action_values(step.dissolution.partnership, step))
        step.save(update_fields=["action"])


@transaction.atomic
def plan_step(actor: Actor, step: DissolutionStep, values: dict) -> DissolutionStep:
    """Change a step's owner, due date or note; its action follows."""
    step = _step(step)
    before = snapshot(step, STEP_FIELDS)
    for key, value in values.items():
        if key not in STEP_FIELDS:
            raise ServiceError(f"A step's {key.replace('_', ' ')} cannot be changed here.")
        setattr(step, key, value.strip() if isinstance(value, str) else value)
    if step.due is None:
        raise ServiceError("Give the step a due date: its action needs one.")
    step.save()
    changes = diff(before, snapshot(step, STEP_FIELDS))
    if changes:
        record(actor, "dissolution.step_changed", step.dissolution, changes, note=step.wording)
        _follow(actor, step, {"owner": step.owner, "due": step.due})
    return step


@transaction.atomic
def mark_step_done(actor: Actor, step: DissolutionStep, on: dt.date | None = None) -> DissolutionStep:
    """Mark a step done (today unless `on`); its action is done too."""
    step = _step(step)
    if step.is_settled:
        raise ServiceError(f"{step.wording!r} is already settled: undo it first to change how.")
    step.done_on = on or timezone.localdate()
    step.save(update_fields=["done_on"])
    record(
        actor, "dissolution.step_done", step.dissolution, {"done_on": [None, step.done_on.isoformat()]}, step.wording
    )
    _follow(actor, step, {"status": ActionStatus.DONE})
    return step


@transaction.atomic
def waive_step(actor: Actor, step: DissolutionStep, reason: str) -> DissolutionStep:
    """Waive a step that does not apply, with the reason why; its action is dropped."""
    step = _step(step)
    reason = reason.strip()
    if not reason:
        raise ServiceError(f"Say why {step.wording!r} is waived: a step is waived only with a reason.")
    if step.is_settled:
        raise ServiceError(f"{step.wording!r} is already settled: undo it first to change how.")
    step.waived_reason = reason
    step.save(update_fields=["waived_reason"])
    record(actor, "dissolution.step_waived", step.dissolution, {"waived_reason": [None, reason]}, step.wording)
    _follow(actor, step, {"status": ActionStatus.DROPPED})
    return step


@transaction.atomic
def undo_step(actor: Actor, step: DissolutionStep) -> DissolutionStep:
    """Open a done or waived step again; its action is open again."""
    step = _step(step)
    if not step.is_settled:
        return step
    before = {"done_on": step.done_on.isoformat() if step.done_on else None, "waived_reason": step.waived_reason}
    step.done_on, step.waived_reason = None, ""
    step.save(update_fields=["done_on", "waived_reason"])
    changes = diff(before, {"done_on": None, "waived_reason": ""})
    record(actor, "dissolution.step_reopened", step.dissolution, changes, note=step.wording)
    _follow(actor, step, {"status": ActionStatus.OPEN})
    return step


def open_steps(dissolution: Dissolution) -> list[DissolutionStep]:
    return [step for step in dissolution.steps.all() if not step.is_settled]


@transaction.atomic
def complete_dissolution(actor: Actor, dissolution: Dissolution, today: dt.date | None = None) -> Dissolution:
    """End the partnership once every step is done or waived: ended, a relationship, kept in touch."""
    today = today or timezone.localdate()
    dissolution = Dissolution.objects.select_for_update().select_related("partnership").get(pk=dissolution.pk)
    _open(dissolution)
    if still_open := open_steps(dissolution):
        named = "; ".join(step.wording for step in still_open)
        raise ServiceError(
            f"The partnership ends only when every step is done or waived with a reason. Still open: {named}."
        )
    dissolution.status, dissolution.completed_on = DissolutionStatus.COMPLETED, today
    dissolution.save(update_fields=["status", "completed_on"])
    record(actor, "dissolution.completed", dissolution, {"status": ["In progress", "Completed"]})
    values = {
        "status": Status.ENDED,
        "tier": Tier.RELATIONSHIP,
        "contact_every_days": dissolution.keep_in_touch_days,
        "planned_end": dissolution.end_date or today,
    }
    save_partnership(actor, values, dissolution.partnership)
    return dissolution


# ------------------------------------------------------------------ closing letters


@transaction.atomic
def add_letters(actor: Actor, dissolution: Dissolution, drafts: dict[int, tuple[str, str]]) -> list[ClosingLetter]:
    """Keep a drafted letter for each partner that has none yet: `drafts` is organisation id -> (addressee, body)."""
    have = set(ClosingLetter.objects.filter(dissolution=dissolution).values_list("organisation_id", flat=True))
    made = []
    for organisation_id, (addressee, body) in drafts.items():
        if organisation_id in have:
            continue
        letter = ClosingLetter.objects.create(
            dissolution=dissolution, organisation_id=organisation_id, addressee=addressee[:200], body=body
        )
        record(actor, "dissolution.letter_drafted", dissolution, note=f"To {letter.organisation}")
        made.append(letter)
    return made


@transaction.atomic
def save_letter(actor: Actor, letter: ClosingLetter, values: dict) -> ClosingLetter:
    """Change a letter's addressee or body, or when it was sent (None: not sent yet)."""
    before = snapshot(ClosingLetter.objects.get(pk=letter.pk), LETTER_FIELDS)
    for key, value in values.items():
        if key not in LETTER_FIELDS:
            raise ServiceError(f"A letter's {key.replace('_', ' ')} cannot be changed here.")
        setattr(letter, key, value.strip() if isinstance(value, str) else value)
    if not letter.body.strip():
        raise ServiceError("The letter is empty: write it, or keep the draft Keel made.")
    letter.full_clean(exclude=["workspace", "dissolution", "organisation"])
    letter.save()
    changes = diff(before, snapshot(letter, LETTER_FIELDS))
    if changes:
        action = "letter_sent" if changes.keys() == {"sent_on"} and letter.sent_on else "letter_changed"
        body = changes.pop("body", None)
        if body is not None:
            changes["body"] = ["(earlier text)", "(edited)"]  # the text itself is long; the letter keeps it
        record(actor, f"dissolution.{action}", letter.dissolution, changes, note=f"To {letter.organisation}")
    return letter
