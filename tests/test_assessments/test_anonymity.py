"""Anonymity against the people who run a round (issue "Harden", items 1 and 2).

Each test here failed before the fix: a leader who copied an invitee's link read the invitee's
later draft and sent answers through it, and could overwrite them unmarked; and every view of
an open link made an invitation record.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from keel.assessments import services
from keel.assessments.models import Invitation, Response
from keel.core.changelog import SYSTEM
from keel.core.models import ChangeRecord
from keel.core.tenancy import workspace_scope

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
SECRET = "The chair never reads the papers"


def anonymous(call, *args, **kwargs):
    with workspace_scope(None):
        return call(*args, **kwargs)


def all_answers(round_, value="4"):
    return {f"answer-{item.key}": value for item in round_.instrument.spec.items}


def checked(html):
    return re.findall(r'value="(?:[1-5]|na)" checked', html)


@pytest.fixture
def handed_over(client, editor, open_round):
    """An invitee's own link (as e-mailed), and the link an editor copied for them: (own, copied, invitation)."""
    invitation = open_round.invitations.select_related("person").first()
    with workspace_scope(open_round.workspace):
        own = services.issue_link(SYSTEM, invitation)
    leader = Client()
    leader.force_login(editor)
    copy_url = reverse(
        "assessments:round_invitation_link",
        kwargs={"ws": open_round.workspace.slug, "pk": open_round.pk, "invitation_pk": invitation.pk},
    )
    with workspace_scope(open_round.workspace):
        partial = leader.post(copy_url, HTTP_HX_REQUEST="true").content.decode()
    copied = re.search(r"/respond/([\w-]+)/", partial)[1]
    return own, copied, invitation


def test_a_copied_link_never_shows_the_invitees_draft_or_sent_answers(client, handed_over, open_round):
    own, copied, invitation = handed_over
    invitee, leader = Client(), Client()
    form = {**all_answers(open_round, "2"), "comment-works": SECRET}
    anonymous(invitee.post, reverse("respond_save", args=[own]), form, headers={"HX-Request": "true"})
    # The invitee's draft: their own browser sees it; the leader's copied link does not.
    assert SECRET in anonymous(invitee.get, reverse("respond", args=[own])).content.decode()
    page = anonymous(leader.get, reverse("respond", args=[copied])).content.decode()
    assert SECRET not in page and not checked(page)

    assert anonymous(invitee.post, reverse("respond", args=[own]), form).status_code == 303
    for who, token in ((leader, copied), (invitee, own)):  # sent answers are shown back to nobody
        for query in ("", "?change=1", "?sent=1"):
            page = anonymous(who.get, reverse("respond", args=[token]) + query).content.decode()
            assert SECRET not in page and not checked(page), (token, query)


def test_a_draft_is_readable_only_from_the_browser_that_saved_it(open_round, actor):
    invitation = open_round.invitations.first()
    token = services.issue_link(actor, invitation)
    first, second = Client(), Client()
    save, page = reverse("respond_save", args=[token]), reverse("respond", args=[token])
    saved = anonymous(first.post, save, {"answer-trust-rely": "5", "comment-works": SECRET})
    cookie = saved.cookies[next(name for name in saved.cookies if name.startswith("keel-draft-"))]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == page
    assert token not in cookie.value and token not in cookie.key
    assert SECRET in anonymous(first.get, page).content.decode()
    assert SECRET not in anonymous(second.get, page).content.decode()
    # A save from another browser starts a new draft, which replaces the old one (never merges it).
    anonymous(second.post, save, {"answer-trust-guarded": "1"})
    response = Response.objects.get(invitation=invitation)
    assert response.draft_answers == {"trust-guarded": 1} and response.draft_comments == {}
    assert SECRET not in anonymous(first.get, page).content.decode()


def test_changing_sent_answers_starts_blank_and_replaces_the_whole_response(client, open_round, actor):
    invitation = open_round.invitations.first()
    token = services.issue_link(actor, invitation)
    sent = anonymous(
        client.post, reverse("respond", args=[token]), {**all_answers(open_round), "comment-works": SECRET}
    )
    assert sent.status_code == 303
    again = anonymous(client.get, reverse("respond", args=[token])).content.decode()
    assert "Your answers are sent" in again and "Change my answers" in again and SECRET not in again
    change = anonymous(client.get, reverse("respond", args=[token]) + "?change=1").content.decode()
    assert "Replace my answers" in change and not checked(change) and SECRET not in change
    assert anonymous(client.post, reverse("respond", args=[token]), {"answer-trust-rely": "1"}).status_code == 303
    response = Response.objects.get(invitation=invitation)
    assert response.answers == {"trust-rely": 1} and response.comments == {}
    assert response.draft_answers == {} and response.draft_browser == ""


def test_answers_sent_through_a_copied_link_are_marked_and_the_link_says_it_was_handed_over(
    handed_over, open_round, scope_a
):
    own, copied, invitation = handed_over
    handover = ChangeRecord.objects.get(action="invitation.link_handed_over")
    assert invitation.person.name in handover.note
    leader = Client()
    page = anonymous(leader.get, reverse("respond", args=[copied])).content.decode()
    assert "This link was handed to you by someone who runs the survey" in page
    own_page = anonymous(Client().get, reverse("respond", args=[own])).content.decode()
    assert "handed to you" not in own_page

    assert anonymous(leader.post, reverse("respond", args=[copied]), all_answers(open_round, "5")).status_code == 303
    response = Response.objects.get(invitation=invitation)
    assert response.entered_via_handover
    entered = ChangeRecord.objects.get(action="response.entered_via_handover")
    assert "5" not in entered.note and not entered.changes  # never what was answered
    # The invitee replaces it through their own link: the response is theirs again, whole.
    assert anonymous(Client().post, reverse("respond", args=[own]), {"answer-trust-rely": "2"}).status_code == 303
    response.refresh_from_db()
    assert not response.entered_via_handover and response.answers == {"trust-rely": 2}


def test_opening_an_open_link_makes_no_record_and_records_are_capped(client, make_partnership, actor):
    import datetime as dt

    partnership = make_partnership(n=2)
    today = dt.date.today()
    round_, token = services.create_round(
        actor, partnership, services.health_check(), today, today + dt.timedelta(days=7), invitees=[], open_limit=5
    )
    organisation = str(partnership.members.first().organisation_id)
    for _ in range(200):
        assert anonymous(client.get, reverse("open_link", args=[token]), headers={"User-Agent": BROWSER}).status_code
    assert not Invitation.objects.filter(via_open_link=True).exists()

    cap = services.open_record_cap(round_.open_limit)
    assert cap == 10  # a margin of 10%, at least 5
    draft = reverse("open_link", args=[token]) + "?draft=1"
    for _ in range(cap):
        saved = anonymous(Client().post, draft, {"answer-trust-rely": "3", "organisation": organisation})
        assert saved.status_code == 303 and saved["Location"].startswith("/respond/")
    assert Invitation.objects.filter(via_open_link=True).count() == cap
    refused = anonymous(Client().post, draft, {"answer-trust-rely": "3"})
    assert refused.status_code in (400, 410) and "full" in refused.content.decode()
    full = anonymous(client.get, reverse("open_link", args=[token]), headers={"User-Agent": BROWSER})
    assert full.status_code == 410 and "full" in full.content.decode()
    assert Invitation.objects.filter(via_open_link=True).count() == cap


def test_leaders_see_how_many_answers_came_through_a_handed_over_link(client, viewer, handed_over, open_round):
    own, copied, invitation = handed_over
    assert anonymous(Client().post, reverse("respond", args=[copied]), all_answers(open_round, "3")).status_code == 303
    client.force_login(viewer)
    url = reverse("assessments:round_results", kwargs={"ws": open_round.workspace.slug, "pk": open_round.pk})
    with workspace_scope(open_round.workspace):
        html = client.get(url).content.decode()
    assert "1 of these answers was sent through a link handed to someone who runs the survey" in html
