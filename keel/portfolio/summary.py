"""What the partnership page shows of activity, outcomes and actions, in a fixed number of queries.

`partnership_activity` gathers the page's sections (working together, the members' attendance,
ratings and conditions, outcomes, referrals, open actions and the first page of the timeline)
from the grouped reads of `keel.activity.queries` and `keel.outcomes.queries`, which `keel audit`
shares, so the page and the audit agree. About twenty queries, whatever the number of records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Window
from django.utils import timezone

from keel.actions.models import OPEN_STATUSES, Action
from keel.activity import queries, rules
from keel.activity.models import RelationshipRating
from keel.outcomes import queries as outcome_queries
from keel.outcomes import rules as outcome_rules
from keel.portfolio import timeline
from keel.register.models import Partnership, PartnershipMember, ProcessKind

OPEN_ACTIONS_SHOWN = 10


def attendance_words(attended: int, meetings: int) -> str:
    """'8 of 10 meetings, 80%', or 'no meetings recorded'."""
    if not meetings:
        return "no meetings recorded"
    return f"{attended} of {meetings} meeting{'' if meetings == 1 else 's'}, {attended / meetings:.0%}"


def days_ago(days: int | None) -> str:
    if days is None:
        return ""
    if days == 0:
        return "today"
    return "yesterday" if days == 1 else f"{days} days ago"


@dataclass
class MemberActivity:
    """One member organisation on the partnership page: attendance, latest rating, conditions today."""

    member: PartnershipMember
    attended: int
    meetings: int
    rating: RelationshipRating | None
    conditions: rules.Conditions

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.meetings if self.meetings else None

    @property
    def attendance(self) -> str:
        return attendance_words(self.attended, self.meetings)


@dataclass
class Communication:
    last_contact: dt.date | None
    days_since: int | None
    regular: bool
    cadence: int

    @property
    def ago(self) -> str:
        return days_ago(self.days_since)


@dataclass
class Referrals:
    figures: rules.ReferralFigures
    pathway: bool  # a referral pathway is documented among the agreed processes


@dataclass
class OpenActions:
    items: list[Action]
    total: int
    today: dt.date

    def __post_init__(self):
        for action in self.items:
            action.overdue = action.is_overdue(self.today)
            action.overdue_days = (self.today - action.due).days if action.overdue else 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class PartnershipActivity:
    communication: Communication
    members: list[MemberActivity]
    outcome_line: str
    indicators: list
    referrals: Referrals
    actions: OpenActions
    timeline: object  # a Paginator page of timeline.Entry
    kinds: list[str] = field(default_factory=list)


NO_REFERRALS = rules.referral_figures([], dt.date.min)


def open_actions(partnership_id: int, today: dt.date, limit: int = OPEN_ACTIONS_SHOWN) -> OpenActions:
    """The partnership's open actions, soonest due first (so the overdue come first), and how many
    there are in all: one query, the count riding along as a window over the same rows."""
    rows = (
        Action.objects.filter(partnership_id=partnership_id, status__in=OPEN_STATUSES)
        .select_related("owner")
        .annotate(total=Window(Count("pk")))
        .order_by("due", "pk")[:limit]
    )
    items: list[Action] = list(rows)
    return OpenActions(items, rows[0].total if items else 0, today)


def partnership_activity(
    partnership: Partnership, today: dt.date | None = None, *, can_edit=False, kinds=None, page=1
) -> PartnershipActivity:
    """Everything the partnership page shows of activity, for `partnership` as read by
    `keel.register.queries.partnership_detail` (members and processes prefetched)."""
    today = today or timezone.localdate()
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
    return PartnershipActivity(
        communication=Communication(
            last, rules.days_since(last, today), rules.regular_communication(last, cadence, today), cadence
        ),
        members=[
            MemberActivity(
                m,
                *attendance.get((pk, m.organisation_id), (0, 0)),
                ratings.get((pk, m.organisation_id)),
                conditions[pk, m.organisation_id],
            )
            for m in members
        ],
        outcome_line=outcome_rules.summary_line(tallies),
        indicators=indicators,
        referrals=Referrals(queries.referral_figures_by_partnership(today, [pk]).get(pk, NO_REFERRALS), pathway),
        actions=open_actions(pk, today),
        timeline=timeline.timeline_page(partnership, kinds, page, can_edit=can_edit),
        kinds=kinds or [],
    )


# ---------------------------------------------------------------- the audit's activity keys


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def audit_activity(partnerships: Sequence[tuple[Any, Sequence[Any]]], today: dt.date) -> dict[int, dict]:
    """The activity keys of `keel audit` for every partnership given, with a "members" mapping of
    organisation id to each member's keys: twelve queries for the whole workspace, whatever its size.

    Partnerships need only `pk` and `contact_every_days`, members `partnership_id`,
    `organisation_id` and `contact_id`: the audit passes plain rows, not model instances.

    Reads the whole workspace (partnerships=None) rather than listing ids, which would send every
    partnership's id back to the database."""
    members = [member for _, found in partnerships for member in found]
    cadence = {partnership.pk: partnership.contact_every_days for partnership, _ in partnerships}
    conditions = queries.conditions(members, cadence, today)
    attendance = queries.attendance(today)
    ratings = queries.latest_ratings()
    last_contact = queries.last_contact_by_partnership()
    referrals = queries.referral_counts_by_partnership(today)
    tallies = outcome_queries.tallies_by_partnership()
    pathways = queries.documented_pathways()
    together: dict[int, list[int]] = {}
    for (pid, _), (attended, total) in attendance.items():
        sums = together.setdefault(pid, [0, 0])
        sums[0] += attended
        sums[1] += total
    found = {}
    for partnership, partnership_members in partnerships:
        pk = partnership.pk
        last = last_contact.get(pk)
        figures = referrals.get(pk, NO_REFERRALS)
        outcomes = next((tally for tally in tallies.get(pk, []) if tally.kind == "outcome"), None)
        attended, total = together.get(pk, (0, 0))
        found[pk] = {
            "last_contact_date": last.isoformat() if last else None,
            "days_since_last_contact": rules.days_since(last, today),
            "regular_communication": rules.regular_communication(last, partnership.contact_every_days, today),
            "contact_every_days": partnership.contact_every_days,
            "attendance_rate": _rate(attended / total) if total else None,
            "referrals_made": figures.made,
            "referral_completion_rate": _rate(figures.completion_rate),
            "overdue_follow_ups": figures.overdue,
            "referral_pathway_documented": pk in pathways,
            "outcome_indicators_on_track": outcomes.on_track if outcomes else 0,
            "outcome_indicators_total": outcomes.total if outcomes else 0,
            "members": {
                m.organisation_id: _member_keys(
                    ratings.get((pk, m.organisation_id)),
                    conditions[pk, m.organisation_id],
                    attendance.get((pk, m.organisation_id), (0, 0)),
                )
                for m in partnership_members
            },
        }
    return found


def _member_keys(rating: RelationshipRating | None, held: rules.Conditions, attendance: tuple[int, int]) -> dict:
    attended, total = attendance
    return {
        "latest_rating": (
            {"score": rating.score, "date": rating.date.isoformat(), "rated_by": rating.rater} if rating else None
        ),
        "conditions": {
            "single_point_of_contact": held.contact,
            "regular_communication": held.communication,
            "working_referral_system": held.referrals,
        },
        "attendance_rate": _rate(attended / total) if total else None,
    }
