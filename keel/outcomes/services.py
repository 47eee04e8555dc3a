"""Writes to indicators and measurements; each runs in a transaction and writes the audit trail."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from keel.common.text import name_key
from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.services import ServiceError
from keel.outcomes.models import Indicator, Measurement
from keel.register.models import Partnership

INDICATOR_FIELDS = [
    "name",
    "kind",
    "unit",
    "direction",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "description",
]


def _check_indicator(indicator: Indicator):
    if not indicator.name.strip():
        raise ServiceError("Give the indicator a name.")
    same = Indicator.objects.filter(partnership=indicator.partnership_id, name_key=name_key(indicator.name))
    if same.exclude(pk=indicator.pk).exists():
        raise ServiceError(f"This partnership already has an indicator called {indicator.name!r}.")
    pairs = [("baseline", "baseline_date", "baseline"), ("target", "target_date", "target")]
    for value, date, word in pairs:
        if (getattr(indicator, value) is None) != (getattr(indicator, date) is None):
            raise ServiceError(f"Give the {word} and its date together, or neither.")
    if indicator.baseline_date and indicator.target_date and indicator.target_date <= indicator.baseline_date:
        raise ServiceError(
            f"The target date, {indicator.target_date:%d/%m/%Y}, must come after the baseline date, "
            f"{indicator.baseline_date:%d/%m/%Y}."
        )


@transaction.atomic
def save_indicator(actor: Actor, partnership: Partnership, values: dict, indicator: Indicator | None = None):
    creating = indicator is None
    indicator = indicator or Indicator(partnership=partnership)
    before = {} if creating else snapshot(Indicator.objects.get(pk=indicator.pk), INDICATOR_FIELDS)
    for key, value in values.items():
        if key not in INDICATOR_FIELDS:
            raise ServiceError(f"{key} is not a field of an indicator.")
        setattr(indicator, key, value)
    indicator.name = " ".join(indicator.name.split())
    _check_indicator(indicator)
    indicator.full_clean(exclude=["workspace", "partnership"])
    indicator.save()
    changes = diff(before, snapshot(indicator, INDICATOR_FIELDS))
    if creating or changes:
        record(actor, f"indicator.{'created' if creating else 'changed'}", indicator, changes)
    return indicator


@transaction.atomic
def delete_indicator(actor: Actor, indicator: Indicator) -> None:
    record(actor, "indicator.deleted", indicator, diff(snapshot(indicator, INDICATOR_FIELDS), {}))
    indicator.delete()


def unchanged(existing: tuple[Decimal, str] | None, value: Decimal, note: str) -> bool:
    """Whether recording (value, note) over an existing (value, note) would change nothing: a blank
    note keeps the note there is."""
    return existing is not None and existing[0] == value and (existing[1] == note or not note)


@transaction.atomic
def record_measurement(actor: Actor, indicator: Indicator, period, value, note: str = "") -> tuple[Measurement, str]:
    """Record the value for a period; a period already measured is changed. Returns (measurement,
    'created' | 'changed' | 'unchanged')."""
    value = Decimal(str(value))
    existing = Measurement.objects.filter(indicator=indicator, period=period).first()
    note = (note or "").strip()
    if existing and unchanged((existing.value, existing.note), value, note):
        return existing, "unchanged"
    measurement = existing or Measurement(indicator=indicator, period=period)
    before = {"value": str(existing.value), "note": existing.note} if existing else {}
    measurement.value = value
    if note or not existing:
        measurement.note = note
    measurement.full_clean(exclude=["workspace", "indicator"])
    measurement.save()
    after = {"period": period.isoformat(), "value": str(measurement.value), "note": measurement.note}
    action = "changed" if existing else "created"
    record(actor, f"indicator.measurement_{action}", indicator, diff(before, after), note=f"{period:%d/%m/%Y}")
    return measurement, action


@transaction.atomic
def delete_measurement(actor: Actor, measurement: Measurement) -> None:
    indicator = measurement.indicator
    record(
        actor,
        "indicator.measurement_deleted",
        indicator,
        {"value": [str(measurement.value), None]},
        note=f"{measurement.period:%d/%m/%Y}",
    )
    measurement.delete()
