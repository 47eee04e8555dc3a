"""A workspace's decision settings and its checklists, made with Keel's defaults when first needed."""

from __future__ import annotations

from decimal import Decimal

from keel.decisions.defaults import CHECKLISTS
from keel.decisions.models import Criterion, DecisionSettings
from keel.decisions.rules import Thresholds


def ensure_defaults() -> None:
    """Give the current workspace its settings row and Keel's checklists, once; never overwrite edits."""
    DecisionSettings.objects.get_or_create()
    have = set(Criterion.objects.values_list("kind", flat=True).distinct())
    Criterion.objects.bulk_create(
        Criterion(kind=kind, text=text, key=key, guidance=guidance, position=position)
        for kind, items in CHECKLISTS.items()
        if kind not in have
        for position, (text, key, guidance) in enumerate(items, start=1)
    )


def decision_settings() -> DecisionSettings:
    """The current workspace's decision settings (made with the defaults when missing)."""
    found = DecisionSettings.objects.first()
    if found is None:
        found, _ = DecisionSettings.objects.get_or_create()
    return found


def thresholds(found: DecisionSettings | None = None) -> Thresholds:
    found = found or decision_settings()
    return Thresholds(
        invest_return=found.invest_return,
        dissolve_return=found.dissolve_return,
        maturity_months=found.maturity_months,
        conflict_days=found.conflict_days,
        evidence_months=found.evidence_months,
        event_months=found.event_months,
    )


def hourly_rates(found: DecisionSettings | None = None) -> dict[str, Decimal]:
    """register.Level value -> hourly rate (Decimal)."""
    found = found or decision_settings()
    return {
        "executive": found.rate_executive,
        "senior_manager": found.rate_senior_manager,
        "manager": found.rate_manager,
        "frontline": found.rate_frontline,
    }
