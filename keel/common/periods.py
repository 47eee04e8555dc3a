"""Reading periods and numbers as people type them in spreadsheets and forms.

A period is a date, or a month or quarter read as its last day; a number forgives thousands
separators, currency and % signs, spaces and accounting negatives. Both raise ReadError with
a message that says what to write instead.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from keel.common.importing import plain
from keel.common.text import ReadError, choice_key, read_date

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9


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


def read_number(value, places: int) -> Decimal:
    """A number, forgiving of thousands separators, a currency sign, a % sign and spaces.

    Kept to `places` decimal places (what the field holds): a spreadsheet's 0.30000000000000004 is 0.3.
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
    if isinstance(exponent := number.as_tuple().exponent, int) and exponent < -places:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number
