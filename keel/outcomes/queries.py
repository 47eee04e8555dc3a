"""Reading indicators with their status: a fixed number of queries, for one partnership or all."""

from __future__ import annotations

from dataclasses import dataclass

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
    grouped: dict[int, list[tuple[str, str]]] = {}
    for found in with_status(partnerships=partnerships):
        grouped.setdefault(found.indicator.partnership_id, []).append((found.indicator.kind, found.status))
    return {pid: rules.tallies(pairs) for pid, pairs in grouped.items()}
