"""Starting a proposed partnership: only with the start checklist answered and its end terms set.

End terms are planned at the start (DESIGN.md, "How do we end one well?"): a planned end date or
an end condition, a review cadence, and the conflict resolution process, in words or as a
document. An item answered "no" does not stop a start, but its note must say why the partners
start anyway, so the reasons for going ahead despite it are on record next to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from keel.core.changelog import Actor, record
from keel.core.services import ServiceError
from keel.decisions.models import Answer, ChecklistKind, Criterion, StartDecision
from keel.decisions.services.criteria import record_answers, unanswered
from keel.register import services as register
from keel.register.models import Partnership, ProcessKind, Status

START = ChecklistKind.START.value


@dataclass(frozen=True)
class EndTerms:
    """What a partnership is started with, besides the checklist."""

    start_date: dt.date
    review_every_months: int | None
    planned_end: dt.date | None = None
    end_condition: str = ""
    conflict_process: str = ""
    conflict_document: UploadedFile | None = None
    document_title: str = ""


# Each missing term by the form field a person fixes it in, with what to do.
MISSING_END = ("planned_end", "Set a planned end date or an end condition.")
MISSING_REVIEW = ("review_every_months", "Set how often the partnership is reviewed.")
MISSING_CONFLICT = (
    "conflict_process",
    "Describe the conflict resolution process, or upload the document the partners agreed.",
)


def has_conflict_document(partnership: Partnership) -> bool:
    return partnership.processes.filter(kind=ProcessKind.CONFLICT_RESOLUTION).exists()


def missing_terms(terms: EndTerms, document_on_file: bool) -> list[tuple[str, str]]:
    """The end terms not set yet, as (form field, what to do), in the order the form asks them."""
    missing = []
    if terms.planned_end is None and not terms.end_condition.strip():
        missing.append(MISSING_END)
    if not terms.review_every_months:
        missing.append(MISSING_REVIEW)
    if not terms.conflict_process.strip() and terms.conflict_document is None and not document_on_file:
        missing.append(MISSING_CONFLICT)
    return missing


def unexplained_noes(answers: Sequence[tuple[Criterion, str, str]]) -> list[Criterion]:
    """Items answered "no" without a note saying why the partners start anyway."""
    return [criterion for criterion, answer, note in answers if answer == Answer.NO and not (note or "").strip()]


def _refusals(partnership: Partnership, answers, terms: EndTerms, reasons: str) -> list[str]:
    problems = [message for _, message in missing_terms(terms, has_conflict_document(partnership))]
    problems += [f"Answer “{c.text}”." for c in unanswered(START, [criterion for criterion, _, _ in answers])]
    problems += [f"Say why you start despite answering no to “{c.text}”." for c in unexplained_noes(answers)]
    if terms.planned_end and terms.planned_end < terms.start_date:
        problems.append("The planned end is before the start date.")
    if not reasons.strip():
        problems.append("Give the reasons for starting.")
    return problems


@transaction.atomic
def start_partnership(
    actor: Actor,
    partnership: Partnership,
    answers: Sequence[tuple[Criterion, str, str]],
    terms: EndTerms,
    reasons: str,
) -> StartDecision:
    """Start a proposed partnership: set its end terms, keep who decided, why, and the answers; make it active."""
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if partnership.status != Status.PROPOSED:
        raise ServiceError(f"{partnership.name} is {partnership.get_status_display().lower()}, not proposed.")
    members = partnership.members.count()
    if members < 2:
        raise ServiceError(
            f"Add at least two partner organisations before starting {partnership.name}: it has {members}."
        )
    problems = _refusals(partnership, answers, terms, reasons)
    if problems:
        raise ServiceError(" ".join(problems))
    register.save_partnership(
        actor,
        {
            "status": Status.ACTIVE,
            "start_date": terms.start_date,
            "planned_end": terms.planned_end,
            "end_terms": terms.end_condition.strip(),
            "review_every_months": terms.review_every_months,
            "conflict_process": terms.conflict_process.strip(),
        },
        partnership,
    )
    if terms.conflict_document is not None:
        register.add_process(
            actor,
            partnership,
            {
                "title": terms.document_title.strip() or "Conflict resolution process",
                "kind": ProcessKind.CONFLICT_RESOLUTION,
                "file": terms.conflict_document,
                "date": terms.start_date,
            },
        )
    user = actor.user
    decision = StartDecision.objects.create(
        partnership=partnership,
        decided_on=timezone.localdate(),
        decided_by=user,
        decided_by_name=((user.get_full_name() or user.get_username()) if user else actor.via)[:150],
        reasons=reasons.strip(),
    )
    record_answers(actor, partnership, START, answers, start=decision)
    # The status change itself is in save_partnership's record; this one says it was a start, and why.
    record(actor, "partnership.started", partnership, note=decision.reasons)
    return decision


def latest_start(partnership: Partnership) -> StartDecision | None:
    """The decision that started a partnership, with its answers: two queries."""
    return (
        StartDecision.objects.filter(partnership=partnership)
        .select_related("decided_by")
        .prefetch_related("answers")
        .order_by("-decided_on", "-pk")
        .first()
    )
