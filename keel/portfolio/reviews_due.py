"""The reviews list: every live partnership by its next review, overdue first, in a fixed number of queries.

Due dates come from `keel.decisions.evidence.advise` (the cadence, brought forward by an event that
calls for an early review or by lapsed terms), so the list, the partnership page and the audit agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keel.decisions.evidence import portfolio_advice
from keel.decisions.models import Decision
from keel.decisions.services.reviews import due_words
from keel.register.models import Partnership, Person, Status, Tier

SOON_DAYS = 30
LIVE = (Status.ACTIVE, Status.UNDER_REVIEW)
SHOWS = {
    "all": "All",
    "overdue": "Overdue",
    "soon": f"Due in the next {SOON_DAYS} days",
    "none": "No review cadence set",
}
OVERDUE, SOON, LATER, NONE = "overdue", "soon", "later", "none"


@dataclass(frozen=True)
class DueRow:
    pk: int
    name: str
    tier: str
    status: str
    lead: str | None
    due: dt.date | None
    group: str
    days: int  # from today to the due date: negative when overdue
    why: str
    last_review: dt.date | None
    last_decision: str | None
    lapsed: str | None

    when: str  # in words: "overdue by 12 days", "due today", "due in 3 days"

    @property
    def last_decision_label(self) -> str:
        return Decision(self.last_decision).label if self.last_decision in Decision.values else ""


def _group(due: dt.date | None, overdue: bool, today: dt.date) -> str:
    if due is None:
        return NONE
    if overdue or due < today:
        return OVERDUE
    return SOON if (due - today).days <= SOON_DAYS else LATER


ORDER = {OVERDUE: 0, SOON: 1, LATER: 2}


def due_list(
    today: dt.date, *, show: str = "all", tier: str = "", lead: int | None = None
) -> tuple[list[DueRow], list[DueRow]]:
    """(partnerships with a due date, in order; those without one, by name), filtered."""
    partnerships = Partnership.objects.filter(archived_at__isnull=True, status__in=LIVE)
    if tier:
        partnerships = partnerships.filter(tier=tier)
    if lead is not None:
        partnerships = partnerships.filter(lead_id=lead)
    rows = list(partnerships.order_by("name_key", "pk").values_list("pk", "name", "tier", "status", "lead__name"))
    # The whole portfolio's advice in a fixed number of queries; sending a long list of ids back
    # to the database would cost more than reading the few partnerships the filters leave out.
    advice = portfolio_advice(today)
    tiers, statuses = dict(Tier.choices), dict(Status.choices)
    found = []
    for pk, name, tier_value, status, lead_name in rows:
        given = advice.get(pk)
        if given is None:
            continue
        due, evidence = given.review.due, given.evidence
        found.append(
            DueRow(
                pk,
                name,
                tiers.get(tier_value, tier_value),
                statuses.get(status, status),
                lead_name,
                due,
                _group(due, given.review.overdue, today),
                (due - today).days if due else 0,
                given.review.why,
                evidence.last_review,
                evidence.last_decision,
                given.lapsed,
                due_words(due, today),
            )
        )
    dated = sorted((row for row in found if row.group != NONE), key=lambda r: (ORDER[r.group], r.due, r.name))
    apart = [row for row in found if row.group == NONE]
    if show == OVERDUE:
        return [row for row in dated if row.group == OVERDUE], []
    if show == SOON:
        return [row for row in dated if row.group == SOON], []
    if show == NONE:
        return [], apart
    return dated, apart


def lead_options() -> list[tuple[int, str]]:
    """The people who lead a live partnership: the choices of the list's lead filter."""
    leading = Partnership.objects.filter(archived_at__isnull=True, status__in=LIVE).values("lead")
    return list(Person.objects.filter(pk__in=leading).order_by("name_key").values_list("pk", "name"))
