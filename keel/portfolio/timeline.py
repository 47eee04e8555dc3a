"""A partnership's timeline: everything that happened to it, newest first, in a fixed number of queries.

Six kinds of record make the timeline: meetings, contacts, referrals, relationship ratings,
measurements of its indicators and key-person changes. One UNION ALL of (kind, date, id) across
the six tables orders and pages them in the database, so a partnership with 100,000 records costs
what one with ten does: one query counts the entries, one reads the page's (kind, date, id), and
one per kind on the page reads those records with what their descriptions need (a meeting's
attendance counts come in the same query as the meeting).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Count, F, Q, Value
from django.urls import reverse
from django.utils import timezone

from keel.activity.models import AttendanceStatus, Contact, Meeting, Referral, RelationshipRating
from keel.core.tenancy import current_workspace
from keel.outcomes.models import Measurement
from keel.outcomes.queries import figure
from keel.register.models import KeyPersonChange, Partnership

PAGE_SIZE = 25

# The kinds in the order the filter offers them; the labels are the filter's words.
KINDS = {
    "meeting": "Meetings",
    "contact": "Contacts",
    "referral": "Referrals",
    "rating": "Relationship ratings",
    "measurement": "Measurements",
    "key_person": "Key-person changes",
}
ENTRY_LABELS = {
    "meeting": "Meeting",
    "contact": "Contact",
    "referral": "Referral",
    "rating": "Rating",
    "measurement": "Measurement",
    "key_person": "Key person",
}


@dataclass
class Entry:
    """One line of the timeline."""

    kind: str
    date: dt.date
    text: str
    url: str = ""
    note: str = ""  # a second line where there is one: a contact's summary, a meeting's decisions
    delete_url: str = ""  # a contact has no page of its own: editors delete it from here

    @property
    def label(self) -> str:
        return ENTRY_LABELS[self.kind]


def read_kinds(values) -> list[str]:
    """The kinds asked for (query-string values), in the filter's order; unknown ones are ignored."""
    asked = set(values or [])
    return [kind for kind in KINDS if kind in asked]


def _keys(queryset, date_field: str = "date"):
    """(kind, day, ident) of each record: one arm of the union. Every column is an annotation so the
    arms line up column by column, and the arm's own ordering is cleared (a compound query orders once)."""
    return queryset.order_by().annotate(day=F(date_field), ident=F("pk")).values_list("entry_kind", "day", "ident")


def _arm(kind: str, partnership_id: int):
    literal = Value(kind, output_field=CharField())
    querysets = {
        "meeting": lambda: Meeting.objects.filter(partnership_id=partnership_id),
        "contact": lambda: Contact.objects.filter(partnership_id=partnership_id),
        "referral": lambda: Referral.objects.filter(partnership_id=partnership_id),
        "rating": lambda: RelationshipRating.objects.filter(partnership_id=partnership_id),
        "measurement": lambda: Measurement.objects.filter(indicator__partnership_id=partnership_id),
        "key_person": lambda: KeyPersonChange.objects.filter(partnership_id=partnership_id),
    }
    return _keys(querysets[kind]().annotate(entry_kind=literal), "period" if kind == "measurement" else "date")


def entry_keys(partnership_id: int, kinds: list[str] | None = None):
    """The union of (kind, day, ident) for the kinds asked (all when none), newest first.

    Ties on a day are broken by kind, then the newest record first, so the order is stable and a
    page never repeats or skips an entry."""
    arms = [_arm(kind, partnership_id) for kind in (kinds or list(KINDS))]
    union = arms[0].union(*arms[1:], all=True) if len(arms) > 1 else arms[0]
    return union.order_by("-day", "entry_kind", "-ident")


class TimelinePage(Page):
    """A page of the timeline: its object_list is a list of Entry, and it knows the addresses of
    the whole timeline, of itself with the filter, and of the newer and older pages."""

    url = filtered_url = newer_url = older_url = ""
    kinds: list[str]
    kind_choices: list[tuple[str, str]]


class _TimelinePaginator(Paginator):
    def _get_page(self, *args, **kwargs) -> TimelinePage:
        return TimelinePage(*args, **kwargs)


def timeline_page(
    partnership: Partnership, kinds: list[str] | None = None, number=1, *, can_edit=False
) -> TimelinePage:
    """One page of the timeline, each address keeping the filter."""
    page = cast(TimelinePage, _TimelinePaginator(entry_keys(partnership.pk, kinds), PAGE_SIZE).get_page(number))
    keys = list(page.object_list)
    page.object_list = describe(keys, partnership, can_edit=can_edit)
    url = reverse("portfolio:partnership_timeline", kwargs={"ws": current_workspace().slug, "pk": partnership.pk})
    filters = [("kind", kind) for kind in kinds or []]
    page.url = url
    page.filtered_url = f"{url}?{urlencode(filters)}" if filters else url
    page.newer_url = f"{url}?{urlencode([*filters, ('page', page.number - 1)])}" if page.has_previous() else ""
    page.older_url = f"{url}?{urlencode([*filters, ('page', page.number + 1)])}" if page.has_next() else ""
    page.kinds = kinds or []
    page.kind_choices = list(KINDS.items())
    return page


# ---------------------------------------------------------------- describing the page's records


def describe(keys, partnership: Partnership, *, can_edit=False) -> list[Entry]:
    """An Entry for each (kind, day, ident), in the same order: one query per kind present."""
    ids = defaultdict(list)
    for kind, _, ident in keys:
        ids[kind].append(ident)
    ws = current_workspace().slug  # the partnership's: the scoped managers found it there
    today = timezone.localdate()
    found: dict[tuple[str, int], Entry] = {}
    for kind, idents in ids.items():
        for ident, entry in DESCRIBERS[kind](idents, ws, partnership, can_edit, today).items():
            found[kind, ident] = entry
    return [found[kind, ident] for kind, _, ident in keys if (kind, ident) in found]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def meeting_text(meeting: Meeting, attended: int, recorded: int) -> str:
    if not recorded:
        return f"{meeting.get_kind_display()} — attendance not recorded"
    organisations = "organisation" if recorded == 1 else "organisations"
    return f"{meeting.get_kind_display()} — {attended} of {recorded} {organisations} attended"


def _meetings(ids, ws, partnership, can_edit, today):
    meetings = Meeting.objects.filter(pk__in=ids).annotate(
        attended=Count("attendance", filter=Q(attendance__status=AttendanceStatus.ATTENDED)),
        recorded=Count("attendance"),
    )
    return {
        m.pk: Entry(
            "meeting",
            m.date,
            meeting_text(m, m.attended, m.recorded),
            reverse("activity:meeting", kwargs={"ws": ws, "pk": m.pk}),
            _short(m.decisions),
        )
        for m in meetings.order_by()
    }


CHANNEL_WORDS = {"call": "Call", "email": "E-mail", "visit": "Visit", "meeting": "Meeting"}


def contact_text(contact: Contact) -> str:
    how = CHANNEL_WORDS.get(contact.channel, contact.get_channel_display())
    person, organisation = contact.person, contact.organisation
    if person is not None and organisation is not None:
        return f"{how} with {person.name} ({organisation.name})"
    if person is not None:
        return f"{how} with {person.name}"
    if organisation is not None:
        return f"{how} with {organisation.name}"
    return f"{how} with the partners"


def _contacts(ids, ws, partnership, can_edit, today):
    contacts = Contact.objects.filter(pk__in=ids).select_related("person", "organisation").order_by()
    return {
        c.pk: Entry(
            "contact",
            c.date,
            contact_text(c),
            note=_short(c.summary),
            delete_url=reverse("activity:contact_delete", kwargs={"ws": ws, "pk": c.pk}) if can_edit else "",
        )
        for c in contacts
    }


def referral_state(referral: Referral, today: dt.date) -> str:
    """What became of a referral, in words."""
    if referral.outcome == "received":
        if referral.service_date is None:
            return "service received"
        days = (referral.service_date - referral.date).days
        return "service received the same day" if days == 0 else f"service received after {_plural(days, 'day')}"
    if referral.outcome:
        return {"unknown": "outcome unknown"}.get(referral.outcome, referral.get_outcome_display().lower())
    if referral.follow_up_due < today:
        return f"follow-up overdue (due {referral.follow_up_due:%d/%m/%Y})"
    return f"awaiting outcome (follow-up due {referral.follow_up_due:%d/%m/%Y})"


def referral_text(referral: Referral, today: dt.date) -> str:
    return (
        f"Referral {referral.client_reference}: {referral.from_organisation.name} → "
        f"{referral.to_organisation.name} — {referral_state(referral, today)}"
    )


def _referrals(ids, ws, partnership, can_edit, today):
    referrals = Referral.objects.filter(pk__in=ids).select_related("from_organisation", "to_organisation").order_by()
    if can_edit:
        url = lambda r: reverse("activity:referral_edit", kwargs={"ws": ws, "pk": r.pk})  # noqa: E731
    else:
        url = lambda r: reverse("activity:partnership_referrals", kwargs={"ws": ws, "pk": partnership.pk})  # noqa: E731
    return {r.pk: Entry("referral", r.date, referral_text(r, today), url(r)) for r in referrals}


def rating_text(rating: RelationshipRating) -> str:
    who = f" by {rating.rater}" if rating.rater else ""
    return f"{rating.organisation.name} rated {rating.score}{who}"


def _ratings(ids, ws, partnership, can_edit, today):
    ratings = RelationshipRating.objects.filter(pk__in=ids).select_related("organisation").order_by()
    found = {}
    for r in ratings:
        url = ""
        if can_edit:
            kwargs = {"ws": ws, "pk": r.partnership_id, "organisation_pk": r.organisation_id}
            url = reverse("activity:partnership_rate", kwargs=kwargs)
        found[r.pk] = Entry("rating", r.date, rating_text(r), url, _short(r.note))
    return found


def measurement_text(measurement: Measurement) -> str:
    indicator = measurement.indicator
    return f"{indicator.name}: {figure(measurement.value, indicator.unit.strip())} ({measurement.period:%d/%m/%Y})"


def _measurements(ids, ws, partnership, can_edit, today):
    measurements = Measurement.objects.filter(pk__in=ids).select_related("indicator").order_by()
    return {
        m.pk: Entry(
            "measurement",
            m.period,
            measurement_text(m),
            reverse("outcomes:indicator", kwargs={"ws": ws, "pk": m.indicator_id}),
            _short(m.note),
        )
        for m in measurements
    }


def _key_people(ids, ws, partnership, can_edit, today):
    changes = KeyPersonChange.objects.filter(pk__in=ids).select_related("organisation").order_by()
    return {c.pk: Entry("key_person", c.date, str(c)) for c in changes}


def _short(text: str, limit: int = 200) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


DESCRIBERS = {
    "meeting": _meetings,
    "contact": _contacts,
    "referral": _referrals,
    "rating": _ratings,
    "measurement": _measurements,
    "key_person": _key_people,
}
