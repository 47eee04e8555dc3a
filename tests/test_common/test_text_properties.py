"""Properties of the forgiving readers, over many generated inputs (hypothesis)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from keel.common.text import choice_key, describe_months, name_key, read_cadence, read_choice, read_date
from keel.register.models import Basis, Status, Tier

words = st.lists(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=8), min_size=1, max_size=5)


@given(words, st.sampled_from([" ", "  ", "\t", " \u00a0 "]))
def test_names_match_whatever_the_spacing_and_case(parts, gap):
    name = " ".join(parts)
    assert name_key(gap + gap.join(parts) + gap) == name_key(name)
    assert name_key(name_key(name)) == name_key(name)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ '-", min_size=1, max_size=40))
def test_names_match_whatever_the_case(name):
    assert name_key(name.upper()) == name_key(name.lower()) == name_key(name.swapcase())


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_read_back_in_every_written_form(date):
    for text in (date.isoformat(), f"{date:%d/%m/%Y}", f"{date:%d-%m-%Y}", f"{date:%d %B %Y}", f"{date:%d %b %Y}"):
        assert read_date(text) == date
    assert read_date(f" {date:%d/%m/%Y} ") == date
    assert read_date(dt.datetime.combine(date, dt.time(13, 30))) == date


@given(st.integers(min_value=1, max_value=60))
def test_every_cadence_keel_describes_reads_back(months):
    assert read_cadence(describe_months(months)) == months
    assert read_cadence(f"{months} months") == months
    assert read_cadence(f"Every {months} Months") == months


@given(st.sampled_from([Status, Tier, Basis]), st.data())
def test_choices_read_by_value_or_label_in_any_case_and_separator(choices, data):
    value, label = data.draw(st.sampled_from(choices.choices))
    separator = data.draw(st.sampled_from([" ", "_", "-", "  "]))
    for text in (value, label):
        written = separator.join(choice_key(text).split())
        assert read_choice(written.upper(), choices) == value
        assert read_choice(f"  {written}  ", choices) == value
