"""The evidence a review looks at, gathered on one screen in a fixed number of queries.

Scores and their trend, perception gaps, the members' ratings and their three conditions,
attendance, referrals, last contact (`keel.assessments.queries`, `keel.activity.queries` and the
partnership page's own pieces in `keel.portfolio.summary`), outcome indicators, cost and value,
events, open conflicts, open actions, and Keel's advice (`keel.decisions.evidence.advise`). It
lives in the portfolio because it reads across the apps below it (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from keel.activity import queries, rules
from keel.assessments.queries import Results, partnership_results
from keel.common.text import add_months
from keel.decisions.evidence import Advice, advise
from keel.decisions.models import Conflict, ConflictOutcome, ConflictParty, Event, Review
from keel.decisions.money import YearMoney, two_places
from keel.decisions.queries import money_by_year
from keel.outcomes import queries as outcome_queries
from keel.outcomes import rules as outcome_rules
from keel.outcomes.queries import IndicatorStatus
from keel.portfolio.summary import (
    NO_REFERRALS,
    Communication,
    MemberActivity,
    OpenActions,
    Referrals,
    open_actions,
)
from keel.register.models import Partnership, ProcessKind

EVENT_MONTHS = 12


@dataclass(frozen=True)
class MoneyYear:
    """One year of cost and value as the review page shows it: rounded once, unknowns kept as None."""

    year: int
    cost: object
    value: object
    net: object
    ratio: object

    @classmethod
    def of(cls, money: YearMoney) -> MoneyYear:
        def shown(amount):
            return None if amount is None else two_places(amount)

        return cls(money.year, shown(money.cost), shown(money.value), shown(money.net), shown(money.ratio))


@dataclass
class ReviewEvidence:
    advice: Advice | None
    health: Results
    members: list[MemberActivity]
    communication: Communication
    referrals: Referrals
    indicators: list[IndicatorStatus]
    outcome_line: str
    unsettled: list[IndicatorStatus]  # indicators that do not say what we do if they go off track (7c)
    money: list[MoneyYear]  # the latest year up to this one, and the year before it
    events: list[Event]  # the last 12 months
    events_since: dt.date
    conflicts: list[Conflict]  # still open
    actions: OpenActions
    last_review: Review | None

    @property
    def flagged_gaps(self) -> list[tuple[str, float | None, list[tuple[str, float | None]]]]:
        """(dimension, gap, [(organisation, mean)]) of each dimension whose perception gap is flagged."""
        groups = self.health.groups
        return [
            (row.label, row.gap, list(zip(groups, row.means, strict=True))) for row in self.health.gaps if row.flagged
        ]


def review_evidence(partnership: Partnership, today: dt.date) -> ReviewEvidence:
    """Everything the review page shows, for `partnership` as read by
    `keel.register.queries.partnership_detail` (members and processes prefetched)."""
    pk = partnership.pk
    members = list(partnership.members.all())
    cadence = partnership.contact_every_days
    conditions = queries.conditions(members, {pk: cadence}, today, [pk])
    attendance = queries.attendance(today, [pk])
    ratings = queries.latest_ratings([pk])
    last = queries.last_contact_by_partnership([pk]).get(pk)
    indicators = outcome_queries.with_status(partnerships=[pk])
    tallies = outcome_rules.tallies((found.indicator.kind, found.status) for found in indicators)
    pathway = any(process.kind == ProcessKind.REFERRAL_PATHWAY for process in partnership.processes.all())
    years = money_by_year([pk]).get(pk, [])
    shown_years = [money for money in years if money.year <= today.year][:2]
    since = add_months(today, -EVENT_MONTHS)
    return ReviewEvidence(
        advice=advise(today, [pk], include_archived=True).get(pk),
        health=partnership_results(partnership),
        members=[
            MemberActivity(
                m,
                *attendance.get((pk, m.organisation_id), (0, 0)),
                ratings.get((pk, m.organisation_id)),
                conditions[pk, m.organisation_id],
            )
            for m in members
        ],
        communication=Communication(
            last, rules.days_since(last, today), rules.regular_communication(last, cadence, today), cadence
        ),
        referrals=Referrals(queries.referral_figures_by_partnership(today, [pk]).get(pk, NO_REFERRALS), pathway),
        indicators=indicators,
        outcome_line=outcome_rules.summary_line(tallies),
        unsettled=[found for found in indicators if not found.indicator.if_off_track.strip()],
        money=[MoneyYear.of(money) for money in shown_years],
        events=list(Event.objects.filter(partnership_id=pk, date__gt=since, date__lte=today).order_by("-date", "-pk")),
        events_since=since,
        conflicts=list(
            Conflict.objects.filter(partnership_id=pk, outcome=ConflictOutcome.OPEN)
            .select_related("raised_by", "escalated_to")
            .prefetch_related(
                Prefetch("parties", queryset=ConflictParty.objects.select_related("organisation")),
                "steps",
            )
            .order_by("raised_on", "pk")
        ),
        actions=open_actions(pk, today),
        last_review=Review.objects.filter(partnership_id=pk).order_by("-held_on", "-pk").first(),
    )
