"""Writes for assessments. Every one runs in a transaction and writes the audit trail.

Views, the respondent page, the importer, the demo and the CLI call these; none of them saves
an assessment model directly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from keel.assessments import scoring
from keel.assessments.definitions import Definition, parse_definition
from keel.assessments.models import AssessmentRound, Instrument, Invitation, InvitationLink, Response
from keel.core.changelog import SYSTEM, Actor, record
from keel.core.services import ServiceError
from keel.core.tenancy import current_workspace
from keel.register.models import Partnership, Person, Status, Tier

BUILTIN_DIR = Path(__file__).parent / "instruments"
MAX_COMMENT = 4000


# Tokens ------------------------------------------------------------------------------------


def new_token() -> tuple[str, str]:
    """A long random token (43 characters, 256 bits) and the hash that is stored instead."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    # A plain sha256 is enough: the token has 256 random bits, so there is nothing to guess.
    return hashlib.sha256(token.encode()).hexdigest()


# Instruments ---------------------------------------------------------------------------------


@transaction.atomic
def load_instrument(actor: Actor, text: str, builtin: bool = False) -> tuple[Instrument, str]:
    """Load a definition into the current workspace. Returns (instrument, what happened).

    What happened is "new", "unchanged", "updated" (the latest version was not used by any
    round yet, so it is replaced) or "new version" (it was in use: old rounds keep theirs).
    """
    definition = parse_definition(text)  # DefinitionError names every mistake
    data = definition.to_data()
    latest = Instrument.objects.filter(key=definition.id).order_by("-version").first()
    if latest is None:
        instrument = Instrument.objects.create(
            key=definition.id, version=1, title=definition.title, definition=data, builtin=builtin
        )
        if not builtin:  # Keel's own arrive with the workspace, which is not recorded either
            record(actor, "instrument.created", instrument)
        return instrument, "new"
    if latest.definition == data:
        return latest, "unchanged"
    if not latest.rounds.exists():
        latest.definition, latest.title = data, definition.title
        latest.save(update_fields=["definition", "title"])
        record(actor, "instrument.updated", latest, note="not yet used by any round: replaced in place")
        return latest, "updated"
    instrument = Instrument.objects.create(
        key=definition.id, version=latest.version + 1, title=definition.title, definition=data, builtin=builtin
    )
    record(actor, "instrument.versioned", instrument, note=f"version {latest.version} is in use and is kept")
    return instrument, "new version"


def builtin_definitions() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.yaml"))


def ensure_builtin_instruments() -> None:
    """Give the current workspace Keel's own instruments, when it does not have them yet."""
    have = set(Instrument.objects.filter(builtin=True).values_list("key", flat=True))
    for path in builtin_definitions():
        text = path.read_text(encoding="utf-8")
        if parse_definition(text).id not in have:
            load_instrument(SYSTEM, text, builtin=True)


def health_check() -> Instrument:
    """The latest version of Keel's partnership health check in the current workspace."""
    ensure_builtin_instruments()
    return Instrument.objects.filter(key="keel-health-check").order_by("-version").first()


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


def respond_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/respond/{token}/"


def open_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/open/{token}/"


def _email(invitation: Invitation, token: str, base_url: str, reminder: bool) -> EmailMessage:
    context = {
        "person": invitation.person,
        "round": invitation.round,
        "partnership": invitation.round.partnership,
        "workspace": current_workspace(),
        "url": respond_url(base_url, token),
        "reminder": reminder,
    }
    subject = render_to_string("assessments/email/invitation_subject.txt", context).strip()
    body = render_to_string("assessments/email/invitation.txt", context)
    return EmailMessage(subject, body, to=[invitation.person.email])


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
    with_email = [i for i in pending if i.person.email]
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


# The respondent side ------------------------------------------------------------------------------

UNKNOWN, SCHEDULED, CLOSED, USED_UP, READY = "unknown", "scheduled", "closed", "used-up", "ready"


def find_invitation(token: str) -> tuple[str, Invitation | None]:
    """The invitation a private link opens, and whether it may be answered now.

    Links are looked up across workspaces (a respondent has no workspace): the caller enters
    the invitation's workspace scope before reading anything else.
    """
    link = (
        InvitationLink.all_workspaces.select_related(
            "invitation__round__instrument", "invitation__round__partnership", "invitation__round__workspace"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None:
        return UNKNOWN, None
    invitation = link.invitation
    return _round_state(invitation.round), invitation


def find_open_round(token: str) -> tuple[str, AssessmentRound | None]:
    round_ = (
        AssessmentRound.all_workspaces.select_related("workspace", "instrument", "partnership")
        .filter(open_token_hash=hash_token(token))
        .exclude(open_token_hash="")
        .first()
    )
    if round_ is None:
        return UNKNOWN, None
    state = _round_state(round_)
    if state == READY and _open_answers(round_) >= round_.open_limit:
        return USED_UP, round_
    return state, round_


def _round_state(round_: AssessmentRound) -> str:
    return {"scheduled": SCHEDULED, "closed": CLOSED}.get(round_.state, READY)


def _open_answers(round_: AssessmentRound) -> int:
    return Response.all_workspaces.filter(
        round=round_, source=Response.Source.OPEN_LINK, submitted_at__isnull=False
    ).count()


@transaction.atomic
def start_open_response(round_: AssessmentRound) -> str:
    """Someone opened an open link: give them their own private link, so they can come back to it."""
    invitation = Invitation.objects.create(round=round_, via_open_link=True)
    return issue_link(SYSTEM, invitation)


def clean_answers(definition: Definition, answers: Mapping[str, object]) -> dict[str, int | None]:
    """Answers keyed by item, each 1–5 or None; anything else is refused with the item named."""
    keys = {item.key for item in definition.items}
    cleaned = {}
    for key, value in answers.items():
        if key not in keys:
            raise ServiceError(f"'{key}' is not a statement of this questionnaire.")
        if value in (None, "", "na"):
            cleaned[key] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number not in (1, 2, 3, 4, 5) or str(value).strip() not in {"1", "2", "3", "4", "5"}:
            raise ServiceError(f"The answer to '{key}' must be 1 to 5 or not applicable.")
        cleaned[key] = number
    return cleaned


def clean_comments(definition: Definition, comments: Mapping[str, str]) -> dict[str, str]:
    keys = {prompt.key for prompt in definition.prompts}
    cleaned = {}
    for key, text in comments.items():
        if key not in keys:
            raise ServiceError(f"'{key}' is not a question of this questionnaire.")
        text = (text or "").strip()
        if len(text) > MAX_COMMENT:
            raise ServiceError(f"An answer can be at most {MAX_COMMENT} characters; this one has {len(text)}.")
        if text:
            cleaned[key] = text
    return cleaned


def _locked_response(invitation: Invitation) -> Response:
    response = Response.objects.select_for_update().filter(invitation=invitation).first()
    if response is None:
        source = Response.Source.OPEN_LINK if invitation.via_open_link else Response.Source.LINK
        response = Response.objects.create(
            round=invitation.round, invitation=invitation, organisation_id=invitation.organisation_id, source=source
        )
    return response


@transaction.atomic
def save_draft(
    invitation: Invitation,
    answers: Mapping[str, object],
    comments: Mapping[str, str],
    organisation_id: int | None = None,
) -> Response:
    """Keep what the respondent has entered so far; it counts only once sent.

    `organisation_id` is the organisation an open-link respondent has chosen (checked by the caller).
    """
    if invitation.round.state != "open":
        raise ServiceError("This survey is closed: answers can no longer be changed.")
    definition = invitation.round.instrument.spec
    response = _locked_response(invitation)
    if organisation_id is not None and invitation.via_open_link and organisation_id != invitation.organisation_id:
        invitation.organisation_id = response.organisation_id = organisation_id
        invitation.save(update_fields=["organisation"])
        response.save(update_fields=["organisation"])
    response.draft_answers = {**response.draft_answers, **clean_answers(definition, answers)}
    response.draft_comments = {**response.draft_comments, **clean_comments(definition, comments)}
    for key in comments:
        if not (comments[key] or "").strip():
            response.draft_comments.pop(key, None)
    response.save(update_fields=["draft_answers", "draft_comments", "updated_at"])
    return response


@transaction.atomic
def submit_response(
    invitation: Invitation,
    answers: Mapping[str, object],
    comments: Mapping[str, str],
    organisation_id: int | None = None,
) -> Response:
    """Send (or change) a respondent's answers; they count in the round's scores from now on."""
    # The round row is locked first, so simultaneous answers refresh its scores one at a time.
    round_ = AssessmentRound.objects.select_for_update().select_related("instrument").get(pk=invitation.round_id)
    if round_.state != "open":
        raise ServiceError("This survey is closed: answers can no longer be sent or changed.")
    definition = round_.instrument.spec
    cleaned, notes = clean_answers(definition, answers), clean_comments(definition, comments)
    if not any(value is not None for value in cleaned.values()) and not notes:
        raise ServiceError("Answer at least one statement before sending.")
    response = _locked_response(invitation)
    if invitation.via_open_link and response.submitted_at is None and round_.open_limit:
        if _open_answers(round_) >= round_.open_limit:
            raise ServiceError("This survey link has reached its limit of answers.")
    if organisation_id is not None and invitation.via_open_link:
        invitation.organisation_id = response.organisation_id = organisation_id
        invitation.save(update_fields=["organisation"])
    response.answers = response.draft_answers = cleaned
    response.comments = response.draft_comments = notes
    response.submitted_at = response.submitted_at or timezone.now()
    response.save()
    refresh_summary(round_)
    return response


# Scores ----------------------------------------------------------------------------------------


def workspace_bands(workspace=None) -> scoring.Bands:
    workspace = workspace or current_workspace()
    return scoring.Bands(
        strength=float(workspace.band_strength), watch=float(workspace.band_watch), gap=float(workspace.gap_flag)
    )


def score_round(round_: AssessmentRound, labels: Mapping | None = None) -> scoring.RoundScores:
    """The round's scores with the workspace's anonymity threshold applied."""
    sent = round_.responses.filter(submitted_at__isnull=False).values_list("organisation_id", "answers")
    threshold = current_workspace().anonymity_threshold
    return scoring.round_scores(round_.instrument.spec, sent, threshold, labels)


def refresh_summary(round_: AssessmentRound) -> None:
    """Keep the round's whole-round scores up to date (read by lists and the audit)."""
    scores = score_round(round_)
    round_.summary = scoring.stats_data(scores)
    round_.response_count = scores.respondents
    round_.save(update_fields=["summary", "response_count"])


def refresh_all_summaries() -> int:
    """Re-score every round of the current workspace (after its anonymity threshold changes)."""
    rounds = list(AssessmentRound.objects.select_related("instrument"))
    for round_ in rounds:
        refresh_summary(round_)
    return len(rounds)


@transaction.atomic
def import_responses(actor: Actor, round_: AssessmentRound, rows: list[dict], source_name: str) -> int:
    """Store already-checked rows of another survey tool's export as sent responses.

    Each row is {"organisation_id", "answers", "comments"}; the importer has checked the
    whole file first, so this only writes (all rows, or none on any database error).
    """
    now = timezone.now()
    Response.objects.bulk_create(
        [
            Response(
                round=round_,
                organisation_id=row.get("organisation_id"),
                source=Response.Source.IMPORT,
                answers=row["answers"],
                comments=row.get("comments", {}),
                submitted_at=now,
            )
            for row in rows
        ]
    )
    refresh_summary(round_)
    record(actor, "round.responses_imported", round_, note=f"{len(rows)} responses from {source_name}"[:300])
    return len(rows)


def active_strategic_partnerships():
    """The usual choice for a workspace-wide round: active partnerships of the strategic tier."""
    return Partnership.objects.filter(status=Status.ACTIVE, tier=Tier.STRATEGIC, archived_at__isnull=True)
