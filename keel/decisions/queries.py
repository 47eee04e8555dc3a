"""Reads of decisions' records that need care: grouped for many partnerships in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection
from decimal import Decimal

from keel.activity.models import Attendance, AttendanceStatus, Contact
from keel.common.text import name_key
from keel.decisions.models import CostItem, ValueItem
from keel.decisions.money import CostFact, YearMoney, by_year, latest
from keel.decisions.services.setup import hourly_rates
from keel.register.models import Partnership, Person, Status


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


# What we know about each partner: the levels at which its people are involved ---------------

# "Jo Bloggs, Sam Patel; Ann Lee and Raj Shah / Kim": the ways people write who came.
_NAME_SEPARATORS = re.compile(r"[,;/&+\n]|\band\b", re.IGNORECASE)


def names_in(who: str) -> list[str]:
    """The names in an attendance row's "who came", as match keys (case and spacing ignored)."""
    return [key for part in _NAME_SEPARATORS.split(who or "") if (key := name_key(part.strip(" .")))]


def levels_by_organisation(
    partnership_id: int, organisation_ids: Collection[int], since: dt.date
) -> dict[int, set[str]]:
    """The levels (register.Level values) at which each organisation has people involved in the partnership
    since `since`: people it logged contacts with, and people named among those who came to meetings it
    attended (matched to the organisation's own people by name, ignoring case). Three queries.
    An organisation with none is absent: not known yet, rather than "no one"."""
    found: dict[int, set[str]] = defaultdict(set)
    wanted = set(organisation_ids)
    contacts = Contact.objects.filter(
        partnership_id=partnership_id, date__gte=since, person__organisation_id__in=wanted
    ).exclude(person__level="")
    for organisation_id, level in contacts.values_list("person__organisation_id", "person__level").distinct():
        found[organisation_id].add(level)
    attended = Attendance.objects.filter(
        meeting__partnership_id=partnership_id,
        meeting__date__gte=since,
        status=AttendanceStatus.ATTENDED,
        organisation_id__in=wanted,
    ).exclude(who="")
    named: dict[int, set[str]] = defaultdict(set)
    for organisation_id, who in attended.values_list("organisation_id", "who"):
        named[organisation_id].update(names_in(who))
    if named:
        people = Person.objects.filter(organisation_id__in=list(named)).exclude(level="")
        for organisation_id, key, level in people.values_list("organisation_id", "name_key", "level"):
            if key in named[organisation_id]:
                found[organisation_id].add(level)
    return dict(found)


def portfolio_money(this_year: int) -> list[tuple[int, str, YearMoney | None]]:
    """Every live partnership (not archived, not ended) by name, with its latest year of figures up to
    `this_year`, or None where nothing is recorded: four queries for the whole portfolio."""
    years = money_by_year()
    live = Partnership.objects.filter(archived_at__isnull=True).exclude(status=Status.ENDED).order_by("name_key")
    return [(pk, name, latest(years.get(pk, []), this_year)) for pk, name in live.values_list("pk", "name")]
