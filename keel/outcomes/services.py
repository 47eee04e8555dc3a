"""Writes to indicators and measurements; each runs in a transaction and writes the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from keel.actions.models import OPEN_STATUSES, Action, Source
from keel.actions.services import create_action
from keel.common.text import name_key
from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.services import ServiceError
from keel.core.tenancy import current_workspace
from keel.outcomes import rules
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
    "if_off_track",
]

# An off-track indicator's action is due this many days after the measurement that put it off track.
OFF_TRACK_DAYS = 14


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
    act_if_off_track(actor, indicator)
    return measurement, action


def act_if_off_track(actor: Actor, indicator: Indicator) -> Action | None:
    """Only measure what you intend to act on: an indicator that is off track and says what the partnership
    will then do raises that action, owned by the partnership lead and due in two weeks, once while it is open."""
    planned = indicator.if_off_track.strip()
    if not planned or not indicator.plan.complete:
        return None
    latest = Measurement.objects.filter(indicator=indicator).order_by("-period").values_list("period", "value").first()
    tolerance = current_workspace().indicator_tolerance
    if latest is None or rules.status(indicator.plan, latest, tolerance) != rules.OFF_TRACK:
        return None
    if Action.objects.filter(source=Source.INDICATOR, source_id=indicator.pk, status__in=OPEN_STATUSES).exists():
        return None
    partnership = indicator.partnership
    lead = partnership.lead if partnership.lead is not None and not partnership.lead.is_archived else None
    title = f"{indicator.name}: off track — {' '.join(planned.split())}"
    return create_action(
        actor,
        {
            "title": title if len(title) <= 200 else title[:199] + "…",
            "partnership": partnership,
            "owner": lead,
            "due": timezone.localdate() + dt.timedelta(days=OFF_TRACK_DAYS),
            "source": Source.INDICATOR,
            "source_id": indicator.pk,
            "notes": f"{indicator.name} went off track with the measurement for {latest[0]:%d/%m/%Y}. "
            f"If it goes off track, we will: {planned}"
            + ("" if lead else "\nThe partnership has no lead: choose an owner."),
        },
    )


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
