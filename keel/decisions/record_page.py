"""What the pages show of cost and value, events, conflicts and what we know about each partner.

Figures are computed in keel.decisions.money and shown here with its one rounding rule
(`two_places`); an unknown figure is "not known yet", never 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from keel.common.text import add_months
from keel.decisions import queries
from keel.decisions.models import Conflict, ConflictOutcome, CostItem, CostKind, Event, ValueItem
from keel.decisions.money import CostFact, YearMoney, by_year, cost_of, latest, two_places
from keel.decisions.services.setup import decision_settings, hourly_rates
from keel.outcomes.models import Indicator
from keel.register.models import Level, Partnership, PartnershipMember

NOT_KNOWN = "not known yet"
LEVEL_LABELS = dict(Level.choices)
RECENT_EVENTS = 5


def pounds(amount: Decimal | Fraction | None) -> str:
    """£1,234.50; −£20.00 for a loss; "not known yet" for None."""
    if amount is None:
        return NOT_KNOWN
    rounded = two_places(amount)
    return f"{'−' if rounded < 0 else ''}£{abs(rounded):,.2f}"


def ratio_shown(ratio: Fraction | None) -> str:
    return NOT_KNOWN if ratio is None else f"{two_places(ratio):.2f}"


@dataclass(frozen=True)
class Figures:
    """One year's cost, value, net and return, as shown."""

    money: YearMoney

    @property
    def year(self) -> int:
        return self.money.year

    @property
    def cost(self) -> str:
        return pounds(self.money.cost)

    @property
    def value(self) -> str:
        return pounds(self.money.value)

    @property
    def net(self) -> str:
        return pounds(self.money.net)

    @property
    def ratio(self) -> str:
        if self.money.cost is not None and self.money.cost <= 0 and self.money.value is not None:
            return "no cost recorded"
        return ratio_shown(self.money.ratio)

    @property
    def loss(self) -> bool:
        net = self.money.net
        return net is not None and net < 0


# The costs page ------------------------------------------------------------------------------


@dataclass
class CostRow:
    item: CostItem
    rate: Decimal | None
    cost: Decimal

    @property
    def rate_shown(self) -> str:
        return pounds(self.rate)

    @property
    def cost_shown(self) -> str:
        return pounds(self.cost)

    @property
    def hours_shown(self) -> str:
        hours = self.item.hours
        return "" if hours is None else format(hours.normalize(), ",f")

    @property
    def role(self) -> str:
        return LEVEL_LABELS.get(self.item.level, "")


@dataclass
class ValueRow:
    item: ValueItem

    @property
    def shown(self) -> str:
        return pounds(self.item.amount)


@dataclass
class Year:
    figures: Figures
    costs: list[CostRow] = field(default_factory=list)
    values: list[ValueRow] = field(default_factory=list)


def costs_page(partnership: Partnership) -> tuple[list[Year], dict[str, Decimal]]:
    """Each year with anything recorded, newest first, with its items and totals; and the hourly rates.
    Three queries."""
    rates = hourly_rates()
    costs = list(CostItem.objects.filter(partnership=partnership).order_by("-year", "kind", "pk"))
    values = list(ValueItem.objects.filter(partnership=partnership).order_by("-year", "pk"))
    facts = [(c.year, CostFact(c.kind, c.level, c.hours, c.amount)) for c in costs]
    years = {money.year: Year(Figures(money)) for money in by_year(facts, [(v.year, v.amount) for v in values], rates)}
    for item, (_, fact) in zip(costs, facts, strict=True):
        rate = rates.get(item.level) if item.kind == CostKind.STAFF_TIME else None
        years[item.year].costs.append(CostRow(item, rate, cost_of(fact, rates)))
    for value in values:
        years[value.year].values.append(ValueRow(value))
    return list(years.values()), rates


def _years(partnership: Partnership, rates: dict[str, Decimal]) -> list[YearMoney]:
    """The partnership's years, as queries.money_by_year gives them, with rates already read: two queries."""
    costs = CostItem.objects.filter(partnership=partnership).values_list("year", "kind", "level", "hours", "amount")
    values = ValueItem.objects.filter(partnership=partnership).values_list("year", "amount")
    facts = [(year, CostFact(kind, level, hours, amount)) for year, kind, level, hours, amount in costs]
    return by_year(facts, list(values), rates)


# The portfolio's cost and value ---------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    pk: int
    name: str
    figures: Figures
    costs_more: bool


@dataclass(frozen=True)
class Portfolio:
    """The partnerships ranked by return, and the share of them (and of the cost) that cost more than they produce."""

    ranked: list[Ranked]  # with a cost and a value: highest return first
    incomplete: list[Ranked]  # a cost or a value, not both (or no cost to divide by)
    without: int  # live partnerships with no figures at all
    costing_more: int
    with_figures: int
    share: Decimal | None  # % of those with figures that cost more than they produce
    cost_share: Decimal | None  # % of their total cost that those account for
    threshold: Decimal

    @property
    def total(self) -> int:
        return self.with_figures + len(self.incomplete) + self.without

    @property
    def summary(self) -> str:
        """N of M partnerships with figures (X%) cost more than they produce; they account for Y% of the cost."""
        n, m = self.costing_more, self.with_figures
        if not m:
            return "No partnership has both a cost and a value recorded for a year yet."
        they = (
            ("costs more than it produces", "it accounts")
            if n == 1
            else ("cost more than they produce", "they account")
        )
        return (
            f"{n} of {m} partnership{'' if m == 1 else 's'} with figures ({self.share}%) {they[0]}; "
            f"{they[1]} for {self.cost_share}% of the total cost."
        )

    @property
    def gaps(self) -> str:
        """How many have no figures yet, and how many have one side only."""
        total, without, one_side = self.total, self.without, len(self.incomplete)
        partnerships = "partnership" if total == 1 else "partnerships"
        said = f"{without} of {total} {partnerships} {'has' if without == 1 else 'have'} no figures yet"
        if one_side:
            said += (
                f"; {one_side} {'has' if one_side == 1 else 'have'} a cost or a value but not both, so no return yet"
            )
        return said + "."


def portfolio(rows: list[tuple[int, str, YearMoney | None]], threshold: Decimal) -> Portfolio:
    """Rank partnerships by return, exact arithmetic throughout, rounded once (half up) for showing.

    "Costs more than it produces" is a return below `threshold`, the workspace's setting (1.00 by default),
    the same line the recommendations use."""
    ranked: list[Ranked] = []
    incomplete: list[Ranked] = []
    without = 0
    for pk, name, money in rows:
        if money is None:
            without += 1
            continue
        ratio = money.ratio
        if ratio is None:
            incomplete.append(Ranked(pk, name, Figures(money), False))
        else:
            ranked.append(Ranked(pk, name, Figures(money), ratio < Fraction(threshold)))
    ranked.sort(key=lambda row: (-(row.figures.money.ratio or 0), row.name.casefold()))
    costing = [row for row in ranked if row.costs_more]
    total_cost = sum((row.figures.money.cost or Decimal(0) for row in ranked), Decimal(0))
    their_cost = sum((row.figures.money.cost or Decimal(0) for row in costing), Decimal(0))
    share = two_places(Fraction(len(costing) * 100, len(ranked))) if ranked else None
    cost_share = two_places(Fraction(their_cost) * 100 / Fraction(total_cost)) if total_cost else None
    return Portfolio(ranked, incomplete, without, len(costing), len(ranked), share, cost_share, threshold)


# The partnership page's section ------------------------------------------------------------------


@dataclass(frozen=True)
class OpenConflict:
    conflict: Conflict
    days_open: int
    irreconcilable: bool


@dataclass(frozen=True)
class PartnerKnowledge:
    member: PartnershipMember
    levels: list[str]  # labels, in the order executive → frontline; empty: not known yet


def partnership_records(partnership: Partnership, today: dt.date) -> dict[str, object]:
    """Cost and value, recent events, open conflicts, what we know about each partner, and indicators with
    no "if off track": ten queries at most, whatever the data."""
    settings = decision_settings()
    money = latest(_years(partnership, hourly_rates(settings)), today.year)
    events = list(Event.objects.filter(partnership=partnership).order_by("-date", "-pk")[: RECENT_EVENTS + 1])
    conflicts = [
        OpenConflict(c, (today - c.raised_on).days, (today - c.raised_on).days > settings.conflict_days)
        for c in Conflict.objects.filter(partnership=partnership, outcome=ConflictOutcome.OPEN)
        .select_related("escalated_to")
        .order_by("raised_on", "pk")
    ]
    members = list(partnership.members.select_related("organisation").order_by("organisation__name_key"))
    since = add_months(today, -12)
    levels = queries.levels_by_organisation(partnership.pk, [m.organisation_id for m in members], since)
    partners = [
        PartnerKnowledge(m, [label for value, label in Level.choices if value in levels.get(m.organisation_id, ())])
        for m in members
    ]
    unsettled = list(
        Indicator.objects.filter(partnership=partnership, if_off_track="").order_by("name_key").values("pk", "name")
    )
    return {
        "money": Figures(money) if money else None,
        "events": events[:RECENT_EVENTS],
        "more_events": len(events) > RECENT_EVENTS,
        "open_conflicts": conflicts,
        "conflict_days": settings.conflict_days,
        "partners": partners,
        "unsettled_indicators": unsettled,
    }
