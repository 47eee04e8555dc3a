"""Indicator pages: the indicator with its status, chart and measurements; its form; its measurements.

Thin: reads come from queries, writes go through services. A measurement is added on the
indicator's page, so a refused one re-renders that page with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from keel.actions.models import OPEN_STATUSES, Action, Source
from keel.core.changelog import Actor, history
from keel.core.forms import save_form
from keel.core.models import Role
from keel.core.services import ServiceError
from keel.core.tenancy import requires_role
from keel.outcomes import queries, services
from keel.outcomes.forms import IndicatorForm, MeasurementForm
from keel.outcomes.models import Indicator, Measurement
from keel.outcomes.services import INDICATOR_FIELDS
from keel.register.models import Partnership


def _indicator(pk) -> Indicator:
    return get_object_or_404(Indicator.objects.select_related("partnership"), pk=pk)


def _form_page(request, form, partnership, title, indicator=None):
    context = {"form": form, "partnership": partnership, "title": title, "indicator": indicator}
    return render(request, "outcomes/indicator_form.html", context)


@requires_role(Role.EDITOR)
def indicator_new(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST":
        indicator = save_form(form, lambda data: services.save_indicator(Actor.of(request), partnership, data))
        if indicator:
            messages.success(request, f"Indicator {indicator.name} added. Add its measurements below.")
            return redirect("outcomes:indicator", ws=request.workspace.slug, pk=indicator.pk)
    return _form_page(request, form, partnership, f"New indicator for {partnership.name}")


def indicator_detail(request, pk):
    return _detail(request, _indicator(pk))


def _detail(request, indicator, form=None, status=200):
    context = {
        "indicator": indicator,
        "partnership": indicator.partnership,
        "page": queries.indicator_page(indicator),
        "form": form or MeasurementForm(),
        "history": history(indicator),
        # The open action its going off track raised, if any.
        "off_track_action": Action.objects.filter(
            source=Source.INDICATOR, source_id=indicator.pk, status__in=OPEN_STATUSES
        ).first(),
    }
    return render(request, "outcomes/indicator_detail.html", context, status=status)


@requires_role(Role.EDITOR)
def indicator_edit(request, pk):
    indicator = _indicator(pk)
    initial = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if save_form(
            form, lambda data: services.save_indicator(Actor.of(request), indicator.partnership, data, indicator)
        ):
            messages.success(request, "Changes saved.")
            return redirect("outcomes:indicator", ws=request.workspace.slug, pk=indicator.pk)
    return _form_page(request, form, indicator.partnership, f"Change {initial['name']}", indicator)


@requires_role(Role.EDITOR)
def indicator_delete(request, pk):
    """GET: what deleting would remove, and a button to confirm. POST: delete."""
    indicator = _indicator(pk)
    partnership = indicator.partnership
    if request.method == "POST":
        services.delete_indicator(Actor.of(request), indicator)
        messages.success(request, f"Indicator {indicator.name} deleted, with its measurements.")
        return redirect("portfolio:partnership", ws=request.workspace.slug, pk=partnership.pk)
    context = {"indicator": indicator, "partnership": partnership, "measured": indicator.measurements.count()}
    return render(request, "outcomes/indicator_delete.html", context)


@require_POST
@requires_role(Role.EDITOR)
def measurement_add(request, pk):
    """Record the value for a period; a period already measured takes the new value, and the message says so."""
    indicator = _indicator(pk)
    form = MeasurementForm(request.POST)
    if not form.is_valid():
        return _detail(request, indicator, form, 400)
    data = form.cleaned_data
    before = Measurement.objects.filter(indicator=indicator, period=data["period"]).first()
    try:
        measurement, action = services.record_measurement(
            Actor.of(request), indicator, data["period"], data["value"], data["note"]
        )
    except (ServiceError, ValidationError) as error:
        form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        return _detail(request, indicator, form, 400)
    unit, period = indicator.unit, queries.day(measurement.period)
    shown = queries.figure(measurement.value, unit)
    if action == "created":
        messages.success(request, f"Measurement added: {shown} for {period}.")
    elif action == "changed":
        messages.success(
            request,
            f"{period} was already measured ({queries.figure(before.value, unit)}): its value is now {shown}, "
            "replacing the one before.",
        )
    else:
        messages.success(request, f"{period} was already measured as {shown}: nothing changed.")
    return redirect("outcomes:indicator", ws=request.workspace.slug, pk=indicator.pk)


@require_POST
@requires_role(Role.EDITOR)
def measurement_delete(request, pk):
    measurement = get_object_or_404(Measurement.objects.select_related("indicator"), pk=pk)
    indicator = measurement.indicator
    services.delete_measurement(Actor.of(request), measurement)
    shown = queries.figure(measurement.value, indicator.unit)
    messages.success(request, f"Measurement for {queries.day(measurement.period)} ({shown}) deleted.")
    return redirect("outcomes:indicator", ws=request.workspace.slug, pk=indicator.pk)
