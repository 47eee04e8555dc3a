import datetime as dt

import pytest

from keel.common.text import ReadError, describe_months, name_key, read_cadence, read_choice, read_date
from keel.register.models import Basis, Status


@pytest.mark.parametrize(
    "text,months",
    [
        ("3 months", 3),
        ("quarterly", 3),
        ("Monthly", 1),
        ("annually", 12),
        ("every 6 months", 6),
        ("1 year", 12),
        ("12", 12),
        (" Half-yearly ", 6),
        ("two years", 24),
        ("6m", 6),
    ],
)
def test_cadences_are_read_forgivingly(text, months):
    assert read_cadence(text) == months


@pytest.mark.parametrize("text", ["sometimes", "0 months", "100 years", "", "3 fortnights"])
def test_nonsense_cadences_are_refused_with_an_example(text):
    with pytest.raises(ReadError, match="quarterly"):
        read_cadence(text)


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-31",
        "31/03/2025",
        "31/03/25",
        "31-03-2025",
        "31.03.2025",
        "31 March 2025",
        "31 Mar 2025",
        "2025-03-31T00:00:00",
        dt.datetime(2025, 3, 31, 9, 0),
    ],
)
def test_dates_in_uk_and_iso_forms(text):
    assert read_date(text) == dt.date(2025, 3, 31)


@pytest.mark.parametrize("text", ["weekly", "fortnightly", "every 2 weeks", "daily", "6 weeks"])
def test_cadences_shorter_than_a_month_are_refused_saying_reviews_count_in_months(text):
    with pytest.raises(ReadError, match="counted in months"):
        read_cadence(text)


def test_a_non_date_says_how_to_write_one():
    with pytest.raises(ReadError, match="puts the month first.*2025-03-31 or 31/03/2025"):
        read_date("03/31/2025")
    with pytest.raises(ReadError, match="February 2023 has 28 days"):
        read_date("29/02/2023")
    with pytest.raises(ReadError, match="'soon' is not a date"):
        read_date("soon")


def test_choices_by_value_label_or_synonym():
    assert read_choice("Under-Review", Status) == Status.UNDER_REVIEW
    assert read_choice("STATUTORY / MANDATORY", Basis) == Basis.STATUTORY
    assert read_choice("mandatory", Basis, {"mandatory": Basis.STATUTORY}) == Basis.STATUTORY
    with pytest.raises(ReadError, match="voluntary, funding condition"):
        read_choice("sort of", Basis)


def test_names_match_ignoring_case_and_spaces():
    assert name_key("Northshire Mind ") == name_key("northshire   mind")
    assert describe_months(3) == "quarterly" and describe_months(24) == "every 2 years" and describe_months(None) == ""
