"""How actions that come from decisions' records (reviews, conflicts, dissolution steps) are described."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from keel.actions.models import Source
from keel.actions.sources import Described, SourceKind, register_source
from keel.decisions.models import Conflict, DissolutionStep, Review


def describe_review(review_id: int, ws: str, can_edit: bool) -> Described | None:
    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        return None
    url = reverse("portfolio:review", kwargs={"ws": ws, "pk": review.pk})
    return Described("A review", f"{review.held_on:%d/%m/%Y}: {review.get_decision_display()}", url, "the review")


def describe_conflict(conflict_id: int, ws: str, can_edit: bool) -> Described | None:
    conflict = Conflict.objects.filter(pk=conflict_id).first()
    if conflict is None:
        return None
    url = reverse("decisions:conflict", kwargs={"ws": ws, "pk": conflict.pk})
    return Described("A conflict", f"raised on {conflict.raised_on:%d/%m/%Y}", url, "the conflict")


def describe_step(step_id: int, ws: str, can_edit: bool) -> Described | None:
    step = DissolutionStep.objects.select_related("dissolution").filter(pk=step_id).first()
    if step is None:
        return None
    url = reverse("decisions:partnership_dissolution", kwargs={"ws": ws, "pk": step.dissolution.partnership_id})
    return Described("A dissolution step", step.wording, url, "the dissolution")


register_source(Source.REVIEW, SourceKind(describe_review, "A review that is no longer recorded"))
register_source(Source.CONFLICT, SourceKind(describe_conflict, "A conflict that is no longer recorded"))
register_source(Source.DISSOLUTION, SourceKind(describe_step, "A dissolution step that is no longer recorded"))


def find_conflict(conflict_id: int | None, partnership) -> Conflict:
    """The conflict an action comes from: one of this workspace's, of the same partnership."""
    conflict = Conflict.objects.filter(pk=conflict_id).first() if conflict_id else None
    if conflict is None:
        raise forms.ValidationError(
            "The conflict this action was to come from is not in this workspace. "
            "Add the action from the conflict's page again, or without a conflict."
        )
    if partnership is None or conflict.partnership_id != partnership.pk:
        raise forms.ValidationError(
            f"The conflict raised on {conflict.raised_on:%d/%m/%Y} belongs to {conflict.partnership}: choose that "
            "partnership, or add the action without a conflict."
        )
    return conflict


# Actions may be added from a conflict's page: the action form accepts a conflict as the source.
register_source(Source.CONFLICT, SourceKind(describe_conflict, "A conflict that is no longer recorded", find_conflict))
