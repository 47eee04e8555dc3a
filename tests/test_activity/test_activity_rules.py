"""The activity rules, on plain data: client references, cadence, the 5 rule, attendance, referrals."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keel.activity import rules

TODAY = dt.date(2026, 11, 26)


# ------------------------------------------------------------------ the NHS number check


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9434765870"])
def test_valid_nhs_numbers_pass_the_check_digit(number):
    assert rules.nhs_number_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # last digit wrong
        "943476591",  # nine digits
        "94347659190",  # eleven
        "943476591a",
        "1000000010",  # the check digit would be 10: never issued
    ],
)
def test_invalid_nhs_numbers_fail(number):
    assert not rules.nhs_number_valid(number)


@given(st.integers(min_value=0, max_value=999_999_999))
def test_exactly_one_check_digit_makes_nine_digits_valid_or_none_does(prefix):
    digits = f"{prefix:09d}"
    valid = [d for d in "0123456789" if rules.nhs_number_valid(digits + d)]
    assert len(valid) <= 1


# ------------------------------------------------------------------ client references


@pytest.mark.parametrize(
    "reference, reason",
    [
        ("943 476 5919", "NHS number"),
        ("943-476-5919", "NHS number"),
        ("C9434765919", "NHS number"),
        ("jo.bloggs@example.org", "e-mail address"),
        ("07700 900123", "phone number"),
        ("+44 7700 900123", "phone number"),
        ("(01632) 960001", "phone number"),
        ("12/03/1984", "date of birth"),
        ("DOB 1984-03-12", "date of birth"),
        ("12 March 1984", "date of birth"),
        ("March 12, 1984", "date of birth"),
        ("3/12/84", "date of birth"),
    ],
)
def test_references_that_look_like_personal_data_are_refused_with_the_reason(reference, reason):
    problem = rules.client_reference_problem(reference)
    assert problem and reason in problem
    assert "pseudonymous" in problem


@pytest.mark.parametrize("reference", ["C-1042", "CASE-000123", "A12345", "2024-001", "9434765918", "REF 2024 0001"])
def test_pseudonymous_references_are_kept(reference):
    assert rules.client_reference_problem(reference) is None


def test_a_blank_or_long_reference_is_refused():
    assert "Give the referral a client reference" in rules.client_reference_problem("  ")
    assert "at most 40" in rules.client_reference_problem("C" * 41)


# ------------------------------------------------------------------ cadence


@pytest.mark.parametrize(
    "days_ago, cadence, regular",
    [(0, 30, True), (30, 30, True), (31, 30, False), (6, 7, True), (8, 7, False), (89, 90, True)],
)
def test_regular_communication_holds_within_the_cadence(days_ago, cadence, regular):
    assert rules.regular_communication(TODAY - dt.timedelta(days=days_ago), cadence, TODAY) is regular


def test_no_contact_is_never_regular():
    assert not rules.regular_communication(None, 30, TODAY)


# ------------------------------------------------------------------ the 5 rule


def conditions(contact=True, last_contact=5, pathway=False, last_referral=10):
    return rules.rating_conditions(
        contact_named=contact,
        last_contact=None if last_contact is None else TODAY - dt.timedelta(days=last_contact),
        cadence_days=30,
        pathway_documented=pathway,
        last_referral=None if last_referral is None else TODAY - dt.timedelta(days=last_referral),
        today=TODAY,
    )


def test_a_five_is_allowed_when_all_three_hold():
    assert rules.rating_refusal(5, conditions(), "Age UK", 30) is None


def test_a_five_without_a_single_point_of_contact_is_refused_and_says_so():
    message = rules.rating_refusal(5, conditions(contact=False), "Age UK", 30)
    assert "a named single point of contact is missing" in message
    assert "regular communication" not in message


def test_a_five_without_regular_communication_is_refused_and_says_so():
    message = rules.rating_refusal(5, conditions(last_contact=45), "Age UK", 30)
    assert "regular communication is missing" in message
    assert "30 days" in message


def test_a_five_without_a_working_referral_system_is_refused_and_says_so():
    message = rules.rating_refusal(5, conditions(last_referral=91), "Age UK", 30)
    assert "a working referral system is missing" in message


def test_a_documented_pathway_is_a_working_referral_system_without_referrals():
    assert conditions(pathway=True, last_referral=None).referrals


def test_a_referral_90_days_ago_still_counts():
    assert conditions(last_referral=90).referrals
    assert not conditions(last_referral=91).referrals


def test_all_three_missing_are_named_together():
    found = conditions(contact=False, last_contact=None, last_referral=None)
    message = rules.rating_refusal(5, found, "Age UK", 30)
    assert "a named single point of contact, regular communication and a working referral system are missing" in message
    assert found.held == [] and len(found.missing) == 3


@pytest.mark.parametrize("score", [1, 2, 3, 4])
def test_lower_ratings_have_no_conditions(score):
    assert (
        rules.rating_refusal(score, conditions(contact=False, last_contact=None, last_referral=None), "X", 30) is None
    )


@pytest.mark.parametrize("score", [0, 6, -1])
def test_ratings_outside_one_to_five_are_refused(score):
    assert "from 1 to 5" in rules.rating_refusal(score, conditions(), "X", 30)


def test_ratings_of_one_and_two_create_an_action():
    assert [s for s in range(1, 6) if rules.creates_action(s)] == [1, 2]


# ------------------------------------------------------------------ attendance and referrals


def test_attendance_rate_counts_apologies_as_not_attended():
    assert rules.attendance_rate(["attended", "apologies", "absent", "attended"]) == 0.5
    assert rules.attendance_rate([]) is None


def facts(days_ago, outcome="", served_after=None, follow_up_in=14):
    date = TODAY - dt.timedelta(days=days_ago)
    served = date + dt.timedelta(days=served_after) if served_after is not None else None
    return rules.ReferralFacts(date, date + dt.timedelta(days=follow_up_in), outcome, served)


def test_referral_figures():
    figures = rules.referral_figures(
        [
            facts(60, "received", 4),
            facts(50, "received", 10),
            facts(40, "received", 7),
            facts(40, "declined"),
            facts(30),  # follow-up was due 16 days ago: overdue
            facts(3),  # follow-up not yet due: awaiting
        ],
        TODAY,
    )
    assert (figures.made, figures.received, figures.decided, figures.overdue, figures.awaiting) == (6, 3, 5, 1, 1)
    assert figures.completion_rate == 3 / 5
    assert figures.completion_percent == 60
    assert figures.median_days == 7


@pytest.mark.parametrize(
    ("received", "decided", "percent"), [(1, 3, 33), (2, 3, 67), (1, 8, 12), (3, 8, 38), (0, 4, 0)]
)
def test_the_completion_percent_is_the_rate_in_whole_percent(received, decided, percent):
    figures = rules.ReferralFigures(decided, received, decided, 0, 0, None)
    assert figures.completion_percent == percent  # a half rounds to even: 12.5 → 12, 37.5 → 38


def test_no_referrals_give_no_rates():
    figures = rules.referral_figures([], TODAY)
    assert figures.made == 0 and figures.completion_rate is None and figures.median_days is None
    assert figures.completion_percent is None


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 26), 1, dt.date(2026, 12, 26)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
    ],
)
def test_a_month_later_stays_within_the_month(day, months, expected):
    from keel.common.text import add_months

    assert add_months(day, months) == expected
