"""A partnership lead starts an assessment round in a real browser, follows it and copies a private link."""

import re

import pytest
from axe import check_accessibility
from django.core import mail
from playwright.sync_api import expect

from keel.assessments import services as assessments
from keel.assessments.models import AssessmentRound
from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.register import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def alliance(workspace_a):
    """An active partnership of two organisations with three people, one of them without an e-mail address."""
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        mind = services.save_organisation(actor, {"name": "Northshire Mind", "sector": "Charity"})
        trust = services.save_organisation(actor, {"name": "Northshire Teaching Hospitals", "sector": "NHS trust"})
        for name, organisation, email in [
            ("Priya Shah", mind, "priya@example.org"),
            ("Tom Okafor", mind, ""),
            ("Dr Ann Lee", trust, "ann@example.org"),
        ]:
            services.save_person(actor, {"name": name, "organisation": organisation, "email": email})
        services.save_partnership(actor, {"name": "Frailty alliance", "status": "active"}, organisations=[mind, trust])
        services.save_partnership(actor, {"name": "Falls group", "status": "active"}, organisations=[mind, trust])
    return workspace_a


def test_an_editor_starts_a_round_and_copies_a_link(page, login, editor, alliance):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(editor)
    check_accessibility(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment rounds")
    check_accessibility(page)

    page.get_by_role("link", name="New assessment round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New assessment round")
    check_accessibility(page)
    page.get_by_label("Partnership (required)").select_option(label="Frailty alliance")
    # Choosing the partnership brings in its people, everyone ticked.
    invitees = page.get_by_role("group", name="Who is invited")
    expect(invitees.get_by_role("checkbox")).to_have_count(3)
    expect(invitees.get_by_role("checkbox", name=re.compile("Priya Shah"))).to_be_checked()
    expect(invitees).to_contain_text("no e-mail address")
    check_accessibility(page)
    invitees.get_by_role("checkbox", name=re.compile("Dr Ann Lee")).uncheck()
    page.get_by_label("Title").fill("Spring health check")
    page.get_by_role("button", name="Start the round").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Spring health check")
    expect(page.locator(".messages")).to_contain_text("Invitations sent to 1 person.")
    expect(page.locator(".messages")).to_contain_text("1 person has no e-mail address")
    expect(page.locator("#round-progress")).to_contain_text("0 of 2")
    check_accessibility(page)
    assert [m.to for m in mail.outbox] == [["priya@example.org"]]

    table = page.get_by_role("table", name="Invited people, by organisation")
    expect(table.get_by_role("row")).to_have_count(3)  # a header and two invitees
    table.get_by_role("button", name="Copy link for Tom Okafor").click()
    link = page.get_by_label("Private link for Tom Okafor")
    expect(link).to_have_value(re.compile(r"/respond/[\w-]{40,}/$"))
    expect(link).to_be_focused()
    check_accessibility(page)
    page.get_by_role("button", name="Copy the link for Tom Okafor").click()
    expect(page.locator('[data-copy-status^="link-input-"]')).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()
    token = link.input_value().rstrip("/").rsplit("/", 1)[-1]
    with workspace_scope(alliance):
        state, invitation = assessments.find_invitation(token)
        assert state == assessments.READY and invitation.person.name == "Tom Okafor"

    page.get_by_role("link", name="Assessment rounds").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment rounds")
    row = page.get_by_role("row", name=re.compile("Spring health check"))
    expect(row).to_contain_text("Frailty alliance")
    expect(row).to_contain_text("0 / 2")
    expect(row).to_contain_text("Open")
    check_accessibility(page)
    with workspace_scope(alliance):
        assert AssessmentRound.objects.count() == 1


def test_an_editor_starts_rounds_for_many_partnerships_with_open_links(page, login, editor, alliance):
    login(editor)
    check_accessibility(page)
    page.goto(f"/w/{alliance.slug}/assessments/rounds/new/")
    check_accessibility(page)
    page.get_by_role("link", name="Many partnerships in one step").click()
    expect(page.locator("#set-count")).to_have_text("That is 0 partnerships.")  # none is strategic
    check_accessibility(page)
    page.get_by_label("Tier").select_option(label="Any tier")
    expect(page.locator("#set-count")).to_have_text("That is 2 partnerships.")
    page.get_by_label("Also make an open link").check()
    page.get_by_label("Most answers through the open link").fill("20")
    page.get_by_label("Send invitations by e-mail now").uncheck()
    page.get_by_role("button", name="Start the rounds").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment rounds")
    expect(page.locator(".messages")).to_contain_text("2 assessment rounds started.")
    expect(page.get_by_label("Open link for Falls group")).to_have_value(re.compile(r"/open/[\w-]{40,}/$"))
    expect(page.get_by_label("Open link for Frailty alliance")).to_have_value(re.compile(r"/open/"))
    check_accessibility(page)
    assert not mail.outbox

    page.get_by_role("link", name="Falls group").first.click()  # the partnership's page
    check_accessibility(page)
    page.go_back()
    page.reload()
    expect(page.get_by_label("Open link for Falls group")).to_have_count(0)  # shown once only
    check_accessibility(page)
    page.get_by_role("row", name=re.compile("Falls group")).get_by_role("link").first.click()
    expect(page.get_by_role("button", name=re.compile(r"Send invitations \(2 not sent yet\)"))).to_be_visible()
    check_accessibility(page)
    page.get_by_text("Close the round now").first.click()
    page.get_by_role("button", name="Close the round now").click()
    expect(page.locator(".messages")).to_contain_text("The round is closed")
    expect(page.locator(".status")).to_have_text("Closed")
    check_accessibility(page)
