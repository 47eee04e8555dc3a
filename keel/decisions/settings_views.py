"""The decision settings and the criteria checklists. Everyone reads the checklists; admins change them."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keel.core.changelog import Actor, history
from keel.core.forms import save_form
from keel.core.models import Role
from keel.core.services import ServiceError
from keel.core.tenancy import requires_role
from keel.decisions.forms_settings import CriterionForm, DecisionSettingsForm
from keel.decisions.models import ChecklistKind, Criterion
from keel.decisions.services import criteria as services
from keel.decisions.services.settings import save_decision_settings
from keel.decisions.services.setup import decision_settings


@requires_role(Role.ADMIN)
def settings_page(request):
    found = decision_settings()
    form = DecisionSettingsForm(request.POST or None, instance=found)
    if request.method == "POST":
        if save_form(form, lambda data: save_decision_settings(Actor.of(request), data)):
            messages.success(request, "Decision settings saved.")
            return redirect("decisions:settings", ws=request.workspace.slug)
    return render(request, "decisions/settings.html", {"form": form, "history": history(found)})


def criteria_page(request):
    """The four checklists, each item in order, retired items apart: one query."""
    every = Criterion.objects.annotate(answered=Count("answers")).order_by("kind", "position", "pk")
    by_kind = {kind: list(items) for kind, items in groupby(every, key=lambda c: c.kind)}
    checklists = [
        {
            "kind": kind,
            "label": label,
            "items": [c for c in by_kind.get(kind, []) if not c.is_retired],
            "retired": [c for c in by_kind.get(kind, []) if c.is_retired],
        }
        for kind, label in ChecklistKind.choices
    ]
    return render(request, "decisions/criteria.html", {"checklists": checklists})


def _back_to_criteria(request, criterion):
    """Back to the checklist the item is on."""
    return redirect(
        reverse("decisions:criteria", kwargs={"ws": request.workspace.slug}) + f"#checklist-{criterion.kind}"
    )


@requires_role(Role.ADMIN)
def criteria_add(request):
    kind = request.POST.get("kind") or request.GET.get("kind") or ChecklistKind.START
    if kind not in ChecklistKind.values:
        raise Http404
    form = CriterionForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST":
        criterion = save_form(
            form,
            lambda data: services.add_criterion(Actor.of(request), data["kind"], data["text"], data["guidance"]),
        )
        if criterion:
            messages.success(request, f"“{criterion.text}” added to {criterion.get_kind_display().lower()}.")
            return _back_to_criteria(request, criterion)
    context = {"form": form, "title": "Add a checklist item", "kind_label": ChecklistKind(kind).label}
    return render(request, "decisions/criteria_form.html", context)


@requires_role(Role.ADMIN)
def criterion_edit(request, pk):
    criterion = get_object_or_404(Criterion, pk=pk)
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: services.change_criterion(Actor.of(request), criterion, data["text"], data["guidance"]),
        )
        if saved:
            messages.success(request, "Wording saved. Answers already given keep the wording they were given under.")
            return _back_to_criteria(request, saved)
    context = {
        "form": form,
        "title": "Change a checklist item",
        "criterion": criterion,
        "kind_label": criterion.get_kind_display(),
        "history": history(criterion),
    }
    return render(request, "decisions/criteria_form.html", context)


@require_POST
@requires_role(Role.ADMIN)
def criterion_move(request, pk):
    criterion = get_object_or_404(Criterion, pk=pk)
    try:
        services.move_criterion(Actor.of(request), criterion, request.POST.get("direction", ""))
    except ServiceError as error:
        messages.error(request, str(error))
    return _back_to_criteria(request, criterion)


@require_POST
@requires_role(Role.ADMIN)
def criterion_retire(request, pk):
    criterion = get_object_or_404(Criterion, pk=pk)
    if request.POST.get("restore") == "1":
        services.restore_criterion(Actor.of(request), criterion)
        messages.success(request, f"“{criterion.text}” is asked again, at the end of its checklist.")
    else:
        services.retire_criterion(Actor.of(request), criterion)
        messages.success(request, f"“{criterion.text}” retired: no longer asked. Answers given keep it.")
    return _back_to_criteria(request, criterion)
