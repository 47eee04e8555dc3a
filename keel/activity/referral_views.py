"""Referral pages: a partnership's referral figures and its referrals; logging one; recording its outcome.

Thin: the figures come from the activity rules (the same ones `keel audit` uses), writes go
through `services.save_referral`. The list page reads every referral of the partnership once,
as plain rows, for the figures; the referrals themselves are read a page at a time.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from keel.activity import queries, rules, services
from keel.activity.models import Referral, ReferralOutcome
from keel.activity.referral_forms import ReferralForm
from keel.core.changelog import Actor, history
from keel.core.forms import save_form
from keel.core.models import Role
from keel.core.tenancy import requires_role
from keel.register.models import AgreedProcess, Organisation, Partnership, ProcessKind

PAGE_SIZE = 50
AWAITING, OVERDUE = "awaiting", "overdue"
SHOWN = {
    "": "All referrals",
    AWAITING: "Awaiting outcome (follow-up not yet due)",
    OVERDUE: "Overdue follow-up",
    **dict(ReferralOutcome.choices),
}


def _filtered(referrals, shown: str, today):
    if shown == AWAITING:
        return referrals.filter(outcome="", follow_up_due__gte=today)
    if shown == OVERDUE:
        return referrals.filter(outcome="", follow_up_due__lt=today)
    if shown in ReferralOutcome.values:
        return referrals.filter(outcome=shown)
    return referrals


def _figures(partnership: Partnership, today):
    """The partnership's referral figures, and each (from, to) pair's, from one read of its referrals."""
    everything, by_pair = [], defaultdict(list)
    for _, source, target, facts in queries.referral_facts([partnership.pk]):
        everything.append(facts)
        by_pair[source, target].append(facts)
    ids = {organisation for pair in by_pair for organisation in pair}
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    pairs = sorted(
        (names[source], names[target], rules.referral_figures(facts, today))
        for (source, target), facts in by_pair.items()
    )
    return rules.referral_figures(everything, today), pairs


def referral_list(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    today = timezone.localdate()
    figures, pairs = _figures(partnership, today)
    shown = request.GET.get("outcome", "")
    shown = shown if shown in SHOWN else ""
    referrals = Referral.objects.filter(partnership=partnership).select_related(
        "from_organisation", "to_organisation", "handoff_to"
    )
    page = Paginator(_filtered(referrals, shown, today), PAGE_SIZE).get_page(request.GET.get("page"))
    for referral in page:
        referral.overdue = not referral.outcome and referral.follow_up_due < today
    context = {
        "partnership": partnership,
        "figures": figures,
        "pairs": pairs,
        "pathways": AgreedProcess.objects.filter(partnership=partnership, kind=ProcessKind.REFERRAL_PATHWAY),
        "page": page,
        "shown": shown,
        "filters": SHOWN.items(),
        "filter_label": SHOWN[shown],
    }
    return render(request, "activity/referral_list.html", context)


def _form_page(request, form, partnership, title, referral=None):
    context = {
        "form": form,
        "partnership": partnership,
        "title": title,
        "referral": referral,
        "history": history(referral) if referral else None,
    }
    return render(request, "activity/referral_form.html", context)


@requires_role(Role.EDITOR)
def referral_new(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    form = ReferralForm(request.POST or None, partnership=partnership)
    if request.method == "POST":
        referral = save_form(form, lambda data: services.save_referral(Actor.of(request), partnership, data))
        if referral:
            messages.success(
                request,
                f"Referral {referral.client_reference} logged, from {referral.from_organisation} to "
                f"{referral.to_organisation}; follow-up due {referral.follow_up_due:%d/%m/%Y}.",
            )
            return redirect("activity:partnership_referrals", ws=request.workspace.slug, pk=partnership.pk)
    return _form_page(request, form, partnership, f"Log a referral in {partnership.name}")


@requires_role(Role.EDITOR)
def referral_edit(request, pk):
    """Change a referral; this is where its outcome and date of service are recorded once known."""
    referral = get_object_or_404(
        Referral.objects.select_related("partnership", "from_organisation", "to_organisation", "handoff_to"), pk=pk
    )
    partnership = referral.partnership
    title = f"Referral {referral.client_reference}"
    initial = {name: getattr(referral, name) for name in services.REFERRAL_FIELDS}
    form = ReferralForm(
        request.POST or None, initial=initial, partnership=partnership, current_handoff=referral.handoff_to
    )
    if request.method == "POST":
        saved = save_form(form, lambda data: services.save_referral(Actor.of(request), partnership, data, referral))
        if saved:
            messages.success(request, f"Referral {saved.client_reference} saved. Outcome: {saved.outcome_label}.")
            return redirect("activity:partnership_referrals", ws=request.workspace.slug, pk=partnership.pk)
    return _form_page(request, form, partnership, title, referral)
