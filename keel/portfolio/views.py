"""The portfolio's pages: the partnership list with each one's health, the partnership page, the audit as CSV.

They read from several apps (register, assessments, activity, outcomes, actions), which is why they
live here and not in the register.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from keel.assessments.queries import latest_health, partnership_results
from keel.core.changelog import history
from keel.core.models import Role
from keel.decisions.page import partnership_decisions
from keel.decisions.rules import Evidence, lapsed_terms
from keel.portfolio.audit import audit_document, render_csv
from keel.portfolio.summary import partnership_activity
from keel.register import queries
from keel.register.forms import AlignmentForm, ProcessForm
from keel.register.models import Basis, Partnership, Status, StrategicPriority, Tier
from keel.register.pickers import PersonInput
from keel.register.views import INLINE_FIELDS, list_page, page_of


def partnership_list(request):
    queryset, sort = queries.partnership_list(request.GET)
    page = page_of(request, queryset)
    # The Health column: one query for the page's partnerships, however many there are.
    health = latest_health([p.pk for p in page])
    today = timezone.localdate()
    for partnership in page:
        partnership.health = health.get(partnership.pk)
        # Lapsed terms (past the planned end, or the end condition met), from the row itself.
        partnership.lapsed = lapsed_terms(lapse_evidence(partnership), today)
    context = {
        "page": page,
        "sort": sort,
        "options": queries.filter_options(),
        "lead_input": PersonInput().render("lead", request.GET.get("lead", ""), {"id": "f-lead"}),
        "statuses": Status.choices,
        "tiers": Tier.choices,
        "bases": Basis.choices,
        "params": request.GET,
    }
    return list_page(request, "portfolio/partnership_list.html", context)


def lapse_evidence(partnership: Partnership) -> Evidence:
    """What `rules.lapsed_terms` reads of a partnership, from the list's row: no query."""
    p = partnership
    return Evidence(
        p.pk, p.name, p.status, p.tier, p.basis, planned_end=p.planned_end, end_condition_met_on=p.end_condition_met_on
    )


def audit_csv(request):
    """The portfolio audit as a CSV file: what `keel audit --format csv` gives, from the list page."""
    document = audit_document(request.workspace, include_archived=request.GET.get("archived") == "1")
    # A byte-order mark lets Excel read accents right; cells that look like formulas are neutralised.
    response = HttpResponse("\ufeff" + render_csv(document["partnerships"]), content_type="text/csv; charset=utf-8")
    filename = f"{request.workspace.slug}-audit-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def partnership_detail(request, pk):
    try:
        partnership = queries.partnership_detail(pk)
    except Partnership.DoesNotExist:
        raise Http404 from None
    priorities = StrategicPriority.objects.filter(archived_at__isnull=True)
    current = {a.priority_id: a.score for a in partnership.alignments.all()}
    context = {
        "partnership": partnership,
        "history": history(partnership),
        "process_form": ProcessForm(),
        "alignment_form": AlignmentForm(priorities=priorities, current=current),
        "inline_fields": INLINE_FIELDS,
        "health": partnership_results(partnership),
        # Working together, the members' attendance, ratings and conditions, outcomes, referrals,
        # open actions and the timeline's first page: a fixed number of queries.
        "activity": partnership_activity(partnership, can_edit=request.membership.allows(Role.EDITOR)),
        "in_place": True,  # the timeline's filter and pages swap its list in place (htmx)
        # Recommendation, reviews, cost and value, events, conflicts, dissolution.
        "decisions": partnership_decisions(partnership, timezone.localdate()),
    }
    return render(request, "portfolio/partnership_detail.html", context)
