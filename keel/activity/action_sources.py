"""How actions that come from this app's records (ratings, meetings) are described and chosen."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from keel.actions.models import Source
from keel.actions.sources import Described, SourceKind, register_source
from keel.activity.models import Meeting, RelationshipRating


def describe_rating(rating_id: int, ws: str, can_edit: bool) -> Described | None:
    # The rating page is a form, so it is linked only for editors.
    rating = RelationshipRating.objects.select_related("organisation").filter(pk=rating_id).first()
    if rating is None:
        return None
    kwargs = {"ws": ws, "pk": rating.partnership_id, "organisation_pk": rating.organisation_id}
    url = reverse("activity:partnership_rate", kwargs=kwargs) if can_edit else ""
    name = f"{rating.organisation} rated {rating.score} on {rating.date:%d/%m/%Y}"
    return Described("A relationship rating", name, url, "the rating")


def describe_meeting(meeting_id: int, ws: str, can_edit: bool) -> Described | None:
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return None
    return Described(
        "A meeting", str(meeting), reverse("activity:meeting", kwargs={"ws": ws, "pk": meeting.pk}), "the meeting"
    )


def find_meeting(meeting_id: int | None, partnership) -> Meeting:
    """The meeting an action comes from: it must be one of this workspace's, of the same partnership."""
    meeting = Meeting.objects.filter(pk=meeting_id).first() if meeting_id else None
    if meeting is None:
        raise forms.ValidationError(
            "The meeting this action was to come from is not in this workspace (it may have been deleted). "
            "Add the action from the meeting's page again, or without a meeting."
        )
    if partnership is None or meeting.partnership_id != partnership.pk:
        raise forms.ValidationError(
            f"The meeting of {meeting.date:%d/%m/%Y} belongs to another partnership: choose {meeting.partnership}, "
            "or add the action without a meeting."
        )
    return meeting


register_source(Source.RATING, SourceKind(describe_rating, "A relationship rating that is no longer recorded"))
register_source(Source.MEETING, SourceKind(describe_meeting, "A meeting that is no longer recorded", find_meeting))
