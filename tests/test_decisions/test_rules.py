"""The recommendation rules, one by one and together: plain data in, an explained recommendation out."""

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

import pytest

from keel.decisions import rules
from keel.decisions.rules import ConflictFact, EventFact, Evidence, Recommend, Thresholds, recommend

TODAY = dt.date(2026, 12, 3)
LIMITS = Thresholds()


def evidence(**values) -> Evidence:
    """A healthy, aligned, well-run partnership of two years, unless told otherwise."""
    base = {
        "partnership_id": 1,
        "name": "Falls prevention",
        "status": "active",
        "tier": "operational",
        "basis": "voluntary",
        "start_date": dt.date(2024, 12, 1),
        "planned_end": dt.date(2028, 3, 31),
        "review_every_months": 12,
        "conflict_process": True,
        "health_score": 3.6,
        "health_band": "watch",
        "previous_health_score": 3.4,
        "last_assessment": dt.date(2026, 9, 1),
        "lowest_rating": 4,
        "alignments": (2, 1),
        "outcomes_on_track": 1,
        "outcomes_total": 2,
        "measurements": 6,
        "annual_cost": Decimal("10000.00"),
        "annual_value": Decimal("12000.00"),
        "cost_year": 2026,
        "last_review": dt.date(2026, 3, 1),
    }
    return Evidence(**{**base, **values})


def codes(found) -> list[str]:
    return [reason.rule for reason in found.reasons]


# ------------------------------------------------------------------ each rule


def test_purpose_fulfilled_by_end_condition_or_review():
    assert rules.purpose_fulfilled(evidence()) is None
    met = rules.purpose_fulfilled(evidence(end_condition_met_on=dt.date(2026, 6, 30)))
    assert met.rule == "purpose_fulfilled" and met.figures == {"end_condition_met_on": "2026-06-30"}
    assert rules.purpose_fulfilled(evidence(circumstances=frozenset({rules.PURPOSE_FULFILLED}))) is not None


def test_planned_end_with_objectives_met_needs_both():
    assert rules.planned_end_with_objectives_met(evidence(planned_end=TODAY, objectives_met="yes"), TODAY)
    assert rules.planned_end_with_objectives_met(evidence(planned_end=TODAY, objectives_met="partly"), TODAY) is None
    later = TODAY + dt.timedelta(days=1)
    assert rules.planned_end_with_objectives_met(evidence(planned_end=later, objectives_met="yes"), TODAY) is None
    assert rules.planned_end_with_objectives_met(evidence(planned_end=None, objectives_met="yes"), TODAY) is None


def test_circumstances_said_names_each_and_leaves_purpose_to_celebrate():
    found = rules.circumstances_said(
        evidence(circumstances=frozenset({rules.NO_TRUST, rules.PURPOSE_FULFILLED}), other_circumstances=("Fraud",))
    )
    assert found.figures == {"circumstances": ["a complete lack of trust or respect", "Fraud"]}
    assert rules.circumstances_said(evidence(circumstances=frozenset({rules.PURPOSE_FULFILLED}))) is None


def test_irreconcilable_conflict_open_longer_than_the_setting():
    at_limit = ConflictFact(raised_on=TODAY - dt.timedelta(days=90), outcome="open")
    over = ConflictFact(raised_on=TODAY - dt.timedelta(days=91), outcome="open")
    assert rules.irreconcilable_conflict(evidence(conflicts=(at_limit,)), LIMITS, TODAY) is None
    found = rules.irreconcilable_conflict(evidence(conflicts=(over,)), LIMITS, TODAY)
    assert found.figures["days_open"] == 91 and "91 days" in found.text


def test_irreconcilable_conflict_closed_unresolved_within_the_window():
    recent = ConflictFact(dt.date(2026, 1, 1), "not_resolved", closed_on=dt.date(2026, 2, 1))
    old = ConflictFact(dt.date(2025, 1, 1), "not_resolved", closed_on=dt.date(2025, 2, 1))
    resolved = ConflictFact(dt.date(2025, 1, 1), "resolved", closed_on=dt.date(2026, 11, 1))
    assert rules.irreconcilable_conflict(evidence(conflicts=(recent,)), LIMITS, TODAY).figures["not_resolved"] == 1
    assert rules.irreconcilable_conflict(evidence(conflicts=(old, resolved)), LIMITS, TODAY) is None


def test_serious_event_high_and_recent_only():
    high = EventFact("breach_of_trust", dt.date(2026, 10, 1), "high", False)
    assert rules.serious_event(evidence(events=(high,)), LIMITS, TODAY).rule == "serious_event"
    medium = replace(high, severity="medium")
    old = replace(high, date=dt.date(2025, 12, 2))
    other = replace(high, kind="funding_withdrawn")
    assert rules.serious_event(evidence(events=(medium, old, other)), LIMITS, TODAY) is None
    edge = replace(high, date=dt.date(2025, 12, 3))  # exactly twelve months ago still counts
    assert rules.serious_event(evidence(events=(edge,)), LIMITS, TODAY) is not None


def test_costs_more_without_improving():
    poor = {
        "annual_value": Decimal("9000"),
        "health_band": "concern",
        "health_score": 2.5,
        "previous_health_score": 2.5,
    }
    found = rules.costs_more_without_improving(evidence(**poor), LIMITS)
    assert found.figures["return"] == "0.90" and found.figures["health"] == "2.50"
    assert rules.costs_more_without_improving(evidence(**{**poor, "previous_health_score": None}), LIMITS) is not None
    assert rules.costs_more_without_improving(evidence(**{**poor, "previous_health_score": 2.4}), LIMITS) is None
    assert rules.costs_more_without_improving(evidence(**{**poor, "health_band": "watch"}), LIMITS) is None
    # A return of exactly 1.00 is not below 1.00.
    assert rules.costs_more_without_improving(evidence(**{**poor, "annual_value": Decimal("10000")}), LIMITS) is None
    assert rules.costs_more_without_improving(evidence(**{**poor, "annual_cost": None}), LIMITS) is None


def test_needs_time_to_mature_ties_at_the_maturity_period():
    exactly = evidence(start_date=dt.date(2025, 12, 3))
    assert rules.needs_time_to_mature(exactly, LIMITS, TODAY) is None
    young = rules.needs_time_to_mature(evidence(start_date=dt.date(2025, 12, 4)), LIMITS, TODAY)
    assert young.figures["months_old"] == 11 and "time to mature" in young.text
    assert rules.needs_time_to_mature(evidence(start_date=None), LIMITS, TODAY) is None


def test_mandatory_basis_names_the_coordinator_or_asks_for_one():
    assert rules.mandatory_basis(evidence()) is None
    named = rules.mandatory_basis(evidence(basis="statutory", coordinator="Priya Shah"))
    assert "Priya Shah" in named.text and named.figures["neutral_third_party"] == "Priya Shah"
    unnamed = rules.mandatory_basis(evidence(basis="funding_condition"))
    assert rules.APPOINT_THIRD_PARTY in unnamed.text and unnamed.figures["neutral_third_party"] is None


def test_improvement_rules():
    assert rules.health_in_concern(evidence(health_band="concern", health_score=2.994)).figures["health"] == "2.99"
    assert rules.health_in_concern(evidence()) is None
    assert rules.low_rating(evidence(lowest_rating=2)).figures == {"lowest_rating": 2}
    assert rules.low_rating(evidence(lowest_rating=3)) is None
    assert rules.low_rating(evidence(lowest_rating=None)) is None
    assert rules.missing_end_terms(evidence()) is None
    assert rules.missing_end_terms(evidence(planned_end=None, end_condition="When the pilot ends")) is None
    missing = rules.missing_end_terms(evidence(planned_end=None, review_every_months=None, conflict_process=False))
    assert missing.figures["missing"] == [
        "a planned end or an end condition",
        "a review cadence",
        "a conflict resolution process",
    ]
    found = rules.fundamentals_in_concern(evidence(fundamentals={"shared-purpose": "concern", "trust": "concern"}))
    assert found.figures == {"fundamentals": ["shared purpose"]}
    assert rules.keep_conditions_not_met(evidence(keep_not_met=("Information is shared as agreed",))) is not None


def test_alignment_rules():
    assert rules.strategically_aligned(evidence(alignments=(0, 1))).figures["priorities_served"] == 1
    assert rules.strategically_aligned(evidence(alignments=(0, 0))) is None
    unknown = rules.strategically_aligned(evidence(alignments=()))
    assert "not known yet" in unknown.text
    assert rules.serves_no_priority(evidence(alignments=(0, 0))) is not None
    assert rules.serves_no_priority(evidence(alignments=())) is None
    assert rules.serves_no_priority(evidence(alignments=(0,), tier="relationship")) is None
    assert rules.serves_no_priority(evidence(alignments=(0,), health_band="concern")) is None


def test_worth_investing_at_exactly_the_threshold():
    on_track = {"outcomes_on_track": 2, "outcomes_total": 2}
    exactly = evidence(**on_track, annual_value=Decimal("15000"))
    assert rules.worth_investing(exactly, LIMITS).figures["return"] == "1.50"
    just_below = evidence(**on_track, annual_value=Decimal("14999.99"))
    assert rules.worth_investing(just_below, LIMITS) is None  # 1.4999999 shows as 1.50 but is below
    assert rules.worth_investing(evidence(annual_value=Decimal("20000")), LIMITS) is None  # 1 of 2 on track


def test_not_enough_evidence():
    bare = evidence(last_assessment=None, measurements=0)
    assert rules.not_enough_evidence(bare, LIMITS, TODAY).rule == "not_enough_evidence"
    assert (
        rules.not_enough_evidence(evidence(last_assessment=dt.date(2025, 12, 3), measurements=0), LIMITS, TODAY) is None
    )
    stale = evidence(last_assessment=dt.date(2025, 12, 2), measurements=0)
    assert rules.not_enough_evidence(stale, LIMITS, TODAY) is not None
    assert rules.not_enough_evidence(evidence(last_assessment=None, measurements=1), LIMITS, TODAY) is None


def test_lapsed_terms_in_words():
    assert rules.lapsed_terms(evidence(planned_end=dt.date(2025, 3, 31)), TODAY) == (
        "Planned end 31/03/2025 passed 612 days ago"
    )
    assert rules.lapsed_terms(evidence(planned_end=TODAY), TODAY) is None
    both = rules.lapsed_terms(
        evidence(planned_end=dt.date(2026, 12, 2), end_condition_met_on=dt.date(2026, 1, 5)), TODAY
    )
    assert both == "Planned end 02/12/2026 passed 1 day ago; End condition recorded as met on 05/01/2026"
    assert rules.lapsed_terms(evidence(planned_end=dt.date(2025, 3, 31), status="ended"), TODAY) is None


# ------------------------------------------------------------------ each recommendation


def test_celebrate_and_close_when_the_purpose_is_fulfilled():
    found = recommend(evidence(end_condition_met_on=dt.date(2026, 6, 30)), LIMITS, TODAY)
    assert found.code == Recommend.CELEBRATE_AND_CLOSE
    # The end condition met is also a lapsed term, and the recommendation says so first.
    assert codes(found) == ["terms_lapsed", "purpose_fulfilled"]


def test_celebrate_and_close_at_the_planned_end_with_objectives_met():
    found = recommend(evidence(planned_end=dt.date(2026, 3, 31), objectives_met="yes"), LIMITS, TODAY)
    assert found.code == Recommend.CELEBRATE_AND_CLOSE
    assert codes(found) == ["terms_lapsed", "planned_end_with_objectives_met"]


def test_dissolve_for_a_circumstance():
    found = recommend(evidence(circumstances=frozenset({rules.NO_TRUST})), LIMITS, TODAY)
    assert found.code == Recommend.DISSOLVE and codes(found) == ["circumstances_said"]
    assert found.label == "Dissolve respectfully"


def test_dissolve_on_return_and_health_when_mature():
    poor = evidence(annual_value=Decimal("5000"), health_band="concern", health_score=2.2, previous_health_score=2.6)
    found = recommend(poor, LIMITS, TODAY)
    assert found.code == Recommend.DISSOLVE and codes(found) == ["costs_more_without_improving"]
    assert found.reasons[0].figures["return"] == "0.50"


def test_young_partnership_is_not_dissolved_on_scores_alone():
    poor = evidence(
        start_date=dt.date(2026, 6, 1),
        annual_value=Decimal("5000"),
        health_band="concern",
        health_score=2.2,
        previous_health_score=None,
    )
    found = recommend(poor, LIMITS, TODAY)
    assert found.code == Recommend.IMPROVE
    assert codes(found) == [
        "costs_more_without_improving",
        "needs_time_to_mature",
        "health_in_concern",
        "strategically_aligned",
    ]
    # ...but a circumstance still calls for dissolving it.
    said = recommend(replace(poor, circumstances=frozenset({rules.UNILATERAL_DECISIONS})), LIMITS, TODAY)
    assert said.code == Recommend.DISSOLVE


def test_young_partnership_at_exactly_the_maturity_period_can_be_dissolved():
    poor = evidence(
        start_date=dt.date(2025, 12, 3), annual_value=Decimal("5000"), health_band="concern", health_score=2.2
    )
    assert recommend(poor, LIMITS, TODAY).code == Recommend.DISSOLVE


def test_mediate_instead_of_dissolving_a_mandatory_partnership():
    conflict = ConflictFact(raised_on=dt.date(2026, 1, 10), outcome="open")
    found = recommend(evidence(basis="statutory", conflicts=(conflict,), coordinator="Priya Shah"), LIMITS, TODAY)
    assert found.code == Recommend.MEDIATE
    assert codes(found) == ["irreconcilable_conflict", "mandatory_basis"]
    assert "Priya Shah" in found.reasons[-1].text


def test_improve_lists_each_thing_to_improve():
    found = recommend(
        evidence(lowest_rating=1, conflict_process=False, fundamentals={"relationships": "concern"}), LIMITS, TODAY
    )
    assert found.code == Recommend.IMPROVE
    assert codes(found) == ["low_rating", "missing_end_terms", "fundamentals_in_concern", "strategically_aligned"]


def test_improve_when_alignment_is_not_known_yet():
    found = recommend(evidence(lowest_rating=2, alignments=()), LIMITS, TODAY)
    assert found.code == Recommend.IMPROVE and "not known yet" in found.reasons[-1].text


def test_downgrade_a_healthy_partnership_serving_no_priority():
    found = recommend(evidence(alignments=(0, 0)), LIMITS, TODAY)
    assert found.code == Recommend.DOWNGRADE and codes(found) == ["serves_no_priority"]
    assert recommend(evidence(alignments=(0, 0), tier="relationship"), LIMITS, TODAY).code == Recommend.KEEP


def test_unaligned_partnership_with_problems_is_kept_with_the_problems_said():
    found = recommend(evidence(alignments=(0,), health_band="concern", health_score=2.5), LIMITS, TODAY)
    assert found.code == Recommend.KEEP
    assert codes(found) == ["health_in_concern", "nothing_calls_for_change"]


def test_keep_and_invest():
    found = recommend(evidence(outcomes_on_track=2, annual_value=Decimal("15000")), LIMITS, TODAY)
    assert found.code == Recommend.KEEP_AND_INVEST and codes(found) == ["worth_investing"]


def test_measure_first():
    found = recommend(
        evidence(last_assessment=None, health_score=None, health_band=None, measurements=0), LIMITS, TODAY
    )
    assert found.code == Recommend.MEASURE_FIRST and codes(found) == ["not_enough_evidence"]


def test_otherwise_keep_says_why():
    found = recommend(evidence(), LIMITS, TODAY)
    assert found.code == Recommend.KEEP
    assert (
        found.first_reason
        == "Nothing calls for a change: health 3.60 (watch); return 1.20; 1 of 2 outcome indicators on track."
    )


def test_lapsed_terms_are_named_whatever_the_recommendation():
    found = recommend(evidence(planned_end=dt.date(2025, 3, 31)), LIMITS, TODAY)
    assert found.code == Recommend.KEEP
    assert codes(found) == ["terms_lapsed", "nothing_calls_for_change"]
    assert found.reasons[0].figures == {"planned_end": "2025-03-31", "days_past": 612}


def test_ended_and_dissolving_partnerships():
    assert recommend(evidence(status="ended"), LIMITS, TODAY).code == Recommend.CELEBRATE_AND_CLOSE
    assert recommend(evidence(status="dissolving"), LIMITS, TODAY).code == Recommend.DISSOLVE


@pytest.mark.parametrize("status", ["proposed", "active", "under_review", "dissolving", "ended"])
def test_nothing_known_never_crashes(status):
    bare = Evidence(partnership_id=1, name="Bare", status=status, tier="", basis="")
    found = recommend(bare, LIMITS, TODAY)
    assert found.reasons
    if status in ("proposed", "active", "under_review"):
        # Missing end terms with alignment not known yet: improve comes before measure first.
        assert found.code == Recommend.IMPROVE
    assert rules.review_due(bare, TODAY).overdue is False


def test_reasons_data_is_json_plain():

    poor = evidence(annual_value=Decimal("5000"), health_band="concern", health_score=2.2, basis="statutory")
    data = rules.reasons_data(recommend(poor, LIMITS, TODAY))
    assert json.loads(json.dumps(data)) == data


# ------------------------------------------------------------------ when the next review is due


def test_review_due_from_the_latest_review_or_the_cadence():
    set_at_review = rules.review_due(evidence(next_review_set=dt.date(2027, 2, 1)), TODAY)
    assert set_at_review.due == dt.date(2027, 2, 1) and not set_at_review.overdue
    assert "01/03/2026" in set_at_review.why
    from_cadence = rules.review_due(evidence(), TODAY)
    assert from_cadence.due == dt.date(2027, 3, 1)
    from_start = rules.review_due(evidence(last_review=None), TODAY)
    assert from_start.due == dt.date(2025, 12, 1) and from_start.overdue
    none = rules.review_due(evidence(last_review=None, review_every_months=None), TODAY)
    assert none == rules.ReviewDue(None, False, "No review cadence set.")


def test_review_brought_forward_by_an_early_review_event_since_the_last_review():
    before = EventFact("funding_withdrawn", dt.date(2026, 2, 1), "high", True)
    after = EventFact("funding_withdrawn", dt.date(2026, 11, 1), "high", True)
    quiet = EventFact("policy_change", dt.date(2026, 10, 1), "low", False)
    assert rules.review_due(evidence(events=(before, quiet)), TODAY).due == dt.date(2027, 3, 1)
    found = rules.review_due(evidence(events=(before, after, quiet)), TODAY)
    assert found.due == dt.date(2026, 11, 1) and found.overdue and "funding withdrawn" in found.why


def test_review_brought_forward_to_today_when_terms_lapse():
    found = rules.review_due(evidence(planned_end=dt.date(2026, 6, 30)), TODAY)
    assert found == rules.ReviewDue(
        TODAY, False, "Brought forward to today: planned end 30/06/2026 passed 156 days ago."
    )
    already_overdue = rules.review_due(evidence(planned_end=dt.date(2026, 6, 30), last_review=None), TODAY)
    assert already_overdue.due == dt.date(2025, 12, 1) and already_overdue.overdue


def test_no_review_due_before_the_start_or_after_the_end():
    for status in ("proposed", "dissolving", "ended"):
        assert rules.review_due(evidence(status=status), TODAY).due is None
