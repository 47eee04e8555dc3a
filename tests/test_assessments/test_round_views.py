"""The leader's pages for assessment rounds: list, start, follow, send, remind, copy a link, close."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.assessments import services
from keel.assessments.models import AssessmentRound, Invitation
from keel.register.models import Person

TODAY = dt.date.today()


def url(workspace, name, **kwargs):
    return reverse(f"assessments:{name}", kwargs={"ws": workspace.slug, **kwargs})


def new_round_data(partnership=None, **values):
    data = {
        "scope": "one",
        "instrument": services.health_check().pk,
        "opens_on": TODAY.strftime("%d/%m/%Y"),
        "closes_on": (TODAY + dt.timedelta(days=21)).isoformat(),
        "title": "",
        "status": "active",
    }
    if partnership is not None:
        data["partnership"] = getattr(partnership, "pk", partnership)
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def token_of(text, kind="respond"):
    return re.search(rf"/{kind}/([\w-]+)/", text)[1]


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# The list ------------------------------------------------------------------------------------


def test_the_list_shows_every_round_newest_first_with_its_counts(editor_client, scope_a, open_round, actor):
    later, _ = services.create_round(
        actor, open_round.partnership, services.health_check(), TODAY + dt.timedelta(days=5), TODAY + dt.timedelta(9)
    )
    invitation = open_round.invitations.first()
    services.submit_response(invitation, {"trust-rely": "4"}, {})
    page = editor_client.get(url(scope_a, "rounds")).content.decode()
    assert page.index(f'rounds/{later.pk}/"') < page.index(f'rounds/{open_round.pk}/"')
    assert "1 / 12" in page and "0 / 12" in page
    assert "Scheduled" in page and "Open" in page
    assert "New assessment round" in page


def test_the_list_filters_by_state(editor_client, scope_a, open_round, actor):
    closed, _ = services.create_round(
        actor, open_round.partnership, services.health_check(), TODAY, TODAY + dt.timedelta(days=3)
    )
    services.close_round(actor, closed)
    for state, shown, hidden in [("closed", closed, open_round), ("open", open_round, closed)]:
        page = editor_client.get(url(scope_a, "rounds") + f"?state={state}").content.decode()
        assert f"rounds/{shown.pk}/" in page and f"rounds/{hidden.pk}/" not in page


def test_a_viewer_sees_the_list_without_the_new_round_button(client, scope_a, viewer, open_round):
    client.force_login(viewer)
    page = client.get(url(scope_a, "rounds")).content.decode()
    assert f"rounds/{open_round.pk}/" in page and "New assessment round" not in page


# Starting rounds -------------------------------------------------------------------------------


def test_the_new_round_page_preselects_a_partnership_and_ticks_all_its_people(
    editor_client, scope_a, partnership_with_people
):
    person = Person.objects.filter(organisation__memberships__partnership=partnership_with_people).first()
    person.email = ""
    person.save()
    page = editor_client.get(url(scope_a, "round_new") + f"?partnership={partnership_with_people.pk}")
    html = page.content.decode()
    assert f'<option value="{partnership_with_people.pk}" selected>' in html
    assert f'name="invitees_for" value="{partnership_with_people.pk}"' in html
    assert html.count('name="invitees"') == 12 and html.count("checked") >= 13  # 12 people and "send now"
    assert "no e-mail address" in html
    assert "Keel partnership health check" in html or services.health_check().title in html


def test_a_round_for_one_partnership_invites_only_the_people_ticked(editor_client, scope_a, partnership_with_people):
    people = services.default_invitees(partnership_with_people)[:4]
    data = new_round_data(
        partnership_with_people,
        invitees_for=partnership_with_people.pk,
        title="Spring check",
    )
    response = editor_client.post(url(scope_a, "round_new"), {**data, "invitees": [p.pk for p in people]})
    round_ = AssessmentRound.objects.get()
    assert response.status_code == 302 and response["Location"] == url(scope_a, "round", pk=round_.pk)
    assert {i.person_id for i in round_.invitations.all()} == {p.pk for p in people}
    assert round_.title == "Spring check" and round_.closes_on == TODAY + dt.timedelta(days=21)
    assert not mail.outbox  # "send now" was not ticked
    page = editor_client.get(response["Location"]).content.decode()
    assert "Send invitations (4 not sent yet)" in page


def test_without_the_list_shown_everyone_is_invited(editor_client, scope_a, partnership_with_people):
    response = editor_client.post(url(scope_a, "round_new"), new_round_data(partnership_with_people, send_now="on"))
    assert response.status_code == 302
    assert Invitation.objects.count() == 12 and len(mail.outbox) == 12


def test_a_list_shown_for_another_partnership_is_shown_again(
    editor_client, scope_a, partnership_with_people, make_partnership
):
    other = make_partnership("Another one")
    data = new_round_data(partnership_with_people, invitees_for=other.pk, invitees=[1, 2])
    page = editor_client.post(url(scope_a, "round_new"), data).content.decode()
    assert "another partnership" in page and not AssessmentRound.objects.exists()
    assert page.count('name="invitees"') == 12


def test_many_rounds_in_one_step(editor_client, scope_a, partnership_with_people, make_partnership, actor):
    from keel.register import services as register

    strategic = []
    for name in ("Strategic one", "Strategic two"):
        partnership = make_partnership(name, tier="strategic")
        register.save_person(
            actor,
            {"name": f"Lead of {name}", "email": "a@example.org", "organisation": partnership.organisations.first()},
        )
        strategic.append(partnership)
    make_partnership("Proposed strategic", tier="strategic", status="proposed")
    page = editor_client.get(url(scope_a, "round_new") + "?scope=many").content.decode()
    assert "That is 2 partnerships." in page
    counted = editor_client.get(url(scope_a, "round_new") + "?scope=many&tier=&status=active").content.decode()
    assert "That is 3 partnerships." in counted  # with the operational one of partnership_with_people
    data = new_round_data(scope="many", tier="strategic", status="active", send_now="on")
    response = editor_client.post(url(scope_a, "round_new"), data)
    assert response.status_code == 302 and response["Location"] == url(scope_a, "rounds")
    assert {r.partnership for r in AssessmentRound.objects.all()} == set(strategic)
    assert len(mail.outbox) == 2
    assert "2 assessment rounds started" in editor_client.get(response["Location"]).content.decode()


def test_many_rounds_are_refused_whole_with_the_reason(editor_client, scope_a, make_partnership):
    make_partnership("Nobody here", tier="strategic")
    data = new_round_data(scope="many", tier="strategic", status="active", title="Kept")
    page = editor_client.post(url(scope_a, "round_new"), data).content.decode()
    assert "Nobody to invite to Nobody here" in page and 'value="Kept"' in page
    assert not AssessmentRound.objects.exists()


@pytest.mark.parametrize(
    "opens,closes,message",
    [
        ("31/02/2026", None, "February 2026 has 28 days"),
        ("04/25/2026", None, "puts the month first"),
        ("soon", None, "is not a date"),
        (None, "2000-01-01", "before the opening date"),
    ],
)
def test_a_bad_date_is_refused_on_its_field_and_nothing_is_lost(
    editor_client, scope_a, partnership_with_people, opens, closes, message
):
    people = services.default_invitees(partnership_with_people)
    data = new_round_data(
        partnership_with_people,
        **({"opens_on": opens} if opens else {}),
        **({"closes_on": closes} if closes else {}),
        title="Kept title",
        invitees_for=partnership_with_people.pk,
        invitees=[people[0].pk],
    )
    page = editor_client.post(url(scope_a, "round_new"), data).content.decode()
    assert message in page and 'class="field-error"' in page
    assert 'value="Kept title"' in page
    assert page.count("checked") == 1  # the one invitee ticked stays ticked, the others stay unticked
    assert not AssessmentRound.objects.exists()


def test_a_partnership_can_be_typed_in_a_large_register(
    editor_client, scope_a, partnership_with_people, make_partnership, monkeypatch
):
    from keel.assessments import forms

    monkeypatch.setattr(forms, "SELECT_LIMIT", 1)
    make_partnership("Partnership for frailty")
    make_partnership("Partnership for falls")
    page = editor_client.post(url(scope_a, "round_new"), new_round_data(partnership="for f")).content.decode()
    assert "Several partnerships match" in page and "Partnership for falls" in page
    page = editor_client.post(url(scope_a, "round_new"), new_round_data(partnership="Nothing")).content.decode()
    assert "No partnership called &#x27;Nothing&#x27;" in page
    typed = partnership_with_people.name.upper()
    response = editor_client.post(url(scope_a, "round_new"), new_round_data(partnership=typed))
    assert response.status_code == 302 and AssessmentRound.objects.get().partnership == partnership_with_people


def test_the_open_link_is_shown_once(editor_client, scope_a, partnership_with_people):
    data = new_round_data(partnership_with_people, open_link="on", open_limit="30")
    response = editor_client.post(url(scope_a, "round_new"), data)
    page = editor_client.get(response["Location"]).content.decode()
    token = token_of(page, "open")
    state, round_ = services.find_open_round(token)
    assert state == services.READY and round_.open_limit == 30
    assert "only time it is shown" in page
    assert "/open/" not in editor_client.get(response["Location"]).content.decode()


def test_an_open_link_needs_a_limit(editor_client, scope_a, partnership_with_people):
    page = editor_client.post(url(scope_a, "round_new"), new_round_data(partnership_with_people, open_link="on"))
    assert "Give the open link a limit" in page.content.decode() and not AssessmentRound.objects.exists()


# Following a round --------------------------------------------------------------------------------


def test_invitations_are_sent_and_their_links_work(editor_client, scope_a, open_round):
    response = editor_client.post(url(scope_a, "round_send", pk=open_round.pk), follow=True)
    assert len(mail.outbox) == 12
    assert "Invitations sent to 12 people." in response.content.decode()
    state, invitation = services.find_invitation(token_of(mail.outbox[0].body))
    assert state == services.READY and invitation.round == open_round
    again = editor_client.post(url(scope_a, "round_send", pk=open_round.pk), follow=True)
    assert "No invitations were waiting" in again.content.decode() and len(mail.outbox) == 12


def test_progress_per_organisation_and_reminders_only_to_those_who_have_not_answered(
    editor_client, scope_a, open_round
):
    editor_client.post(url(scope_a, "round_send", pk=open_round.pk))
    answered = open_round.invitations.select_related("person").first()
    services.submit_response(answered, {"trust-rely": "4"}, {})
    progress = editor_client.get(url(scope_a, "round_progress", pk=open_round.pk)).content.decode()
    assert "1 of 12" in progress and "(8%)" in progress and "25%" in progress
    assert 'hx-trigger="every 10s"' in progress
    mail.outbox.clear()
    page = editor_client.post(url(scope_a, "round_remind", pk=open_round.pk), follow=True).content.decode()
    assert len(mail.outbox) == 11 and answered.person.email not in {m.to[0] for m in mail.outbox}
    assert "Reminders sent to 11 people" in page


def test_copy_link_gives_a_new_working_link(editor_client, scope_a, open_round):
    invitation = open_round.invitations.select_related("person").first()
    link_url = url(scope_a, "round_invitation_link", pk=open_round.pk, invitation_pk=invitation.pk)
    partial = editor_client.post(link_url, HTTP_HX_REQUEST="true").content.decode()
    assert "keep working" in partial and "data-copy" in partial and "<html" not in partial
    first = token_of(partial)
    assert services.find_invitation(first) == (services.READY, invitation)
    # Without JavaScript the round's page shows the link, once.
    response = editor_client.post(link_url)
    page = editor_client.get(response["Location"]).content.decode()
    second = token_of(page)
    assert second != first and services.find_invitation(second)[1] == invitation
    assert services.find_invitation(first)[0] == services.READY  # the earlier link keeps working
    assert "/respond/" not in editor_client.get(response["Location"]).content.decode()


def test_no_new_link_is_given_for_answers_already_sent(editor_client, scope_a, open_round):
    invitation = open_round.invitations.select_related("person").first()
    services.submit_response(invitation, {"trust-rely": "4"}, {})
    link_url = url(scope_a, "round_invitation_link", pk=open_round.pk, invitation_pk=invitation.pk)
    partial = editor_client.post(link_url, HTTP_HX_REQUEST="true").content.decode()
    assert "already answered" in partial and "/respond/" not in partial
    assert invitation.links.count() == 0
    opened = Invitation.objects.create(round=open_round, via_open_link=True)
    assert (
        editor_client.post(url(scope_a, "round_invitation_link", pk=open_round.pk, invitation_pk=opened.pk)).status_code
        == 404
    )


def test_without_javascript_the_list_of_invitees_is_shown_on_request(editor_client, scope_a, partnership_with_people):
    data = new_round_data(partnership_with_people, show="1", title="Typed", send_now=None)
    page = editor_client.post(url(scope_a, "round_new"), data).content.decode()
    assert page.count('name="invitees"') == 12 and 'value="Typed"' in page
    assert 'id="id_send_now" checked' not in page and "field-error" not in page
    assert not AssessmentRound.objects.exists()


def test_close_the_round_now(editor_client, scope_a, open_round):
    page = editor_client.post(url(scope_a, "round_close", pk=open_round.pk), follow=True).content.decode()
    open_round.refresh_from_db()
    assert open_round.state == "closed" and "The round is closed" in page
    assert 'hx-trigger="every 10s"' not in page  # no more polling
    again = editor_client.post(url(scope_a, "round_close", pk=open_round.pk), follow=True).content.decode()
    assert "already closed" in again
    invitation = open_round.invitations.first()
    partial = editor_client.post(
        url(scope_a, "round_invitation_link", pk=open_round.pk, invitation_pk=invitation.pk), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "This round is closed" in partial and "/respond/" not in partial


def test_the_closing_date_can_be_moved_while_the_round_is_not_closed(editor_client, scope_a, open_round):
    from keel.core.models import ChangeRecord

    later = open_round.closes_on + dt.timedelta(days=7)
    page = editor_client.post(
        url(scope_a, "round_closing_date", pk=open_round.pk), {"closes_on": later.strftime("%d/%m/%Y")}, follow=True
    ).content.decode()
    open_round.refresh_from_db()
    assert open_round.closes_on == later and f"now closes on {later.day} " in page
    change = ChangeRecord.objects.get(action="round.closing_date_changed")
    assert change.changes == {"closes_on": [(later - dt.timedelta(days=7)).isoformat(), later.isoformat()]}

    for typed, reason in [
        ("31/02/2027", "not changed"),
        ((open_round.opens_on - dt.timedelta(days=1)).isoformat(), "choose a closing date on or after it"),
        ("", "not changed"),
    ]:
        page = editor_client.post(
            url(scope_a, "round_closing_date", pk=open_round.pk), {"closes_on": typed}, follow=True
        ).content.decode()
        assert reason in page, typed
    open_round.refresh_from_db()
    assert open_round.closes_on == later

    editor_client.post(url(scope_a, "round_close", pk=open_round.pk))
    page = editor_client.post(
        url(scope_a, "round_closing_date", pk=open_round.pk), {"closes_on": later.isoformat()}, follow=True
    ).content.decode()
    assert "results are final" in page


def test_a_viewer_reads_but_cannot_write(client, scope_a, viewer, open_round):
    client.force_login(viewer)
    page = client.get(url(scope_a, "round", pk=open_round.pk)).content.decode()
    assert "Person 0" in page and "Copy link" not in page and "Send invitations" not in page
    invitation = open_round.invitations.first()
    for name, kwargs in [
        ("round_send", {"pk": open_round.pk}),
        ("round_remind", {"pk": open_round.pk}),
        ("round_close", {"pk": open_round.pk}),
        ("round_closing_date", {"pk": open_round.pk}),
        ("round_invitation_link", {"pk": open_round.pk, "invitation_pk": invitation.pk}),
        ("round_new", {}),
    ]:
        assert client.post(url(scope_a, name, **kwargs), new_round_data()).status_code == 403, name
    assert client.get(url(scope_a, "round_new")).status_code == 403
    assert not mail.outbox and AssessmentRound.objects.count() == 1


# Query counts --------------------------------------------------------------------------------------


def _round_with(partnership, invitees, actor):
    organisation = partnership.organisations.first()
    people = Person.objects.bulk_create(
        Person(name=f"Invitee {i}", name_key=f"invitee {i}", email=f"i{i}@example.org", organisation=organisation)
        for i in range(invitees)
    )
    round_, _ = services.create_round(
        actor, partnership, services.health_check(), TODAY, TODAY + dt.timedelta(days=9), invitees=people
    )
    services.send_invitations(actor, round_, "http://keel.test")
    for invitation in round_.invitations.all()[:2]:
        services.submit_response(invitation, {"trust-rely": "3"}, {})
    return round_


def count_queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_the_round_pages_hold_their_query_count_from_5_to_60_invitees(editor_client, scope_a, make_partnership, actor):
    small = _round_with(make_partnership("Small"), 5, actor)
    large = _round_with(make_partnership("Large"), 60, actor)
    editor_client.get(url(scope_a, "rounds"))  # the first visit stores the workspace in the session
    for name in ("round", "round_progress"):
        counts = [count_queries(editor_client, url(scope_a, name, pk=r.pk)) for r in (small, large)]
        assert counts[0] == counts[1], f"{name}: {counts}"
        assert counts[0] <= 12, f"{name}: {counts}"


def test_the_list_holds_its_query_count_from_3_to_30_rounds(client, scope_a, editor, make_partnership, actor):
    from keel.core.models import Workspace
    from keel.core.services import set_membership
    from keel.core.tenancy import workspace_scope
    from keel.register import services as register

    counts = []
    for size in (3, 30):
        workspace = Workspace.objects.create(name=f"Size {size}", slug=f"size-{size}")
        set_membership(actor, workspace, editor, "editor")
        with workspace_scope(workspace):
            organisation = register.save_organisation(actor, {"name": "Org"})
            person = register.save_person(actor, {"name": "P", "email": "p@example.org", "organisation": organisation})
            instrument = services.health_check()
            for i in range(size):
                partnership = register.save_partnership(actor, {"name": f"P{i}"}, organisations=[organisation])
                services.create_round(
                    actor, partnership, instrument, TODAY, TODAY + dt.timedelta(days=3), invitees=[person]
                )
        client.force_login(editor)
        client.get(url(workspace, "rounds"))  # the first visit stores the workspace in the session
        counts.append(count_queries(client, url(workspace, "rounds")))
    assert counts[0] == counts[1] and counts[0] <= 10, counts
