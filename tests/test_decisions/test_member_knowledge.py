"""What we know about each partner, the levels at which its people are involved, and the records section's
query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keel.activity.models import Attendance, Contact, Meeting
from keel.decisions.models import Conflict, CostItem, Event, ValueItem
from keel.decisions.queries import levels_by_organisation, names_in
from keel.decisions.record_page import partnership_records
from keel.outcomes.models import Indicator
from keel.register import services as register
from keel.register.models import Person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(workspace, name, **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


@pytest.fixture
def alliance(actor, make_partnership):
    partnership = make_partnership("Frailty alliance")
    first, second = [m.organisation for m in partnership.members.order_by("organisation__name_key")]
    people = {
        "chief": register.save_person(actor, {"name": "Ann Chief", "organisation": first, "level": "executive"}),
        "nurse": register.save_person(actor, {"name": "Bo Nurse", "organisation": first, "level": "frontline"}),
        "manager": register.save_person(actor, {"name": "Cy Manager", "organisation": second, "level": "manager"}),
        "same_name": register.save_person(actor, {"name": "Bo Nurse", "organisation": second, "level": "executive"}),
    }
    return {"partnership": partnership, "first": first, "second": second, **people}


def test_names_are_read_the_way_people_write_who_came():
    assert names_in("Ann Chief, BO  nurse; Cy and Di / Ed & Flo") == ["ann chief", "bo nurse", "cy", "di", "ed", "flo"]
    assert names_in("") == []


def test_levels_come_from_contacts_and_from_who_came_to_meetings_in_the_last_year(alliance):
    p, first, second = alliance["partnership"], alliance["first"], alliance["second"]
    Contact.objects.create(partnership=p, date=TODAY, organisation=second, person=alliance["manager"])
    Contact.objects.create(
        partnership=p, date=TODAY - dt.timedelta(days=400), organisation=first, person=alliance["chief"]
    )
    meeting = Meeting.objects.create(partnership=p, date=TODAY - dt.timedelta(days=30))
    # "bo nurse" is matched to the first organisation's Bo Nurse only: names are matched within the organisation.
    Attendance.objects.create(meeting=meeting, organisation=first, status="attended", who="ann chief, Bo Nurse")
    Attendance.objects.create(meeting=meeting, organisation=second, status="apologies", who="Bo Nurse")
    old = Meeting.objects.create(partnership=p, date=TODAY - dt.timedelta(days=500))
    Attendance.objects.create(meeting=old, organisation=second, status="attended", who="Bo Nurse")
    found = levels_by_organisation(p.pk, [first.pk, second.pk], TODAY - dt.timedelta(days=365))
    assert found == {first.pk: {"executive", "frontline"}, second.pk: {"manager"}}


def test_the_member_form_records_what_we_know(client, editor, scope_a, alliance):
    p = alliance["partnership"]
    member = p.members.get(organisation=alliance["first"])
    client.force_login(editor)
    edit = url(scope_a, "register:member_edit", pk=p.pk, member_pk=member.pk)
    form = client.get(edit).content.decode()
    assert "Not known yet" in form and "How they measure success" in form
    refused = client.post(
        edit, {"role": "", "eligibility_known": "unknown", "eligibility": "Over 65s", "co_located": "unknown"}
    )
    assert "choose Yes, or clear what you wrote" in refused.content.decode()
    future = (TODAY + dt.timedelta(days=2)).isoformat()
    refused = client.post(edit, {"eligibility_known": "true", "last_visit": future, "co_located": "unknown"})
    assert "in the future" in refused.content.decode()
    response = client.post(
        edit,
        {
            "eligibility_known": "true",
            "eligibility": "Adults over 65",
            "success_measures": "Fewer falls",
            "last_visit": (TODAY - dt.timedelta(days=3)).isoformat(),
            "co_located": "false",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.eligibility_known, member.eligibility, member.co_located) == (True, "Adults over 65", False)
    page = client.get(url(scope_a, "portfolio:partnership", pk=p.pk)).content.decode()
    section = page.split('id="know-heading"')[1].split("</section>")[0]
    assert "Known: Adults over 65" in section and "Fewer falls" in section
    assert section.count("Not known yet") >= 4  # the second member: nothing known yet, never "no"


def fill(partnership, n, person):
    """`n` of each record the section reads."""
    organisation = person.organisation
    CostItem.objects.bulk_create(
        CostItem(partnership=partnership, year=TODAY.year, kind="money", amount=Decimal(n)) for _ in range(n)
    )
    ValueItem.objects.bulk_create(
        ValueItem(partnership=partnership, year=TODAY.year, amount=Decimal(2 * n), basis="x") for _ in range(n)
    )
    Event.objects.bulk_create(Event(partnership=partnership, kind="other", date=TODAY) for _ in range(n))
    Conflict.objects.bulk_create(
        Conflict(partnership=partnership, raised_on=TODAY - dt.timedelta(days=i), about="x") for i in range(n)
    )
    Contact.objects.bulk_create(
        Contact(partnership=partnership, date=TODAY, organisation=organisation, person=person) for _ in range(n)
    )
    meetings = Meeting.objects.bulk_create(Meeting(partnership=partnership, date=TODAY) for _ in range(n))
    Attendance.objects.bulk_create(
        Attendance(meeting=m, organisation=organisation, status="attended", who=person.name) for m in meetings
    )
    Indicator.objects.bulk_create(
        Indicator(partnership=partnership, name=f"Indicator {i}", name_key=f"indicator {i}") for i in range(n)
    )


def test_the_records_section_holds_its_query_count(scope_a, actor, make_partnership):
    counts = []
    for n in (2, 30):
        partnership = make_partnership(n=3)
        organisation = partnership.members.first().organisation
        person = register.save_person(actor, {"name": f"Lee {n}", "organisation": organisation, "level": "manager"})
        Person.objects.bulk_create(
            Person(name=f"P{i}", name_key=f"p{i}", organisation=organisation, level="frontline") for i in range(n)
        )
        fill(partnership, n, person)
        with CaptureQueriesContext(connection) as context:
            records = partnership_records(partnership, TODAY)
        counts.append(len(context))
        assert records["money"].cost == f"£{n * n:,}.00" and len(records["open_conflicts"]) == n
        assert records["partners"][0].levels or records["partners"][1].levels or records["partners"][2].levels
    assert counts[0] == counts[1] and counts[0] <= 10, counts  # ten: see partnership_records
