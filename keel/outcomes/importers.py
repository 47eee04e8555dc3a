"""`keel import measurements FILE`: indicator values by period, from CSV or XLSX.

Columns: partnership, indicator, period (a date), value, note. The partnership is matched by
name and the indicator by name within it, ignoring case and repeated spaces. A period already
measured takes the file's value (counted as changed); the same value again is unchanged, so
importing a file twice changes nothing. The import engine makes it all or nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property

from keel.common.importing import Column, ImportContext, Kind, Row, add_kind, long_text, one_line, plain
from keel.common.text import ReadError, choice_key, name_key, read_date
from keel.outcomes import services
from keel.outcomes.models import VALUE_PLACES, Indicator, Measurement
from keel.register.models import Partnership

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
PLACES = VALUE_PLACES


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def read_period(value) -> dt.date:
    """A period's date: a date, or a month or quarter, read as its last day.

    '2025-03-31', '31/03/2025', 'March 2025', 'Mar-25', '2025-03', '03/2025', 'Q1 2025', '2025 Q1'.
    A quarter is a calendar quarter (Q1 is January to March).
    """
    text = plain(value)
    key = choice_key(text).replace(",", " ")
    if match := re.fullmatch(r"q([1-4])\s*(\d{2}|\d{4})|(\d{4})\s*q([1-4])", key):
        quarter, year = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        return _month_end(_year(year), int(quarter) * 3)
    if match := re.fullmatch(r"([a-z]+)\.?\s*(\d{2}|\d{4})", key):
        if match.group(1) in MONTHS:
            return _month_end(_year(match.group(2)), MONTHS[match.group(1)])
    if match := re.fullmatch(r"(\d{4})[ /.](\d{1,2})", key) or re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip()):
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return _month_end(year, month)
    if match := re.fullmatch(r"(\d{1,2})[/.](\d{4})", text.strip()):  # 03/2025: a month, day first as ever
        month, year = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return _month_end(year, month)
    try:
        return read_date(value)
    except ReadError as error:
        if re.fullmatch(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}", text.strip()):
            raise  # a day, month and year that do not make a date: read_date says what is wrong
        raise ReadError(
            f"{text!r} is not a period: write a date (2025-03-31 or 31/03/2025), a month (March 2025) "
            "or a quarter (Q1 2025)."
        ) from error


def read_value(value) -> Decimal:
    """A number, forgiving of thousands separators, a currency sign, a % sign and spaces.

    Kept to 4 decimal places (what a measurement holds): a spreadsheet's 0.30000000000000004 is 0.3.
    """
    text = plain(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        cleaned = str(value)
    else:
        cleaned = re.sub(r"[\s,£$€%]", "", text)
        if re.fullmatch(r"\(\d+(\.\d+)?\)", cleaned):  # accounting negatives: (12.5)
            cleaned = "-" + cleaned[1:-1]
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ReadError(f"{text!r} is not a number: write it as 42 or 42.5.")
    if abs(number) >= Decimal("1e14"):
        raise ReadError(f"{text!r} is too large a number for Keel to keep (at most 14 digits before the point).")
    if isinstance(exponent := number.as_tuple().exponent, int) and exponent < -PLACES:
        number = number.quantize(Decimal(1).scaleb(-PLACES), rounding=ROUND_HALF_UP)
    return number


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
