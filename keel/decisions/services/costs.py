"""Writes to cost and value. Each runs in a transaction and is written to the partnership's change log.

The checks are plain functions returning {field: message}, so the forms show them next to the
field and the service refuses the same things for any other caller (the demo, an import).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.services import ServiceError
from keel.decisions.models import CostItem, CostKind, ValueItem
from keel.register.models import Level, Partnership

COST_FIELDS = ["year", "kind", "level", "hours", "amount", "description"]
VALUE_FIELDS = ["year", "amount", "description", "basis", "confidence"]
FIRST_YEAR = 1990


def year_problem(year: int | None, this_year: int) -> str:
    if year is None:
        return f"Give the year the figures are for, e.g. {this_year}."
    if year < FIRST_YEAR:
        return f"Give a year from {FIRST_YEAR} to {this_year}."
    if year > this_year:
        return f"{year} has not started yet: record cost and value for {this_year} or an earlier year."
    return ""


def cost_problems(
    kind: str, level: str, hours: Decimal | None, amount: Decimal | None, year: int | None, this_year: int
) -> dict[str, str]:
    """What is wrong with a cost item, by field; empty when it can be saved."""
    problems = {"year": year_problem(year, this_year)}
    if kind == CostKind.STAFF_TIME:
        if level not in Level.values:
            problems["level"] = (
                "Staff time needs a role, for its hourly rate: choose executive, senior manager, manager or frontline."
            )
        if hours is None:
            problems["hours"] = "Staff time needs the hours spent in the year."
        elif hours <= 0:
            problems["hours"] = "Give the hours as a number above 0."
        if amount is not None:
            problems["amount"] = "Staff time is costed from its hours at the role's rate: leave the amount blank."
    elif kind in CostKind.values:
        if amount is None:
            problems["amount"] = "Give the amount in pounds."
        elif amount < 0:
            problems["amount"] = "The amount cannot be negative: record what the partnership brings in as value."
        if hours is not None or level:
            problems["hours" if hours is not None else "level"] = (
                "Hours and a role are for staff time: clear them, or choose staff time as the kind of cost."
            )
    else:
        problems["kind"] = "Choose staff time, money given or in kind."
    return {field: message for field, message in problems.items() if message}


def value_problems(amount: Decimal | None, basis: str, year: int | None, this_year: int) -> dict[str, str]:
    """What is wrong with a value item, by field; empty when it can be saved."""
    problems = {"year": year_problem(year, this_year)}
    if amount is None:
        problems["amount"] = "Give the value in pounds, as estimated."
    elif amount < 0:
        problems["amount"] = "Value cannot be negative: one that costs more than it produces has a net below 0."
    if not basis.strip():
        problems["basis"] = "Say how the value was estimated, e.g. '40 admissions avoided × £2,500'."
    return {field: message for field, message in problems.items() if message}


def _gone(before: dict) -> dict:
    """A deleted record's change: every value it had, to nothing."""
    return {key: [value, None] for key, value in before.items() if value not in (None, "")}


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ServiceError(" ".join(problems.values()))


def _write(actor: Actor, partnership: Partnership, item, fields: list[str], values: dict, what: str, check) -> None:
    creating = item.pk is None
    before = {} if creating else snapshot(type(item).objects.get(pk=item.pk), fields)
    for key, value in values.items():
        if key not in fields:
            raise ServiceError(f"{key} is not a field of {what.replace('_', ' ')}.")
        setattr(item, key, value)
    item.description = " ".join((item.description or "").split())
    check(item)
    item.full_clean(exclude=["workspace", "partnership"])
    item.save()
    changes = diff(before, snapshot(item, fields))
    if creating or changes:
        action = f"partnership.{what}_{'added' if creating else 'changed'}"
        record(actor, action, partnership, changes, note=f"{item.year}: {item.description}"[:300])


@transaction.atomic
def save_cost_item(
    actor: Actor, partnership: Partnership, values: dict, this_year: int, item: CostItem | None = None
) -> CostItem:
    """Add or change what we put into a partnership in a year: staff time, money or in kind."""
    item = item or CostItem(partnership=partnership)

    def check(cost: CostItem) -> None:
        if cost.kind != CostKind.STAFF_TIME:
            cost.level = cost.level or ""
        _refuse(cost_problems(cost.kind, cost.level, cost.hours, cost.amount, cost.year, this_year))

    _write(actor, partnership, item, COST_FIELDS, values, "cost_item", check)
    return item


@transaction.atomic
def save_value_item(
    actor: Actor, partnership: Partnership, values: dict, this_year: int, item: ValueItem | None = None
) -> ValueItem:
    """Add or change the value a partnership produced in a year, with its basis and our confidence."""
    item = item or ValueItem(partnership=partnership)

    def check(value: ValueItem) -> None:
        _refuse(value_problems(value.amount, value.basis, value.year, this_year))

    _write(actor, partnership, item, VALUE_FIELDS, values, "value_item", check)
    return item


@transaction.atomic
def delete_cost_item(actor: Actor, item: CostItem) -> None:
    record(actor, "partnership.cost_item_deleted", item.partnership, _gone(snapshot(item, COST_FIELDS)))
    item.delete()


@transaction.atomic
def delete_value_item(actor: Actor, item: ValueItem) -> None:
    record(actor, "partnership.value_item_deleted", item.partnership, _gone(snapshot(item, VALUE_FIELDS)))
    item.delete()
