"""Writes for responses: a respondent's draft and sent answers, and answers imported from a file.

Respondents have no account and no workspace: their private link finds the invitation across
workspaces, and the caller enters its workspace before reading anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import SupportsIndex, SupportsInt

from django.db import transaction
from django.utils import timezone

from keel.assessments.definitions import Definition
from keel.assessments.models import AssessmentRound, Invitation, InvitationLink, Response
from keel.assessments.services.rounds import hash_token, issue_link
from keel.assessments.services.scores import refresh_summary
from keel.core.changelog import SYSTEM, Actor, record
from keel.core.services import ServiceError

MAX_COMMENT = 4000
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
    cleaned: dict[str, int | None] = {}
    for key, value in answers.items():
        if key not in keys:
            raise ServiceError(f"'{key}' is not a statement of this questionnaire.")
        if value in (None, "", "na"):
            cleaned[key] = None
            continue
        # What is neither text nor a number counts as 0 (int() refused it before) and is refused below.
        try:
            number = int(value) if isinstance(value, (str, SupportsInt, SupportsIndex)) else 0
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
