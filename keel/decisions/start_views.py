"""Starting a proposed partnership: the start checklist and the end terms on one page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from keel.core.changelog import Actor
from keel.core.forms import save_form
from keel.core.models import Role
from keel.core.tenancy import requires_role
from keel.decisions.forms_start import DOCUMENT_AGAIN, StartForm
from keel.decisions.services.criteria import current_checklist
from keel.decisions.services.start import START, start_partnership
from keel.register.models import Partnership, ProcessKind, Status


@requires_role(Role.EDITOR)
def partnership_start(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    back = redirect("portfolio:partnership", ws=request.workspace.slug, pk=pk)
    if partnership.status != Status.PROPOSED:
        status = partnership.get_status_display().lower()
        messages.info(request, f"{partnership.name} is {status}: only a proposed partnership is started.")
        return back
    members = list(partnership.members.select_related("organisation"))
    documents = list(partnership.processes.filter(kind=ProcessKind.CONFLICT_RESOLUTION))
    form = StartForm(
        request.POST or None,
        request.FILES or None,
        criteria=current_checklist(START),
        document_on_file=bool(documents),
        partnership=partnership,
    )
    if request.method == "POST":
        if len(members) < 2:
            form.is_valid()
            form.add_error(
                None,
                f"Add at least two partner organisations before starting {partnership.name}: it has {len(members)}.",
            )
        decision = save_form(
            form,
            lambda data: start_partnership(
                Actor.of(request), partnership, form.answers(), form.terms(), data["reasons"]
            ),
        )
        if decision:
            messages.success(request, f"{partnership.name} started.")
            return back
        if request.FILES.get("conflict_document"):
            form.add_error("conflict_document", DOCUMENT_AGAIN)
    context = {"partnership": partnership, "form": form, "members": members, "documents": documents}
    return render(request, "decisions/start.html", context)
