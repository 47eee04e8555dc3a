"""The respondent's pages: private and open links, drafts, sending, and the neutral pages.

Every request is made outside any workspace scope (`anonymous`), as a real respondent's is:
the pages must find the workspace from the link themselves.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.assessments import services
from keel.assessments.models import Invitation, Response
from keel.assessments.respond_views import _cookie_name
from keel.core.tenancy import workspace_scope

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


def anonymous(call, *args, **kwargs):
    """Make a request with no workspace scope, as a respondent's request arrives."""
    with workspace_scope(None):
        return call(*args, **kwargs)


def respond_url(token):
    return reverse("respond", args=[token])


def save_url(token):
    return reverse("respond_save", args=[token])


def open_url(token):
    return reverse("open_link", args=[token])


def all_answers(round_, value="4"):
    return {f"answer-{item.key}": value for item in round_.instrument.spec.items}


@pytest.fixture
def link(open_round, actor):
    """A private link to the first invitation of an open round: (token, invitation)."""
    invitation = open_round.invitations.select_related("person").first()
    return services.issue_link(actor, invitation), invitation


def names_of(round_, workspace):
    return [round_.partnership.name, workspace.name, round_.instrument.title]


def assert_private_headers(response):
    # Not "no-referrer": with it browsers post `Origin: null`, which the CSRF check refuses.
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


# The questionnaire -------------------------------------------------------------------------------


def test_a_private_link_shows_the_questionnaire(client, link, open_round):
    token, _ = link
    page = anonymous(client.get, respond_url(token))
    html = page.content.decode()
    spec = open_round.instrument.spec
    assert page.status_code == 200
    assert open_round.partnership.name in html and spec.title in html and spec.description[:40] in html
    assert html.count("<fieldset") == len(spec.items) and html.count("<legend>") == len(spec.items)
    assert html.count('type="radio"') == 6 * len(spec.items)
    assert "Strongly disagree" in html and spec.not_applicable.replace("'", "&#x27;") in html
    for dimension in spec.dimensions:
        assert f">{dimension.label}</h2>" in html
    for prompt in spec.prompts:
        assert f'<label for="comment-{prompt.key}">' in html and f'name="comment-{prompt.key}"' in html
    assert f"0 of {len(spec.items)} answered" in html
    assert '<meta name="robots" content="noindex' in html and "csrfmiddlewaretoken" in html
    assert 'aria-live="polite"' in html and "Send my answers" in html
    assert "Partnerships</a>" not in html  # no workspace navigation
    assert_private_headers(page)
    assert "csrftoken" in page.cookies


def test_wrong_links_reveal_nothing_and_look_alike(client, link, open_round, workspace_a):
    token, _ = link
    pages = [
        anonymous(client.get, respond_url(services.new_token()[0])),  # well-formed, unknown
        anonymous(client.get, respond_url("x")),  # malformed
        anonymous(client.get, respond_url(token[:-1])),  # a link cut short
        anonymous(client.get, respond_url("a" * 500)),
        anonymous(client.get, open_url(services.new_token()[0])),  # an open link that does not exist
        anonymous(client.get, open_url(token)),  # a private token is not an open link
    ]
    for page in pages:
        assert page.status_code == 404
        assert page.content == pages[0].content
        assert_private_headers(page)
        html = page.content.decode()
        assert "This link does not work" in html
        for name in names_of(open_round, workspace_a):
            assert name not in html
    assert anonymous(client.post, save_url("x"), {}).status_code == 404


def test_a_closed_round_refuses_answers_and_says_nothing_about_itself(client, link, open_round, actor, workspace_a):
    token, _ = link
    services.close_round(actor, open_round)
    page = anonymous(client.get, respond_url(token))
    assert page.status_code == 410 and "This survey has closed" in page.content.decode()
    for name in names_of(open_round, workspace_a):
        assert name not in page.content.decode()
    sent = anonymous(client.post, respond_url(token), all_answers(open_round))
    assert sent.status_code == 410 and "This survey has closed" in sent.content.decode()
    draft = anonymous(client.post, save_url(token), all_answers(open_round), headers={"HX-Request": "true"})
    assert draft.status_code == 410 and "Not saved" in draft.content.decode()
    assert not Response.objects.exists()


def test_a_round_not_open_yet_shows_its_opening_date_only(client, partnership_with_people, actor, workspace_a):
    opens = dt.date.today() + dt.timedelta(days=5)
    round_, _ = services.create_round(
        actor, partnership_with_people, services.health_check(), opens, opens + dt.timedelta(days=7)
    )
    token = services.issue_link(actor, round_.invitations.first())
    page = anonymous(client.get, respond_url(token))
    html = page.content.decode()
    assert page.status_code == 200 and "not open yet" in html and opens.strftime("%-d %B %Y") in html
    assert (round_.closes_on.strftime("%-d %B %Y")) not in html
    for name in names_of(round_, workspace_a):
        assert name not in html
    assert 'type="radio"' not in html


# Drafts ------------------------------------------------------------------------------------------


def test_each_change_is_kept_as_a_draft(client, link, open_round):
    token, invitation = link
    total = len(open_round.instrument.spec.items)
    status = anonymous(
        client.post,
        save_url(token),
        {"answer-trust-rely": "4", "answer-trust-guarded": "na", "comment-works": "Good meetings"},
        headers={"HX-Request": "true"},
    )
    text = status.content.decode()
    assert status.status_code == 200 and "Draft saved at" in text
    assert f'<span id="progress" hx-swap-oob="true">2 of {total} answered</span>' in text
    response = Response.objects.get(invitation=invitation)
    assert response.draft_answers == {"trust-rely": 4, "trust-guarded": None}
    assert response.draft_comments == {"works": "Good meetings"} and response.submitted_at is None

    page = anonymous(client.get, respond_url(token)).content.decode()
    assert re.search(r'name="answer-trust-rely" value="4" checked', page)
    assert re.search(r'name="answer-trust-guarded" value="na" checked', page)
    assert ">Good meetings</textarea>" in page and f"2 of {total} answered" in page
    assert "Send my answers" in page  # a draft is not sent
    assert Response.objects.get(invitation=invitation).submitted_at is None


def test_save_draft_works_without_javascript(client, link):
    token, invitation = link
    saved = anonymous(client.post, save_url(token), {"answer-trust-rely": "2"})
    assert saved.status_code == 303 and saved["Location"] == respond_url(token) + "?saved=1"
    page = anonymous(client.get, saved["Location"]).content.decode()
    assert "Your draft is saved" in page and re.search(r'name="answer-trust-rely" value="2" checked', page)


def test_a_bad_draft_value_says_so_and_keeps_the_rest(client, link):
    token, invitation = link
    status = anonymous(
        client.post,
        save_url(token),
        {"answer-trust-rely": "9", "answer-trust-guarded": "3"},
        headers={"HX-Request": "1"},
    )
    assert status.status_code == 200 and "1 answer could not be read" in status.content.decode()
    assert Response.objects.get(invitation=invitation).draft_answers == {"trust-guarded": 3}


def test_a_refused_draft_says_why(client, link):
    token, _ = link
    status = anonymous(client.post, save_url(token), {"comment-works": "x" * 4001}, headers={"HX-Request": "true"})
    assert status.status_code == 400 and "Not saved: An answer can be at most 4000" in status.content.decode()


def test_a_simultaneous_first_save_is_tried_once_more():
    from django.db import IntegrityError

    from keel.assessments.respond_views import _once_more

    calls = []

    def service(value):
        calls.append(value)
        if len(calls) == 1:
            raise IntegrityError("the other request made the response row first")
        return value

    assert _once_more(service, "saved") == "saved" and calls == ["saved", "saved"]


# Sending ---------------------------------------------------------------------------------------


def test_sending_thanks_and_then_answers_can_be_changed(client, link, open_round):
    token, invitation = link
    form = {**all_answers(open_round, "4"), "comment-works": "Shared plans"}
    sent = anonymous(client.post, respond_url(token), form)
    assert sent.status_code == 303 and sent["Location"] == respond_url(token) + "?sent=1"
    thanks = anonymous(client.get, sent["Location"])
    html = thanks.content.decode()
    assert "Thank you" in html and "come back to this link to change your answers" in html
    assert open_round.closes_on.strftime("%-d %B %Y") in html
    assert_private_headers(thanks)
    open_round.refresh_from_db()
    assert open_round.response_count == 1
    first = Response.objects.get(invitation=invitation)
    assert first.answers["trust-rely"] == 4 and first.comments == {"works": "Shared plans"}

    # Sent answers are never shown back (issue "Harden" 1): changing them starts from a blank form.
    again = anonymous(client.get, respond_url(token)).content.decode()
    assert "Your answers are sent" in again and "Change my answers" in again and "Shared plans" not in again
    change = anonymous(client.get, respond_url(token) + "?change=1").content.decode()
    assert "Replace my answers" in change and "You sent your answers on" in change
    assert " checked" not in change and "Shared plans" not in change

    changed = anonymous(client.post, respond_url(token), {**form, "answer-trust-rely": "1"})
    assert changed.status_code == 303
    response = Response.objects.get(invitation=invitation)
    assert response.answers["trust-rely"] == 1 and response.submitted_at == first.submitted_at
    open_round.refresh_from_db()
    assert open_round.response_count == 1


def test_bad_values_are_refused_with_a_message_and_nothing_is_lost(client, link, open_round):
    token, invitation = link
    form = {**all_answers(open_round, "5"), "answer-trust-rely": "7", "comment-works": "Monthly huddles"}
    refused = anonymous(client.post, respond_url(token), form)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'role="alert"' in html and "could not be read" in html and 'href="#item-trust-rely"' in html
    assert "Nothing you entered is lost" in html and ">Monthly huddles</textarea>" in html
    assert html.count('value="5" checked') == len(open_round.instrument.spec.items) - 1
    assert not Response.objects.filter(invitation=invitation, submitted_at__isnull=False).exists()

    empty = anonymous(client.post, respond_url(token), {})
    assert empty.status_code == 400 and "Answer at least one statement" in empty.content.decode()

    too_long = anonymous(client.post, respond_url(token), {"answer-trust-rely": "3", "comment-works": "x" * 4001})
    assert too_long.status_code == 400 and "at most 4000 characters" in too_long.content.decode()
    assert re.search(r'name="answer-trust-rely" value="3" checked', too_long.content.decode())


# Open links ------------------------------------------------------------------------------------


def start(client, token, form=None):
    """The first save through an open link (a draft): where it sends the person, their private link."""
    saved = anonymous(client.post, open_url(token) + "?draft=1", form or {"answer-trust-rely": "3"})
    assert saved.status_code == 303, saved.content.decode()
    assert_private_headers(saved)
    assert saved["Location"].endswith("/?saved=1")
    return saved["Location"].split("?")[0]


def test_an_open_link_gives_each_person_a_link_of_their_own_until_its_limit(client, open_link, partnership_with_people):
    round_, token = open_link
    organisations = list(partnership_with_people.members.values_list("organisation_id", "organisation__name"))
    # Opening the link shows the questions and makes nothing (issue "Harden" 2).
    opened = anonymous(client.get, open_url(token), headers={"User-Agent": BROWSER})
    page = opened.content.decode()
    assert opened.status_code == 200 and not Invitation.objects.exists()
    assert_private_headers(opened)
    assert '<select id="organisation" name="organisation" required' in page
    for _, name in organisations:
        assert f">{name}</option>" in page
    assert "a page of your own" in page and "hx-post" not in page

    without = anonymous(client.post, open_url(token), all_answers(round_, "3"))
    assert without.status_code == 400 and "Choose your organisation" in without.content.decode()
    assert without.content.decode().count('value="3" checked') == len(round_.instrument.spec.items)
    outsider = anonymous(client.post, open_url(token), {**all_answers(round_), "organisation": "999999"})
    assert outsider.status_code == 400 and "Choose your organisation" in outsider.content.decode()
    assert not Invitation.objects.exists()

    chosen = organisations[1][0]
    sent = anonymous(client.post, open_url(token), {**all_answers(round_), "organisation": str(chosen)})
    assert sent.status_code == 303 and sent["Location"].startswith("/respond/")
    first = sent["Location"].split("?")[0]
    response = Response.objects.get()
    assert response.organisation_id == chosen and response.source == Response.Source.OPEN_LINK
    assert "Thank you" in anonymous(client.get, sent["Location"]).content.decode()
    assert f'<option value="{chosen}" selected>' in anonymous(client.get, first + "?change=1").content.decode()

    second = anonymous(client.post, open_url(token), {**all_answers(round_), "organisation": str(chosen)})
    assert second.status_code == 303 and second["Location"].split("?")[0] != first

    full = anonymous(client.get, open_url(token), headers={"User-Agent": BROWSER})
    assert full.status_code == 410 and "limit of answers" in full.content.decode()
    assert round_.partnership.name not in full.content.decode()
    assert Invitation.objects.filter(via_open_link=True).count() == 2
    round_.refresh_from_db()
    assert round_.response_count == 2


def test_previews_and_prefetches_of_an_open_link_make_nothing(client, open_link):
    round_, token = open_link
    for headers in (
        {"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"},
        {"User-Agent": "WhatsApp/2.23.20.0"},
        {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"User-Agent": BROWSER, "Sec-Purpose": "prefetch"},
    ):
        page = anonymous(client.get, open_url(token), headers=headers)
        assert page.status_code == 200 and "Start the survey" in page.content.decode()
        assert round_.partnership.name not in page.content.decode()
    assert anonymous(client.head, open_url(token), headers={"User-Agent": BROWSER}).status_code == 200
    # A person whose browser looks like a preview presses Start: the questions, and still nothing made.
    started = anonymous(client.get, open_url(token) + "?start=1", headers={"User-Agent": "WhatsApp/2.23.20.0"})
    assert started.status_code == 200 and round_.partnership.name in started.content.decode()
    assert not Invitation.objects.filter(via_open_link=True).exists()


def test_a_person_who_started_before_the_limit_is_told_it_was_reached(client, open_link, partnership_with_people):
    round_, token = open_link
    organisation = str(partnership_with_people.members.first().organisation_id)
    late = start(client, token)
    for _ in range(2):
        sent = anonymous(client.post, open_url(token), {**all_answers(round_), "organisation": organisation})
        assert sent.status_code == 303
    refused = anonymous(client.post, late, {**all_answers(round_, "2"), "organisation": organisation})
    assert refused.status_code == 400 and "reached its limit" in refused.content.decode()
    assert refused.content.decode().count('value="2" checked') == len(round_.instrument.spec.items)


# Queries -----------------------------------------------------------------------------------------


def _big_instrument(actor, items=50):
    lines = ["id: big", "title: Big survey", "dimensions:"]
    lines += [f"  - key: d{d}\n    label: Dimension {d}" for d in range(5)]
    lines.append("items:")
    lines += [f"  - key: i{i}\n    dimension: d{i % 5}\n    statement: Statement number {i}." for i in range(items)]
    lines += ["prompts:", "  - key: works\n    text: What works?"]
    return services.load_instrument(actor, "\n".join(lines))[0]


@pytest.mark.parametrize("via_open_link", [False, True], ids=["private", "open"])
def test_the_respondent_page_makes_the_same_few_queries_however_much_is_answered(
    client, partnership_with_people, actor, via_open_link
):
    today = dt.date.today()
    round_, _ = services.create_round(
        actor, partnership_with_people, _big_instrument(actor), today, today + dt.timedelta(days=3)
    )
    counts = []
    for answered in (5, 50):
        invitation = Invitation.objects.create(round=round_, via_open_link=via_open_link)
        token = services.issue_link(actor, invitation)
        # The draft is shown only to the browser that saved it: this client holds its cookie.
        secret = f"browser-secret-of-the-test-number-{answered}"
        services.save_draft(
            invitation,
            {f"i{i}": "3" for i in range(answered)},
            {"works": "Plenty"},
            browser=services.hash_token(secret),
        )
        client.cookies[_cookie_name(token)] = secret
        with workspace_scope(None), CaptureQueriesContext(connection) as queries:
            page = client.get(respond_url(token))
        assert page.status_code == 200 and f"{answered} of 50 answered" in page.content.decode()
        counts.append(len(queries))
    # 1 the link with its invitation, round, instrument, partnership and workspace;
    # 2 the response; 3 the member organisations to choose from (open links only).
    assert counts[0] == counts[1] <= (3 if via_open_link else 2), counts


def test_an_open_link_respondent_finds_their_organisation_kept_with_the_draft(
    client, open_link, partnership_with_people
):
    round_, token = open_link
    chosen = partnership_with_people.members.values_list("organisation_id", flat=True)[1]
    first = start(client, token, {"answer-trust-rely": "4", "organisation": str(chosen)})
    private = first.split("/respond/")[1].strip("/")
    page = anonymous(client.get, first + "?saved=1").content.decode()
    assert f'<option value="{chosen}" selected>' in page and "Your draft is saved" in page
    draft = Response.objects.get()
    assert draft.organisation_id == chosen and draft.submitted_at is None
    # A draft without a choice yet is still kept, and keeps the earlier choice.
    again = anonymous(client.post, save_url(private), {"answer-trust-rely": "5"}, headers={"HX-Request": "true"})
    assert again.status_code == 200 and "Draft saved at" in again.content.decode()
    draft.refresh_from_db()
    assert draft.organisation_id == chosen and draft.draft_answers["trust-rely"] == 5
