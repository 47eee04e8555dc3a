"""The pages for meetings, contacts and relationship ratings. Thin: writes go through services.

Every page reads a fixed number of queries whatever the number of members, attendance rows
or ratings: related rows come with select_related, and the three conditions of a 5 come from
the activity queries shared with the partnership page and the audit.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from keel.actions.models import Action, Source
from keel.activity import rules, services
from keel.activity.forms import SCORE_LABELS, AttendanceForm, ContactForm, MeetingForm, RateForm
from keel.activity.models import Contact, Meeting, RelationshipRating
from keel.common.web import safe_next
from keel.core.changelog import Actor, history
from keel.core.models import Role
from keel.core.services import ServiceError
from keel.core.tenancy import requires_role
from keel.register.models import Partnership, PartnershipMember


def _partnership(pk) -> Partnership:
    return get_object_or_404(Partnership.objects.select_related("lead"), pk=pk)


def _partnership_url(request, partnership_id) -> str:
    return reverse("portfolio:partnership", kwargs={"ws": request.workspace.slug, "pk": partnership_id})


def _refuse(form, error: Exception, field: str | None = None):
    """A refusal from a service (or a model's own check) becomes an error on the form, kept with what was typed."""
    if isinstance(error, ValidationError):
        by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for name, errors in by_field.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field if field in form.fields else None, str(error))


def _day(day) -> str:
    return format_date(day, "j F Y")


def _future(day) -> bool:
    return bool(day and day > timezone.localdate())


# Meetings ----------------------------------------------------------------------------------


def _attending_members(partnership: Partnership, meeting: Meeting | None = None) -> list[PartnershipMember]:
    """The members that get an attendance row: current ones (no end, or an end not yet passed),
    and, on a meeting being changed, those whose attendance it already records."""
    wanted = Q(until__isnull=True) | Q(until__gte=timezone.localdate())
    if meeting is not None:
        wanted |= Q(organisation_id__in=meeting.attendance.values("organisation_id"))
    members = partnership.members.filter(wanted).select_related("organisation", "contact")
    return list(members.order_by("organisation__name_key"))


def _meeting_page(request, partnership, meeting=None):
    """The meeting form, new or changing `meeting`; saves and redirects, or re-renders with every error."""
    members = _attending_members(partnership, meeting)
    existing = {a.organisation_id: a for a in meeting.attendance.all()} if meeting else None
    data = request.POST if request.method == "POST" else None
    if meeting:
        initial = {key: getattr(meeting, key) for key in services.MEETING_FIELDS}
    else:
        initial = {"date": timezone.localdate()}
    form = MeetingForm(data, initial=initial)
    attendance = AttendanceForm(data, members=members, existing=existing)
    if data is not None:
        valid = form.is_valid()  # both checked, so every error shows at once
        if attendance.is_valid() and valid:
            try:
                saved = services.save_meeting(
                    Actor.of(request), partnership, form.cleaned_data, attendance.attendance(), meeting
                )
            except (ServiceError, ValidationError) as error:
                _refuse(form, error, "date" if _future(form.cleaned_data["date"]) else None)
            else:
                messages.success(request, f"Meeting of {_day(saved.date)} {'saved' if meeting else 'logged'}.")
                return redirect("activity:meeting", ws=request.workspace.slug, pk=saved.pk)
    title = f"Change the meeting of {_day(meeting.date)}" if meeting else f"Log a meeting of {partnership.name}"
    context = {"form": form, "attendance": attendance, "partnership": partnership, "meeting": meeting, "title": title}
    return render(request, "activity/meeting_form.html", context)


@requires_role(Role.EDITOR)
def meeting_new(request, pk):
    return _meeting_page(request, _partnership(pk))


@requires_role(Role.EDITOR)
def meeting_edit(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("partnership"), pk=pk)
    return _meeting_page(request, meeting.partnership, meeting)


def meeting_detail(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("partnership"), pk=pk)
    attendance = list(meeting.attendance.select_related("organisation").order_by("organisation__name_key"))
    new_action = reverse("actions:action_new", kwargs={"ws": request.workspace.slug})
    context = {
        "meeting": meeting,
        "partnership": meeting.partnership,
        "attendance": attendance,
        "attended": sum(1 for row in attendance if row.status == "attended"),
        "new_action": f"{new_action}?partnership={meeting.partnership_id}&source=meeting&source_id={meeting.pk}",
        "history": history(meeting),
    }
    return render(request, "activity/meeting_detail.html", context)


@requires_role(Role.EDITOR)
def meeting_delete(request, pk):
    """GET asks to confirm; POST deletes the meeting and its attendance."""
    meeting = get_object_or_404(Meeting.objects.select_related("partnership"), pk=pk)
    if request.method == "POST":
        services.delete_meeting(Actor.of(request), meeting)
        messages.success(request, f"Meeting of {_day(meeting.date)} deleted.")
        return redirect(_partnership_url(request, meeting.partnership_id))
    return render(request, "activity/meeting_delete.html", {"meeting": meeting, "partnership": meeting.partnership})


# Contacts ----------------------------------------------------------------------------------


@requires_role(Role.EDITOR)
def contact_new(request, pk):
    """Quick entry: from the partnership page's link, the form comes filled in, ready to save."""
    partnership = _partnership(pk)
    members = list(partnership.members.select_related("organisation", "contact__organisation"))
    organisations = [m.organisation for m in members]
    if request.method == "POST":
        form = ContactForm(request.POST, organisations=organisations)
    else:
        initial = {"date": timezone.localdate(), "next": request.GET.get("next", "")}
        chosen = request.GET.get("organisation", "")
        member = next((m for m in members if str(m.organisation_id) == chosen), None)
        if member:
            initial["organisation"] = member.organisation
            if member.contact_id and not member.contact.is_archived:
                initial["person"] = member.contact
        form = ContactForm(initial=initial, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            contact = services.log_contact(Actor.of(request), partnership, values)
        except (ServiceError, ValidationError) as error:
            person, organisation = values["person"], values["organisation"]
            field = "date" if _future(values["date"]) else None
            if person and (organisation is None or person.organisation_id != organisation.pk):
                field = field or "person"
            _refuse(form, error, field)
        else:
            with_whom = contact.person or contact.organisation or "the partnership"
            messages.success(request, f"Contact with {with_whom} logged.")
            return redirect(safe_next(request, _partnership_url(request, partnership.pk)))
    context = {"form": form, "partnership": partnership, "title": f"Log a contact for {partnership.name}"}
    return render(request, "activity/contact_form.html", context)


@require_POST
@requires_role(Role.EDITOR)
def contact_delete(request, pk):
    contact = get_object_or_404(Contact.objects.select_related("organisation", "person"), pk=pk)
    services.delete_contact(Actor.of(request), contact)
    messages.success(request, f"Contact deleted: {contact}.")
    return redirect(safe_next(request, _partnership_url(request, contact.partnership_id)))


# Relationship ratings ----------------------------------------------------------------------


def _conditions_then(rating: RelationshipRating) -> rules.Conditions | None:
    """The conditions as they were when `rating` was given, or None where they were not recorded."""
    if not rating.conditions:
        return None
    return rules.Conditions(**{key: bool(rating.conditions.get(key)) for key in rules.Conditions.LABELS})


def _rated_message(rating: RelationshipRating, workspace_slug: str):
    said = f"{rating.organisation} rated {rating.score} out of 5."
    action = Action.objects.filter(source=Source.RATING, source_id=rating.pk).select_related("owner").first()
    if action is None:
        return said
    url = reverse("actions:action", kwargs={"ws": workspace_slug, "pk": action.pk})
    if action.owner is not None:
        return format_html(
            '{} An action “{}” was created, owned by {}, due {}. <a href="{}">Open the action</a>.',
            said,
            action.title,
            action.owner.name,
            _day(action.due),
            url,
        )
    return format_html(
        "{} An action “{}” was created, due {}, with no owner because the partnership has no current lead. "
        '<a href="{}">Open the action to choose its owner</a>.',
        said,
        action.title,
        _day(action.due),
        url,
    )


@requires_role(Role.EDITOR)
def rate(request, pk, organisation_pk):
    partnership = _partnership(pk)
    member = get_object_or_404(
        PartnershipMember.objects.select_related("organisation", "contact"),
        partnership=partnership,
        organisation_id=organisation_pk,
    )
    organisation = member.organisation
    today = timezone.localdate()
    form = RateForm(request.POST or None, initial={"date": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rating = services.rate(
                Actor.of(request), partnership, organisation, data["score"], data["date"], data["note"]
            )
        except (ServiceError, ValidationError) as error:
            _refuse(form, error, "date" if _future(data["date"]) else None)
        else:
            messages.success(request, _rated_message(rating, request.workspace.slug))
            return redirect(_partnership_url(request, partnership.pk))
    ratings = list(RelationshipRating.objects.filter(partnership=partnership, organisation=organisation))
    for rating in ratings:
        rating.held = _conditions_then(rating)
        rating.word = SCORE_LABELS.get(rating.score, "")
    here = reverse(
        "activity:partnership_rate",
        kwargs={"ws": request.workspace.slug, "pk": partnership.pk, "organisation_pk": organisation.pk},
    )
    context = {
        "form": form,
        "partnership": partnership,
        "member": member,
        "organisation": organisation,
        "conditions": services.conditions_for(partnership, organisation, today),
        "ratings": ratings,
        "here": here,
        "referral_window": rules.REFERRAL_WINDOW_DAYS,
    }
    return render(request, "activity/rate.html", context)
