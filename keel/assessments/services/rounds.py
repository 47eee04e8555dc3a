"""Writes for assessment rounds: start them, move their closing date, close them, send their links.

A round's private links are tokens whose hashes alone are stored; the respondent side
(keel.assessments.services.responses) finds an invitation by hashing the token it is given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from keel.assessments.models import AssessmentRound, Instrument, Invitation, InvitationLink
from keel.core.changelog import SYSTEM, Actor, record
from keel.core.services import ServiceError
from keel.core.tenancy import current_workspace
from keel.register.models import Partnership, Person, Status, Tier

# Tokens ------------------------------------------------------------------------------------


def new_token() -> tuple[str, str]:
    """A long random token (43 characters, 256 bits) and the hash that is stored instead."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    # A plain sha256 is enough: the token has 256 random bits, so there is nothing to guess.
    return hashlib.sha256(token.encode()).hexdigest()


# Rounds --------------------------------------------------------------------------------------


def default_invitees(partnership: Partnership) -> list[Person]:
    """Everyone at the partnership's current member organisations."""
    today = timezone.localdate()
    current = partnership.members.filter(Q(until__isnull=True) | Q(until__gte=today))
    organisations = current.values("organisation")
    return list(
        Person.objects.filter(organisation__in=organisations, archived_at__isnull=True).select_related("organisation")
    )


def _check_window(opens_on: dt.date, closes_on: dt.date) -> None:
    if closes_on < opens_on:
        raise ServiceError("The closing date is before the opening date: choose a closing date on or after it.")
    if closes_on < timezone.localdate():
        raise ServiceError("The closing date has passed: choose a closing date from today on.")


@transaction.atomic
def create_round(
    actor: Actor,
    partnership: Partnership,
    instrument: Instrument,
    opens_on: dt.date,
    closes_on: dt.date,
    invitees: Iterable[Person] | None = None,
    open_limit: int = 0,
    title: str = "",
    check_dates: bool = True,
) -> tuple[AssessmentRound, str | None]:
    """Start a round for one partnership. Returns (round, open-link token or None).

    Invitees default to everyone at the member organisations; an open link is made when
    `open_limit` is above 0. Invitations are made here and sent by `send_invitations`.
    """
    if check_dates:
        _check_window(opens_on, closes_on)
    if partnership.is_archived:
        raise ServiceError(f"{partnership} is archived: restore it before assessing it.")
    people = default_invitees(partnership) if invitees is None else list(invitees)
    if not people and open_limit <= 0:
        raise ServiceError(
            f"Nobody to invite to {partnership}: add people to its member organisations, "
            "or give the round an open link."
        )
    if open_limit < 0:
        raise ServiceError("The answer limit of an open link cannot be negative.")
    token, token_hash = new_token() if open_limit > 0 else (None, "")
    round_ = AssessmentRound.objects.create(
        partnership=partnership,
        instrument=instrument,
        title=" ".join(title.split())[:200],
        opens_on=opens_on,
        closes_on=closes_on,
        open_token_hash=token_hash,
        open_limit=max(0, open_limit),
        created_by=actor.user,
    )
    Invitation.objects.bulk_create(
        [Invitation(round=round_, person=person, organisation_id=person.organisation_id) for person in people]
    )
    record(
        actor,
        "round.created",
        round_,
        {"partnership": [None, str(partnership)], "invitees": [None, len(people)], "open_limit": [None, open_limit]},
    )
    return round_, token


@transaction.atomic
def create_rounds(
    actor: Actor,
    partnerships: Iterable[Partnership],
    instrument: Instrument,
    opens_on: dt.date,
    closes_on: dt.date,
    open_limit: int = 0,
    title: str = "",
) -> list[tuple[AssessmentRound, str | None]]:
    """One round for each partnership, all in one step: all are made, or none."""
    partnerships = list(partnerships)
    if not partnerships:
        raise ServiceError("No partnerships were chosen: choose at least one.")
    return [
        create_round(actor, p, instrument, opens_on, closes_on, open_limit=open_limit, title=title)
        for p in partnerships
    ]


@transaction.atomic
def close_round(actor: Actor, round_: AssessmentRound) -> None:
    """Close a round before its closing date; links stop working, answers already sent are kept."""
    if round_.state == "closed":
        raise ServiceError("This round is already closed.")
    round_.closed_early_at = timezone.now()
    round_.save(update_fields=["closed_early_at"])
    record(actor, "round.closed", round_)


@transaction.atomic
def change_closing_date(actor: Actor, round_: AssessmentRound, closes_on: dt.date) -> None:
    """Move the closing date of a round not yet closed: more time to answer, or less."""
    if round_.state == "closed":
        raise ServiceError("This round is closed, so its results are final: start a new round to ask again.")
    if closes_on < round_.opens_on:
        opens = f"{round_.opens_on.day} {round_.opens_on:%B %Y}"
        raise ServiceError(f"The round opens on {opens}: choose a closing date on or after it.")
    if closes_on < timezone.localdate():
        raise ServiceError("That date has passed: choose today or a later date, or close the round now.")
    before = round_.closes_on
    if closes_on == before:
        return
    round_.closes_on = closes_on
    round_.save(update_fields=["closes_on"])
    record(actor, "round.closing_date_changed", round_, {"closes_on": [before.isoformat(), closes_on.isoformat()]})


@transaction.atomic
def issue_link(actor: Actor, invitation: Invitation) -> str:
    """A new private link for an invitation (to copy, or to e-mail); earlier links keep working."""
    token, token_hash = new_token()
    InvitationLink.objects.create(invitation=invitation, token_hash=token_hash)
    if actor is not SYSTEM:
        record(actor, "invitation.link_issued", invitation.round, note=f"for {invitation.person or 'a respondent'}")
    return token


@transaction.atomic
def hand_over_link(actor: Actor, invitation: Invitation) -> str:
    """A new private link shown to someone who runs the round ("copy link"), to pass on to the invitee.

    The link is marked as handed over: its page tells whoever opens it that someone who runs the
    survey had it, and answers sent through it are marked as possibly entered by that person.
    """
    token, token_hash = new_token()
    InvitationLink.objects.create(invitation=invitation, token_hash=token_hash, handed_over_at=timezone.now())
    record(actor, "invitation.link_handed_over", invitation.round, note=f"for {invitation.person or 'a respondent'}")
    return token


def respond_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/respond/{token}/"


def open_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/open/{token}/"


def _email(invitation: Invitation, token: str, base_url: str, reminder: bool) -> EmailMessage:
    person = invitation.person
    if person is None:  # the callers pick invited people only; an open-link invitation has no address
        raise ValueError(f"{invitation} has no person to e-mail.")
    context = {
        "person": person,
        "round": invitation.round,
        "partnership": invitation.round.partnership,
        "workspace": current_workspace(),
        "url": respond_url(base_url, token),
        "reminder": reminder,
    }
    subject = render_to_string("assessments/email/invitation_subject.txt", context).strip()
    body = render_to_string("assessments/email/invitation.txt", context)
    return EmailMessage(subject, body, to=[person.email])


def _send(actor: Actor, round_: AssessmentRound, invitations: list[Invitation], base_url: str, reminder: bool) -> int:
    messages, now = [], timezone.now()
    for invitation in invitations:
        token, token_hash = new_token()
        InvitationLink.objects.create(invitation=invitation, token_hash=token_hash)
        messages.append(_email(invitation, token, base_url, reminder))
        if reminder:
            invitation.reminded_at, invitation.reminders = now, invitation.reminders + 1
        else:
            invitation.sent_at = now
    if messages:
        get_connection().send_messages(messages)
        Invitation.objects.bulk_update(invitations, ["sent_at", "reminded_at", "reminders"])
        action = "round.reminders_sent" if reminder else "round.invitations_sent"
        record(actor, action, round_, note=f"{len(messages)} e-mails")
    return len(messages)


@transaction.atomic
def send_invitations(actor: Actor, round_: AssessmentRound, base_url: str) -> tuple[int, int]:
    """E-mail every invitation not yet sent. Returns (sent, without an e-mail address)."""
    if round_.state == "closed":
        raise ServiceError("This round is closed: its invitations can no longer be sent.")
    pending = list(round_.invitations.filter(sent_at__isnull=True, person__isnull=False).select_related("person"))
    with_email = [i for i in pending if i.person is not None and i.person.email]  # never None: filtered above
    return _send(actor, round_, with_email, base_url, reminder=False), len(pending) - len(with_email)


@transaction.atomic
def send_reminders(actor: Actor, round_: AssessmentRound, base_url: str) -> int:
    """E-mail a reminder to the invited people who have not sent their answers."""
    if round_.state != "open":
        raise ServiceError("Reminders can be sent only while the round is open.")
    waiting = list(
        round_.invitations.filter(person__isnull=False, via_open_link=False)
        .exclude(response__submitted_at__isnull=False)
        .exclude(person__email="")
        .select_related("person")
    )
    return _send(actor, round_, waiting, base_url, reminder=True)


def active_strategic_partnerships():
    """The usual choice for a workspace-wide round: active partnerships of the strategic tier."""
    return Partnership.objects.filter(status=Status.ACTIVE, tier=Tier.STRATEGIC, archived_at__isnull=True)
