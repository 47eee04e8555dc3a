"""Events: recorded by hand, or made by a change of a member's single point of contact."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keel.core.models import ChangeRecord
from keel.core.services import ServiceError
from keel.decisions.models import Event
from keel.decisions.services import events
from keel.register import services as register

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(workspace, name, **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


@pytest.fixture
def alliance(make_partnership):
    return make_partnership("Frailty alliance")


def test_a_change_of_single_point_of_contact_records_a_key_person_left_event(actor, alliance):
    member = alliance.members.select_related("organisation").first()
    jo = register.save_person(actor, {"name": "Jo Bloggs", "organisation": member.organisation})
    sam = register.save_person(actor, {"name": "Sam Patel", "organisation": member.organisation})
    register.change_member(actor, member, {"contact": jo})
    register.change_member(actor, member, {"contact": sam})
    found = list(Event.objects.filter(partnership=alliance).order_by("pk"))
    assert [e.kind for e in found] == ["key_person_left", "key_person_left"]
    last = found[-1]
    assert last.description == f"Sam Patel replaced Jo Bloggs as single point of contact for {member.organisation}"
    assert (last.severity, last.early_review, last.date) == ("medium", False, TODAY)
    assert last.key_person_change.after == "Sam Patel"
    assert ChangeRecord.objects.filter(action="event.recorded", object_id=last.pk).exists()


def test_an_event_in_the_future_is_refused(actor, alliance):
    with pytest.raises(ServiceError, match="in the future"):
        events.save_event(
            actor, alliance, {"kind": "other", "date": TODAY + dt.timedelta(days=1), "severity": "low"}, TODAY
        )
    assert not Event.objects.exists()


def test_an_editor_records_changes_and_deletes_an_event(client, editor, scope_a, alliance):
    client.force_login(editor)
    new = url(scope_a, "decisions:partnership_event_new", pk=alliance.pk)
    response = client.post(new, {"kind": "funding_withdrawn", "date": "", "severity": "high"})
    assert response.context["form"].errors["date"] == ["Give the date it happened."]
    response = client.post(
        new,
        {
            "kind": "funding_withdrawn",
            "date": TODAY.isoformat(),
            "severity": "high",
            "early_review": "on",
            "description": "The grant ends in March",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.kind, event.severity, event.early_review) == ("funding_withdrawn", "high", True)
    page = client.get(url(scope_a, "portfolio:partnership", pk=alliance.pk)).content.decode()
    assert "Funding withdrawn" in page and "Calls for one" in page
    edit = url(scope_a, "decisions:event", pk=event.pk)
    client.post(edit, {"kind": "funding_withdrawn", "date": TODAY.isoformat(), "severity": "medium"})
    event.refresh_from_db()
    assert (event.severity, event.early_review, event.description) == ("medium", False, "")
    history = client.get(edit).content.decode()
    assert "Change history" in history
    client.post(url(scope_a, "decisions:event_delete", pk=event.pk))
    assert not Event.objects.exists()


def test_a_viewer_reads_an_event_without_its_form(client, viewer, scope_a, actor, alliance):
    event = events.save_event(actor, alliance, {"kind": "inspection", "date": TODAY, "severity": "low"}, TODAY)
    client.force_login(viewer)
    page = client.get(url(scope_a, "decisions:event", pk=event.pk)).content.decode()
    assert "Inspection outcome" in page and "Change the event" not in page
    listing = client.get(url(scope_a, "decisions:partnership_events", pk=alliance.pk)).content.decode()
    assert "Inspection outcome" in listing and "Record an event" not in listing
