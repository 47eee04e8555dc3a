"""Holding a review (a checkpoint): the keep criteria answered, a decision with its reasons, what follows.

Keel's recommendation is saved with the review, next to the person's decision: a person decides,
Keel advises, and both are kept (DESIGN.md, "Review", "Recommendation").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.actions.models import Source
from keel.actions.services import create_action
from keel.common.text import add_months
from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.services import ServiceError
from keel.decisions.evidence import advise
from keel.decisions.models import Answer, ChecklistKind, Criterion, Decision, Review
from keel.decisions.money import two_places
from keel.decisions.rules import Recommendation
from keel.decisions.services.criteria import current_checklist, record_answers
from keel.register.models import Partnership, Person, Status, Tier
from keel.register.services import save_partnership

# Decisions after which the partnership goes on as it is: they need the next review date.
CONTINUING = frozenset({Decision.KEEP_AND_INVEST, Decision.KEEP, Decision.IMPROVE, Decision.MEDIATE})
# Decisions that end the partnership: a dissolution follows, and no next review.
ENDING = frozenset({Decision.DISSOLVE, Decision.CELEBRATE_AND_CLOSE})
REVIEWABLE = frozenset({Status.ACTIVE, Status.UNDER_REVIEW})
FIELDS = ["held_on", "objectives_met", "objectives_note", "decision", "reasons", "next_review", "recommendation"]


@dataclass(frozen=True)
class Given:
    """One checklist item answered at a review: yes, no or not sure, with a note."""

    criterion: Criterion
    answer: str  # decisions.Answer value
    note: str = ""


@dataclass(frozen=True)
class Improvement:
    """One thing to improve, decided at a review: it becomes an action."""

    title: str
    due: dt.date | None
    owner: Person | None = None


class ReviewRefused(ServiceError):
    """A review that cannot be recorded yet: every problem, each with the field it belongs to."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__(" ".join(message for _, message in problems))


def due_words(due: dt.date | None, today: dt.date) -> str:
    """A next review in words, never by colour alone: 'overdue by 12 days', 'due today', 'due in 3 days'."""
    if due is None:
        return "no review cadence set"
    days = (due - today).days
    if days < 0:
        return f"overdue by {-days} day{'' if days == -1 else 's'}"
    if days == 0:
        return "due today"
    return f"due in {days} day{'' if days == 1 else 's'}"


def default_next_review(partnership: Partnership, today: dt.date) -> dt.date | None:
    """Today plus the partnership's review cadence; None when it has none."""
    months = partnership.review_every_months
    return add_months(today, months) if months else None


def problems(
    values: dict[str, Any],
    answers: Sequence[Given],
    improvements: Sequence[Improvement],
    keep: Sequence[Criterion],
    today: dt.date,
) -> list[tuple[str, str]]:
    """What stops a review being recorded, as (field, message): the form shows them, the service refuses."""
    found: list[tuple[str, str]] = []
    answered = {given.criterion.pk for given in answers if given.answer in Answer.values}
    for criterion in keep:
        if criterion.pk not in answered:
            found.append((f"keep_{criterion.pk}", f"Answer “{criterion.text}”: yes, no or not sure."))
    decision = values.get("decision")
    if decision not in Decision.values:
        found.append(
            (
                "decision",
                "Choose a decision: keep and invest, keep, improve, mediate, downgrade, dissolve, "
                "or celebrate and close.",
            )
        )
    if not (values.get("reasons") or "").strip():
        found.append(("reasons", "Give the reasons for the decision: they are kept with it, next to Keel's advice."))
    next_review = values.get("next_review")
    if decision in CONTINUING and next_review is None:
        found.append(("next_review", "Set the next review date: the partnership goes on, so it needs one."))
    elif decision not in ENDING and next_review is not None and next_review < today:
        found.append(
            ("next_review", f"The next review date {next_review:%d/%m/%Y} is in the past: choose today or later.")
        )
    if decision == Decision.IMPROVE and not improvements:
        found.append(("actions", "Say what to improve: an improve decision needs at least one action with a due date."))
    if decision in ENDING and improvements:
        found.append(
            (
                "actions",
                "Improvements go with a decision to carry on: clear them, or choose another decision "
                "(the dissolution has its own steps).",
            )
        )
    for number, improvement in enumerate(improvements, start=1):
        if not improvement.title.strip():
            found.append(("actions", f"Improvement {number}: say what is to be done."))
        if improvement.due is None:
            found.append(("actions", f"Improvement {number}: give it a due date."))
    return found


def snapshot_reasons(recommendation: Recommendation) -> list[dict[str, Any]]:
    """The recommendation's reasons as JSON: [{rule, text, figures}], figures as people read them."""
    return [
        {"rule": reason.rule, "text": reason.text, "figures": {k: _plain(v) for k, v in reason.figures.items()}}
        for reason in recommendation.reasons
    ]


def _plain(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (Decimal, Fraction)):
        return str(two_places(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


@transaction.atomic
def hold_review(
    actor: Actor,
    partnership: Partnership,
    values: dict[str, Any],
    answers: Sequence[Given],
    actions: Sequence[Improvement] = (),
    *,
    recommendation: Recommendation | None = None,
) -> Review:
    """Record a review: the answers, the decision and Keel's recommendation of the day, and what follows.

    Each improvement becomes an action (improve needs at least one); downgrade makes the partnership a relationship;
    a continuing decision takes a partnership under review back to active. Dissolve and celebrate
    and close change nothing here: the dissolution that follows ends the partnership.
    """
    today = timezone.localdate()
    held_on = values.get("held_on") or today
    if partnership.status not in REVIEWABLE:
        raise ReviewRefused(
            [
                (
                    "",
                    f"{partnership.name} is {partnership.get_status_display().lower()}: only an active partnership, "
                    "or one under review, is reviewed.",
                )
            ]
        )
    found = problems(values, answers, actions, current_checklist(ChecklistKind.KEEP), held_on)
    if found:
        raise ReviewRefused(found)
    decision = values["decision"]
    if recommendation is None:  # what Keel advises on the day, kept next to the person's decision
        advice = advise(today, [partnership.pk], include_archived=True).get(partnership.pk)
        recommendation = advice.recommendation if advice else None
    review = Review(
        partnership=partnership,
        held_on=held_on,
        reviewer=actor.user,
        reviewer_name=(actor.user.get_full_name() or actor.user.get_username()) if actor.user else actor.via,
        objectives_met=values.get("objectives_met") or "",
        objectives_note=(values.get("objectives_note") or "").strip(),
        decision=decision,
        reasons=values["reasons"].strip(),
        next_review=None if decision in ENDING else values.get("next_review"),
        recommendation=recommendation.code.value if recommendation else "",
        recommendation_reasons=snapshot_reasons(recommendation) if recommendation else [],
    )
    review.full_clean(exclude=["workspace", "partnership", "reviewer"])
    review.save()
    record(actor, "review.held", review, diff({}, snapshot(review, FIELDS)))
    for kind in (ChecklistKind.KEEP, ChecklistKind.DISSOLVE):
        given = [(g.criterion, g.answer, g.note) for g in answers if g.criterion.kind == kind]
        record_answers(actor, partnership, kind, given, review=review)
    for improvement in actions:
        create_action(
            actor,
            {
                "title": improvement.title,
                "partnership": partnership,
                "owner": improvement.owner,
                "due": improvement.due,
                "source": Source.REVIEW,
                "source_id": review.pk,
            },
        )
    changes: dict[str, str] = {}
    if decision == Decision.DOWNGRADE:
        changes["tier"] = Tier.RELATIONSHIP
    if decision not in ENDING and partnership.status == Status.UNDER_REVIEW:
        changes["status"] = Status.ACTIVE
    if changes:
        save_partnership(actor, changes, partnership)
    return review
