import datetime as dt

import pytest
from django.core import mail

from keel.assessments import services
from keel.assessments.models import InvitationLink, Response
from keel.core.services import ServiceError


def test_a_new_workspace_has_the_health_check(scope_a):
    instrument = services.health_check()
    spec = instrument.spec
    assert len(spec.dimensions) == 10
    assert all(len(spec.items_of(d.key)) >= 2 for d in spec.dimensions)
    assert any(item.reverse for item in spec.items)
    assert [p.key for p in spec.prompts] == ["works", "does-not-work", "would-help"]


def test_invitations_are_sent_with_private_links_stored_as_hashes(open_round, actor):
    sent, without_email = services.send_invitations(actor, open_round, "http://keel.test")
    assert (sent, without_email) == (12, 0)
    assert len(mail.outbox) == 12
    body = mail.outbox[0].body
    token = body.split("/respond/")[1].split("/")[0]
    assert len(token) >= 40
    assert not InvitationLink.objects.filter(token_hash=token).exists()
    state, invitation = services.find_invitation(token)
    assert state == services.READY and invitation.person.email == mail.outbox[0].to[0]


def test_a_sent_response_counts_and_reminders_skip_it(open_round, actor):
    services.send_invitations(actor, open_round, "http://keel.test")
    invitation = open_round.invitations.first()
    services.save_draft(invitation, {"trust-rely": "4"}, {"works": "  Good meetings "})
    assert Response.objects.get().submitted_at is None
    services.submit_response(invitation, {"trust-rely": "4", "trust-guarded": "2"}, {"works": "Good meetings"})
    open_round.refresh_from_db()
    assert open_round.response_count == 1
    mail.outbox.clear()
    assert services.send_reminders(actor, open_round, "http://keel.test") == 11
    assert invitation.person.email not in [m.to[0] for m in mail.outbox]


def test_a_bad_answer_is_refused_with_the_item_named(open_round):
    invitation = open_round.invitations.first()
    with pytest.raises(ServiceError, match="trust-rely"):
        services.submit_response(invitation, {"trust-rely": "7"}, {})
    with pytest.raises(ServiceError, match="not a statement"):
        services.save_draft(invitation, {"nonsense": "3"}, {})


def test_closing_dates_are_checked(partnership_with_people, actor):
    today = dt.date.today()
    with pytest.raises(ServiceError, match="before the opening date"):
        services.create_round(
            actor, partnership_with_people, services.health_check(), today, today - dt.timedelta(days=1)
        )


def _answer_all(round_, value):
    spec = round_.instrument.spec
    return {item.key: value for item in spec.items}


def test_an_open_link_stops_at_its_limit(open_link, partnership_with_people):
    round_, token = open_link
    organisation = partnership_with_people.members.first().organisation_id
    for _ in range(2):
        state, found = services.find_open_round(token)
        assert state == services.READY and found == round_
        services.start_open_response(round_, _answer_all(round_, 4), {}, organisation_id=organisation, send=True)
    assert services.find_open_round(token)[0] == services.USED_UP
    assert services.find_open_round("not-a-token")[0] == services.UNKNOWN


def test_every_link_issued_keeps_working(open_round, actor):
    invitation = open_round.invitations.first()
    first, second = services.issue_link(actor, invitation), services.issue_link(actor, invitation)
    assert first != second
    assert services.find_invitation(first)[1] == services.find_invitation(second)[1] == invitation


def test_a_closed_round_takes_no_answers_and_its_links_say_closed(open_round, actor):
    invitation = open_round.invitations.first()
    token = services.issue_link(actor, invitation)
    services.close_round(actor, open_round)
    assert services.find_invitation(token)[0] == services.CLOSED
    with pytest.raises(ServiceError, match="closed"):
        services.submit_response(invitation, {"trust-rely": "4"}, {})


def test_many_rounds_in_one_step_are_all_made_or_none(make_partnership, partnership_with_people, actor):
    from keel.assessments.models import AssessmentRound

    empty = make_partnership("Nobody here")  # its organisations have no people
    today = dt.date.today()
    with pytest.raises(ServiceError, match="Nobody to invite"):
        services.create_rounds(
            actor, [partnership_with_people, empty], services.health_check(), today, today + dt.timedelta(days=3)
        )
    assert not AssessmentRound.objects.exists()


def test_raising_the_anonymity_threshold_rescores_kept_summaries(open_round, actor, workspace_a):
    from keel.core.services import update_settings

    for invitation in open_round.invitations.all()[:4]:
        services.submit_response(invitation, _answer_all(open_round, 4), {})
    open_round.refresh_from_db()
    assert open_round.summary["threshold"] == 3 and open_round.summary["overall"] is not None
    changed = update_settings(actor, workspace_a, {"anonymity_threshold": 5})
    assert changed == ["anonymity_threshold"]
    open_round.refresh_from_db()
    assert open_round.summary["threshold"] == 5 and open_round.summary["overall"] is None


def test_reminders_are_refused_outside_the_window(open_round, actor):
    services.close_round(actor, open_round)
    with pytest.raises(ServiceError, match="only while the round is open"):
        services.send_reminders(actor, open_round, "http://keel.test")
