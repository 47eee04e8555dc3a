"""The workspace's checklists: admins add, reword, reorder, retire and restore items; answers keep
the wording they were given under.

An item's `key` (what a dissolve circumstance means to the rules) is Keel's, never the admin's:
rewording an item keeps it, so the rules go on reading the circumstance whatever it is called.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.services import ServiceError
from keel.decisions.models import Answer, ChecklistKind, Criterion, CriterionAnswer, Review, StartDecision
from keel.register.models import Partnership

FIELDS = ["kind", "text", "guidance"]
UP, DOWN = "up", "down"


def current_checklist(kind: str) -> list[Criterion]:
    """The items of one checklist that are asked today (not retired), in their order."""
    return list(Criterion.objects.filter(kind=kind, retired_at__isnull=True).order_by("position", "pk"))


def _check_kind(kind: str) -> None:
    if kind not in ChecklistKind.values:
        raise ServiceError(f"There is no checklist called {kind!r}: choose one of {', '.join(ChecklistKind.values)}.")


def _clean_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ServiceError("Write the item's wording.")
    return text


def _next_position(kind: str) -> int:
    highest = Criterion.objects.filter(kind=kind).aggregate(Max("position"))["position__max"]
    return (highest or 0) + 1


@transaction.atomic
def add_criterion(actor: Actor, kind: str, text: str, guidance: str = "") -> Criterion:
    """Add an item at the end of a checklist."""
    _check_kind(kind)
    criterion = Criterion(kind=kind, text=_clean_text(text), guidance=guidance.strip(), position=_next_position(kind))
    criterion.full_clean(exclude=["workspace"])
    criterion.save()
    record(actor, "criterion.created", criterion, diff({}, snapshot(criterion, FIELDS)))
    return criterion


@transaction.atomic
def change_criterion(actor: Actor, criterion: Criterion, text: str, guidance: str = "") -> Criterion:
    """Reword an item. Answers already given keep the wording they were given under; the key stays."""
    before = snapshot(Criterion.objects.get(pk=criterion.pk), FIELDS)
    criterion.text = _clean_text(text)
    criterion.guidance = guidance.strip()
    criterion.full_clean(exclude=["workspace"])
    criterion.save(update_fields=["text", "guidance"])
    changes = diff(before, snapshot(criterion, FIELDS))
    if changes:
        record(actor, "criterion.changed", criterion, changes)
    return criterion


@transaction.atomic
def move_criterion(actor: Actor, criterion: Criterion, direction: str) -> Criterion:
    """Move an item one place up or down its checklist (a no-op at either end)."""
    if direction not in (UP, DOWN):
        raise ServiceError("Move an item up or down.")
    if criterion.is_retired:
        raise ServiceError("A retired item has no place in the checklist: restore it first.")
    items = current_checklist(criterion.kind)
    index = next(i for i, item in enumerate(items) if item.pk == criterion.pk)
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(items):
        return criterion
    items[index], items[other] = items[other], items[index]
    # Renumbered from 1, so items that shared a position (or gaps left by retired ones) sort plainly.
    for position, item in enumerate(items, start=1):
        item.position = position
    Criterion.objects.bulk_update(items, ["position"])
    moved = items[other]
    record(actor, "criterion.moved", moved, {"position": [index + 1, other + 1]})
    return moved


@transaction.atomic
def retire_criterion(actor: Actor, criterion: Criterion) -> Criterion:
    """Stop asking an item. It stays, with the answers given under it."""
    if criterion.retired_at is None:
        criterion.retired_at = timezone.now()
        criterion.save(update_fields=["retired_at"])
        record(actor, "criterion.retired", criterion)
    return criterion


@transaction.atomic
def restore_criterion(actor: Actor, criterion: Criterion) -> Criterion:
    """Ask a retired item again, at the end of its checklist."""
    if criterion.retired_at is not None:
        criterion.retired_at = None
        criterion.position = _next_position(criterion.kind)
        criterion.save(update_fields=["retired_at", "position"])
        record(actor, "criterion.restored", criterion)
    return criterion


@transaction.atomic
def record_answers(
    actor: Actor,
    partnership: Partnership,
    kind: str,
    answers: Sequence[tuple[Criterion, str, str]],
    start: StartDecision | None = None,
    review: Review | None = None,
) -> list[CriterionAnswer]:
    """Keep answers to one checklist, each with the item's wording and key as they are now.

    `answers` are (criterion, answer, note), answer one of Answer's values. Items retired while
    the form was open are still kept: they were asked. Whether every item was answered is the
    caller's rule (`unanswered`), since a start needs them all and a review may not.
    """
    _check_kind(kind)
    kind = ChecklistKind(kind).value  # a plain string in the change log's action code
    seen: set[int] = set()
    made = []
    for criterion, answer, note in answers:
        if criterion.kind != kind:
            raise ServiceError(f"{criterion.text!r} is not on the {ChecklistKind(kind).label.lower()} checklist.")
        if criterion.pk in seen:
            raise ServiceError(f"{criterion.text!r} is answered twice.")
        if answer not in Answer.values:
            raise ServiceError(f"Answer {criterion.text!r} with yes, no or not sure.")
        seen.add(criterion.pk)
        made.append(
            CriterionAnswer(
                partnership=partnership,
                criterion=criterion,
                kind=kind,
                key=criterion.key,
                wording=criterion.text,
                answer=answer,
                note=(note or "").strip(),
                start=start,
                review=review,
            )
        )
    CriterionAnswer.objects.bulk_create(made)
    if made:
        record(
            actor,
            f"partnership.{kind}_criteria_answered",
            partnership,
            {a.wording: [None, Answer(a.answer).label] for a in made},
        )
    return made


def unanswered(kind: str, answered: Sequence[Criterion]) -> list[Criterion]:
    """The items of a checklist asked today that `answered` leaves out."""
    given = {criterion.pk for criterion in answered}
    return [criterion for criterion in current_checklist(kind) if criterion.pk not in given]
