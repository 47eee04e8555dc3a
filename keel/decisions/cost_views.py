"""Cost and value: a partnership's years, their items, and the portfolio ranked by return. Thin: writes go
through keel.decisions.services.costs, figures come from keel.decisions.money."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from keel.core.changelog import Actor
from keel.core.forms import save_form
from keel.core.models import Role
from keel.core.tenancy import requires_role
from keel.decisions import queries, record_page
from keel.decisions.forms_records import CostItemForm, ValueItemForm
from keel.decisions.models import CostItem, ValueItem
from keel.decisions.services import costs
from keel.decisions.services.setup import decision_settings
from keel.register.models import Partnership

PAGE_SIZE = 50


def _partnership(pk) -> Partnership:
    return get_object_or_404(Partnership, pk=pk)


def _back(request, partnership_id):
    return redirect("decisions:partnership_costs", ws=request.workspace.slug, pk=partnership_id)


def partnership_costs(request, pk):
    """Each year's cost and value items and their totals, newest year first."""
    partnership = _partnership(pk)
    years, rates = record_page.costs_page(partnership)
    context = {
        "partnership": partnership,
        "years": years,
        "rates": [(label, record_page.pounds(rates[value])) for value, label in record_page.LEVEL_LABELS.items()],
    }
    return render(request, "decisions/costs.html", context)


def _form_page(request, form, partnership, title, item=None, what="cost"):
    context = {"form": form, "partnership": partnership, "title": title, "item": item, "what": what}
    return render(request, "decisions/costs_item_form.html", context)


@requires_role(Role.EDITOR)
def partnership_cost_new(request, pk):
    partnership = _partnership(pk)
    this_year = timezone.localdate().year
    form = CostItemForm(request.POST or None, this_year=this_year, initial={"year": this_year})
    if request.method == "POST":
        saved = save_form(form, lambda data: costs.save_cost_item(Actor.of(request), partnership, data, this_year))
        if saved:
            messages.success(request, f"Cost added to {saved.year}: {saved.get_kind_display().lower()}.")
            return _back(request, partnership.pk)
    return _form_page(request, form, partnership, f"Add a cost to {partnership.name}")


@requires_role(Role.EDITOR)
def cost_item(request, pk):
    """Change a cost item (GET the form, POST to save)."""
    item = get_object_or_404(CostItem.objects.select_related("partnership"), pk=pk)
    this_year = timezone.localdate().year
    initial = {name: getattr(item, name) for name in costs.COST_FIELDS}
    form = CostItemForm(request.POST or None, this_year=this_year, initial=initial)
    if request.method == "POST":
        saved = save_form(
            form, lambda data: costs.save_cost_item(Actor.of(request), item.partnership, data, this_year, item)
        )
        if saved:
            messages.success(request, f"Cost for {saved.year} changed.")
            return _back(request, item.partnership_id)
    return _form_page(request, form, item.partnership, f"Change a cost of {item.year}", item)


@require_POST
@requires_role(Role.EDITOR)
def cost_item_delete(request, pk):
    item = get_object_or_404(CostItem.objects.select_related("partnership"), pk=pk)
    costs.delete_cost_item(Actor.of(request), item)
    messages.success(request, f"Cost deleted from {item.year}: {item.get_kind_display().lower()}.")
    return _back(request, item.partnership_id)


@requires_role(Role.EDITOR)
def partnership_value_new(request, pk):
    partnership = _partnership(pk)
    this_year = timezone.localdate().year
    form = ValueItemForm(request.POST or None, this_year=this_year, initial={"year": this_year})
    if request.method == "POST":
        saved = save_form(form, lambda data: costs.save_value_item(Actor.of(request), partnership, data, this_year))
        if saved:
            messages.success(request, f"Value added to {saved.year}.")
            return _back(request, partnership.pk)
    return _form_page(request, form, partnership, f"Add value produced by {partnership.name}", what="value")


@requires_role(Role.EDITOR)
def value_item(request, pk):
    """Change a value item (GET the form, POST to save)."""
    item = get_object_or_404(ValueItem.objects.select_related("partnership"), pk=pk)
    this_year = timezone.localdate().year
    initial = {name: getattr(item, name) for name in costs.VALUE_FIELDS}
    form = ValueItemForm(request.POST or None, this_year=this_year, initial=initial)
    if request.method == "POST":
        saved = save_form(
            form, lambda data: costs.save_value_item(Actor.of(request), item.partnership, data, this_year, item)
        )
        if saved:
            messages.success(request, f"Value for {saved.year} changed.")
            return _back(request, item.partnership_id)
    return _form_page(request, form, item.partnership, f"Change a value of {item.year}", item, what="value")


@require_POST
@requires_role(Role.EDITOR)
def value_item_delete(request, pk):
    item = get_object_or_404(ValueItem.objects.select_related("partnership"), pk=pk)
    costs.delete_value_item(Actor.of(request), item)
    messages.success(request, f"Value deleted from {item.year}.")
    return _back(request, item.partnership_id)


def cost_and_value(request):
    """The portfolio ranked by return (each partnership's latest year with figures): five queries."""
    this_year = timezone.localdate().year
    found = record_page.portfolio(queries.portfolio_money(this_year), decision_settings().dissolve_return)
    context = {
        "found": found,
        "page": Paginator(found.ranked, PAGE_SIZE).get_page(request.GET.get("page")),
        "this_year": this_year,
    }
    return render(request, "decisions/cost_and_value.html", context)
