"""The rules of activity, as plain functions on plain data (no database, no HTTP).

Pages, the API, the audit and the CLI all call these, so a rule is written and tested once:
the client-reference check, regular communication, the three conditions of a 5 rating,
attendance rates and referral figures.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

REFERRAL_WINDOW_DAYS = 90  # a referral with an organisation this recent shows a working referral system
ATTENDANCE_WINDOW_DAYS = 365  # attendance rates are over the last 12 months
LOW_RATING = 2  # a rating of this or lower creates an action
TOP_RATING = 5


# ------------------------------------------------------------------ client references


def nhs_number_valid(digits: str) -> bool:
    """True when ten digits pass the NHS number check digit (modulus 11, weights 10 to 2)."""
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_TEN_DIGITS = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
# UK numbers start 0 then 1–9 (01632 960001, 07700 900123); international ones + or 00.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00|\(?0(?=[1-9]))[\d ()\-.]{8,}\d(?!\w)")
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august"
    "|september|october|november|december"
)
_DATES = [
    re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?!\d)"),  # 12/03/1984, 12-3-84
    re.compile(r"(?<!\d)(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?!\d)"),  # 1984-03-12
    re.compile(rf"(?<!\d)\d{{1,2}}(?:st|nd|rd|th)?[ \-]?(?:{_MONTHS})\b[ \-,]*\d{{2,4}}(?!\d)", re.IGNORECASE),
    re.compile(rf"\b(?:{_MONTHS})[ \-]\d{{1,2}}(?:st|nd|rd|th)?[ \-,]+\d{{4}}(?!\d)", re.IGNORECASE),
]


def _is_date(match: re.Match[str]) -> bool:
    groups = match.groups()
    if not groups:
        return True  # the month-name patterns
    if len(groups[0]) == 4:
        year, month, day = (int(g) for g in groups)
    else:
        day, month, year = (int(g) for g in groups)
        if month > 12 and day <= 12:  # written month first
            day, month = month, day
    return 1 <= month <= 12 and 1 <= day <= 31 and (year < 100 or 1880 <= year <= 2100)


def personal_data_reason(reference: str) -> str | None:
    """Why a client reference looks like personal data, or None when it does not.

    A referral keeps only a pseudonymous reference: never an NHS number, an e-mail address, a
    phone number or a date of birth. The reason is said so the person can choose another.
    """
    text = reference.strip()
    if _EMAIL.search(text):
        return "it contains an e-mail address"
    for match in _TEN_DIGITS.finditer(text):
        if nhs_number_valid("".join(match.groups())):
            return "it contains a valid NHS number"
    for pattern in _DATES:
        if any(_is_date(m) for m in pattern.finditer(text)):
            return "it contains a date, which could be a date of birth"
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 10 <= len(digits) <= 15:
            return "it looks like a phone number"
    return None


def client_reference_problem(reference: str) -> str | None:
    """The whole refusal for a client reference, or None when it can be kept."""
    text = reference.strip()
    if not text:
        return "Give the referral a client reference: your own pseudonymous code for the person, such as C-1042."
    if len(text) > 40:
        return f"A client reference is a short code (at most 40 characters); this one is {len(text)}."
    reason = personal_data_reason(text)
    if reason:
        return (
            f"This client reference cannot be kept: {reason}. Keel keeps only a pseudonymous reference, "
            "never personal data: use your own case code instead, such as C-1042."
        )
    return None


# ------------------------------------------------------------------ communication and the rating


def regular_communication(last_contact: dt.date | None, cadence_days: int, today: dt.date) -> bool:
    """True when a contact was logged within the cadence: no more than `cadence_days` ago."""
    return last_contact is not None and (today - last_contact).days <= cadence_days


def days_since(day: dt.date | None, today: dt.date) -> int | None:
    return None if day is None else (today - day).days


@dataclass(frozen=True)
class Conditions:
    """The three conditions a rating of 5 needs, as Keel's own records show them today."""

    contact: bool  # a named single point of contact for the organisation
    communication: bool  # a contact with the organisation within the partnership's cadence
    referrals: bool  # a documented referral pathway, or a referral with the organisation in 90 days

    LABELS = {
        "contact": "a named single point of contact",
        "communication": "regular communication",
        "referrals": "a working referral system",
    }

    @property
    def held(self) -> list[str]:
        return [key for key in self.LABELS if getattr(self, key)]

    @property
    def missing(self) -> list[str]:
        return [key for key in self.LABELS if not getattr(self, key)]

    @property
    def all_hold(self) -> bool:
        return not self.missing

    def as_dict(self) -> dict[str, bool]:
        return {key: getattr(self, key) for key in self.LABELS}


def rating_conditions(
    *,
    contact_named: bool,
    last_contact: dt.date | None,
    cadence_days: int,
    pathway_documented: bool,
    last_referral: dt.date | None,
    today: dt.date,
) -> Conditions:
    """Which of the three conditions of a 5 hold for one partner organisation."""
    recent_referral = last_referral is not None and (today - last_referral).days <= REFERRAL_WINDOW_DAYS
    return Conditions(
        contact=contact_named,
        communication=regular_communication(last_contact, cadence_days, today),
        referrals=pathway_documented or recent_referral,
    )


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def rating_refusal(score: int, conditions: Conditions, organisation: str, cadence_days: int) -> str | None:
    """Why `score` cannot be given, or None. Only a 5 has conditions; 1 to 5 are the scores."""
    if score not in range(1, TOP_RATING + 1):
        return f"A relationship is rated from 1 to {TOP_RATING}; {score} is not one of them."
    if score < TOP_RATING or conditions.all_hold:
        return None
    how = {
        "contact": f"name a single point of contact for {organisation} on the partnership's members",
        "communication": f"log a contact with {organisation} (the partnership's cadence is {cadence_days} days)",
        "referrals": f"document a referral pathway, or log a referral with {organisation} in the last "
        f"{REFERRAL_WINDOW_DAYS} days",
    }
    missing = [Conditions.LABELS[key] for key in conditions.missing]
    return (
        f"A rating of 5 needs all three conditions; for {organisation}, {_join(missing)} "
        f"{'is' if len(missing) == 1 else 'are'} missing. To rate 5: "
        + "; ".join(how[key] for key in conditions.missing)
        + "."
    )


STRENGTHEN_STEPS = [
    "Start a regular dialogue",
    "Learn their eligibility requirements",
    "Visit in person",
    "Ask how they measure success",
]


def creates_action(score: int) -> bool:
    return score <= LOW_RATING


# ------------------------------------------------------------------ attendance and referrals


def attendance_rate(statuses: Iterable[str]) -> float | None:
    """The share of meetings attended (apologies count as not attended), or None with none."""
    statuses = list(statuses)
    if not statuses:
        return None
    return sum(1 for s in statuses if s == "attended") / len(statuses)


@dataclass(frozen=True)
class ReferralFacts:
    """One referral as plain data."""

    date: dt.date
    follow_up_due: dt.date | None
    outcome: str  # "" while no outcome is recorded
    service_date: dt.date | None = None


@dataclass(frozen=True)
class ReferralFigures:
    made: int
    received: int  # service received
    decided: int  # referrals with an outcome, or overdue for one: the completion rate's base
    overdue: int  # no outcome, and the follow-up date has passed
    awaiting: int  # no outcome yet, follow-up not yet due
    median_days: float | None  # referral to service, for services received with a date

    @property
    def completion_rate(self) -> float | None:
        return self.received / self.decided if self.decided else None

    @property
    def completion_percent(self) -> int | None:
        """The completion rate in whole percent, as the pages show it (a half rounds to even)."""
        rate = self.completion_rate
        return None if rate is None else round(rate * 100)


def referral_figures(referrals: Iterable[ReferralFacts], today: dt.date) -> ReferralFigures:
    """Referrals made, completion rate, median days to service and overdue follow-ups.

    The completion rate is services received out of the referrals that have an outcome or are
    overdue for one: a referral still within its follow-up time neither helps nor hurts it, and
    one whose follow-up was missed counts against it.
    """
    made = received = decided = overdue = awaiting = 0
    days = []
    for referral in referrals:
        made += 1
        if referral.outcome:
            decided += 1
            if referral.outcome == "received":
                received += 1
                if referral.service_date:
                    days.append((referral.service_date - referral.date).days)
        elif referral.follow_up_due is not None and referral.follow_up_due < today:
            decided += 1
            overdue += 1
        else:
            awaiting += 1
    return ReferralFigures(made, received, decided, overdue, awaiting, statistics.median(days) if days else None)
