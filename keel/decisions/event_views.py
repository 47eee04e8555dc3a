"""Events: what happened to a partnership. Thin: writes go through keel.decisions.services.events."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from keel.core.changelog import Actor, history
from keel.core.forms import save_form
from keel.core.models import Role
from keel.core.tenancy import requires_role
from keel.decisions.forms_records import EventForm
from keel.decisions.models import Conflict, Event
from keel.decisions.services import events
from keel.decisions.services.setup import decision_settings
from keel.register.models import Partnership


def partnership_events(request, pk):
    """All of a partnership's events and conflicts, newest first."""
    partnership = get_object_or_404(Partnership, pk=pk)
    today = timezone.localdate()
    conflicts = list(
        Conflict.objects.filter(partnership=partnership).select_related("raised_by").order_by("-raised_on", "-pk")
    )
    for conflict in conflicts:
        conflict.days_open = ((conflict.closed_on or today) - conflict.raised_on).days
    context = {
        "partnership": partnership,
        "events": Event.objects.filter(partnership=partnership).order_by("-date", "-pk"),
        "conflicts": conflicts,
        "conflict_days": decision_settings().conflict_days,
    }
    return render(request, "decisions/events.html", context)


@requires_role(Role.EDITOR)
def partnership_event_new(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    today = timezone.localdate()
    form = EventForm(request.POST or None, initial={"date": today})
    if request.method == "POST":
        saved = save_form(form, lambda data: events.save_event(Actor.of(request), partnership, data, today))
        if saved:
            early = " It calls for an early review." if saved.early_review else ""
            messages.success(request, f"Event recorded: {saved.get_kind_display().lower()}.{early}")
            return redirect("portfolio:partnership", ws=request.workspace.slug, pk=partnership.pk)
    context = {"form": form, "partnership": partnership, "title": f"Record an event of {partnership.name}"}
    return render(request, "decisions/event_form.html", context)


def event(request, pk):
    """An event, with its form for editors (POST saves) and its history."""
    found = get_object_or_404(Event.objects.select_related("partnership", "key_person_change"), pk=pk)
    today = timezone.localdate()
    initial = {name: getattr(found, name) for name in events.EVENT_FIELDS}
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = save_form(
            form, lambda data: events.save_event(Actor.of(request), found.partnership, data, today, found)
        )
        if saved:
            messages.success(request, "Changes saved.")
            return redirect("decisions:event", ws=request.workspace.slug, pk=found.pk)
    context = {
        "event": found,
        "partnership": found.partnership,
        "form": form,
        "title": f"{found.get_kind_display()}, {found.date.day} {found.date:%B %Y}",
        "history": history(found),
    }
    return render(request, "decisions/event_form.html", context)


@require_POST
@requires_role(Role.EDITOR)
def event_delete(request, pk):
    found = get_object_or_404(Event.objects.select_related("partnership"), pk=pk)
    events.delete_event(Actor.of(request), found)
    messages.success(request, f"Event deleted: {found.get_kind_display().lower()} on {found.date:%d/%m/%Y}.")
    return redirect("decisions:partnership_events", ws=request.workspace.slug, pk=found.partnership_id)
