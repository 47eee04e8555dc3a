"""The dissolution pages: start one, walk its steps, complete it, and the closing letters.

Thin: reads come from keel.decisions.dissolution_queries, every write goes through
keel.decisions.services.dissolution, which writes the change log. Letters are not e-mailed:
a person copies a letter or downloads it as text and sends it their own way.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from keel.core.changelog import Actor, history
from keel.core.forms import save_form
from keel.core.models import Role
from keel.core.services import ServiceError
from keel.core.tenancy import requires_role
from keel.decisions import dissolution_queries as queries
from keel.decisions.forms_dissolution import (
    DissolutionForm,
    LetterForm,
    SentForm,
    StartForm,
    StepPlanForm,
    WaiveForm,
)
from keel.decisions.models import ClosingLetter, Dissolution, DissolutionStatus, DissolutionStep, Review
from keel.decisions.services import dissolution as services
from keel.register.models import Partnership, Status


def _page_url(request, dissolution: Dissolution, anchor: str = "") -> str:
    url = reverse("decisions:dissolution", kwargs={"ws": request.workspace.slug, "pk": dissolution.pk})
    return f"{url}#{anchor}" if anchor else url


def partnership_dissolution(request, pk):
    """A partnership's dissolution: the one in progress (or the one it ended by), else the form to start one."""
    partnership = get_object_or_404(Partnership.objects.select_related("lead"), pk=pk)
    dissolution = queries.current(partnership.pk)
    if dissolution is not None and (
        dissolution.status == DissolutionStatus.IN_PROGRESS or partnership.status == Status.ENDED
    ):
        return _dissolution_page(request, dissolution)
    review = _review(request, partnership)
    initial = {"reason": review.reasons, "review": review.pk} if review else {}
    form = StartForm(request.POST or None, initial=initial)
    if request.method == "POST":
        actor = Actor.of(request)
        started = save_form(form, lambda data: services.start_dissolution(actor, partnership, data["reason"], review))
        if started:
            messages.success(request, f"The dissolution of {partnership.name} has started: its steps are below.")
            return redirect(_page_url(request, started))
    context = {
        "partnership": partnership,
        "form": form,
        "review": review,
        "checklist": queries.ending_checklist(),
        "earlier": dissolution,
        "can_start": partnership.status not in (Status.PROPOSED, Status.ENDED) and partnership.archived_at is None,
    }
    return render(request, "decisions/dissolution_start.html", context)


def _review(request, partnership: Partnership) -> Review | None:
    """The review the dissolution was decided at (?review=<pk>, or the form's hidden field)."""
    chosen = request.POST.get("review") or request.GET.get("review") or ""
    if not chosen.isdigit():
        return None
    return Review.objects.filter(pk=int(chosen), partnership=partnership).first()


def dissolution(request, pk):
    """A dissolution's page; POST records the end date agreed, achievements, lessons, reallocation, cadence."""
    found = get_object_or_404(Dissolution.objects.select_related("partnership", "review"), pk=pk)
    # The form edits a copy, so a refused change leaves the page above the form as it is saved.
    form = DissolutionForm(request.POST or None, instance=copy.copy(found))
    if request.method == "POST":
        actor = Actor.of(request)
        if save_form(form, lambda data: services.save_dissolution(actor, found, data)):
            messages.success(request, "Saved.")
            return redirect(_page_url(request, found, "details-heading"))
    return _dissolution_page(request, found, form=form)


def _dissolution_page(request, found: Dissolution, form=None, plan_forms=None, waive_forms=None):
    today = timezone.localdate()
    steps = queries.steps(found)
    plan_forms, waive_forms = plan_forms or {}, waive_forms or {}
    rows = []
    for step in steps:
        plan = plan_forms.get(step.pk) or StepPlanForm(
            prefix=f"step-{step.pk}", initial={"owner": step.owner, "due": step.due, "note": step.note}
        )
        waive = waive_forms.get(step.pk) or WaiveForm(prefix=f"waive-{step.pk}")
        overdue = not step.is_settled and step.due is not None and step.due < today
        rows.append({"step": step, "plan": plan, "waive": waive, "overdue": overdue})
    still_open = [step for step in steps if not step.is_settled]
    context = {
        "dissolution": found,
        "partnership": found.partnership,
        "rows": rows,
        "settled": len(steps) - len(still_open),
        "still_open": still_open,
        "form": form or DissolutionForm(instance=found),
        "letters": queries.letters(found),
        "history": history(found),
    }
    return render(request, "decisions/dissolution.html", context)


@require_POST
@requires_role(Role.EDITOR)
def dissolution_step(request, pk):
    """Plan a step (owner, due date, note), mark it done, waive it with a reason, or undo."""
    step = get_object_or_404(DissolutionStep.objects.select_related("dissolution__partnership"), pk=pk)
    found, actor, op = step.dissolution, Actor.of(request), request.POST.get("op", "")
    if op == "plan":
        plan = StepPlanForm(request.POST, prefix=f"step-{step.pk}")
        if save_form(plan, lambda data: services.plan_step(actor, step, data)):
            messages.success(request, f"{step.wording}: saved.")
            return redirect(_page_url(request, found, f"step-{step.pk}"))
        return _dissolution_page(request, found, plan_forms={step.pk: plan})
    if op == "waive":
        waive = WaiveForm(request.POST, prefix=f"waive-{step.pk}")
        if save_form(waive, lambda data: services.waive_step(actor, step, data["reason"])):
            messages.success(request, f"{step.wording}: waived.")
            return redirect(_page_url(request, found, f"step-{step.pk}"))
        return _dissolution_page(request, found, waive_forms={step.pk: waive})
    if op not in ("done", "undo"):
        return HttpResponseBadRequest("Choose plan, done, waive or undo.")
    try:
        if op == "done":
            services.mark_step_done(actor, step)
        else:
            services.undo_step(actor, step)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{step.wording}: {'done' if op == 'done' else 'open again'}.")
    return redirect(_page_url(request, found, f"step-{step.pk}"))


@require_POST
@requires_role(Role.EDITOR)
def dissolution_complete(request, pk):
    """End the partnership, if every step is settled; otherwise say which are still open."""
    found = get_object_or_404(Dissolution.objects.select_related("partnership"), pk=pk)
    try:
        services.complete_dissolution(Actor.of(request), found)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(_page_url(request, found, "complete-heading"))
    found.refresh_from_db()
    messages.success(
        request,
        f"{found.partnership.name} has ended. The relationship is kept: keep in touch every "
        f"{found.keep_in_touch_days} days. Now write to each partner.",
    )
    return redirect(_page_url(request, found))


def dissolution_letters(request, pk):
    """One closing letter per partner; POST drafts the letters not drafted yet."""
    found = get_object_or_404(Dissolution.objects.select_related("partnership__lead", "review"), pk=pk)
    if request.method == "POST":
        today = timezone.localdate()
        made = services.add_letters(Actor.of(request), found, queries.drafts(found, today))
        messages.success(request, f"{len(made)} letter{'s' if len(made) != 1 else ''} drafted.")
        return redirect("decisions:dissolution_letters", ws=request.workspace.slug, pk=found.pk)
    letters = queries.letters(found)
    written = {letter.organisation_id for letter in letters}
    missing = [member for member in queries.partners(found) if member.organisation_id not in written]
    context = {"dissolution": found, "partnership": found.partnership, "letters": letters, "missing": missing}
    return render(request, "decisions/letters.html", context)


def letter(request, pk):
    """A closing letter: edit it, copy or download it, and record when it was sent."""
    found = get_object_or_404(ClosingLetter.objects.select_related("dissolution__partnership", "organisation"), pk=pk)
    posted = request.POST if request.method == "POST" else None
    op = request.POST.get("op", "save")
    form = LetterForm(posted if op == "save" else None, instance=copy.copy(found))
    sent = SentForm(posted if op == "sent" else None, initial={"sent_on": timezone.localdate()})
    if request.method == "POST":
        actor = Actor.of(request)
        here = reverse("decisions:letter", kwargs={"ws": request.workspace.slug, "pk": found.pk})
        if op == "save" and save_form(form, lambda data: services.save_letter(actor, found, data)):
            messages.success(request, "Letter saved.")
            return redirect(here)
        if op == "sent" and save_form(sent, lambda data: services.save_letter(actor, found, data)):
            messages.success(request, f"Marked as sent on {found.sent_on:%d/%m/%Y}.")
            return redirect(here)
        if op == "unsent":
            services.save_letter(actor, found, {"sent_on": None})
            messages.success(request, "Marked as not sent yet.")
            return redirect(here)
    context = {"letter": found, "dissolution": found.dissolution, "form": form, "sent_form": sent}
    return render(request, "decisions/letter.html", context)


def letter_text(request, pk):
    """A closing letter as a plain-text file, to paste into an e-mail or print."""
    found = get_object_or_404(ClosingLetter.objects.select_related("organisation"), pk=pk)
    response = HttpResponse(found.body, content_type="text/plain; charset=utf-8")
    name = slugify(f"closing letter {found.organisation.name}") or "closing-letter"
    response["Content-Disposition"] = f'attachment; filename="{name}.txt"'
    return response
