"""The leader's side of assessment rounds: list them, start them, follow the answers, send, remind, close.

Thin: every write is a call to keel.assessments.services; the careful reads (counts per round
and per organisation) are in keel.assessments.queries.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from keel.assessments import services
from keel.assessments.forms import MANY, ONE, WINDOW_DAYS, ClosingDateForm, RoundForm
from keel.assessments.models import AssessmentRound, Invitation
from keel.assessments.queries import invitees, progress, round_list
from keel.core.changelog import Actor
from keel.core.models import Role
from keel.core.services import ServiceError
from keel.core.tenancy import requires_role
from keel.register.models import Partnership, Status, Tier

PAGE_SIZE = 25
INVITEES_PAGE_SIZE = 100
STATES = [("scheduled", "Scheduled"), ("open", "Open"), ("closed", "Closed")]
# Session keys for links shown once: the database keeps only their hashes, so a link that is
# not shown now can never be shown again.
OPEN_LINKS = "keel_open_links"  # {round pk: [partnership name, URL]}
COPIED_LINK = "keel_copied_link"  # {"round": pk, "name": …, "url": …}, for pages without JavaScript


def _round(pk) -> AssessmentRound:
    return get_object_or_404(AssessmentRound.objects.select_related("partnership", "instrument"), pk=pk)


# Pages -------------------------------------------------------------------------------------


def rounds(request):
    page = Paginator(round_list(request.GET), PAGE_SIZE).get_page(request.GET.get("page"))
    partnership = None
    if (pk := request.GET.get("partnership", "")).isdigit():
        partnership = Partnership.objects.filter(pk=int(pk)).first()
    open_links = request.session.pop(OPEN_LINKS, None) or {}
    context = {
        "page": page,
        "states": STATES,
        "params": request.GET,
        "partnership": partnership,
        "open_links": sorted(open_links.values()),
    }
    return render(request, "assessments/rounds.html", context)


def _initial(request) -> dict:
    today = timezone.localdate()
    params = request.GET
    return {
        "scope": MANY if params.get("scope") == MANY else ONE,
        "partnership": params.get("partnership", ""),
        "tier": params.get("tier", Tier.STRATEGIC),
        "status": params.get("status", Status.ACTIVE),
        "instrument": services.health_check(),  # makes Keel's own instrument on first use
        "opens_on": today,
        "closes_on": today + dt.timedelta(days=WINDOW_DAYS),
        "send_now": True,
    }


@requires_role(Role.EDITOR)
def round_new(request):
    if request.method == "POST" and request.POST.get("show"):
        # "Show who will be invited" without JavaScript: the same form again, with the list.
        values = {
            **request.POST.dict(),
            "send_now": "send_now" in request.POST,
            "open_link": "open_link" in request.POST,
        }
        form = RoundForm(initial=values)
    elif request.method == "POST":
        form = RoundForm(request.POST)
        if form.is_valid():
            try:
                made = _create(request, form.cleaned_data)
            except ServiceError as error:
                form.add_error(None, str(error))
            else:
                return _after_create(request, form.cleaned_data, made)
    else:
        form = RoundForm(initial=_initial(request))
    return render(request, "assessments/round_new.html", {"form": form, "scope": form.scope})


def _create(request, data) -> list:
    actor = Actor.of(request)
    common = {
        "instrument": data["instrument"],
        "opens_on": data["opens_on"],
        "closes_on": data["closes_on"],
        "open_limit": data["open_limit"],
        "title": data["title"],
    }
    if data["scope"] == ONE:
        return [services.create_round(actor, data["partnership"], invitees=data["invitees"], **common)]
    return services.create_rounds(actor, data["partnerships"], **common)


def _after_create(request, data, made):
    base = request.build_absolute_uri("/")
    links = {str(r.pk): [str(r.partnership), services.open_url(base, token)] for r, token in made if token}
    if links:
        request.session[OPEN_LINKS] = links
    count = len(made)
    messages.success(
        request, f"{count} assessment rounds started." if count > 1 else "The assessment round is started."
    )
    if data["send_now"]:
        _send(request, [round_ for round_, _ in made])
    if count == 1:
        return redirect("assessments:round", ws=request.workspace.slug, pk=made[0][0].pk)
    return redirect("assessments:rounds", ws=request.workspace.slug)


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def _send(request, rounds_) -> None:
    """Send the unsent invitations of some rounds, saying what happened in one message or two."""
    actor, base = Actor.of(request), request.build_absolute_uri("/")
    sent = without_email = 0
    for round_ in rounds_:
        try:
            done, missing = services.send_invitations(actor, round_, base)
        except ServiceError as error:
            messages.error(request, f"{round_.partnership}: {error}")
            continue
        except OSError as error:  # the mail server refused or could not be reached
            messages.error(
                request,
                f"The invitations for {round_.partnership} could not be sent ({error}); none was marked as sent. "
                "Try “Send invitations” on the round's page again, or ask your administrator to check the "
                "e-mail settings.",
            )
            break  # the next rounds would fail the same way
        sent, without_email = sent + done, without_email + missing
    where = f" for {len(rounds_)} rounds" if len(rounds_) > 1 else ""
    if sent:
        messages.success(request, f"Invitations{where} sent to {_people(sent)}.")
    elif len(rounds_) == 1:
        messages.info(request, "No invitations were waiting to be sent.")
    if without_email:
        messages.warning(
            request,
            f"{_people(without_email)} {'has' if without_email == 1 else 'have'} no e-mail address: copy their "
            "private links from the list of invitees on the round's page and pass them on another way.",
        )


def round_detail(request, pk):
    round_ = _round(pk)
    page = Paginator(invitees(round_), INVITEES_PAGE_SIZE).get_page(request.GET.get("page"))
    open_links = request.session.get(OPEN_LINKS) or {}
    open_link = open_links.pop(str(pk), None)
    if open_link:  # shown this once, then dropped
        request.session[OPEN_LINKS] = open_links
    copied = request.session.get(COPIED_LINK)
    if copied and copied.get("round") == round_.pk:
        del request.session[COPIED_LINK]
    else:
        copied = None
    context = {
        "round": round_,
        "progress": progress(round_),
        "page": page,
        "open_link": open_link[1] if open_link else "",
        "copied": copied,
    }
    return render(request, "assessments/round.html", context)


def round_progress(request, pk):
    """The response rates alone, polled by the round's page while it is open (htmx)."""
    round_ = _round(pk)
    return render(request, "htmx/round_progress.html", {"round": round_, "progress": progress(round_)})


def _back(request, round_):
    return redirect("assessments:round", ws=request.workspace.slug, pk=round_.pk)


@require_POST
@requires_role(Role.EDITOR)
def round_send(request, pk):
    round_ = _round(pk)
    _send(request, [round_])
    return _back(request, round_)


@require_POST
@requires_role(Role.EDITOR)
def round_remind(request, pk):
    round_ = _round(pk)
    try:
        sent = services.send_reminders(Actor.of(request), round_, request.build_absolute_uri("/"))
    except ServiceError as error:
        messages.error(request, str(error))
    except OSError as error:
        messages.error(request, f"The reminders could not be sent ({error}); nothing was marked as sent. Try again.")
    else:
        if sent:
            messages.success(request, f"Reminders sent to {_people(sent)} who have not answered yet.")
        else:
            messages.info(request, "Everyone invited with an e-mail address has answered: no reminder was needed.")
    return _back(request, round_)


@require_POST
@requires_role(Role.EDITOR)
def round_close(request, pk):
    round_ = _round(pk)
    try:
        services.close_round(Actor.of(request), round_)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The round is closed: its links no longer work. Answers already sent are kept.")
    return _back(request, round_)


@require_POST
@requires_role(Role.EDITOR)
def round_closing_date(request, pk):
    """Give people more time to answer (or less), while the round is not yet closed."""
    round_ = _round(pk)
    form = ClosingDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The closing date was not changed: {form.errors['closes_on'][0]}")
        return _back(request, round_)
    try:
        services.change_closing_date(Actor.of(request), round_, form.cleaned_data["closes_on"])
    except ServiceError as error:
        messages.error(request, f"The closing date was not changed: {error}")
    else:
        messages.success(request, f"The round now closes on {round_.closes_on.day} {round_.closes_on:%B %Y}.")
    return _back(request, round_)


@require_POST
@requires_role(Role.EDITOR)
def round_invitation_link(request, pk, invitation_pk):
    """A new private link for one invitee, to copy and pass on; the links given before keep working."""
    round_ = _round(pk)
    invitation = get_object_or_404(
        Invitation.objects.select_related("person", "organisation").annotate(answered_at=F("response__submitted_at")),
        pk=invitation_pk,
        round=round_,
        via_open_link=False,  # an open-link respondent is anonymous: nobody else gets their link
    )
    invitation.round = round_
    name = invitation.person.name if invitation.person else "this invitee"
    error = url = ""
    if round_.state == "closed":
        error = "This round is closed: its links no longer work, so there is no link to give."
    elif invitation.answered_at:
        # A link opens the answers given through it; answers are anonymous, so a leader may
        # not hold a link to answers already sent. The person still has their own link.
        error = (
            f"{name} has already answered: answers are anonymous, so no new link is given. "
            "They can still use the link they have."
        )
    else:
        # Recorded, and the link's page says it was handed over: whoever opens it may not be the invitee.
        token = services.hand_over_link(Actor.of(request), invitation)
        url = services.respond_url(request.build_absolute_uri("/"), token)
    if request.headers.get("HX-Request"):
        context = {"invitation": invitation, "name": name, "url": url, "error": error}
        return render(request, "htmx/round_invitation_link.html", context)
    if error:
        messages.error(request, error)
    else:  # without JavaScript: the round's page shows the link once
        request.session[COPIED_LINK] = {"round": round_.pk, "name": name, "url": url}
        messages.success(request, f"A new private link for {name} is shown below.")
    return _back(request, round_)
