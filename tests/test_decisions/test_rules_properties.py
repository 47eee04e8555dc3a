"""Properties of the recommendation engine over any evidence: one recommendation with its reasons, and
each threshold setting moving only the recommendations it is about."""

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from keel.decisions import rules
from keel.decisions.rules import ConflictFact, EventFact, Evidence, Recommend, Thresholds, recommend

TODAY = dt.date(2026, 12, 3)
RULE_NAMES = {rule.__name__ for rule in rules.RULES} | {"nothing_calls_for_change"}
ENDINGS = {Recommend.DISSOLVE, Recommend.MEDIATE}

dates = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2028, 12, 31))
maybe_dates = st.none() | dates
money = st.none() | st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
scores = st.none() | st.floats(min_value=1, max_value=5)
bands = st.sampled_from([None, "strength", "watch", "concern"])

conflicts = st.builds(
    ConflictFact,
    raised_on=dates,
    outcome=st.sampled_from(["open", "resolved", "not_resolved"]),
    closed_on=maybe_dates,
    escalated=st.booleans(),
)
events = st.builds(
    EventFact,
    kind=st.sampled_from(
        ["funding_withdrawn", "breach_of_trust", "information_withheld", "unilateral_decision", "key_person_left"]
    ),
    date=dates,
    severity=st.sampled_from(["low", "medium", "high"]),
    early_review=st.booleans(),
)


@st.composite
def evidence(draw) -> Evidence:
    total = draw(st.integers(0, 4))
    return Evidence(
        partnership_id=1,
        name="Any",
        status=draw(st.sampled_from(["proposed", "active", "under_review", "dissolving", "ended"])),
        tier=draw(st.sampled_from(["strategic", "operational", "relationship"])),
        basis=draw(st.sampled_from(["voluntary", "funding_condition", "statutory", "contractual"])),
        start_date=draw(maybe_dates),
        planned_end=draw(maybe_dates),
        end_condition=draw(st.sampled_from(["", "When the pilot ends"])),
        end_condition_met_on=draw(st.none() | st.just(dt.date(2026, 5, 1))),
        review_every_months=draw(st.none() | st.integers(1, 24)),
        conflict_process=draw(st.booleans()),
        coordinator=draw(st.none() | st.just("Priya Shah")),
        health_score=draw(scores),
        health_band=draw(bands),
        previous_health_score=draw(scores),
        last_assessment=draw(maybe_dates),
        fundamentals=draw(st.dictionaries(st.sampled_from(list(rules.FUNDAMENTALS)), bands.filter(bool), max_size=4)),
        lowest_rating=draw(st.none() | st.integers(1, 5)),
        alignments=tuple(draw(st.lists(st.integers(0, 3), max_size=3))),
        outcomes_on_track=draw(st.integers(0, total)),
        outcomes_total=total,
        measurements=draw(st.integers(0, 3)),
        annual_cost=draw(money),
        annual_value=draw(money),
        cost_year=2026,
        conflicts=tuple(draw(st.lists(conflicts, max_size=2))),
        events=tuple(draw(st.lists(events, max_size=3))),
        circumstances=frozenset(
            draw(st.sets(st.sampled_from([rules.NO_TRUST, rules.PURPOSE_FULFILLED, rules.INFORMATION_WITHHELD])))
        ),
        keep_not_met=tuple(draw(st.lists(st.just("Decisions are made together"), max_size=1))),
        last_review=draw(maybe_dates),
        next_review_set=draw(maybe_dates),
        objectives_met=draw(st.sampled_from([None, "yes", "partly", "no"])),
    )


returns = st.decimals(min_value=0, max_value=3, places=2, allow_nan=False, allow_infinity=False)
months = st.integers(1, 60)
days = st.integers(1, 400)


@settings(max_examples=200, deadline=None)
@given(evidence())
def test_every_partnership_gets_exactly_one_explained_recommendation(found):
    recommendation = recommend(found, Thresholds(), TODAY)
    assert recommendation.code in set(Recommend)
    assert recommendation.reasons, "at least one reason"
    assert all(reason.rule in RULE_NAMES and reason.text for reason in recommendation.reasons)
    assert json.loads(json.dumps(rules.reasons_data(recommendation))) == rules.reasons_data(recommendation)
    due = rules.review_due(found, TODAY)
    assert due.overdue == (due.due is not None and due.due < TODAY)


def _pair(found, field, low, high):
    low, high = sorted([low, high])
    return (
        recommend(found, replace(Thresholds(), **{field: low}), TODAY).code,
        recommend(found, replace(Thresholds(), **{field: high}), TODAY).code,
    )


@settings(max_examples=120, deadline=None)
@given(evidence(), returns, returns)
def test_raising_the_invest_return_never_makes_an_investment(found, a, b):
    low, high = _pair(found, "invest_return", a, b)
    if high == Recommend.KEEP_AND_INVEST:
        assert low == Recommend.KEEP_AND_INVEST
    if low != high:
        assert low == Recommend.KEEP_AND_INVEST


@settings(max_examples=120, deadline=None)
@given(evidence(), returns, returns)
def test_raising_the_dissolve_return_only_adds_dissolutions(found, a, b):
    low, high = _pair(found, "dissolve_return", a, b)
    if low != high:
        assert high in ENDINGS and low not in ENDINGS


@settings(max_examples=120, deadline=None)
@given(evidence(), months, months)
def test_a_longer_maturity_period_only_spares_partnerships(found, a, b):
    low, high = _pair(found, "maturity_months", a, b)
    if low != high:
        assert low in ENDINGS and high not in ENDINGS


@settings(max_examples=120, deadline=None)
@given(evidence(), days, days)
def test_more_days_before_a_conflict_is_irreconcilable_only_spares_partnerships(found, a, b):
    low, high = _pair(found, "conflict_days", a, b)
    if low != high:
        assert low in ENDINGS and high not in ENDINGS
    if not found.conflicts:
        assert low == high


@settings(max_examples=120, deadline=None)
@given(evidence(), months, months)
def test_a_longer_evidence_window_only_removes_measure_first(found, a, b):
    low, high = _pair(found, "evidence_months", a, b)
    if low != high:
        assert low == Recommend.MEASURE_FIRST and high == Recommend.KEEP


@settings(max_examples=120, deadline=None)
@given(evidence(), months, months)
def test_a_longer_events_window_only_adds_dissolutions(found, a, b):
    low, high = _pair(found, "event_months", a, b)
    if low != high:
        assert high in ENDINGS and low not in ENDINGS
    if not found.conflicts and not found.events:
        assert low == high


@settings(max_examples=200, deadline=None)
@given(evidence(), returns)
def test_thresholds_only_move_partnerships_their_rules_are_about(found, a):
    """A partnership with no money recorded never moves with either return threshold."""
    bare = replace(found, annual_cost=None, annual_value=None)
    base = recommend(bare, Thresholds(), TODAY).code
    assert recommend(bare, Thresholds(invest_return=a, dissolve_return=a), TODAY).code == base
    assert Decimal(0) <= a
