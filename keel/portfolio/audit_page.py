"""The audit page: one row per partnership, filtered and sorted, in a fixed number of queries.

The page's columns come from `keel.decisions.evidence.advise`, the same advice as `keel audit`,
the reviews list and the partnership page. Advice is worked out once per request: for the page's
25 partnerships only when the list is sorted and filtered on the register's own fields (name,
status, tier, basis, planned end), and for the whole portfolio, once, when a filter or a sort needs
it (needs a decision, review overdue, costs more than it produces, a recommendation, or a sort on
return, health, rating, next review or recommendation). Reading the whole workspace at once costs
less than sending thousands of ids back to the database.

"Needs a decision" (our choice, written down in docs/audit.md): a live partnership (not ended and
not being dissolved) whose recommendation is other than keep and keep and invest, or whose review
is overdue, or whose terms have lapsed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from keel.activity import queries as activity_queries
from keel.decisions.evidence import Advice, advise, portfolio_advice
from keel.decisions.models import Decision
from keel.decisions.money import two_places
from keel.decisions.rules import ACTIVE_STATUSES, RECOMMENDATION_LABELS, Recommend, return_of
from keel.decisions.services.reviews import due_words
from keel.decisions.services.setup import thresholds
from keel.register.models import Basis, Partnership, PartnershipMember, Status, Tier

CALM = frozenset({Recommend.KEEP, Recommend.KEEP_AND_INVEST})
SETTLED = frozenset({Status.ENDED, Status.DISSOLVING})
# Most pressing first, for the sort on recommendation.
URGENCY = [
    Recommend.DISSOLVE,
    Recommend.MEDIATE,
    Recommend.IMPROVE,
    Recommend.CELEBRATE_AND_CLOSE,
    Recommend.DOWNGRADE,
    Recommend.MEASURE_FIRST,
    Recommend.KEEP,
    Recommend.KEEP_AND_INVEST,
]
BANDS = {"concern": 0, "watch": 1, "strength": 2}
# Sorts the database does on the partnership's own fields, and those that need the advice.
DATABASE_SORTS = {"name": "name_key", "status": "status", "tier": "tier", "basis": "basis", "end": "planned_end"}
ADVICE_SORTS = {"recommendation", "return", "review", "health", "rating", "outcomes", "decision"}
SORT_LABELS = {
    "name": "partnership",
    "status": "status",
    "tier": "tier",
    "basis": "basis",
    "end": "planned end",
    "recommendation": "recommendation",
    "return": "return",
    "review": "next review",
    "health": "health",
    "rating": "rating",
    "outcomes": "outcomes on track",
    "decision": "last decision",
}
SHOWS = {
    "": "All partnerships",
    "needs_decision": "Needs a decision",
    "review_overdue": "Review overdue",
    "past_end": "Past planned end",
    "costly": "Costs more than it produces",
}


@dataclass(frozen=True)
class Conditions:
    """How many of a partnership's members hold each of the three conditions of a 5 today."""

    members: int
    contact: int
    communication: int
    referrals: int


@dataclass(frozen=True)
class AuditRow:
    pk: int
    name: str
    advice: Advice
    today: dt.date
    conditions: Conditions | None = None

    @property
    def evidence(self):
        return self.advice.evidence

    @property
    def status_label(self) -> str:
        return Status(self.evidence.status).label

    @property
    def tier_label(self) -> str:
        return Tier(self.evidence.tier).label

    @property
    def basis_label(self) -> str:
        return Basis(self.evidence.basis).label

    @property
    def return_value(self) -> Decimal | None:
        ratio = return_of(self.evidence)
        return None if ratio is None else two_places(ratio)

    @property
    def review_words(self) -> str:
        return due_words(self.advice.review.due, self.today) if self.advice.review.due else ""

    @property
    def last_decision_label(self) -> str:
        code = self.evidence.last_decision
        return Decision(code).label if code in Decision.values else ""


@dataclass
class AuditQuery:
    """The page's parameters, checked: unknown values fall back to no filter and the name sort."""

    show: str = ""
    status: str = ""
    tier: str = ""
    recommendation: str = ""
    q: str = ""
    sort: str = "name"

    @classmethod
    def of(cls, params) -> AuditQuery:
        def pick(name: str, allowed) -> str:
            value = params.get(name) or ""
            return value if value in allowed else ""

        sort = params.get("sort") or "name"
        if sort.lstrip("-") not in DATABASE_SORTS and sort.lstrip("-") not in ADVICE_SORTS:
            sort = "name"
        return cls(
            show=pick("show", SHOWS),
            status=pick("status", Status.values),
            tier=pick("tier", Tier.values),
            recommendation=pick("recommendation", [code.value for code in Recommend]),
            q=" ".join((params.get("q") or "").split()),
            sort=sort,
        )

    @property
    def needs_all_advice(self) -> bool:
        return self.show in {"needs_decision", "review_overdue", "costly"} or bool(
            self.recommendation or self.sort.lstrip("-") in ADVICE_SORTS
        )


def partnerships(query: AuditQuery, today: dt.date):
    """The partnerships the register's own fields let through, as a queryset of the page's order."""
    found = Partnership.objects.filter(archived_at__isnull=True)
    if query.status:
        found = found.filter(status=query.status)
    if query.tier:
        found = found.filter(tier=query.tier)
    if query.q:
        found = found.filter(name__icontains=query.q)
    if query.show == "past_end":  # rules.lapsed_terms, as a filter the database can run
        found = found.filter(status__in=ACTIVE_STATUSES).filter(
            Q(planned_end__lt=today) | Q(end_condition_met_on__isnull=False)
        )
    key = DATABASE_SORTS.get(query.sort.lstrip("-"), "name_key")
    return found.order_by(f"-{key}" if query.sort.startswith("-") else key, "name_key", "pk")


def needs_decision(advice: Advice) -> bool:
    if advice.evidence.status in SETTLED:
        return False
    return advice.recommendation.code not in CALM or advice.review.overdue or advice.lapsed is not None


def _keep(advice: Advice, query: AuditQuery, dissolve_return: Decimal) -> bool:
    if query.recommendation and advice.recommendation.code != query.recommendation:
        return False
    if query.show == "needs_decision":
        return needs_decision(advice)
    if query.show == "review_overdue":
        return advice.review.overdue
    if query.show == "costly":
        ratio = return_of(advice.evidence)
        return ratio is not None and ratio < dissolve_return
    return True


def _sort_value(advice: Advice, key: str):
    """The value a row sorts by, or None for "not known", which always comes last."""
    evidence = advice.evidence
    if key == "recommendation":
        return URGENCY.index(advice.recommendation.code)
    if key == "return":
        return return_of(evidence)
    if key == "review":
        return advice.review.due
    if key == "health":
        return None if evidence.health_band is None else (BANDS.get(evidence.health_band, 3), evidence.health_score)
    if key == "rating":
        return evidence.lowest_rating
    if key == "outcomes":
        return None if not evidence.outcomes_total else evidence.outcomes_on_track / evidence.outcomes_total
    if key == "decision":
        return evidence.last_decision
    return evidence.name.casefold()


def sorted_advice(advice: list[Advice], sort: str) -> list[Advice]:
    """By the sort's value (descending for '-key'), unknown values last, then by name."""
    key = sort.lstrip("-")
    by_name = sorted(advice, key=lambda found: (found.evidence.name.casefold(), found.evidence.partnership_id))
    known = [found for found in by_name if _sort_value(found, key) is not None]
    unknown = [found for found in by_name if _sort_value(found, key) is None]
    known.sort(key=lambda found: _sort_value(found, key), reverse=sort.startswith("-"))  # stable: name breaks ties
    return known + unknown


def audit_list(query: AuditQuery, today: dt.date) -> tuple[Any, dict[int, Advice] | None]:
    """The partnership ids in the page's order, and the advice when it was needed to decide them.

    Ids come as a list when the advice decided the order, else as a queryset the paginator slices,
    and the advice is then worked out for one page only."""
    found = partnerships(query, today)
    if not query.needs_all_advice:
        return found.values_list("pk", flat=True), None
    order = {pk: i for i, pk in enumerate(found.values_list("pk", flat=True))}
    limit = thresholds().dissolve_return
    everything = portfolio_advice(today)
    advice = [given for pk, given in everything.items() if pk in order and _keep(given, query, limit)]
    if query.sort.lstrip("-") in DATABASE_SORTS:
        return sorted((given.evidence.partnership_id for given in advice), key=order.__getitem__), everything
    return [given.evidence.partnership_id for given in sorted_advice(advice, query.sort)], everything


def conditions_of(ids: list[int], today: dt.date) -> dict[int, Conditions]:
    """The three conditions of a 5 for the members of the page's partnerships: four queries."""
    members = list(
        PartnershipMember.objects.filter(partnership_id__in=ids).only("partnership_id", "organisation_id", "contact_id")
    )
    cadence = dict(Partnership.objects.filter(pk__in=ids).values_list("pk", "contact_every_days"))
    held = activity_queries.conditions(list(members), cadence, today, ids)
    found: dict[int, list[int]] = {pk: [0, 0, 0, 0] for pk in ids}
    for (pk, _), conditions in held.items():
        counts = found[pk]
        counts[0] += 1
        counts[1] += conditions.contact
        counts[2] += conditions.communication
        counts[3] += conditions.referrals
    return {pk: Conditions(*counts) for pk, counts in found.items()}


def page_rows(ids: list[int], today: dt.date, advice: dict[int, Advice] | None = None) -> list[AuditRow]:
    """The page's rows in order, with their members' conditions; the advice is worked out for these
    partnerships only unless it is given."""
    if not ids:
        return []
    if advice is None:
        advice = advise(today, ids)
    held = conditions_of(ids, today)
    return [AuditRow(pk, advice[pk].evidence.name, advice[pk], today, held.get(pk)) for pk in ids if pk in advice]


RECOMMENDATION_CHOICES = [(code.value, RECOMMENDATION_LABELS[code]) for code in URGENCY]
