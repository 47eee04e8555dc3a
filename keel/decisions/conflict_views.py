"""Conflicts: raised, worked through the agreed process step by step, escalated, closed.

Thin: writes go through keel.decisions.services.conflicts. The conflict page holds the three
forms (a step, escalation, closing); a refused one re-renders the page with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from keel.actions.models import Action, Source
from keel.core.changelog import Actor, history
from keel.core.forms import save_form
from keel.core.models import Role
from keel.core.tenancy import requires_role
from keel.decisions.forms_records import CloseConflictForm, ConflictForm, ConflictStepForm, EscalateForm
from keel.decisions.models import Conflict
from keel.decisions.services import conflicts
from keel.decisions.services.setup import decision_settings
from keel.register.models import Partnership, ProcessKind


@requires_role(Role.EDITOR)
def partnership_conflict_new(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    today = timezone.localdate()
    organisations = [m.organisation for m in partnership.members.select_related("organisation")]
    form = ConflictForm(request.POST or None, organisations=organisations, initial={"raised_on": today})
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: conflicts.raise_conflict(Actor.of(request), partnership, data, list(data["parties"]), today),
        )
        if saved:
            messages.success(request, "Conflict raised. Record each step of the agreed process as it is taken.")
            return redirect("decisions:conflict", ws=request.workspace.slug, pk=saved.pk)
    context = {"form": form, "partnership": partnership, "title": f"Raise a conflict in {partnership.name}"}
    return render(request, "decisions/conflict_form.html", context)


def _conflict(pk) -> Conflict:
    return get_object_or_404(
        Conflict.objects.select_related("partnership", "raised_by__organisation", "escalated_to__organisation"), pk=pk
    )


def _page(request, conflict: Conflict, forms: dict | None = None, status: int = 200):
    today = timezone.localdate()
    forms = forms or {}
    partnership = conflict.partnership
    days_open = ((conflict.closed_on or today) - conflict.raised_on).days
    conflict_days = decision_settings().conflict_days
    new_action = reverse("actions:action_new", kwargs={"ws": request.workspace.slug})
    context = {
        "conflict": conflict,
        "partnership": partnership,
        "parties": list(conflict.parties.select_related("organisation").order_by("organisation__name_key")),
        "steps": list(conflict.steps.order_by("date", "pk")),
        "documents": list(partnership.processes.filter(kind=ProcessKind.CONFLICT_RESOLUTION)),
        "days_open": days_open,
        "conflict_days": conflict_days,
        "irreconcilable": conflict.is_open and days_open > conflict_days,
        "actions": list(Action.objects.filter(source=Source.CONFLICT, source_id=conflict.pk).select_related("owner")),
        "new_action": f"{new_action}?partnership={partnership.pk}&source=conflict&source_id={conflict.pk}",
        "step_form": forms.get("step") or ConflictStepForm(initial={"date": today}),
        "escalate_form": forms.get("escalate") or EscalateForm(prefix="escalate", initial={"date": today}),
        "close_form": forms.get("close") or CloseConflictForm(prefix="close", initial={"closed_on": today}),
        "history": history(conflict),
    }
    return render(request, "decisions/conflict.html", context, status=status)


def conflict(request, pk):
    return _page(request, _conflict(pk))


@require_POST
@requires_role(Role.EDITOR)
def conflict_step(request, pk):
    """Add a dated step of the agreed process to the conflict `pk`."""
    found = _conflict(pk)
    form = ConflictStepForm(request.POST)
    today = timezone.localdate()
    if save_form(
        form, lambda data: conflicts.add_step(Actor.of(request), found, data["date"], data["description"], today)
    ):
        messages.success(request, "Step recorded.")
        return redirect("decisions:conflict", ws=request.workspace.slug, pk=found.pk)
    return _page(request, found, {"step": form}, 400)


@require_POST
@requires_role(Role.EDITOR)
def conflict_escalate(request, pk):
    """Escalate to a named neutral third party: refused for someone of a party or a member organisation."""
    found = _conflict(pk)
    form = EscalateForm(request.POST, prefix="escalate")
    today = timezone.localdate()
    if saved := save_form(
        form, lambda data: conflicts.escalate(Actor.of(request), found, data["person"], data["date"], today)
    ):
        messages.success(request, f"Escalated to {saved.escalated_to}, as a neutral third party.")
        return redirect("decisions:conflict", ws=request.workspace.slug, pk=found.pk)
    return _page(request, found, {"escalate": form}, 400)


@require_POST
@requires_role(Role.EDITOR)
def conflict_close(request, pk):
    """Close the conflict: resolved or could not be resolved, how, and when."""
    found = _conflict(pk)
    form = CloseConflictForm(request.POST, prefix="close")
    today = timezone.localdate()
    if saved := save_form(
        form,
        lambda data: conflicts.close_conflict(
            Actor.of(request), found, data["outcome"], data["closed_on"], data["resolution"], today
        ),
    ):
        messages.success(request, f"Conflict closed: {saved.get_outcome_display().lower()}.")
        return redirect("decisions:conflict", ws=request.workspace.slug, pk=found.pk)
    return _page(request, found, {"close": form}, 400)
