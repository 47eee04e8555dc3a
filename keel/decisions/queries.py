"""Reads of decisions' records that need care: grouped for many partnerships in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from decimal import Decimal

from keel.decisions.models import CostItem, ValueItem
from keel.decisions.money import CostFact, YearMoney, by_year
from keel.decisions.services.setup import hourly_rates


def money_by_year(partnership_ids: Collection[int] | None = None) -> dict[int, list[YearMoney]]:
    """Each partnership's cost and value per year, newest first: three queries, however many there are.

    Rates are the workspace's current hourly rates: changing a rate re-prices past staff time,
    which keeps every year comparable.
    """
    rates = hourly_rates()
    costs, values = CostItem.objects.all(), ValueItem.objects.all()
    if partnership_ids is not None:
        costs, values = (
            costs.filter(partnership_id__in=partnership_ids),
            values.filter(partnership_id__in=partnership_ids),
        )
    cost_rows: dict[int, list[tuple[int, CostFact]]] = defaultdict(list)
    value_rows: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for pk, year, kind, level, hours, amount in costs.values_list(
        "partnership_id", "year", "kind", "level", "hours", "amount"
    ):
        cost_rows[pk].append((year, CostFact(kind, level, hours, amount)))
    for pk, year, amount in values.values_list("partnership_id", "year", "amount"):
        value_rows[pk].append((year, amount))
    return {
        pk: by_year(cost_rows.get(pk, []), value_rows.get(pk, []), rates) for pk in set(cost_rows) | set(value_rows)
    }
