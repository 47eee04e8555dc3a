"""A partner's member of staff answers a survey on a phone, from a private link, with no account."""

import datetime as dt

import pytest
from axe import check_accessibility
from playwright.sync_api import expect

from keel.assessments import services as assessments
from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.register import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def private_link(workspace_a):
    """An open round of the health check for a partnership of two; the link of its one invitee."""
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        mind = services.save_organisation(actor, {"name": "Northshire Mind", "sector": "Charity"})
        trust = services.save_organisation(actor, {"name": "Northshire Teaching Hospitals", "sector": "NHS trust"})
        priya = services.save_person(actor, {"name": "Priya Shah", "organisation": mind, "email": "p@example.org"})
        partnership = services.save_partnership(
            actor, {"name": "Frailty alliance", "status": "active"}, organisations=[mind, trust]
        )
        today = dt.date.today()
        round_, _ = assessments.create_round(
            actor, partnership, assessments.health_check(), today, today + dt.timedelta(days=14), invitees=[priya]
        )
        return f"/respond/{assessments.issue_link(actor, round_.invitations.get())}/", round_


def no_sideways_scrolling(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def test_a_respondent_answers_on_a_phone(page, private_link):
    url, round_ = private_link
    spec = round_.instrument.spec
    first, second = spec.items[0], spec.items[1]
    page.set_viewport_size(PHONE)
    page.goto(url)
    check_accessibility(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(spec.title)
    expect(page.get_by_text("Frailty alliance")).to_be_visible()
    expect(page.locator("#progress")).to_have_text(f"0 of {len(spec.items)} answered")
    no_sideways_scrolling(page)

    # A tap on a label chooses its answer.
    page.get_by_role("group", name=first.statement).get_by_text("Agree", exact=True).click()
    expect(
        page.get_by_role("group", name=first.statement).get_by_role("radio", name="Agree", exact=True)
    ).to_be_checked()
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    expect(page.locator("#progress")).to_have_text(f"1 of {len(spec.items)} answered")

    # The keyboard: Tab reaches the next statement's answers, the arrow keys move between them.
    group = page.get_by_role("group", name=second.statement)
    group.get_by_role("radio", name="Strongly disagree").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(group.get_by_role("radio", name="Disagree", exact=True)).to_be_checked()
    expect(page.locator("#progress")).to_have_text(f"2 of {len(spec.items)} answered")

    prompt = spec.prompts[0]
    # Typing saves once the typing pauses for a second.
    with page.expect_response(
        lambda r: r.url.endswith("/save/") and "Monthly%20huddles" in (r.request.post_data or "")
    ):
        page.get_by_label(prompt.text).press_sequentially("Monthly huddles", delay=20)
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    check_accessibility(page)  # with the status line showing

    page.reload()
    check_accessibility(page)
    expect(
        page.get_by_role("group", name=first.statement).get_by_role("radio", name="Agree", exact=True)
    ).to_be_checked()
    expect(group.get_by_role("radio", name="Disagree", exact=True)).to_be_checked()
    expect(page.get_by_label(prompt.text)).to_have_value("Monthly huddles")
    expect(page.locator("#progress")).to_have_text(f"2 of {len(spec.items)} answered")

    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_text("come back to this link to change your answers")).to_be_visible()
    check_accessibility(page)
    no_sideways_scrolling(page)

    # Sent answers are never shown back: changing them starts from a blank form (issue "Harden" 1).
    page.get_by_role("link", name="Change my answers").click()
    expect(page.get_by_role("button", name="Replace my answers")).to_be_visible()
    expect(page.get_by_label(prompt.text)).to_have_value("")
    expect(page.locator("#progress")).to_have_text(f"0 of {len(spec.items)} answered")
    check_accessibility(page)


def test_the_page_fits_the_narrowest_phone_and_a_desktop(page, private_link):
    url, _ = private_link
    for size in ({"width": 320, "height": 640}, {"width": 1280, "height": 900}):
        page.set_viewport_size(size)
        page.goto(url)
        check_accessibility(page)
        no_sideways_scrolling(page)


def test_an_open_link_asks_for_the_organisation(page, private_link, workspace_a):
    _, round_ = private_link
    today = dt.date.today()
    with workspace_scope(workspace_a):
        open_round, token = assessments.create_round(
            Actor(via="test"),
            round_.partnership,
            round_.instrument,
            today,
            today + dt.timedelta(days=3),
            invitees=[],
            open_limit=10,
        )
    page.set_viewport_size(PHONE)
    # Opening the link makes nothing: the questions are on the open link's own page until a save.
    page.goto(f"/open/{token}/")
    check_accessibility(page)
    no_sideways_scrolling(page)
    statement = open_round.instrument.spec.items[0].statement
    page.get_by_role("group", name=statement).get_by_text("Strongly agree").click()
    page.get_by_role("button", name="Send my answers").click()
    # The browser itself asks for the organisation first (the server would refuse too).
    expect(page.get_by_label("Your organisation")).to_be_focused()
    page.get_by_label("Your organisation").select_option(label="Northshire Teaching Hospitals")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/respond/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    check_accessibility(page)


def test_an_unknown_link_gets_a_page_that_names_nothing(page, private_link):
    page.set_viewport_size(PHONE)
    response = page.goto("/respond/not-a-real-link-at-all-sorry-about-that/")
    assert response.status == 404
    check_accessibility(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    expect(page.get_by_text("Frailty alliance")).to_have_count(0)
    expect(page.get_by_text("Northshire")).to_have_count(0)
