"""The actions pages: my actions (or everyone's), a new action, an action with its edit form, Mark done.

Thin: reads here are one or two queries each; every write goes through keel.actions.services,
which writes the audit trail.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from keel.actions import services
from keel.actions.forms import STATUS_FILTERS, ActionForm, NewActionForm
from keel.actions.models import OPEN_STATUSES, Action, ActionStatus, Source
from keel.actions.sources import describe, describe_source, find_source
from keel.common.text import add_months
from keel.common.web import safe_next
from keel.core.changelog import Actor, history
from keel.core.forms import save_form
from keel.core.models import Role
from keel.core.services import ServiceError
from keel.core.tenancy import requires_role
from keel.register.models import Partnership, Person

PAGE_SIZE = 25


def my_people(user):
    """The register's people whose e-mail is the user's (ignoring case): whose actions are "mine"."""
    if not user.email:
        return []
    return list(Person.objects.filter(email__iexact=user.email.strip()).select_related("organisation"))


def action_list(request):
    """My actions (owned by a person with my e-mail) or everyone's; by status and partnership; overdue first."""
    today = timezone.localdate()
    everyone = request.GET.get("who") == "everyone"
    status = request.GET.get("status") if request.GET.get("status") in STATUS_FILTERS else "open"
    people = [] if everyone else my_people(request.user)
    actions = Action.objects.all() if everyone else Action.objects.filter(owner__in=[p.pk for p in people])
    offered = _partnerships_with_actions(actions)
    partnership = None
    if (chosen := request.GET.get("partnership", "")).isdigit():
        partnership = Partnership.objects.filter(pk=int(chosen)).first()
        if partnership:
            actions = actions.filter(partnership=partnership)
            if partnership.pk not in {pk for pk, _ in offered}:
                offered.insert(0, (partnership.pk, partnership.name))
    if statuses := STATUS_FILTERS[status][1]:
        actions = actions.filter(status__in=statuses)
    # Overdue first (open and due before today, the oldest due first), then by due date.
    overdue = Case(
        When(Q(status__in=OPEN_STATUSES, due__lt=today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    actions = actions.annotate(overdue=overdue)
    actions = actions.select_related("partnership", "owner").order_by("-overdue", "due", "pk")
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page:
        action.overdue_days = (today - action.due).days if action.overdue else 0
    context = {
        "page": page,
        "everyone": everyone,
        "people": people,
        "status": status,
        "status_filters": [(key, label) for key, (label, _) in STATUS_FILTERS.items()],
        "partnership": partnership,
        "partnerships": offered,
    }
    return render(request, "actions/action_list.html", context)


def _partnerships_with_actions(actions) -> list[tuple[int, str]]:
    """The partnerships that have actions among `actions`: the choices of the partnership filter."""
    with_actions = actions.filter(partnership__isnull=False).values("partnership_id")
    return list(Partnership.objects.filter(pk__in=with_actions).order_by("name_key").values_list("pk", "name"))


@requires_role(Role.EDITOR)
def action_new(request):
    """Add an action; ?partnership=<id> chooses its partnership, &source=meeting&source_id=<id> its meeting."""
    initial = _initial(request)
    form = NewActionForm(request.POST or None, initial=initial)
    if request.method == "POST":

        def create(data):
            values = {key: data[key] for key in ("title", "owner", "due", "steps", "notes")}
            values["partnership"] = data.get("partnership")
            if data.get("source_record"):
                values.update(source=data["source"], source_id=data["source_record"].pk)
            return services.create_action(Actor.of(request), values)

        action = save_form(form, create)
        if action:
            messages.success(request, f"Action added: {action.title}.")
            return redirect("actions:action", ws=request.workspace.slug, pk=action.pk)
    back = initial.get("partnership")
    context = {
        "form": form,
        "source": initial.get("described"),
        "back": back,
        "source_problem": initial.get("source_problem"),
    }
    return render(request, "actions/action_new.html", context)


def _initial(request) -> dict:
    """The new-action form's starting values, from ?partnership=, ?source=meeting&source_id= and the user."""
    initial: dict[str, Any] = {"due": add_months(timezone.localdate(), 1)}
    params = request.GET
    partnership = None
    if params.get("partnership", "").isdigit():
        partnership = Partnership.objects.select_related("lead").filter(pk=int(params["partnership"])).first()
    if partnership:
        initial["partnership"] = partnership
        if partnership.lead is not None and not partnership.lead.is_archived:
            initial["owner"] = partnership.lead
    if "owner" not in initial and (mine := my_people(request.user)):
        initial["owner"] = mine[0]
    source = params.get("source", "")
    if source and params.get("source_id", "").isdigit():
        try:
            record = find_source(source, int(params["source_id"]), partnership)
        except ValidationError as error:
            missing = Source(source).label.lower() if source in Source.values else "it"
            initial["source_problem"] = f"{' '.join(error.messages)} The action below is added without {missing}."
        else:
            described = describe(source, record.pk, request.workspace.slug)
            initial.update(described=described, source=source, source_id=record.pk)
    return initial


def action_detail(request, pk):
    """An action: what it came from, its steps, its history; editors change it here."""
    action = get_object_or_404(Action.objects.select_related("partnership", "owner__organisation"), pk=pk)
    # The form edits a copy, so a refused change leaves the page above the form as it is saved.
    edited = copy.copy(action)
    form = ActionForm(request.POST or None, instance=edited)
    if request.method == "POST":
        if save_form(form, lambda data: services.change_action(Actor.of(request), edited, data)):
            messages.success(request, "Changes saved.")
            return redirect("actions:action", ws=request.workspace.slug, pk=action.pk)
    today = timezone.localdate()
    context = {
        "action": action,
        "form": form,
        "source": describe_source(action, request.workspace.slug, request.membership.allows(Role.EDITOR)),
        "overdue_days": (today - action.due).days if action.is_overdue(today) else 0,
        "history": history(action),
    }
    return render(request, "actions/action_detail.html", context)


@require_POST
@requires_role(Role.EDITOR)
def action_status(request, pk):
    """Set an action's status in one click (Mark done, from the lists), then go back where the person was."""
    action = get_object_or_404(Action, pk=pk)
    status = request.POST.get("status", ActionStatus.DONE)
    if status not in ActionStatus.values:
        raise Http404
    try:
        services.change_action(Actor.of(request), action, {"status": status})
    except ServiceError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{action.title}: {action.get_status_display().lower()}.")
    action_url = reverse("actions:action", kwargs={"ws": request.workspace.slug, "pk": action.pk})
    return redirect(safe_next(request, action_url))
