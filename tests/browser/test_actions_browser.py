"""A low rating's action, in a real browser: rate a partner 2, find the action, open it, mark it done."""

import re

import pytest
from axe import check_accessibility
from playwright.sync_api import expect

from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.register import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def alliance(workspace_a, editor):
    """A partnership whose lead is the editor (the same e-mail), with two member organisations."""
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        age = services.save_organisation(actor, {"name": "Age UK Northshire"})
        mind = services.save_organisation(actor, {"name": "Northshire Mind"})
        lead = services.save_person(actor, {"name": "Eddie Lead", "email": editor.email.upper(), "organisation": age})
        return services.save_partnership(
            actor, {"name": "Frailty alliance", "status": "active", "lead": lead}, organisations=[age, mind]
        )


def test_a_rating_of_2_creates_an_action_the_lead_finds_and_completes(page, login, editor, alliance):
    login(editor)
    check_accessibility(page)
    page.goto(alliance.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Frailty alliance")
    check_accessibility(page)

    page.get_by_role("link", name="Rate Northshire Mind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate the relationship with Northshire Mind")
    check_accessibility(page)
    page.get_by_label("2 – Weak").check()
    page.get_by_role("button", name="Save rating").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Frailty alliance")
    actions = page.locator("section", has=page.locator("#actions-heading"))
    expect(actions).to_contain_text("Strengthen the relationship with Northshire Mind")
    expect(actions).to_contain_text("Eddie Lead")
    members = page.get_by_role("table", name="Member organisations and their single points of contact")
    expect(members.get_by_role("row", name=re.compile("Northshire Mind"))).to_contain_text("2 out of 5")
    check_accessibility(page)

    # The timeline filters in place: only the ratings.
    timeline = page.locator("#timeline-results")
    page.get_by_label("Relationship ratings").check()
    expect(timeline).to_contain_text("1–1 of 1 entry (filtered)")
    expect(timeline).to_contain_text("Northshire Mind rated 2")
    check_accessibility(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    mine = page.get_by_role("table", name="My actions, overdue first")
    expect(mine).to_contain_text("Strengthen the relationship with Northshire Mind")
    check_accessibility(page)

    mine.get_by_role("link", name="Strengthen the relationship with Northshire Mind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strengthen the relationship with Northshire Mind")
    steps = page.locator("ol.steps li")
    expect(steps).to_have_text(
        [
            "Start a regular dialogue",
            "Learn their eligibility requirements",
            "Visit in person",
            "Ask how they measure success",
        ]
    )
    expect(page.get_by_role("link", name=re.compile("A relationship rating: Northshire Mind rated 2"))).to_be_visible()
    check_accessibility(page)

    page.get_by_role("button", name="Mark done").click()
    expect(page.locator(".messages")).to_contain_text("done")
    expect(page.locator(".facts")).to_contain_text("Done")
    expect(page.get_by_role("button", name="Mark done")).to_have_count(0)
    check_accessibility(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    expect(page.locator("main")).to_contain_text("No open actions.")
    check_accessibility(page)
