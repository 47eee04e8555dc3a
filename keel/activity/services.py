"""Writes to activity: meetings, contacts, referrals and relationship ratings.

Each runs in a transaction, checks what the partnership allows (only its own members take part)
and writes the audit trail. A rating of 1 or 2 creates its action here, in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from keel.actions.models import Source
from keel.actions.services import create_action
from keel.activity import queries, rules
from keel.activity.models import Attendance, AttendanceStatus, Contact, Meeting, Referral, RelationshipRating
from keel.common.text import add_months
from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.services import ServiceError
from keel.register.models import Organisation, Partnership, Person

MEETING_FIELDS = ["date", "kind", "agenda", "notes", "decisions"]
CONTACT_FIELDS = ["date", "channel", "organisation", "person", "summary"]
REFERRAL_FIELDS = [
    "from_organisation",
    "to_organisation",
    "date",
    "client_reference",
    "handoff_to",
    "follow_up_due",
    "outcome",
    "service_date",
    "note",
]
DEFAULT_FOLLOW_UP_DAYS = 14


def _member_ids(partnership: Partnership) -> set[int]:
    return set(partnership.members.values_list("organisation_id", flat=True))


def _not_future(day: dt.date | None, what: str, today: dt.date):
    if day and day > today:
        raise ServiceError(
            f"The {what} date, {day:%d/%m/%Y}, is in the future: Keel records {what}s once they have happened."
        )


def _check_member(partnership: Partnership, organisation: Organisation, members: set[int], role: str = ""):
    if organisation.pk not in members:
        raise ServiceError(
            f"{organisation} is not a member of {partnership}: add it to the partnership's members first"
            + (f" ({role})." if role else ".")
        )


# ------------------------------------------------------------------ meetings


@transaction.atomic
def save_meeting(
    actor: Actor, partnership: Partnership, values: dict, attendance: dict, meeting: Meeting | None = None
) -> Meeting:
    """Create or change a meeting with its attendance: {organisation: (status, who)}.

    Every organisation in `attendance` must be a member, or already recorded at this meeting (an
    organisation that has since left keeps its past attendance). An organisation left out of
    `attendance` keeps what was recorded for it, so editing an old meeting loses nothing.
    """
    today = timezone.localdate()
    creating = meeting is None
    meeting = meeting or Meeting(partnership=partnership)
    before = {} if creating else _meeting_snapshot(Meeting.objects.get(pk=meeting.pk))
    for key, value in values.items():
        if key not in MEETING_FIELDS:
            raise ServiceError(f"{key} is not a field of a meeting.")
        setattr(meeting, key, value)
    _not_future(meeting.date, "meeting", today)
    existing = {a.organisation_id: a for a in meeting.attendance.all()} if not creating else {}
    members = _member_ids(partnership) | set(existing)
    for organisation, (status, _) in attendance.items():
        _check_member(partnership, organisation, members)
        if status not in AttendanceStatus.values:
            raise ServiceError(f"Attendance is attended, sent apologies or absent; {status!r} is not one of them.")
    meeting.full_clean(exclude=["workspace", "partnership"])
    meeting.save()
    for organisation, (status, who) in attendance.items():
        row = existing.get(organisation.pk) or Attendance(meeting=meeting, organisation=organisation)
        row.status, row.who = status, " ".join((who or "").split())[:300]
        row.save()
    changes = diff(before, _meeting_snapshot(meeting))
    if creating or changes:
        record(actor, f"meeting.{'created' if creating else 'changed'}", meeting, changes)
    return meeting


def _meeting_snapshot(meeting: Meeting) -> dict:
    values = snapshot(meeting, MEETING_FIELDS)
    values["attendance"] = "; ".join(
        f"{a.organisation}: {a.get_status_display()}" for a in meeting.attendance.select_related("organisation")
    )
    return values


@transaction.atomic
def delete_meeting(actor: Actor, meeting: Meeting) -> None:
    record(actor, "meeting.deleted", meeting, diff(_meeting_snapshot(meeting), {}))
    meeting.delete()


# ------------------------------------------------------------------ contacts


@transaction.atomic
def log_contact(actor: Actor, partnership: Partnership, values: dict) -> Contact:
    """Log a contact. With a person and no organisation, the person's organisation is taken."""
    contact = Contact(partnership=partnership)
    for key, value in values.items():
        if key not in CONTACT_FIELDS:
            raise ServiceError(f"{key} is not a field of a contact.")
        setattr(contact, key, value)
    contact.date = contact.date or timezone.localdate()
    _not_future(contact.date, "contact", timezone.localdate())
    person: Person | None = contact.person
    if person and contact.organisation_id is None:
        contact.organisation = person.organisation
    if contact.organisation is not None:
        _check_member(partnership, contact.organisation, _member_ids(partnership))
    if person and person.organisation_id != contact.organisation_id:
        raise ServiceError(f"{person} works at {person.organisation}, not {contact.organisation}.")
    contact.full_clean(exclude=["workspace", "partnership", "organisation", "person"])
    contact.save()
    record(actor, "contact.logged", contact, diff({}, snapshot(contact, CONTACT_FIELDS)))
    return contact


@transaction.atomic
def delete_contact(actor: Actor, contact: Contact) -> None:
    record(actor, "contact.deleted", contact, diff(snapshot(contact, CONTACT_FIELDS), {}))
    contact.delete()


# ------------------------------------------------------------------ referrals


@transaction.atomic
def save_referral(actor: Actor, partnership: Partnership, values: dict, referral: Referral | None = None) -> Referral:
    """Create or change a referral between two member organisations."""
    today = timezone.localdate()
    creating = referral is None
    referral = referral or Referral(partnership=partnership)
    stored = None if creating else Referral.objects.get(pk=referral.pk)
    before = {} if stored is None else snapshot(stored, REFERRAL_FIELDS)
    for key, value in values.items():
        if key not in REFERRAL_FIELDS:
            raise ServiceError(f"{key} is not a field of a referral.")
        setattr(referral, key, value)
    referral.client_reference = " ".join((referral.client_reference or "").split())
    if problem := rules.client_reference_problem(referral.client_reference):
        raise ServiceError(problem)
    # An organisation that has since left the partnership stays on its past referrals.
    kept = set() if stored is None else {stored.from_organisation_id, stored.to_organisation_id}
    _check_referral(partnership, referral, today, kept)
    referral.full_clean(exclude=["workspace", "partnership", "from_organisation", "to_organisation", "handoff_to"])
    referral.save()
    changes = diff(before, snapshot(referral, REFERRAL_FIELDS))
    if creating or changes:
        record(actor, f"referral.{'created' if creating else 'changed'}", referral, changes)
    return referral


def _check_referral(partnership: Partnership, referral: Referral, today: dt.date, kept: set[int]):
    members = _member_ids(partnership) | kept
    _check_member(partnership, referral.from_organisation, members, "referring from")
    _check_member(partnership, referral.to_organisation, members, "referring to")
    if referral.from_organisation_id == referral.to_organisation_id:
        raise ServiceError("A referral goes from one member organisation to another: choose two different ones.")
    _not_future(referral.date, "referral", today)
    if referral.follow_up_due is None:
        referral.follow_up_due = referral.date + dt.timedelta(days=DEFAULT_FOLLOW_UP_DAYS)
    if referral.follow_up_due < referral.date:
        raise ServiceError(
            f"The follow-up is due on {referral.follow_up_due:%d/%m/%Y}, before the referral was made "
            f"({referral.date:%d/%m/%Y})."
        )
    handoff = referral.handoff_to
    if handoff and handoff.organisation_id != referral.to_organisation_id:
        raise ServiceError(
            f"{handoff} works at {handoff.organisation}: the warm handoff is to someone at {referral.to_organisation}."
        )
    if referral.service_date:
        if not referral.outcome:
            referral.outcome = "received"  # a date of service says the service was received
        elif referral.outcome != "received":
            raise ServiceError(
                f"A date of service goes with the outcome 'service received', not '{referral.get_outcome_display()}': "
                "clear the date, or change the outcome."
            )
        if referral.service_date < referral.date:
            raise ServiceError(
                f"The date of service, {referral.service_date:%d/%m/%Y}, is before the referral "
                f"({referral.date:%d/%m/%Y})."
            )
        _not_future(referral.service_date, "service", today)


# ------------------------------------------------------------------ relationship ratings


def conditions_for(partnership: Partnership, organisation: Organisation, today: dt.date) -> rules.Conditions:
    """Which of the three conditions of a 5 hold today for `organisation` in `partnership`."""
    member = partnership.members.filter(organisation=organisation).first()
    if member is None:
        raise ServiceError(f"{organisation} is not a member of {partnership}: only members are rated.")
    found = queries.conditions([member], {partnership.pk: partnership.contact_every_days}, today, [partnership.pk])
    return found[partnership.pk, organisation.pk]


@transaction.atomic
def rate(
    actor: Actor,
    partnership: Partnership,
    organisation: Organisation,
    score: int,
    date: dt.date | None = None,
    note: str = "",
) -> RelationshipRating:
    """Rate a partner relationship 1–5. A 5 is refused unless its three conditions hold (and the
    message says which are missing); a 1 or 2 creates an action to strengthen the relationship."""
    today = timezone.localdate()
    date = date or today
    _not_future(date, "rating", today)
    found = conditions_for(partnership, organisation, today)
    refusal = rules.rating_refusal(int(score), found, organisation.name, partnership.contact_every_days)
    if refusal:
        raise ServiceError(refusal)
    user = actor.user
    rating = RelationshipRating.objects.create(
        partnership=partnership,
        organisation=organisation,
        score=int(score),
        date=date,
        rated_by=user,
        rater=((user.get_full_name() or user.username) if user else actor.via)[:150],
        note=note.strip(),
        conditions=found.as_dict(),
    )
    record(actor, "rating.given", rating, {"score": [None, rating.score]}, note=str(organisation))
    if rules.creates_action(rating.score):
        strengthen(actor, rating, today)
    return rating


def strengthen(actor: Actor, rating: RelationshipRating, today: dt.date):
    """The action a low rating creates: owned by the partnership lead, due in a month."""
    partnership = rating.partnership
    lead = partnership.lead if partnership.lead is not None and not partnership.lead.is_archived else None
    return create_action(
        actor,
        {
            "title": f"Strengthen the relationship with {rating.organisation}",
            "partnership": partnership,
            "owner": lead,
            "due": add_months(today, 1),
            "source": Source.RATING,
            "source_id": rating.pk,
            "steps": "\n".join(rules.STRENGTHEN_STEPS),
            "notes": f"{rating.organisation} was rated {rating.score} out of 5 on {rating.date:%d/%m/%Y}"
            + (f" by {rating.rater}" if rating.rater else "")
            + ("." if lead else ". The partnership has no lead: choose an owner."),
        },
    )
