"""Writes to a workspace's decision settings: its thresholds and hourly rates."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.services import ServiceError
from keel.decisions.models import DecisionSettings
from keel.decisions.services.setup import decision_settings

RATES = {
    "rate_executive": "executive",
    "rate_senior_manager": "senior manager",
    "rate_manager": "manager",
    "rate_frontline": "frontline member of staff",
}
FIELDS = [
    "rate_executive",
    "rate_senior_manager",
    "rate_manager",
    "rate_frontline",
    "invest_return",
    "dissolve_return",
    "maturity_months",
    "conflict_days",
    "evidence_months",
    "event_months",
]


@transaction.atomic
def save_decision_settings(actor: Actor, values: dict[str, Any]) -> DecisionSettings:
    """Change the current workspace's decision settings, recording what changed."""
    found = decision_settings()
    before = snapshot(found, FIELDS)
    for key, value in values.items():
        if key not in FIELDS:
            raise ServiceError(f"{key} is not a decision setting.")
        setattr(found, key, value)
    for name, role in RATES.items():
        if getattr(found, name) is not None and getattr(found, name) < 0:
            raise ServiceError(f"The hourly rate of a {role} cannot be below zero.")
    if found.dissolve_return > found.invest_return:
        raise ServiceError(
            f"'Keep and invest' starts at a return of {found.invest_return}, below the {found.dissolve_return} "
            "under which a partnership costs more than it produces: raise the first or lower the second."
        )
    found.full_clean(exclude=["workspace"])
    found.save()
    changes = diff(before, snapshot(found, FIELDS))
    if changes:
        record(actor, "decision_settings.changed", found, changes)
    return found
