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
