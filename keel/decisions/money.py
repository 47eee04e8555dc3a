"""Cost and value in money terms: plain, exact arithmetic (DESIGN.md, "Cost and value").

Annual cost = staff hours × the hourly rate of their role + money given + in-kind given.
Annual value is the sum of the value estimates of the year. Net = value − cost and
return = value ÷ cost, kept as an exact fraction so a return of exactly 1.5 is never 1.4999…;
`two_places` is the one rounding rule (half up) for showing any of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

STAFF_TIME = "staff_time"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CostFact:
    kind: str  # staff_time, money, in_kind
    level: str = ""  # register.Level value, for staff time
    hours: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class YearMoney:
    """One partnership's cost and value in one year. None: nothing of that side recorded that year."""

    year: int
    cost: Decimal | None
    value: Decimal | None

    @property
    def net(self) -> Decimal | None:
        if self.cost is None or self.value is None:
            return None
        return self.value - self.cost

    @property
    def ratio(self) -> Fraction | None:
        """Return (value ÷ cost), exact; None when either is not known or nothing was spent."""
        return return_on(self.cost, self.value)


def two_places(value: Fraction | Decimal | int) -> Decimal:
    """The one rounding rule for money and returns shown to people: two places, halves up."""
    if isinstance(value, Fraction):
        # Halves away from zero, decided on the exact fraction (as Decimal's ROUND_HALF_UP does).
        cents = math.floor(abs(value) * 100 + Fraction(1, 2))
        return (Decimal(cents if value >= 0 else -cents) / 100).quantize(CENT)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def cost_of(fact: CostFact, rates: Mapping[str, Decimal]) -> Decimal:
    """What one cost item costs in money: staff hours at their role's rate, or the amount given."""
    if fact.kind == STAFF_TIME:
        rate = rates.get(fact.level)
        if rate is None or fact.hours is None:
            raise ValueError(f"Staff time needs hours and a role with a rate (role {fact.level!r}).")
        return fact.hours * rate
    return fact.amount if fact.amount is not None else Decimal(0)


def annual_cost(facts: Iterable[CostFact], rates: Mapping[str, Decimal]) -> Decimal:
    return sum((cost_of(fact, rates) for fact in facts), Decimal(0))


def return_on(cost: Decimal | None, value: Decimal | None) -> Fraction | None:
    if cost is None or value is None or cost <= 0:
        return None
    return Fraction(value) / Fraction(cost)


def by_year(
    costs: Iterable[tuple[int, CostFact]], values: Iterable[tuple[int, Decimal]], rates: Mapping[str, Decimal]
) -> list[YearMoney]:
    """Each year with anything recorded, newest first."""
    cost_years: dict[int, list[CostFact]] = {}
    value_years: dict[int, Decimal] = {}
    for year, fact in costs:
        cost_years.setdefault(year, []).append(fact)
    for year, amount in values:
        value_years[year] = value_years.get(year, Decimal(0)) + amount
    years = sorted(set(cost_years) | set(value_years), reverse=True)
    return [
        YearMoney(
            year,
            annual_cost(cost_years[year], rates) if year in cost_years else None,
            value_years.get(year),
        )
        for year in years
    ]


def latest(years: list[YearMoney], this_year: int) -> YearMoney | None:
    """The newest year up to `this_year` with anything recorded: the partnership's annual figures."""
    return next((money for money in years if money.year <= this_year), None)
