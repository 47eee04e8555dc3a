"""Forgiving readers for what people type: names, choices, dates and cadences."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata


def name_key(name: str) -> str:
    """The form a name is matched by: case-folded, accents kept, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def choice_key(text: str) -> str:
    """'Under-Review ', 'under_review' and 'UNDER REVIEW' all become 'under review'."""
    return " ".join(re.sub(r"[_\-/]+", " ", str(text)).split()).casefold()


class ReadError(ValueError):
    """A value that cannot be read; the message says what was expected."""


def read_choice(text: str, choices, synonyms: dict[str, str] | None = None) -> str:
    """Read one of a TextChoices by its value, its label or a synonym, forgivingly."""
    key = choice_key(text)
    table = {}
    for value, label in choices.choices:
        table[choice_key(value)] = value
        table[choice_key(label)] = value
    for word, value in (synonyms or {}).items():
        table[choice_key(word)] = value
    if key in table:
        return table[key]
    allowed = ", ".join(label.lower() for _, label in choices.choices)
    raise ReadError(f"{text.strip()!r} is not one of: {allowed}.")


DATE_FORMATS = [
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%Y%m%d",
]


def read_date(value) -> dt.date:
    """A date from ISO 8601, dd/mm/yyyy (UK order) and a few other spellings, or a cell's date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = " ".join(str(value).replace(",", " ").split())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ].*", text):
        text = text[:10]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ReadError(f"{str(value).strip()!r} {_why_not_a_date(text)}: write it as 2025-03-31 or 31/03/2025.")


def _why_not_a_date(text: str) -> str:
    """What is wrong with a day/month/year that did not read, as precisely as can be said."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if not match:
        return "is not a date"
    day, month, year = (int(part) for part in match.groups())
    if month > 12 and day <= 12:
        return "puts the month first (as in the US); Keel reads the day first"
    if 1 <= month <= 12:
        days = calendar.monthrange(year, month)[1]
        return f"is not a date: {calendar.month_name[month]} {year} has {days} days"
    return "is not a date"


_CADENCE_WORDS = {
    "monthly": 1,
    "every month": 1,
    "bimonthly": 2,
    "bi monthly": 2,
    "quarterly": 3,
    "every quarter": 3,
    "termly": 4,
    "half yearly": 6,
    "half year": 6,
    "six monthly": 6,
    "biannually": 6,
    "twice a year": 6,
    "annually": 12,
    "annual": 12,
    "yearly": 12,
    "every year": 12,
    "biennially": 24,
}
_UNITS = {
    "month": 1,
    "months": 1,
    "monthly": 1,  # "6 monthly", "6-monthly"
    "mo": 1,
    "m": 1,
    "year": 12,
    "years": 12,
    "yearly": 12,
    "yr": 12,
    "yrs": 12,
    "y": 12,
}
_TOO_OFTEN = re.compile(r"(\d+\s*)?(week|weeks|weekly|wk|wks|day|days|daily|fortnight|fortnights|fortnightly)")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12, "eighteen": 18}


def read_cadence(value) -> int:
    """A review cadence in months from '3 months', 'quarterly', 'every 6 months', '1 year', '12'."""
    text = choice_key(value)
    text = re.sub(r"^(every|each|once every|once a)\s+", "", text)
    if text in _CADENCE_WORDS:
        return _CADENCE_WORDS[text]
    if ("every " + text) in _CADENCE_WORDS:
        return _CADENCE_WORDS["every " + text]
    if text in _UNITS:
        return _UNITS[text]
    match = re.fullmatch(r"(\d+|[a-z]+)\s*([a-z]*)", text)
    if match:
        number_text, unit = match.groups()
        number = int(number_text) if number_text.isdigit() else _NUMBER_WORDS.get(number_text)
        factor = _UNITS.get(unit or "months")
        if number and factor and 1 <= number * factor <= 60:
            return number * factor
    if _TOO_OFTEN.fullmatch(text):
        raise ReadError(
            f"{str(value).strip()!r} is more often than Keel reviews: reviews are counted in months, "
            "so write '1 month' or more (e.g. 'quarterly')."
        )
    raise ReadError(
        f"{str(value).strip()!r} is not a review cadence: "
        "write e.g. '3 months', 'quarterly', 'annually' (at most 5 years)."
    )


def describe_months(months: int | None) -> str:
    if not months:
        return ""
    names = {1: "monthly", 3: "quarterly", 6: "every 6 months", 12: "annually"}
    if months in names:
        return names[months]
    if months % 12 == 0:
        return f"every {months // 12} years"
    return f"every {months} months"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), kept within the month: 31 January + 1 is 28 or 29 February."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_DAY_WORDS = {
    "daily": 1,
    "weekly": 7,
    "every week": 7,
    "fortnightly": 14,
    "every fortnight": 14,
    "monthly": 30,
    "every month": 30,
    "bimonthly": 60,
    "bi monthly": 60,
    "quarterly": 91,
    "every quarter": 91,
}
_DAY_UNITS = {"day": 1, "days": 1, "d": 1, "week": 7, "weeks": 7, "wk": 7, "wks": 7, "w": 7}
_DAY_UNITS |= {"fortnight": 14, "fortnights": 14, "month": 30, "months": 30, "mo": 30, "m": 30}


def read_contact_cadence(value) -> int:
    """A contact cadence in days from '30', '30 days', '2 weeks', 'fortnightly', 'monthly' (30 days)."""
    text = re.sub(r"^(every|each|at least every|once every|once a)\s+", "", choice_key(value))
    days = _DAY_WORDS.get(text) or _DAY_WORDS.get("every " + text) or _DAY_UNITS.get(text)
    if days is None and (match := re.fullmatch(r"(\d+|[a-z]+)\s*([a-z]*)", text)):
        number_text, unit = match.groups()
        number = int(number_text) if number_text.isdigit() else _NUMBER_WORDS.get(number_text)
        factor = _DAY_UNITS.get(unit or "days")
        days = number * factor if number and factor else None
    if days is None or not 1 <= days <= 365:
        raise ReadError(
            f"{str(value).strip()!r} is not a contact cadence: write a number of days (e.g. 30), "
            "or '2 weeks', 'fortnightly', 'monthly' (between 1 day and a year)."
        )
    return days
