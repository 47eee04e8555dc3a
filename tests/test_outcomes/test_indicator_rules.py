"""The on-track rule: the latest measurement against the straight line from baseline to target."""

import datetime as dt

import pytest

from keel.outcomes import rules

START, END = dt.date(2026, 1, 1), dt.date(2027, 1, 1)
HALFWAY = START + (END - START) / 2


def plan(direction="higher", baseline=100, target=200):
    return rules.Plan(direction, baseline, START, target, END)


def test_the_line_runs_from_baseline_to_target_and_stays_at_each_end():
    assert rules.expected(plan(), START) == 100
    assert rules.expected(plan(), HALFWAY) == pytest.approx(150, abs=0.2)
    assert rules.expected(plan(), END) == 200
    assert rules.expected(plan(), START - dt.timedelta(days=30)) == 100
    assert rules.expected(plan(), END + dt.timedelta(days=30)) == 200


@pytest.mark.parametrize(
    "value, status",
    [
        (160, rules.ON_TRACK),  # ahead of the line
        (150, rules.ON_TRACK),  # on it
        (145, rules.AT_RISK),  # behind by 5: within 10 % of the planned change of 100
        (141, rules.AT_RISK),
        (135, rules.OFF_TRACK),  # behind by 15
    ],
)
def test_higher_is_better(value, status):
    assert rules.status(plan(), (HALFWAY, value), 10) == status


@pytest.mark.parametrize(
    "value, status",
    [
        (40, rules.ON_TRACK),  # fewer is better: below the line
        (50, rules.ON_TRACK),
        (54, rules.AT_RISK),  # above by 4: within 10 % of the planned change of 40
        (60, rules.OFF_TRACK),
    ],
)
def test_lower_is_better(value, status):
    lower = plan("lower", baseline=70, target=30)
    assert rules.status(lower, (HALFWAY, value), 10) == status


def test_the_tolerance_is_the_workspace_setting():
    assert rules.status(plan(), (HALFWAY, 135), 20) == rules.AT_RISK
    assert rules.status(plan(), (HALFWAY, 149), 0) == rules.OFF_TRACK


def test_holding_a_level_takes_the_tolerance_from_the_baseline():
    hold = plan(baseline=90, target=90)
    assert rules.status(hold, (HALFWAY, 90), 10) == rules.ON_TRACK
    assert rules.status(hold, (HALFWAY, 85), 10) == rules.AT_RISK
    assert rules.status(hold, (HALFWAY, 70), 10) == rules.OFF_TRACK


def test_no_measurement_and_no_plan_are_said_as_such():
    assert rules.status(plan(), None, 10) == rules.NO_MEASUREMENT
    assert rules.status(rules.Plan("higher", None, None, 5, END), (HALFWAY, 3), 10) == rules.NOT_SET


def test_the_summary_line_puts_outcomes_first_then_outputs():
    tallies = rules.tallies(
        [("output", rules.ON_TRACK), ("outcome", rules.ON_TRACK), ("outcome", rules.OFF_TRACK), ("outcome", "at_risk")]
    )
    assert rules.summary_line(tallies) == "1 of 3 outcome indicators on track; 1 of 1 output."
    assert rules.summary_line([]) == "No indicators yet."
