"""Reviews: the due and overdue list, the review page with its evidence, a recorded review.

Thin: the list's order and groups come from `keel.portfolio.reviews_due`, the evidence from
`keel.portfolio.review_evidence`, and a review is recorded by
`keel.decisions.services.reviews.hold_review`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from keel.core.changelog import Actor
from keel.decisions.forms_review import ReviewForm
from keel.decisions.models import ChecklistKind, CriterionAnswer, Review
from keel.decisions.rules import RECOMMENDATION_LABELS, Recommend
from keel.decisions.services.criteria import current_checklist
from keel.decisions.services.reviews import ENDING, ReviewRefused, default_next_review, due_words, hold_review
from keel.portfolio.review_evidence import review_evidence
from keel.portfolio.reviews_due import SHOWS, due_list, lead_options
from keel.register import queries
from keel.register.models import Partnership, Tier

PAGE_SIZE = 25
RECOMMENDED = frozenset(code.value for code in Recommend)
APART_SHOWN = 25


def reviews(request):
    """Every active or under review partnership by its next review: overdue first, then due soon, then later."""
    today = timezone.localdate()
    show = request.GET.get("show") if request.GET.get("show") in SHOWS else "all"
    tier = request.GET.get("tier") if request.GET.get("tier") in Tier.values else ""
    lead = request.GET.get("lead", "")
    dated, apart = due_list(today, show=show, tier=tier, lead=int(lead) if lead.isdigit() else None)
    context = {
        "page": Paginator(dated, PAGE_SIZE).get_page(request.GET.get("page")),
        "apart": apart[:APART_SHOWN],
        "apart_total": len(apart),
        "show": show,
        "shows": SHOWS.items(),
        "tier": tier,
        "tiers": Tier.choices,
        "lead": lead,
        "leads": lead_options(),
        "nav": "reviews",
    }
    return render(request, "portfolio/reviews.html", context)


def _partnership(pk: int) -> Partnership:
    try:
        return queries.partnership_detail(pk)
    except Partnership.DoesNotExist:
        raise Http404 from None


def partnership_review(request, pk):
    """The review page: the evidence on one screen, Keel's advice, and the form that records the review.

    GET shows it to everyone; POST records (the middleware lets only editors post)."""
    partnership = _partnership(pk)
    today = timezone.localdate()
    keep, dissolve = current_checklist(ChecklistKind.KEEP), current_checklist(ChecklistKind.DISSOLVE)
    initial = {"next_review": default_next_review(partnership, today)}
    form = ReviewForm(request.POST or None, keep=keep, dissolve=dissolve, today=today, initial=initial)
    evidence = review_evidence(partnership, today)
    if request.method == "POST" and form.is_valid():
        advice = evidence.advice
        try:
            review = hold_review(
                Actor.of(request),
                partnership,
                form.values,
                form.answers,
                form.improvements,
                recommendation=advice.recommendation if advice else None,
            )
        except ReviewRefused as refused:
            form.add_problems(refused.problems)
        else:
            return _after(request, partnership, review)
    context = {
        "partnership": partnership,
        "evidence": evidence,
        "advice": evidence.advice,
        "form": form,
        "today": today,
        "due_words": due_words(evidence.advice.review.due, today) if evidence.advice else "",
    }
    return render(request, "portfolio/review_form.html", context, status=400 if form.errors else 200)


def _after(request, partnership: Partnership, review: Review):
    """Where a recorded review leads: the dissolution for an ending decision, else the partnership page."""
    ws = request.workspace.slug
    if review.decision in ENDING:
        messages.success(request, f"Review recorded: {review.get_decision_display()}. Now plan the ending.")
        url = reverse("decisions:partnership_dissolution", kwargs={"ws": ws, "pk": partnership.pk})
        return redirect(f"{url}?review={review.pk}")
    messages.success(request, f"Review recorded: {review.get_decision_display()}.")
    return redirect("portfolio:partnership", ws=ws, pk=partnership.pk)


def review(request, pk):
    """A recorded review: what was answered, decided and why, next to what Keel recommended then."""
    found = get_object_or_404(Review.objects.select_related("partnership", "reviewer"), pk=pk)
    answers = list(CriterionAnswer.objects.filter(review=found).order_by("kind", "pk"))
    context = {
        "review": found,
        "partnership": found.partnership,
        "keep_answers": [a for a in answers if a.kind == ChecklistKind.KEEP],
        "circumstances": [a for a in answers if a.kind == ChecklistKind.DISSOLVE and a.answer == "yes"],
        "actions": review_actions(found),
        "recommendation_label": (
            RECOMMENDATION_LABELS[Recommend(found.recommendation)] if found.recommendation in RECOMMENDED else ""
        ),
        "nav": "reviews",
    }
    return render(request, "portfolio/review_detail.html", context)


def review_actions(found: Review):
    return found.partnership.actions.filter(source="review", source_id=found.pk).select_related("owner")
