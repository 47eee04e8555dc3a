"""The small demo's indicators: which each partnership has, and measurements that tell its story.

Part of the demo's activity (see keel.portfolio.demo.activity). Each indicator is given the status its
partnership's story leans to (on track, at risk or off track); its measurements then run from
the baseline to a last value with that status, checked with the rule itself
(keel.outcomes.rules.status) after rounding.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from decimal import Decimal

from keel.common.text import add_months
from keel.core.tenancy import current_workspace
from keel.outcomes import rules
from keel.portfolio.demo import activity_data as words

# Which way each story's indicators lean: weights of on track, at risk, off track.
LEAN = {"busy": (9, 1, 0), "steady": (5, 3, 2), "follow-up": (2, 3, 5), "silent": (2, 4, 4)}
STATUSES = (rules.ON_TRACK, rules.AT_RISK, rules.OFF_TRACK)


def finish(rng: random.Random, candidates: list[dict], end: dt.date) -> None:
    """Once every partnership's indicators are planned: a few not yet measured, every status
    present, and the measurements themselves."""
    _no_measurements(candidates, end)
    _every_status(candidates)
    tolerance = float(current_workspace().indicator_tolerance)
    for indicator in (i for c in candidates for i in c["indicators"]):
        indicator["measurements"] = measurements(
            rng, indicator["values"], indicator["periods"], indicator["lean"], tolerance
        )


def plan(rng: random.Random, candidate: dict, story: str, end: dt.date) -> list[dict]:
    """One to four indicators with their measurement periods and which way each will lean."""
    pool = [row for key in candidate["priorities"] for row in words.INDICATORS.get(key, [])]
    pool = list(dict.fromkeys(pool)) or [row for rows in words.INDICATORS.values() for row in rows]
    count = rng.randint(3, 4) if story == "busy" else rng.randint(1, 3)
    # Mostly outcomes, some outputs, now and then a process indicator.
    outcomes = [row for row in pool if row[1] == "outcome"]
    others = [row for row in pool if row[1] != "outcome"]
    wanted = min(len(others), sum(rng.random() < 0.25 for _ in range(count)))
    wanted = max(wanted, count - len(outcomes))
    rows = rng.sample(outcomes, min(len(outcomes), count - wanted)) + rng.sample(others, min(len(others), wanted))
    if rng.random() < 0.15:
        rows.append(rng.choice(words.PROCESS_INDICATORS))
    baseline_date = max(candidate["start"], add_months(end, -12)).replace(day=1)
    found = []
    for name, kind, unit, direction, baseline, target, every in rows:
        factor = rng.uniform(0.9, 1.1)
        found.append(
            {
                "values": {
                    "name": name,
                    "kind": kind,
                    "unit": unit,
                    "direction": direction,
                    "baseline": Decimal(round(baseline * factor)),
                    "baseline_date": baseline_date,
                    "target": Decimal(round(target * factor)),
                    "target_date": add_months(baseline_date, rng.choice([18, 24, 24, 36])),
                },
                "lean": rng.choices(STATUSES, LEAN[story])[0],
                # Monthly where the busy partnerships measure monthly; quarterly elsewhere.
                "periods": _periods(baseline_date, candidate["stop"], every if story == "busy" else "quarterly"),
            }
        )
    return found


def _periods(start: dt.date, stop: dt.date, every: str) -> list[dt.date]:
    """Month ends (or quarter ends) after `start`, up to `stop`."""
    periods: list[dt.date] = []
    day = start
    while True:
        last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        if last > stop:
            return periods
        if every == "monthly" or last.month % 3 == 0:
            periods.append(last)
        day = add_months(day.replace(day=1), 1)


def measurements(rng: random.Random, values: dict, periods: list[dt.date], lean: str, tolerance: float) -> list:
    """(period, value) pairs from the baseline towards a last value whose status is `lean`."""
    if not periods:
        return []
    plan = rules.Plan(*(values[k] for k in ("direction", "baseline", "baseline_date", "target", "target_date")))
    baseline, target = float(values["baseline"]), float(values["target"])
    better = 1 if plan.direction == rules.HIGHER else -1
    scale = abs(target - baseline) or abs(baseline)
    band = scale * tolerance / 100
    offset = {
        rules.ON_TRACK: rng.uniform(0.05, 0.25) * scale,
        rules.AT_RISK: -rng.uniform(0.3, 0.7) * band,
        rules.OFF_TRACK: -rng.uniform(2.5, 4) * band,
    }[lean]
    last = rules.expected(plan, periods[-1]) + better * offset
    raw = [baseline + (last - baseline) * i / len(periods) + rng.gauss(0, 0.05) * scale for i in range(1, len(periods))]
    raw.append(last)
    unit = values["unit"]
    places = 0 if unit not in ("%", "points", "per 1,000") and band >= 4 else 1
    rounded = [_clip(round(v, places), unit) for v in raw]
    if rules.status(plan, (periods[-1], rounded[-1]), tolerance) != lean:
        rounded[-1] = _clip(round(last, 3), unit)  # rounding crossed a line: keep more places
    return [(p, Decimal(str(v))) for p, v in zip(periods, rounded, strict=True)]


def _clip(value: float, unit: str) -> float:
    value = max(0.0, value)
    return min(100.0, value) if unit == "%" else value


def _every_status(candidates: list[dict]) -> None:
    """Make sure on track, at risk and off track each appear, taking from the commonest if not."""
    indicators = [i for c in candidates if c["story"] == "steady" for i in c["indicators"] if i["periods"]]
    for lean in STATUSES:
        if indicators and not any(i["lean"] == lean for i in indicators):
            commonest = max(STATUSES, key=lambda s: sum(i["lean"] == s for i in indicators))
            next(i for i in indicators if i["lean"] == commonest)["lean"] = lean


def _no_measurements(candidates: list[dict], end: dt.date) -> None:
    """Two steady partnerships' newest indicators were added last month: no measurement yet."""
    steady = [c for c in candidates if c["story"] == "steady" and len(c["indicators"]) >= 2]
    for candidate in steady[:2]:
        indicator = candidate["indicators"][-1]
        indicator["periods"] = []
        baseline = add_months(end.replace(day=1), -1)
        indicator["values"].update(baseline_date=baseline, target_date=add_months(baseline, 24))
