"""Reads for dissolution: the partnership page's summary, the dissolution page, and the facts letters are drafted from.

Each is a fixed number of queries whatever the number of steps, members or indicators.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from keel.activity.models import Meeting
from keel.decisions.letters import LetterFacts, draft_letter
from keel.decisions.models import (
    ChecklistKind,
    ClosingLetter,
    Criterion,
    Decision,
    Dissolution,
    DissolutionStatus,
    DissolutionStep,
)
from keel.outcomes import rules as outcome_rules
from keel.outcomes.models import IndicatorKind
from keel.outcomes.queries import with_status
from keel.register.models import Partnership, PartnershipMember, Status

SETTLED = Q(done_on__isnull=False) | ~Q(waived_reason="")


@dataclass
class Summary:
    """What the partnership page says of its dissolution."""

    dissolution: Dissolution
    total: int
    settled: int
    next_step: DissolutionStep | None  # the open step due soonest

    @property
    def completed(self) -> bool:
        return self.dissolution.status == DissolutionStatus.COMPLETED

    @property
    def ended_on(self) -> dt.date | None:
        return self.dissolution.end_date or self.dissolution.completed_on


def current(partnership_id: int) -> Dissolution | None:
    """The dissolution in progress, else the latest completed one: one query."""
    found = Dissolution.objects.filter(partnership_id=partnership_id).select_related("partnership", "review")
    # "in_progress" sorts after "completed", so descending puts the one in progress first.
    return found.order_by("-status", "-started_on", "-pk").first()


def summary(partnership: Partnership) -> Summary | None:
    """The partnership's dissolution, how many of its steps are settled and the next due: three queries at most.

    None, with no query, unless the partnership is dissolving or ended: starting a dissolution makes it
    dissolving and completing one ends it, so most partnership pages need not look.
    """
    if partnership.status not in (Status.DISSOLVING, Status.ENDED):
        return None
    dissolution = current(partnership.pk)
    if dissolution is None:
        return None
    counts = DissolutionStep.objects.filter(dissolution=dissolution).aggregate(
        total=Count("pk"), settled=Count("pk", filter=SETTLED)
    )
    next_step = None
    if dissolution.status == DissolutionStatus.IN_PROGRESS and counts["settled"] < counts["total"]:
        next_step = (
            DissolutionStep.objects.filter(dissolution=dissolution, done_on__isnull=True, waived_reason="")
            .select_related("owner")
            .order_by("due", "position", "pk")
            .first()
        )
    return Summary(dissolution, counts["total"], counts["settled"], next_step)


def steps(dissolution: Dissolution) -> list[DissolutionStep]:
    return list(dissolution.steps.select_related("owner__organisation", "action"))


def ending_checklist() -> list[Criterion]:
    return list(Criterion.objects.filter(kind=ChecklistKind.ENDING, retired_at__isnull=True).order_by("position", "pk"))


def letters(dissolution: Dissolution) -> list[ClosingLetter]:
    return list(ClosingLetter.objects.filter(dissolution=dissolution).select_related("organisation"))


# ------------------------------------------------------------------ the facts a letter is drafted from


def partners(dissolution: Dissolution) -> list[PartnershipMember]:
    """The member organisations written to: all but the lead's own organisation, which signs the letters."""
    partnership = dissolution.partnership
    lead_organisation = partnership.lead.organisation_id if partnership.lead else None
    members = PartnershipMember.objects.filter(partnership=partnership).select_related("organisation", "contact")
    return [member for member in members if member.organisation_id != lead_organisation]


def _on_track(partnership_id: int) -> tuple[str, ...]:
    return tuple(
        found.indicator.name
        for found in with_status(partnerships=[partnership_id])
        if found.status == outcome_rules.ON_TRACK and found.indicator.kind == IndicatorKind.OUTCOME
    )


def letter_facts(dissolution: Dissolution, today: dt.date) -> dict[int, LetterFacts]:
    """Organisation id -> the facts of its letter, from what Keel records: five queries."""
    partnership = Partnership.objects.select_related("lead__organisation").get(pk=dissolution.partnership_id)
    dissolution.partnership = partnership
    meetings = Meeting.objects.filter(partnership=partnership, date__lte=today).count()
    review = dissolution.review
    common = {
        "partnership": partnership.name,
        "purpose": partnership.purpose,
        "start_date": partnership.start_date,
        "end_date": dissolution.end_date,
        "achievements": dissolution.achievements,
        "on_track": _on_track(partnership.pk),
        "meetings": meetings or None,
        "purpose_fulfilled": review is not None and review.decision == Decision.CELEBRATE_AND_CLOSE,
        "lead": partnership.lead.name if partnership.lead else "",
        "lead_organisation": partnership.lead.organisation.name if partnership.lead else "",
        "keep_in_touch_days": dissolution.keep_in_touch_days,
    }
    return {
        member.organisation_id: LetterFacts(
            organisation=member.organisation.name,
            contact=member.contact.name if member.contact else "",
            **common,  # type: ignore[arg-type]  # the values match LetterFacts' fields
        )
        for member in partners(dissolution)
    }


def drafts(dissolution: Dissolution, today: dt.date) -> dict[int, tuple[str, str]]:
    """Organisation id -> (addressee, drafted body) for each partner."""
    return {org_id: (facts.contact, draft_letter(facts)) for org_id, facts in letter_facts(dissolution, today).items()}
