"""The respondent's pages: a private link answered without an account (DESIGN.md: "Response").

There is no login and no workspace in the URL: the token finds its invitation across
workspaces, and everything else is read inside that invitation's workspace scope. A link that
cannot be answered gets one neutral page per state, which says nothing about the partnership
or the workspace; an unknown link and a malformed one get the very same page.

A link is a bearer secret that more than one person may hold (a forwarded e-mail, a leader's
copied link), so answers stay anonymous against them too: a draft is shown only to the browser
that saved it, sent answers are never shown back, and a link handed over by a leader says so
and marks what is sent through it (docs/instruments.md, "Who can see what").

Status codes of those pages: 404 for an unknown (or malformed) link; 410 Gone for a closed
round or an open link that has reached its limit (the link will not work again); 200 for a
round not open yet (it will work from its opening date).
"""

from __future__ import annotations

import hmac
import re
import secrets
from contextlib import suppress
from functools import wraps
from typing import Any

from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from keel.assessments import services
from keel.assessments.models import AssessmentRound, Invitation, InvitationLink, Response
from keel.core.services import ServiceError
from keel.core.tenancy import workspace_scope
from keel.register.models import PartnershipMember

# What `services.new_token` makes is 43 characters of this alphabet; anything far from it is
# not looked up at all (and gets the same page as an unknown token).
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
CHOICES = ("1", "2", "3", "4", "5", "na")

# Link previews (chat apps, mail scanners) and crawlers fetch an open link without a person
# behind them; they get a page with a Start button instead of a new invitation each.
AUTOMATED = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|embedly|whatsapp|telegram|skypeuripreview|"
    r"slack|discord|linkedin|pinterest|vkshare|iframely|outbrain|bitlybot|ms office|microsoft office|"
    r"curl/|wget/|python-urllib|python-requests|go-http-client|okhttp|java/",
    re.IGNORECASE,
)

UNAVAILABLE = {
    services.UNKNOWN: (
        404,
        "This link does not work",
        "The link may be incomplete: check that you copied all of it from your invitation, "
        "or ask the person who sent it to you for a new one.",
    ),
    services.CLOSED: (
        410,
        "This survey has closed",
        "Answers can no longer be sent or changed through this link. If you think this is a "
        "mistake, contact the person who sent it to you.",
    ),
    services.USED_UP: (
        410,
        "This survey link is full",
        "This link has reached its limit of answers. If you were asked to answer, contact the "
        "person who sent it to you for a link of your own.",
    ),
    services.SCHEDULED: (200, "This survey is not open yet", "Come back to this link on its opening date."),
}


def private_page(view):
    """Headers for every respondent page: the token is in the address, so nothing may pass it on.

    The referrer policy is "same-origin", not "no-referrer": the token never reaches another
    site either way, but under "no-referrer" browsers send `Origin: null` with the form's POST,
    and Django's CSRF check (rightly) refuses that.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)  # includes no-store: no shared cache keeps anyone's answers
        return response

    return wrapper


def _see_other(url: str) -> HttpResponseRedirect:
    redirect = HttpResponseRedirect(url)
    redirect.status_code = 303  # after a POST, the browser follows with a GET
    return redirect


def _find(token: str) -> tuple[str, InvitationLink | None]:
    if not TOKEN.match(token):
        return services.UNKNOWN, None
    return services.find_link(token)


# The browser that saved a draft ------------------------------------------------------------------
#
# A draft is shown back only to the browser that saved it: at the first save the browser gets a
# random secret in a cookie restricted to this link's path, and the response keeps its hash.
# Someone else holding the same link (a leader who copied it, a forwarded e-mail) gets a blank
# form; if they save, their draft replaces the old one, which is lost but never shown to them.

DRAFT_COOKIE_AGE = 60 * 60 * 24 * 120  # longer than any round stays open


def _cookie_name(token: str) -> str:
    # Named after the link (by a part of its hash, never the token), so one browser can hold drafts of several links.
    return "keel-draft-" + services.hash_token(token)[:12]


def _browser_secret(request, token: str) -> str | None:
    value = request.COOKIES.get(_cookie_name(token), "")
    return value if TOKEN.match(value) else None


def _own_draft(request, token: str, response: Response | None) -> bool:
    """Whether this browser saved the response's draft."""
    secret = _browser_secret(request, token)
    if response is None or secret is None or not response.draft_browser:
        return False
    return hmac.compare_digest(response.draft_browser, services.hash_token(secret))


def _remember_browser(request, page: HttpResponse, token: str, secret: str) -> HttpResponse:
    page.set_cookie(
        _cookie_name(token),
        secret,
        max_age=DRAFT_COOKIE_AGE,
        path=reverse("respond", args=[token]),  # also covers the link's save address
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return page


def unavailable(request, state: str, opens_on=None):
    """The neutral page of a link that cannot be answered: nothing about whose survey it is."""
    status, title, message = UNAVAILABLE[state]
    context = {"title": title, "message": message, "opens_on": opens_on if state == services.SCHEDULED else None}
    return render(request, "assessments/respond/unavailable.html", context, status=status)


def _once_more(service, *args, **kwargs):
    # The first two saves of one link at the same moment can both try to create its response
    # row; the loser's transaction is rolled back, and the second try finds the row.
    try:
        return service(*args, **kwargs)
    except IntegrityError:
        return service(*args, **kwargs)


# Reading the form ------------------------------------------------------------------------------


def read_form(post, definition) -> tuple[dict, dict, dict]:
    """(answers, comments, problems) from a posted questionnaire; problems are keyed by item."""
    answers, problems = {}, {}
    for item in definition.items:
        value = post.get(f"answer-{item.key}")
        if value is None:
            continue
        if value not in CHOICES:
            problems[item.key] = "Choose one of the answers for this statement."
            continue
        answers[item.key] = value
    comments = {p.key: post[f"comment-{p.key}"] for p in definition.prompts if f"comment-{p.key}" in post}
    return answers, comments, problems


def _members(round_: AssessmentRound) -> list[tuple[int, str]]:
    """The partnership's current member organisations, for an open-link respondent to choose from."""
    today = timezone.localdate()
    members = PartnershipMember.objects.filter(partnership_id=round_.partnership_id).filter(
        Q(until__isnull=True) | Q(until__gte=today)
    )
    return list(members.order_by("organisation__name").values_list("organisation_id", "organisation__name"))


def _chosen_organisation(post, members: list[tuple[int, str]]) -> int:
    value = (post.get("organisation") or "").strip()
    if not value.isdigit() or int(value) not in {pk for pk, _ in members}:
        raise ServiceError("Choose your organisation from the list, then send your answers again.")
    return int(value)


def _as_choices(answers: dict) -> dict[str, str]:
    """Stored answers (1–5 or None) as the form's values ("1"–"5" or "na")."""
    return {key: "na" if value is None else str(value) for key, value in answers.items()}


def _questionnaire(
    request,
    round_: AssessmentRound,
    values,
    comments,
    *,
    token: str,
    invitation: Invitation | None = None,
    handed_over: bool = False,
    response: Response | None = None,
    error="",
    problems=None,
    status=200,
):
    """Render the questionnaire with `values` (the form's strings) and `comments` filled in.

    Without an invitation it is an open link's page: nothing is made until the first save, so
    it posts to the open link itself and keeps no draft as the answers change.
    """
    definition = round_.instrument.spec
    problems = problems or {}
    scale = [(str(point), label) for point, label in sorted(definition.scale.items())]
    scale.append(("na", definition.not_applicable))
    number, groups = 0, list[dict[str, Any]]()
    for dimension in definition.dimensions:
        items = []
        for item in definition.items_of(dimension.key):
            number += 1
            value = values.get(item.key, "")
            items.append({"item": item, "number": number, "value": value, "problem": problems.get(item.key)})
        groups.append({"dimension": dimension, "items": items})
    prompts = [{"prompt": p, "text": comments.get(p.key, "")} for p in definition.prompts]
    if invitation is None:
        send_url = reverse("open_link", args=[token])
        save_url, via_open_link = send_url + "?draft=1", True
    else:
        send_url, save_url = reverse("respond", args=[token]), reverse("respond_save", args=[token])
        via_open_link = invitation.via_open_link
    context = {
        "token": token,
        "invitation": invitation,
        "via_open_link": via_open_link,
        "autosave": invitation is not None,
        "send_url": send_url,
        "save_url": save_url,
        "handed_over": handed_over,
        "anonymity_threshold": round_.workspace.anonymity_threshold,
        "round": round_,
        "partnership": round_.partnership,
        "definition": definition,
        "scale": scale,
        "groups": groups,
        "prompts": prompts,
        "answered": sum(1 for item in definition.items if values.get(item.key) in CHOICES),
        "total": len(definition.items),
        "sent_at": response.submitted_at if response else None,
        "saved": request.GET.get("saved") == "1" and response is not None,
        "error": error,
        "problems": [(entry["item"], entry["problem"]) for g in groups for entry in g["items"] if entry["problem"]],
    }
    if via_open_link:
        context["organisations"] = _members(round_)
        chosen = request.POST.get("organisation") if request.method == "POST" else None
        if chosen is None and invitation is not None:
            chosen = invitation.organisation_id
        context["chosen_organisation"] = str(chosen or "")
    return render(request, "assessments/respond/form.html", context, status=status)


# Pages -------------------------------------------------------------------------------------------


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def respond(request, token):
    """A private link: the questionnaire, prefilled only from this browser's own draft.

    Answers already sent are never shown back, to anyone: the page says they were sent and
    offers to change them, which starts from a blank form and replaces the whole response.
    """
    state, link = _find(token)
    if state != services.READY:
        return unavailable(request, state, link.invitation.round.opens_on if link else None)
    invitation = link.invitation
    round_ = invitation.round
    handed_over = link.handed_over_at is not None
    with workspace_scope(round_.workspace):
        if request.method == "POST":
            return _submit(request, token, link)
        response = Response.objects.filter(invitation=invitation).first()
        own_draft = _own_draft(request, token, response)
        if response is not None and response.submitted_at and not own_draft and request.GET.get("change") != "1":
            context = {
                "token": token,
                "round": round_,
                "partnership": round_.partnership,
                "sent_at": response.submitted_at,
                "just_sent": request.GET.get("sent") == "1",
                "handed_over": handed_over,
            }
            return render(request, "assessments/respond/thanks.html", context)
        values = _as_choices(response.draft_answers) if response and own_draft else {}
        comments = response.draft_comments if response and own_draft else {}
        return _questionnaire(
            request,
            round_,
            values,
            comments,
            token=token,
            invitation=invitation,
            handed_over=handed_over,
            response=response,
        )


def _submit(request, token, link: InvitationLink):
    invitation = link.invitation
    definition = invitation.round.instrument.spec
    answers, comments, problems = read_form(request.POST, definition)
    handed_over = link.handed_over_at is not None
    try:
        if problems:
            raise ServiceError("Some answers could not be read: choose again where marked below, then send.")
        organisation = (
            _chosen_organisation(request.POST, _members(invitation.round)) if invitation.via_open_link else None
        )
        _once_more(
            services.submit_response,
            invitation,
            answers,
            comments,
            organisation_id=organisation,
            handed_over=handed_over,
        )
    except ServiceError as error:
        # Everything entered is shown again as it was sent, so nothing is lost.
        values = {**answers, **{key: request.POST[f"answer-{key}"] for key in problems}}
        response = Response.objects.filter(invitation=invitation).first()
        return _questionnaire(
            request,
            invitation.round,
            values,
            comments,
            token=token,
            invitation=invitation,
            handed_over=handed_over,
            response=response,
            error=str(error),
            problems=problems,
            status=400,
        )
    sent = _see_other(reverse("respond", args=[token]) + "?sent=1")
    sent.delete_cookie(_cookie_name(token), path=reverse("respond", args=[token]))  # its draft is gone
    return sent


@private_page
@require_POST
def respond_save(request, token):
    """Keep the answers so far as a draft (htmx, on every change); answers a small status line."""
    state, link = _find(token)
    if state != services.READY:
        _, title, _ = UNAVAILABLE[state]
        context = {"error": f"Not saved: {title.lower()}."}
        return render(request, "htmx/respond_draft_status.html", context, status=404 if link is None else 410)
    invitation = link.invitation
    secret = _browser_secret(request, token) or secrets.token_urlsafe(32)
    with workspace_scope(invitation.round.workspace):
        definition = invitation.round.instrument.spec
        answers, comments, problems = read_form(request.POST, definition)
        organisation = None
        # Kept with the draft once chosen; not having chosen yet is no reason to refuse a draft.
        if invitation.via_open_link:
            with suppress(ServiceError):
                organisation = _chosen_organisation(request.POST, _members(invitation.round))
        try:
            response = _once_more(
                services.save_draft,
                invitation,
                answers,
                comments,
                organisation_id=organisation,
                browser=services.hash_token(secret),
            )
        except ServiceError as error:
            return render(request, "htmx/respond_draft_status.html", {"error": f"Not saved: {error}"}, status=400)
    if not request.headers.get("HX-Request"):
        # The "Save draft" button of a browser without JavaScript: back to the form.
        return _remember_browser(request, _see_other(reverse("respond", args=[token]) + "?saved=1"), token, secret)
    values = _as_choices(response.draft_answers)
    context = {
        "saved_at": response.updated_at,
        "answered": sum(1 for item in definition.items if item.key in values),
        "total": len(definition.items),
        "problems": len(problems),
    }
    return _remember_browser(request, render(request, "htmx/respond_draft_status.html", context), token, secret)


def _automated(request) -> bool:
    """A link preview, a prefetch or a crawler: something that fetches a link with nobody reading it."""
    if request.method != "GET":
        return request.method != "POST"
    if request.GET.get("start") == "1":  # the Start button of the page below
        return False
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    if "prefetch" in purpose.lower() or "preview" in purpose.lower():
        return True
    return bool(AUTOMATED.search(request.headers.get("User-Agent", "")))


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def open_link(request, token):
    """An open link: the questionnaire; the first save gives the person a private link of their own.

    Opening it makes nothing, so page views, previews and crawlers cannot fill the round with
    records; only a save with an answer does, up to the link's answer limit plus a margin.
    """
    state, round_ = services.find_open_round(token) if TOKEN.match(token) else (services.UNKNOWN, None)
    if state != services.READY:
        return unavailable(request, state, round_.opens_on if round_ else None)
    if _automated(request):
        # A preview is shown nothing about the survey; a person whose browser looks like one presses Start.
        return render(request, "assessments/respond/start.html", {"token": token})
    with workspace_scope(round_.workspace):
        if request.method == "POST":
            return _open_save(request, token, round_)
        return _questionnaire(request, round_, {}, {}, token=token)


def _open_save(request, token, round_: AssessmentRound):
    """The first save (a draft or the answers sent) through an open link."""
    draft = request.GET.get("draft") == "1"
    definition = round_.instrument.spec
    answers, comments, problems = read_form(request.POST, definition)
    secret = secrets.token_urlsafe(32)
    try:
        if problems and not draft:
            raise ServiceError("Some answers could not be read: choose again where marked below, then send.")
        organisation = None
        if draft:
            with suppress(ServiceError):
                organisation = _chosen_organisation(request.POST, _members(round_))
        else:
            organisation = _chosen_organisation(request.POST, _members(round_))
        browser = services.hash_token(secret)
        _, private = services.start_open_response(
            round_, answers, comments, organisation_id=organisation, browser=browser, send=not draft
        )
    except ServiceError as error:
        values = {**answers, **{key: request.POST[f"answer-{key}"] for key in problems}}
        return _questionnaire(
            request, round_, values, comments, token=token, error=str(error), problems=problems, status=400
        )
    if not draft:
        return _see_other(reverse("respond", args=[private]) + "?sent=1")
    return _remember_browser(request, _see_other(reverse("respond", args=[private]) + "?saved=1"), private, secret)
