"""The actions pages: my actions and everyone's, a new action (from a meeting too), an action, Mark done."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keel.actions.models import Action, Source
from keel.actions.services import create_action
from keel.activity import services as activity
from keel.common.text import add_months
from keel.core.models import ChangeRecord
from keel.register import services as register

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def url(workspace, name, **kwargs):
    return reverse(f"actions:{name}", kwargs={"ws": workspace.slug, **kwargs})


@pytest.fixture
def team(scope_a, actor, make_partnership):
    """A partnership; Eddie (the editor's e-mail, in capitals) and Priya in the register; actions of each."""
    partnership = make_partnership("Frailty alliance")
    other = make_partnership("Carers network")
    organisation = partnership.members.first().organisation
    eddie = register.save_person(
        actor, {"name": "Eddie Editor", "email": "EDDIE@Example.org", "organisation": organisation}
    )
    priya = register.save_person(
        actor, {"name": "Priya Shah", "email": "priya@example.org", "organisation": organisation}
    )

    def make(title, **values):
        return create_action(actor, {"title": title, "partnership": partnership, "owner": eddie, **values})

    actions = {
        "soon": make("Book the room", due=days(3)),
        "late": make("Send the minutes", due=days(-10)),
        "later": make("Plan the review", due=days(30), status="in_progress"),
        "older_late": make("Call Age UK", due=days(-20)),
        "done": make("Old and done", due=days(-40), status="done"),
        "dropped": make("Given up", due=days(-5), status="dropped"),
        "elsewhere": make("Another partnership's", due=days(1), partnership=other),
        "priyas": make("Priya's", due=days(2), owner=priya),
    }
    return {"partnership": partnership, "other": other, "eddie": eddie, "priya": priya, **actions}


def listed(client, workspace, query=""):
    html = client.get(url(workspace, "actions") + query).content.decode()
    titles = [
        title
        for title in (
            "Call Age UK",
            "Send the minutes",
            "Another partnership",
            "Priya",
            "Book the room",
            "Plan the review",
            "Old and done",
            "Given up",
        )
        if title in html
    ]
    return html, sorted(titles, key=html.index)


def test_my_actions_are_those_of_people_with_my_email_overdue_first(client, editor, team, scope_a):
    client.force_login(editor)
    html, titles = listed(client, scope_a)
    assert titles == ["Call Age UK", "Send the minutes", "Another partnership", "Book the room", "Plan the review"]
    assert "overdue by 20 days" in html and "overdue by 10 days" in html
    assert "Keel finds your actions through your e-mail address" in html
    assert "That is Eddie Editor" in html


def test_everyones_actions_and_the_status_filter(client, viewer, team, scope_a):
    client.force_login(viewer)
    _, titles = listed(client, scope_a, "?who=everyone")
    assert titles == [
        "Call Age UK",
        "Send the minutes",
        "Another partnership",
        "Priya",
        "Book the room",
        "Plan the review",
    ]
    assert listed(client, scope_a, "?who=everyone&status=done")[1] == ["Old and done"]
    assert listed(client, scope_a, "?who=everyone&status=dropped")[1] == ["Given up"]
    _, titles = listed(client, scope_a, "?who=everyone&status=all")
    # A dropped or done action is never overdue: it comes after the open overdue ones, by due date.
    assert titles[:2] == ["Call Age UK", "Send the minutes"]
    assert titles[2:] == [
        "Old and done",
        "Given up",
        "Another partnership",
        "Priya",
        "Book the room",
        "Plan the review",
    ]


def test_the_partnership_filter(client, viewer, team, scope_a):
    client.force_login(viewer)
    html, titles = listed(client, scope_a, f"?who=everyone&partnership={team['other'].pk}")
    assert titles == ["Another partnership"]
    assert f'<option value="{team["other"].pk}" selected>Carers network</option>' in html
    assert f'<option value="{team["partnership"].pk}">Frailty alliance</option>' in html


def test_no_person_with_my_email_says_how_to_fix_it(client, viewer, team, scope_a):
    client.force_login(viewer)
    html, titles = listed(client, scope_a)
    assert titles == []
    assert "No one in the register has the e-mail vera@example.org" in html
    assert "Add yourself under People with this e-mail" in html


def test_an_account_without_email_is_told_so(client, viewer, team, scope_a):
    viewer.email = ""
    viewer.save()
    client.force_login(viewer)
    html, _ = listed(client, scope_a)
    assert "Your account has no e-mail address" in html


def test_actions_are_paged(client, viewer, team, scope_a):
    Action.objects.bulk_create(Action(title=f"Bulk {i}", due=days(50 + i)) for i in range(30))
    client.force_login(viewer)
    first = client.get(url(scope_a, "actions") + "?who=everyone").content.decode()
    assert "36 actions" in first and "Page 1 of 2" in first and "Bulk 0<" in first and "Bulk 29" not in first
    second = client.get(url(scope_a, "actions") + "?who=everyone&page=2").content.decode()
    assert "Bulk 29" in second


def test_mark_done_from_the_list_goes_back_to_it(client, editor, team, scope_a):
    client.force_login(editor)
    back = url(scope_a, "actions") + "?status=all"
    response = client.post(url(scope_a, "action_status", pk=team["late"].pk), {"status": "done", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    team["late"].refresh_from_db()
    assert team["late"].status == "done" and team["late"].done_at == TODAY
    change = ChangeRecord.objects.get(action="action.changed", object_id=team["late"].pk)
    assert change.changes["status"] == ["Open", "Done"]


def test_mark_done_never_sends_people_off_site(client, editor, team, scope_a):
    client.force_login(editor)
    response = client.post(url(scope_a, "action_status", pk=team["late"].pk), {"next": "https://evil.example.org/"})
    assert response["Location"] == url(scope_a, "action", pk=team["late"].pk)


def test_an_unknown_status_is_refused_and_a_viewer_cannot_mark_done(client, editor, viewer, team, scope_a):
    client.force_login(editor)
    assert client.post(url(scope_a, "action_status", pk=team["late"].pk), {"status": "binned"}).status_code == 404
    client.force_login(viewer)
    assert client.post(url(scope_a, "action_status", pk=team["late"].pk)).status_code == 403
    team["late"].refresh_from_db()
    assert team["late"].status == "open"


def test_a_new_action_is_prefilled_from_the_partnership(client, editor, team, scope_a, actor):
    register.save_partnership(actor, {"lead": team["priya"]}, partnership=team["partnership"])
    client.force_login(editor)
    html = client.get(url(scope_a, "action_new") + f"?partnership={team['partnership'].pk}").content.decode()
    assert f'<option value="{team["partnership"].pk}" selected>Frailty alliance</option>' in html
    assert 'value="Priya Shah (' in html  # the owner: the partnership's lead
    assert f'name="due" value="{add_months(TODAY, 1).isoformat()}"' in html


def test_an_editor_adds_an_action(client, editor, team, scope_a):
    client.force_login(editor)
    data = {
        "title": "  Agree the   data sharing  ",
        "partnership": team["partnership"].pk,
        "owner": "priya@example.org",
        "due": days(14).isoformat(),
        "steps": "Draft it\n\nSend it round\n",
        "notes": "",
    }
    response = client.post(url(scope_a, "action_new"), data)
    action = Action.objects.get(title="Agree the data sharing")
    assert response["Location"] == url(scope_a, "action", pk=action.pk)
    assert (action.owner, action.partnership, action.source) == (team["priya"], team["partnership"], Source.MANUAL)
    assert action.step_list == ["Draft it", "Send it round"]
    assert ChangeRecord.objects.filter(action="action.created", object_id=action.pk).exists()


def test_a_new_action_needs_a_title_an_owner_and_a_due_date(client, editor, team, scope_a):
    client.force_login(editor)
    response = client.post(url(scope_a, "action_new"), {"title": "", "owner": "Nobody Known", "due": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No one called &#x27;Nobody Known&#x27; is in the register" in html
    assert html.count('class="field-error"') == 3
    assert not Action.objects.filter(title="").exists()


def test_an_action_from_a_meeting_keeps_its_source(client, editor, team, scope_a, actor):
    partnership = team["partnership"]
    meeting = activity.save_meeting(actor, partnership, {"date": days(-1)}, {})
    client.force_login(editor)
    query = f"?partnership={partnership.pk}&source=meeting&source_id={meeting.pk}"
    html = client.get(url(scope_a, "action_new") + query).content.decode()
    assert "From the meeting:" in html and f'name="source_id" value="{meeting.pk}"' in html
    data = {
        "title": "Write up",
        "partnership": partnership.pk,
        "owner": "priya@example.org",
        "due": days(7).isoformat(),
    }
    client.post(url(scope_a, "action_new"), {**data, "source": "meeting", "source_id": meeting.pk})
    action = Action.objects.get(title="Write up")
    assert (action.source, action.source_id) == (Source.MEETING, meeting.pk)
    detail = client.get(url(scope_a, "action", pk=action.pk)).content.decode()
    assert f'href="/w/{scope_a.slug}/meetings/{meeting.pk}/">A meeting: {meeting}</a>' in detail


def test_a_meeting_of_another_partnership_is_refused(client, editor, team, scope_a, actor):
    meeting = activity.save_meeting(actor, team["other"], {"date": days(-1)}, {})
    client.force_login(editor)
    query = f"?partnership={team['partnership'].pk}&source=meeting&source_id={meeting.pk}"
    html = client.get(url(scope_a, "action_new") + query).content.decode()
    assert "belongs to another partnership" in html and "added without a meeting" in html
    assert 'name="source_id" value' not in html
    data = {"title": "Sneaky", "partnership": team["partnership"].pk, "owner": "priya@example.org"}
    data.update(due=days(7).isoformat(), source="meeting", source_id=meeting.pk)
    response = client.post(url(scope_a, "action_new"), data)
    assert "belongs to another partnership" in response.content.decode()
    missing = {**data, "source_id": 999999}
    assert "is not in this workspace" in client.post(url(scope_a, "action_new"), missing).content.decode()
    assert not Action.objects.filter(title="Sneaky").exists()


def test_a_viewer_cannot_add_actions(client, viewer, team, scope_a):
    client.force_login(viewer)
    assert client.get(url(scope_a, "action_new")).status_code == 403


def test_the_action_of_a_low_rating_says_where_it_came_from_and_its_steps(client, editor, team, scope_a, actor):
    partnership = team["partnership"]
    organisation = partnership.members.last().organisation
    rating = activity.rate(actor, partnership, organisation, 2)
    action = Action.objects.get(source=Source.RATING)
    client.force_login(editor)
    html = client.get(url(scope_a, "action", pk=action.pk)).content.decode()
    rate = reverse(
        "activity:partnership_rate",
        kwargs={"ws": scope_a.slug, "pk": partnership.pk, "organisation_pk": organisation.pk},
    )
    assert f'<a href="{rate}">A relationship rating: {organisation} rated 2 on {rating.date:%d/%m/%Y}</a>' in html
    assert "<li>Start a regular dialogue</li>" in html and "<li>Ask how they measure success</li>" in html
    assert "No owner: choose one below" in html  # the partnership has no lead
    assert "Save changes" in html and "Mark done" in html


def test_an_editor_changes_an_action(client, editor, team, scope_a):
    action = team["soon"]
    client.force_login(editor)
    data = {
        "title": "Book a bigger room",
        "owner": "priya@example.org",
        "due": days(5).isoformat(),
        "status": "in_progress",
        "steps": "Ask facilities",
        "notes": "Forty people",
    }
    response = client.post(url(scope_a, "action", pk=action.pk), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.owner, action.status, action.due) == (
        "Book a bigger room",
        team["priya"],
        "in_progress",
        days(5),
    )
    change = ChangeRecord.objects.get(action="action.changed", object_id=action.pk)
    assert set(change.changes) == {"title", "owner", "due", "status", "steps", "notes"}
    html = client.get(url(scope_a, "action", pk=action.pk)).content.decode()
    assert "Change history" in html and "In progress" in html


def test_a_viewer_reads_an_action_without_its_form(client, viewer, team, scope_a):
    client.force_login(viewer)
    html = client.get(url(scope_a, "action", pk=team["late"].pk)).content.decode()
    assert "Send the minutes" in html and "overdue by 10 days" in html and "Added by hand" in html
    assert "Save changes" not in html and "Mark done" not in html
    assert client.post(url(scope_a, "action", pk=team["late"].pk), {"title": "x"}).status_code == 403


def test_a_refused_change_keeps_the_saved_action_above_the_form(client, editor, team, scope_a):
    client.force_login(editor)
    data = {"title": "", "owner": "priya@example.org", "due": days(5).isoformat(), "status": "open"}
    html = client.post(url(scope_a, "action", pk=team["soon"].pk), data).content.decode()
    assert "<h1>Book the room</h1>" in html and 'class="field-error"' in html
    team["soon"].refresh_from_db()
    assert team["soon"].title == "Book the room"


def test_a_viewer_sees_where_a_rating_action_came_from_without_the_rating_form(client, viewer, team, scope_a, actor):
    partnership = team["partnership"]
    activity.rate(actor, partnership, partnership.members.last().organisation, 1)
    client.force_login(viewer)
    html = client.get(url(scope_a, "action", pk=Action.objects.get(source=Source.RATING).pk)).content.decode()
    assert "A relationship rating:" in html and "/rate/" not in html
