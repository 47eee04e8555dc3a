"""Writes for responses: a respondent's draft and sent answers, and answers imported from a file.

Respondents have no account and no workspace: their private link finds the invitation across
workspaces, and the caller enters its workspace before reading anything else.
"""

from __future__ import annotations

import math
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
# An open link makes at most its answer limit plus this share of it (at least OPEN_MARGIN_MIN) private links.
OPEN_MARGIN, OPEN_MARGIN_MIN = 0.10, 5


def find_link(token: str) -> tuple[str, InvitationLink | None]:
    """The private link a token is, with its invitation, and whether it may be answered now.

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
    return _round_state(link.invitation.round), link


def find_invitation(token: str) -> tuple[str, Invitation | None]:
    """The invitation a private link opens, and whether it may be answered now."""
    state, link = find_link(token)
    return state, link.invitation if link else None


def open_record_cap(open_limit: int) -> int:
    """How many private links an open link may make: its answer limit and a margin for people who stop.

    Someone may save a draft and never send it, so a few more people than the limit may start;
    beyond this, the open link is full even if fewer answers were sent.
    """
    return open_limit + max(OPEN_MARGIN_MIN, math.ceil(open_limit * OPEN_MARGIN))


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
    if state == READY and (
        _open_answers(round_) >= round_.open_limit or _open_records(round_) >= open_record_cap(round_.open_limit)
    ):
        return USED_UP, round_
    return state, round_


def _round_state(round_: AssessmentRound) -> str:
    return {"scheduled": SCHEDULED, "closed": CLOSED}.get(round_.state, READY)


def _open_answers(round_: AssessmentRound) -> int:
    return Response.all_workspaces.filter(
        round=round_, source=Response.Source.OPEN_LINK, submitted_at__isnull=False
    ).count()


def _open_records(round_: AssessmentRound) -> int:
    return Invitation.all_workspaces.filter(round=round_, via_open_link=True).count()


@transaction.atomic
def start_open_response(
    round_: AssessmentRound,
    answers: Mapping[str, object],
    comments: Mapping[str, str],
    organisation_id: int | None = None,
    browser: str = "",
    send: bool = False,
) -> tuple[Response, str]:
    """The first save through an open link: a private link of the respondent's own, and their answers.

    Nothing is made for merely opening the link (a page view, a preview, a crawler): only a save
    with at least one answer or comment makes an invitation, and an open link makes at most
    `open_record_cap` of them. Returns (the response, the new private link's token).
    """
    # The round row is locked first, so two first saves at once cannot both pass the cap.
    round_ = AssessmentRound.objects.select_for_update().select_related("instrument").get(pk=round_.pk)
    if round_.state != "open":
        raise ServiceError("This survey is closed: answers can no longer be sent.")
    definition = round_.instrument.spec
    cleaned, notes = clean_answers(definition, answers), clean_comments(definition, comments)
    if not cleaned and not notes:
        raise ServiceError("Answer at least one statement before saving.")
    if _open_records(round_) >= open_record_cap(round_.open_limit) or _open_answers(round_) >= round_.open_limit:
        raise ServiceError(
            "This survey link is full: as many people as it allows have already started answering. "
            "If you were asked to answer, contact the person who sent it to you for a link of your own."
        )
    invitation = Invitation.objects.create(round=round_, via_open_link=True, organisation_id=organisation_id)
    token = issue_link(SYSTEM, invitation)
    if send:
        return submit_response(invitation, answers, comments, organisation_id=organisation_id), token
    return save_draft(invitation, answers, comments, organisation_id=organisation_id, browser=browser), token


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
    browser: str = "",
) -> Response:
    """Keep what the respondent has entered so far; it counts only once sent.

    `organisation_id` is the organisation an open-link respondent has chosen (checked by the caller).
    `browser` is the hash of the saving browser's cookie secret: a draft belongs to one browser, so
    a save from another one (someone else holding the link) starts a new draft replacing the old.
    """
    if invitation.round.state != "open":
        raise ServiceError("This survey is closed: answers can no longer be changed.")
    definition = invitation.round.instrument.spec
    response = _locked_response(invitation)
    if response.draft_browser != browser:
        response.draft_answers, response.draft_comments, response.draft_browser = {}, {}, browser
    if organisation_id is not None and invitation.via_open_link and organisation_id != invitation.organisation_id:
        invitation.organisation_id = response.organisation_id = organisation_id
        invitation.save(update_fields=["organisation"])
        response.save(update_fields=["organisation"])
    response.draft_answers = {**response.draft_answers, **clean_answers(definition, answers)}
    response.draft_comments = {**response.draft_comments, **clean_comments(definition, comments)}
    for key in comments:
        if not (comments[key] or "").strip():
            response.draft_comments.pop(key, None)
    response.save(update_fields=["draft_answers", "draft_comments", "draft_browser", "updated_at"])
    return response


@transaction.atomic
def submit_response(
    invitation: Invitation,
    answers: Mapping[str, object],
    comments: Mapping[str, str],
    organisation_id: int | None = None,
    handed_over: bool = False,
) -> Response:
    """Send a respondent's answers, replacing whatever was sent before; they count in the scores from now on.

    The draft is cleared: sent answers are never shown back through a link. `handed_over` says
    the link used was shown to someone who runs the round, so the response is marked as
    possibly entered by them (an answer sent later through the invitee's own link clears it).
    """
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
    response.answers, response.comments = cleaned, notes
    response.draft_answers, response.draft_comments, response.draft_browser = {}, {}, ""
    response.entered_via_handover = handed_over
    response.submitted_at = response.submitted_at or timezone.now()
    response.save()
    refresh_summary(round_)
    if handed_over:
        # Says only that it happened, never what was answered.
        record(SYSTEM, "response.entered_via_handover", round_, note="answers sent through a handed-over link")
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
