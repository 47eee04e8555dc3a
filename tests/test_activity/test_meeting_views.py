"""The pages for meetings, contacts and relationship ratings, through the Django test client."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keel.actions.models import Action
from keel.activity import services
from keel.activity.models import Attendance, Contact, Meeting, RelationshipRating
from keel.common.text import add_months
from keel.register import services as register
from keel.register.models import ProcessKind

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(workspace, name, **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def alliance(scope_a, actor, make_partnership):
    """Two member organisations with a single point of contact each, and a lead."""
    partnership = make_partnership("Frailty alliance")
    first, second = partnership.members.select_related("organisation").order_by("organisation__name_key")
    jo = register.save_person(actor, {"name": "Jo Bloggs", "organisation": first.organisation})
    sam = register.save_person(actor, {"name": "Sam Patel", "organisation": second.organisation})
    register.change_member(actor, first, {"contact": jo})
    register.change_member(actor, second, {"contact": sam})
    register.save_partnership(actor, {"lead": jo}, partnership)
    return {
        "partnership": partnership,
        "first": first,
        "org": first.organisation,
        "other": second.organisation,
        "jo": jo,
        "sam": sam,
    }


def meeting_data(alliance, **values):
    org, other = alliance["org"].pk, alliance["other"].pk
    data = {
        "date": TODAY.isoformat(),
        "kind": "partnership",
        "agenda": "1. Winter plan\n2. Referrals",
        "notes": "",
        "decisions": "",
        f"status_{org}": "attended",
        f"who_{org}": "Jo Bloggs, Ana Reyes",
        f"status_{other}": "apologies",
        f"who_{other}": "Sam Patel",
    }
    data.update(values)
    return data


# ------------------------------------------------------------------ meetings


def test_the_new_meeting_form_has_a_row_per_current_member(editor_client, scope_a, actor, alliance):
    ended = alliance["partnership"].members.create(
        organisation=register.save_organisation(actor, {"name": "Left last year"}), until=TODAY - dt.timedelta(days=1)
    )
    ending_today = alliance["partnership"].members.create(
        organisation=register.save_organisation(actor, {"name": "Leaving today"}), until=TODAY
    )
    page = editor_client.get(url(scope_a, "activity:partnership_meeting_new", pk=alliance["partnership"].pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{TODAY.isoformat()}"' in html
    for org in (alliance["org"], alliance["other"], ending_today.organisation):
        assert f"<legend>{org.name}</legend>" in html
        assert re.search(rf'name="status_{org.pk}" value="attended"[^>]*checked', html)
    assert f"status_{ended.organisation_id}" not in html
    assert f'name="who_{alliance["org"].pk}" value="Jo Bloggs"' in html
    assert re.search(r'<label for="id_who_\d+">Who came<span class="visually-hidden"> from ', html)


def test_logging_a_meeting_saves_its_attendance_and_shows_the_meeting(editor_client, scope_a, alliance):
    response = editor_client.post(
        url(scope_a, "activity:partnership_meeting_new", pk=alliance["partnership"].pk), meeting_data(alliance)
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert said(response) == [f"Meeting of {TODAY.day} {TODAY:%B %Y} logged."]
    rows = {a.organisation: (a.status, a.who) for a in meeting.attendance.all()}
    # Who came is kept only for those who came.
    assert rows == {alliance["org"]: ("attended", "Jo Bloggs, Ana Reyes"), alliance["other"]: ("apologies", "")}

    page = editor_client.get(meeting.get_absolute_url()).content.decode()
    assert "1 of 2 member organisations attended." in page
    assert "Sent apologies" in page and "Jo Bloggs, Ana Reyes" in page
    assert "1. Winter plan<br>2. Referrals" in page
    assert alliance["partnership"].get_absolute_url() in page


def test_bad_input_is_refused_with_every_error_and_nothing_typed_is_lost(editor_client, scope_a, alliance):
    org = alliance["org"].pk
    data = meeting_data(alliance, date="", kind="tea party", **{f"who_{org}": "x" * 301})
    data.pop(f"status_{alliance['other'].pk}")
    response = editor_client.post(url(scope_a, "activity:partnership_meeting_new", pk=alliance["partnership"].pk), data)
    html = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "This field is required." in html  # the date
    assert "Select a valid choice. tea party is not one of the available choices." in html
    assert "Ensure this value has at most 300 characters" in html
    assert f"Say whether {alliance['other'].name} attended." in html
    assert "1. Winter plan\n2. Referrals</textarea>" in html
    assert 'aria-describedby="id_date_error"' in html
    assert f'aria-describedby="id_status_{alliance["other"].pk}_error"' in html


def test_a_meeting_in_the_future_is_refused_on_its_date(editor_client, scope_a, alliance):
    tomorrow = TODAY + dt.timedelta(days=1)
    data = meeting_data(alliance, date=tomorrow.isoformat(), notes="Keep me")
    response = editor_client.post(url(scope_a, "activity:partnership_meeting_new", pk=alliance["partnership"].pk), data)
    html = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert re.search(r'<p class="field-error" id="id_date_error">The meeting date, [\d/]+, is in the future', html)
    assert "Keep me</textarea>" in html and f'value="{tomorrow.isoformat()}"' in html


def test_changing_a_meeting_starts_from_what_it_records(editor_client, scope_a, actor, alliance):
    meeting = services.save_meeting(
        actor,
        alliance["partnership"],
        {"date": TODAY, "notes": "First notes"},
        {alliance["org"]: ("absent", ""), alliance["other"]: ("attended", "Sam Patel")},
    )
    edit = url(scope_a, "activity:meeting_edit", pk=meeting.pk)
    html = editor_client.get(edit).content.decode()
    assert "First notes</textarea>" in html
    assert re.search(rf'name="status_{alliance["org"].pk}" value="absent"[^>]*checked', html)
    data = meeting_data(alliance, notes="Second notes", **{f"status_{alliance['other'].pk}": "absent"})
    response = editor_client.post(edit, data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.notes == "Second notes"
    assert dict(meeting.attendance.values_list("organisation", "status")) == {
        alliance["org"].pk: "attended",
        alliance["other"].pk: "absent",
    }


def test_the_meeting_page_links_to_a_new_action_and_back_to_the_partnership(editor_client, scope_a, actor, alliance):
    meeting = services.save_meeting(actor, alliance["partnership"], {"date": TODAY}, {})
    html = editor_client.get(meeting.get_absolute_url()).content.decode()
    new_action = url(scope_a, "actions:action_new")
    query = f"partnership={alliance['partnership'].pk}&amp;source=meeting&amp;source_id={meeting.pk}"
    assert f'href="{new_action}?{query}">Add an action from this meeting</a>' in html
    assert url(scope_a, "activity:meeting_edit", pk=meeting.pk) in html
    assert "No attendance was recorded for this meeting." in html


def test_a_viewer_reads_a_meeting_without_the_buttons_that_change_it(client, viewer, scope_a, actor, alliance):
    meeting = services.save_meeting(
        actor, alliance["partnership"], {"date": TODAY}, {alliance["org"]: ("attended", "")}
    )
    client.force_login(viewer)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Attended" in html
    assert "Add an action" not in html and "meeting_edit" not in html and "/edit/" not in html
    assert client.get(url(scope_a, "activity:meeting_edit", pk=meeting.pk)).status_code == 403


def test_deleting_a_meeting_asks_first(editor_client, scope_a, actor, alliance):
    meeting = services.save_meeting(
        actor, alliance["partnership"], {"date": TODAY}, {alliance["org"]: ("attended", "")}
    )
    delete = url(scope_a, "activity:meeting_delete", pk=meeting.pk)
    assert "Delete the meeting</button>" in editor_client.get(delete).content.decode()
    assert Meeting.objects.exists()
    response = editor_client.post(delete)
    assert response.status_code == 302 and response.url == alliance["partnership"].get_absolute_url()
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


# ------------------------------------------------------------------ contacts


def contact_url(workspace, alliance, query=""):
    return url(workspace, "activity:partnership_contact_new", pk=alliance["partnership"].pk) + query


def test_contact_quick_entry_comes_filled_in_and_saves_in_one_click(editor_client, scope_a, alliance):
    form = editor_client.get(contact_url(scope_a, alliance, f"?organisation={alliance['other'].pk}"))
    html = form.content.decode()
    assert f'value="{TODAY.isoformat()}"' in html
    assert re.search(r'name="channel" value="call"[^>]*checked', html)
    assert f'<option value="{alliance["other"].pk}" selected>' in html
    assert f'value="Sam Patel ({alliance["other"].name})"' in html
    # What the browser sends when Save is pressed with the form as it came.
    data = {
        "date": TODAY.isoformat(),
        "channel": "call",
        "organisation": alliance["other"].pk,
        "person": f"Sam Patel ({alliance['other'].name})",
        "summary": "",
        "next": "",
    }
    response = editor_client.post(contact_url(scope_a, alliance), data)
    assert response.status_code == 302 and response.url == alliance["partnership"].get_absolute_url()
    assert said(response) == ["Contact with Sam Patel logged."]
    contact = Contact.objects.get()
    assert (contact.organisation, contact.person, contact.channel) == (alliance["other"], alliance["sam"], "call")


def test_a_contact_with_the_partnership_as_a_whole(editor_client, scope_a, alliance):
    data = {"date": TODAY.isoformat(), "channel": "email", "organisation": "", "person": "", "summary": "Update"}
    response = editor_client.post(contact_url(scope_a, alliance), data)
    assert said(response) == ["Contact with the partnership logged."]
    assert Contact.objects.get().organisation is None


def test_an_organisation_that_is_not_a_member_is_ignored_in_the_link(editor_client, scope_a, actor, alliance):
    stranger = register.save_organisation(actor, {"name": "Stranger"})
    html = editor_client.get(contact_url(scope_a, alliance, f"?organisation={stranger.pk}")).content.decode()
    assert "Stranger" not in html
    assert '<option value="" selected>The partnership as a whole</option>' in html


def test_a_person_at_another_organisation_is_refused_on_the_person_field(editor_client, scope_a, alliance):
    data = {
        "date": TODAY.isoformat(),
        "channel": "visit",
        "organisation": alliance["org"].pk,
        "person": f"Sam Patel ({alliance['other'].name})",
        "summary": "Keep this summary",
    }
    html = editor_client.post(contact_url(scope_a, alliance), data).content.decode()
    assert re.search(
        rf'id="id_person_error">Sam Patel works at {alliance["other"].name}, not {alliance["org"].name}', html
    )
    assert 'aria-describedby="id_person_helptext id_person_error"' in html
    assert "Keep this summary</textarea>" in html
    assert re.search(r'name="channel" value="visit"[^>]*checked', html)
    assert not Contact.objects.exists()


def test_after_a_contact_a_safe_next_page_is_followed_and_another_site_is_not(editor_client, scope_a, alliance):
    data = {"date": TODAY.isoformat(), "channel": "call", "organisation": alliance["org"].pk}
    rate = url(scope_a, "activity:partnership_rate", pk=alliance["partnership"].pk, organisation_pk=alliance["org"].pk)
    assert editor_client.post(contact_url(scope_a, alliance), {**data, "next": rate}).url == rate
    response = editor_client.post(contact_url(scope_a, alliance), {**data, "next": "https://evil.example/"})
    assert response.url == alliance["partnership"].get_absolute_url()
    assert Contact.objects.count() == 2


def test_the_next_page_from_the_link_is_kept_in_the_form(editor_client, scope_a, alliance):
    html = editor_client.get(contact_url(scope_a, alliance, "?next=/somewhere/")).content.decode()
    assert '<input type="hidden" name="next" value="/somewhere/"' in html


def test_deleting_a_contact_is_a_post_that_returns_to_the_partnership(editor_client, scope_a, actor, alliance):
    contact = services.log_contact(actor, alliance["partnership"], {"date": TODAY, "organisation": alliance["org"]})
    delete = url(scope_a, "activity:contact_delete", pk=contact.pk)
    assert editor_client.get(delete).status_code == 405
    response = editor_client.post(delete)
    assert response.status_code == 302 and response.url == alliance["partnership"].get_absolute_url()
    assert not Contact.objects.exists()


# ------------------------------------------------------------------ ratings


def rate_url(workspace, alliance, organisation=None):
    organisation = organisation or alliance["org"]
    return url(workspace, "activity:partnership_rate", pk=alliance["partnership"].pk, organisation_pk=organisation.pk)


def test_only_a_member_is_rated(editor_client, scope_a, actor, alliance):
    stranger = register.save_organisation(actor, {"name": "Stranger"})
    assert editor_client.get(rate_url(scope_a, alliance, stranger)).status_code == 404


def test_the_rating_page_says_which_conditions_hold_and_how_to_meet_the_others(editor_client, scope_a, alliance):
    html = editor_client.get(rate_url(scope_a, alliance)).content.decode()
    assert "Named single point of contact: <strong>held</strong>" in html
    assert "Regular communication: <strong>missing</strong>" in html
    assert "Working referral system: <strong>missing</strong>" in html
    contact_link = contact_url(scope_a, alliance, f"?organisation={alliance['org'].pk}&amp;next=")
    assert contact_link in html
    assert url(scope_a, "register:process_add", pk=alliance["partnership"].pk) in html
    assert url(scope_a, "activity:partnership_referral_new", pk=alliance["partnership"].pk) in html
    assert "member_edit" not in html and "/members/" not in html  # the contact is named
    assert re.search(r'name="score" value="5"', html) and "5 – Excellent" in html
    assert f'value="{TODAY.isoformat()}"' in html


def test_a_missing_contact_links_to_the_member(editor_client, scope_a, actor, alliance):
    register.change_member(actor, alliance["first"], {"contact": None})
    html = editor_client.get(rate_url(scope_a, alliance)).content.decode()
    member_edit = url(scope_a, "register:member_edit", pk=alliance["partnership"].pk, member_pk=alliance["first"].pk)
    assert f'href="{member_edit}">Name a single point of contact for {alliance["org"].name}</a>' in html


def test_a_five_with_conditions_missing_is_refused_and_the_form_kept(editor_client, scope_a, alliance):
    data = {"score": "5", "date": TODAY.isoformat(), "note": "They are great"}
    response = editor_client.post(rate_url(scope_a, alliance), data)
    html = response.content.decode()
    assert response.status_code == 200 and not RelationshipRating.objects.exists()
    alert = re.search(r'<div class="errors" role="alert"><p>(.*?)</p>', html, re.S)[1]
    assert "A rating of 5 needs all three conditions" in alert
    assert "regular communication and a working referral system are missing" in alert
    assert "They are great</textarea>" in html
    assert re.search(r'name="score" value="5"[^>]*checked', html)


def test_a_five_is_given_when_all_three_hold(editor_client, scope_a, actor, alliance):
    services.log_contact(actor, alliance["partnership"], {"date": TODAY, "organisation": alliance["org"]})
    register.add_process(
        actor,
        alliance["partnership"],
        {"title": "Pathway", "kind": ProcessKind.REFERRAL_PATHWAY, "link": "https://example.org/p"},
    )
    assert "can be rated 5" in editor_client.get(rate_url(scope_a, alliance)).content.decode()
    response = editor_client.post(rate_url(scope_a, alliance), {"score": "5", "date": TODAY.isoformat()})
    assert response.status_code == 302 and response.url == alliance["partnership"].get_absolute_url()
    assert said(response) == [f"{alliance['org'].name} rated 5 out of 5."]


def test_a_two_says_which_action_it_created_with_a_link(editor_client, scope_a, alliance):
    response = editor_client.post(
        rate_url(scope_a, alliance, alliance["other"]), {"score": "2", "date": TODAY.isoformat()}
    )
    action = Action.objects.get()
    (message,) = said(response)
    assert f"{alliance['other'].name} rated 2 out of 5." in message
    assert f"An action “Strengthen the relationship with {alliance['other'].name}” was created" in message
    assert f"owned by Jo Bloggs, due {add_months(TODAY, 1).day} {add_months(TODAY, 1):%B %Y}" in message
    assert f'<a href="{url(scope_a, "actions:action", pk=action.pk)}">Open the action</a>' in message


def test_a_one_without_a_lead_says_the_action_has_no_owner(editor_client, scope_a, actor, alliance):
    register.save_partnership(actor, {"lead": None}, alliance["partnership"])
    response = editor_client.post(rate_url(scope_a, alliance), {"score": "1", "date": TODAY.isoformat()})
    (message,) = said(response)
    assert "with no owner because the partnership has no current lead" in message
    assert Action.objects.get().owner is None


def test_a_rating_needs_a_score_and_a_date(editor_client, scope_a, alliance):
    html = editor_client.post(rate_url(scope_a, alliance), {"score": "", "date": ""}).content.decode()
    assert "Choose a rating from 1 (poor) to 5 (excellent)." in html
    assert not RelationshipRating.objects.exists()


def test_the_rating_history_shows_who_rated_and_the_conditions_then(editor_client, scope_a, actor, alliance):
    services.rate(actor, alliance["partnership"], alliance["org"], 3, date=TODAY - dt.timedelta(days=7), note="Fine")
    services.rate(actor, alliance["partnership"], alliance["other"], 4)  # another organisation: not shown
    html = editor_client.get(rate_url(scope_a, alliance)).content.decode()
    history = html[html.index('id="ratings-heading"') :]
    assert "3 – Fair" in history and "Fine" in history and actor.user.username in history
    assert "Named contact: <strong>held</strong>" in history
    assert "Regular communication: <strong>missing</strong>" in history
    assert "4 – Good" not in history


# ------------------------------------------------------------------ bounded queries


def partnership_of(actor, make_partnership, n):
    """A partnership of `n` organisations, each with a contact, a meeting they all attended and two ratings each."""
    partnership = make_partnership(n=n)
    members = list(partnership.members.select_related("organisation"))
    for member in members:
        person = register.save_person(actor, {"name": f"Contact {member.pk}", "organisation": member.organisation})
        register.change_member(actor, member, {"contact": person})
    meeting = services.save_meeting(
        actor, partnership, {"date": TODAY}, {m.organisation: ("attended", "Someone") for m in members}
    )
    for member in members:
        services.rate(actor, partnership, member.organisation, 3)
        services.rate(actor, partnership, members[0].organisation, 4)
    return partnership, meeting, members[0].organisation


def count(client, address):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_pages_make_the_same_number_of_queries_with_2_and_8_members(
    editor_client, scope_a, actor, make_partnership
):
    counts = []
    editor_client.get(url(scope_a, "portfolio:partnerships"))  # the session's first request stores the workspace
    for n in (2, 8):
        partnership, meeting, organisation = partnership_of(actor, make_partnership, n)
        counts.append(
            [
                count(editor_client, meeting.get_absolute_url()),
                count(editor_client, url(scope_a, "activity:meeting_edit", pk=meeting.pk)),
                count(editor_client, url(scope_a, "activity:partnership_meeting_new", pk=partnership.pk)),
                count(editor_client, url(scope_a, "activity:partnership_contact_new", pk=partnership.pk)),
                count(
                    editor_client,
                    url(scope_a, "activity:partnership_rate", pk=partnership.pk, organisation_pk=organisation.pk),
                ),
            ]
        )
    assert counts[0] == counts[1], counts
