"""`keel import measurements FILE`: indicator values by period, from CSV or XLSX.

Columns: partnership, indicator, period (a date), value, note. The partnership is matched by
name and the indicator by name within it, ignoring case and repeated spaces. A period already
measured takes the file's value (counted as changed); the same value again is unchanged, so
importing a file twice changes nothing. The import engine makes it all or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import cached_property

from keel.common.importing import Column, ImportContext, Kind, Row, add_kind, long_text, one_line
from keel.common.periods import read_number, read_period
from keel.common.text import name_key
from keel.outcomes import services
from keel.outcomes.models import VALUE_PLACES, Indicator, Measurement
from keel.register.models import Partnership


def read_value(value) -> Decimal:
    """A measurement's value: a number, kept to the places a measurement holds."""
    return read_number(value, VALUE_PLACES)


COLUMNS = (
    Column(
        "partnership", one_line(200), True, ("partnership name",), "a partnership's name", "Northshire Dementia Pathway"
    ),
    Column("indicator", one_line(200), True, ("indicator name", "measure"), "an indicator's name", "Carers supported"),
    Column(
        "period",
        read_period,
        True,
        ("date", "month", "quarter", "as at", "period end"),
        "a date (31/03/2025), a month (March 2025) or a quarter (Q1 2025), read as its last day",
        "31/03/2025",
    ),
    Column("value", read_value, True, ("measurement", "result", "actual"), "a number", "42"),
    Column("note", long_text, False, ("notes", "comment", "comments"), "any text", "Quarter's figure"),
)


class MeasurementContext(ImportContext):
    def __init__(self, actor):
        super().__init__(actor)
        self._measured: dict[int, dict] = {}

    @cached_property
    def partnerships(self) -> dict[str, Partnership]:
        return {p.name_key: p for p in Partnership.objects.all()}

    @cached_property
    def indicators(self) -> dict[int, dict[str, Indicator]]:
        found: dict[int, dict[str, Indicator]] = defaultdict(dict)
        for indicator in Indicator.objects.all():
            found[indicator.partnership_id][indicator.name_key] = indicator
        return found

    def measured(self, indicator: Indicator) -> dict:
        """{period: (value, note)} of an indicator, read once per import: a re-import's unchanged rows
        then cost no query."""
        if indicator.pk not in self._measured:
            rows = Measurement.objects.filter(indicator=indicator).values_list("period", "value", "note")
            self._measured[indicator.pk] = {period: (value, note) for period, value, note in rows}
        return self._measured[indicator.pk]


def import_measurement(context: MeasurementContext, row: Row):
    data = row.data
    if row.errors:
        return
    partnership = context.partnerships.get(name_key(data["partnership"]))
    if partnership is None:
        row.error("partnership", f"There is no partnership called {data['partnership']!r} in this workspace.")
        return
    indicators = context.indicators.get(partnership.pk, {})
    indicator = indicators.get(name_key(data["indicator"]))
    if indicator is None:
        names = ", ".join(sorted(i.name for i in indicators.values())) or "none yet"
        row.error(
            "indicator",
            f"{partnership.name} has no indicator called {data['indicator']!r}. Its indicators: {names}. "
            "Add the indicator on the partnership's page first.",
        )
        return
    period, value, note = data["period"], data["value"], data.get("note", "").strip()
    measured = context.measured(indicator)
    before = measured.get(period)
    context.outcome.name = f"{indicator.name}, {period:%d/%m/%Y}"
    if services.unchanged(before, value, note):
        context.count("measurement", "unchanged")
        return
    measurement, action = services.record_measurement(context.actor, indicator, period, value, note)
    context.put(measured, period, (measurement.value, measurement.note))
    context.outcome.action = action  # what a dry run lists, row by row
    if action == "changed" and before is not None and before[0] != measurement.value:
        detail = f"value: {_plain(before[0])} → {_plain(measurement.value)}"
    else:
        detail = "note changed" if action == "changed" else f"value {_plain(measurement.value)}"
    context.count("measurement", action, detail)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _identity(data: dict):
    if {"partnership", "indicator", "period"} <= data.keys():
        key = (name_key(data["partnership"]), name_key(data["indicator"]), data["period"])
        return ("period", key, f"{data['indicator']} for {data['period']:%d/%m/%Y}")
    return None


MEASUREMENTS = Kind(
    "measurements",
    "measurement",
    COLUMNS,
    import_measurement,
    _identity,
    MeasurementContext,
    {"measurement": "Measurements"},
    ("measurement", "indicator values", "values"),
)


add_kind(MEASUREMENTS)
