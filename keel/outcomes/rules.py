"""The rule of indicators, as plain functions on plain data: on track, at risk or off track.

The plan is the straight line from the baseline (on its date) to the target (on its date).
The latest measurement is compared with where the line is on the measurement's period:
  - on track when it is on the line or better (higher or lower, as the indicator's direction says);
  - at risk when it is worse, by no more than the tolerance;
  - off track when it is worse by more.
The tolerance is a share of the planned change (|target − baseline|), a workspace setting (10 %
by default). Before the baseline date the line is the baseline; after the target date it is the
target. An indicator whose target equals its baseline (hold a level) takes the tolerance as a
share of the baseline itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_MEASUREMENT = "no_measurement"
NOT_SET = "not_set"

STATUS_LABELS = {
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    OFF_TRACK: "Off track",
    NO_MEASUREMENT: "No measurement yet",
    NOT_SET: "No baseline and target",
}

HIGHER = "higher"
LOWER = "lower"


@dataclass(frozen=True)
class Plan:
    """An indicator's baseline and target, each with its date, and which way is better."""

    direction: str
    baseline: Decimal | float | None
    baseline_date: dt.date | None
    target: Decimal | float | None
    target_date: dt.date | None

    @property
    def complete(self) -> bool:
        return None not in (self.baseline, self.baseline_date, self.target, self.target_date)


def _ends(plan: Plan) -> tuple[float, dt.date, float, dt.date]:
    """The line's two ends; only a complete plan has a line."""
    if plan.baseline is None or plan.baseline_date is None or plan.target is None or plan.target_date is None:
        raise ValueError("An indicator with no baseline or no target (or their dates) has no planned line.")
    return float(plan.baseline), plan.baseline_date, float(plan.target), plan.target_date


def expected(plan: Plan, on: dt.date) -> float:
    """Where the straight line from baseline to target is on `on` (ValueError for an incomplete plan)."""
    baseline, baseline_date, target, target_date = _ends(plan)
    if on <= baseline_date:
        return baseline
    if on >= target_date:
        return target
    span = (target_date - baseline_date).days
    return baseline + (target - baseline) * (on - baseline_date).days / span


def status(plan: Plan, latest: tuple[dt.date, Decimal | float] | None, tolerance_percent: Decimal | float) -> str:
    """The status of an indicator from its latest (period, value)."""
    if not plan.complete:
        return NOT_SET
    if latest is None:
        return NO_MEASUREMENT
    period, value = latest
    line = expected(plan, period)
    shortfall = line - float(value) if plan.direction == HIGHER else float(value) - line
    if shortfall <= 0:
        return ON_TRACK
    baseline, _, target, _ = _ends(plan)
    scale = abs(target - baseline) or abs(baseline)
    if shortfall <= scale * float(tolerance_percent) / 100:
        return AT_RISK
    return OFF_TRACK


@dataclass(frozen=True)
class Tally:
    kind: str
    on_track: int
    total: int


def tallies(kinds_and_statuses: Iterable[tuple[str, str]]) -> list[Tally]:
    """On track out of total for each kind of indicator, outcomes first, then outputs, then process."""
    counts: dict[str, list[int]] = {}
    for kind, state in kinds_and_statuses:
        tally = counts.setdefault(kind, [0, 0])
        tally[0] += state == ON_TRACK
        tally[1] += 1
    order = ["outcome", "output", "process"]
    return [Tally(kind, *counts[kind]) for kind in order if kind in counts]


PLURAL = {"outcome": "outcome indicators", "output": "outputs", "process": "process indicators"}


def summary_line(tallies_: list[Tally]) -> str:
    """'2 of 3 outcome indicators on track; 1 of 2 outputs; 0 of 1 process indicators.'"""
    if not tallies_:
        return "No indicators yet."
    parts = []
    for i, tally in enumerate(tallies_):
        plural = PLURAL[tally.kind] if tally.total != 1 else PLURAL[tally.kind].rstrip("s")
        parts.append(f"{tally.on_track} of {tally.total} {plural}" + (" on track" if i == 0 else ""))
    return "; ".join(parts) + "."
