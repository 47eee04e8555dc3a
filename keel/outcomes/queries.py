"""Reading indicators with their status: a fixed number of queries, for one partnership or all."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from keel.core.tenancy import current_workspace
from keel.outcomes import rules
from keel.outcomes.models import Indicator, Measurement


@dataclass
class IndicatorStatus:
    indicator: Indicator
    latest_period: object
    latest_value: object
    status: str

    @property
    def label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def latest_shown(self) -> str:
        """The latest value with its unit, as the indicator page writes it: 83.7%, £1,200, 42 people."""
        return "" if self.latest_value is None else figure(self.latest_value, self.indicator.unit.strip())

    @property
    def target_shown(self) -> str:
        target = self.indicator.target
        return "" if target is None else figure(target, self.indicator.unit.strip())


def with_status(indicators=None, partnerships=None) -> list[IndicatorStatus]:
    """Indicators with their latest measurement and status; one query, whatever their number."""
    latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period")
    queryset = indicators if indicators is not None else Indicator.objects.all()
    if partnerships is not None:
        queryset = queryset.filter(partnership_id__in=list(partnerships))
    queryset = queryset.annotate(
        latest_period=Subquery(latest.values("period")[:1]), latest_value=Subquery(latest.values("value")[:1])
    )
    tolerance = current_workspace().indicator_tolerance
    found = []
    for indicator in queryset:
        point = (indicator.latest_period, indicator.latest_value) if indicator.latest_period else None
        found.append(
            IndicatorStatus(
                indicator,
                indicator.latest_period,
                indicator.latest_value,
                rules.status(indicator.plan, point, tolerance),
            )
        )
    return found


def tallies_by_partnership(partnerships=None) -> dict[int, list[rules.Tally]]:
    """Each partnership's indicators on track by kind: one query of plain rows, whatever their number.

    The same status as `with_status`, without making an Indicator for each row: `keel audit` reads
    every indicator of the workspace."""
    latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period")
    queryset = Indicator.objects.all()
    if partnerships is not None:
        queryset = queryset.filter(partnership_id__in=list(partnerships))
    rows = queryset.annotate(
        latest_period=Subquery(latest.values("period")[:1]), latest_value=Subquery(latest.values("value")[:1])
    ).order_by()
    tolerance = current_workspace().indicator_tolerance
    grouped: dict[int, list[tuple[str, str]]] = {}
    for pid, kind, direction, baseline, baseline_date, target, target_date, period, value in rows.values_list(
        "partnership_id", "kind", "direction", "baseline", "baseline_date", "target", "target_date",
        "latest_period", "latest_value",
    ):  # fmt: skip
        plan = rules.Plan(direction, baseline, baseline_date, target, target_date)
        state = rules.status(plan, (period, value) if period else None, tolerance)
        grouped.setdefault(pid, []).append((kind, state))
    return {pid: rules.tallies(pairs) for pid, pairs in grouped.items()}


# ------------------------------------------------------------------ one indicator's page

CURRENCY = ("£", "$", "€")


def number(value) -> str:
    """A figure as people read it: 1,234.5 (at most two decimal places for a computed one)."""
    value = value if isinstance(value, Decimal) else Decimal(str(round(float(value), 2)))
    text = format(value.normalize(), ",f")
    return "0" if text in ("-0", "0") else text


def figure(value, unit: str = "") -> str:
    """A value with its unit: 45%, £1,200, 42 people."""
    text = number(value)
    if not unit:
        return text
    if unit in CURRENCY:
        return f"-{unit}{text[1:]}" if text.startswith("-") else f"{unit}{text}"
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


@dataclass
class Point:
    """A measurement, with where the line from baseline to target is on its period."""

    measurement: Measurement
    expected: float | None
    unit: str = ""

    @property
    def period(self):
        return self.measurement.period

    @property
    def shown(self) -> str:
        return figure(self.measurement.value, self.unit)

    @property
    def expected_shown(self) -> str:
        return "" if self.expected is None else figure(self.expected, self.unit)


@dataclass
class IndicatorPage:
    indicator: Indicator
    status: str
    explanation: str
    points: list[Point]  # newest first
    chart: dict
    tolerance: Decimal

    @property
    def label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def baseline(self) -> str:
        found = self.indicator
        return "" if found.baseline is None else figure(found.baseline, found.unit)

    @property
    def target(self) -> str:
        found = self.indicator
        return "" if found.target is None else figure(found.target, found.unit)

    @property
    def tolerance_shown(self) -> str:
        return f"{number(self.tolerance)}%"


def day(date) -> str:
    return f"{date.day} {date:%b %Y}"


def explain(indicator: Indicator, latest: tuple | None, tolerance) -> str:
    """One sentence on why an indicator has its status: the latest value against its line, and the tolerance."""
    plan, unit = indicator.plan, indicator.unit
    if not plan.complete:
        return (
            "Keel compares the latest measurement with the straight line from the baseline to the target: give the "
            "indicator both, each with its date, to see whether it is on track."
        )
    baseline, target = figure(plan.baseline, unit), figure(plan.target, unit)
    if latest is None:
        return (
            f"Nothing is measured yet: each measurement will be compared with the straight line from the baseline, "
            f"{baseline} on {day(plan.baseline_date)}, to the target, {target} on {day(plan.target_date)}."
        )
    period, value = latest
    line = figure(rules.expected(plan, period), unit)
    if period >= plan.target_date:
        where = f"the target, {line}, due by {day(plan.target_date)}"
    elif period <= plan.baseline_date:
        where = f"the baseline, {line}, where the line starts on {day(plan.baseline_date)}"
    else:
        where = f"the {line} that the straight line from baseline to target expects by then"
    gap = float(value) - rules.expected(plan, period)
    position = "exactly" if gap == 0 else f"{figure(abs(gap), unit)} {'above' if gap > 0 else 'below'}"
    better = "higher" if plan.direction == rules.HIGHER else "lower"
    said = f"The latest measurement, {figure(value, unit)} for {day(period)}, is {position} {where}"
    said += f", and {better} is better"
    change = abs(float(plan.target) - float(plan.baseline))
    allowance = figure((change or abs(float(plan.baseline))) * float(tolerance) / 100, unit)
    share = f"{number(tolerance)}% of " + (
        f"the planned change from {baseline} to {target}" if change else "the baseline"
    )
    state = rules.status(plan, latest, tolerance)
    if state == rules.ON_TRACK:
        return f"{said}; behind the line by up to {allowance} ({share}, the workspace's tolerance) would be at risk."
    if state == rules.AT_RISK:
        return f"{said}; that is within the workspace's tolerance of {allowance} ({share}), so it is at risk."
    return f"{said}; that is more than the workspace's tolerance of {allowance} ({share}), so it is off track."


def indicator_page(indicator: Indicator) -> IndicatorPage:
    """An indicator's status, its explanation, its measurements against the line, and its chart: one query."""
    tolerance = current_workspace().indicator_tolerance
    plan = indicator.plan
    measurements = list(indicator.measurements.all())  # newest first
    latest = (measurements[0].period, measurements[0].value) if measurements else None
    points = [Point(m, rules.expected(plan, m.period) if plan.complete else None, indicator.unit) for m in measurements]
    return IndicatorPage(
        indicator,
        rules.status(plan, latest, tolerance),
        explain(indicator, latest, tolerance),
        points,
        chart(indicator, measurements[::-1]),
        tolerance,
    )


def chart(indicator: Indicator, oldest_first: list[Measurement]) -> dict:
    """The data island of the indicator chart: measurements, and the dashed line from baseline to target."""
    if not oldest_first:
        return {}
    plan, unit = indicator.plan, indicator.unit
    first, last = oldest_first[0], oldest_first[-1]
    count = len(oldest_first)
    span = f"from {day(first.period)} to {day(last.period)}" if count > 1 else f"for {day(last.period)}"
    words = f"Line chart of {indicator.name}: {count} measurement{'s' if count != 1 else ''} {span}"
    words += f", the latest {figure(last.value, unit)}"
    line = []
    if plan.complete:
        line = [[plan.baseline_date.isoformat(), float(plan.baseline)]]
        line.append([plan.target_date.isoformat(), float(plan.target)])
        words += (
            f"; the dashed line runs from the baseline, {figure(plan.baseline, unit)} on {day(plan.baseline_date)}, "
            f"to the target, {figure(plan.target, unit)} on {day(plan.target_date)}"
        )
    return {
        "kind": "indicator",
        "values": [float(m.value) for m in oldest_first],
        "points": [[m.period.isoformat(), float(m.value)] for m in oldest_first],
        "shown": [figure(m.value, unit) for m in oldest_first],
        "line": line,
        "unit": unit,
        "names": {"values": "Measurements", "line": "Line from baseline to target"},
        "description": words + ". The table below gives the same figures.",
    }
