"""A dissolution run to the end in a real browser: start it, settle every step (one waived with a
reason), be refused an early end, end the partnership as a relationship, and edit a closing letter."""

import re

import pytest
from axe import check_accessibility
from playwright.sync_api import expect

from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.decisions.defaults import ENDING
from keel.decisions.models import Review
from keel.register import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

WAIVED = "Clients and open referrals handed over"


@pytest.fixture
def alliance(workspace_a, editor):
    """A partnership led by the editor (the same e-mail), with two partners, and a review that decided to dissolve."""
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        age = services.save_organisation(actor, {"name": "Age UK Northshire"})
        mind = services.save_organisation(actor, {"name": "Northshire Mind"})
        trust = services.save_organisation(actor, {"name": "Northshire Community Trust"})
        lead = services.save_person(actor, {"name": "Eddie Lead", "email": editor.email, "organisation": age})
        priya = services.save_person(actor, {"name": "Priya Shah", "organisation": mind})
        partnership = services.save_partnership(
            actor,
            {"name": "Frailty alliance", "status": "active", "lead": lead, "purpose": "Keep frail people well at home"},
            organisations=[age, mind, trust],
        )
        services.change_member(actor, partnership.members.get(organisation=mind), {"contact": priya})
        review = Review.objects.create(
            partnership=partnership,
            held_on="2026-11-30",
            decision="dissolve",
            reasons="It no longer serves our strategic priorities.",
        )
        return partnership, review


def test_a_dissolution_run_to_the_end(page, login, editor, workspace_a, alliance):
    partnership, review = alliance
    login(editor)
    check_accessibility(page)

    # Start, from the review's decision (part of the review page's redirect).
    page.goto(f"/w/{workspace_a.slug}/partnerships/{partnership.pk}/dissolution/?review={review.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dissolve Frailty alliance")
    expect(page.get_by_label("Why is the partnership ending?")).to_have_value(
        "It no longer serves our strategic priorities."
    )
    check_accessibility(page)
    page.get_by_role("button", name="Start the dissolution").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ending Frailty alliance")
    expect(page.locator(".messages")).to_contain_text("has started")
    steps = page.locator("ol.dissolution-steps > li")
    expect(steps).to_have_count(len(ENDING))
    expect(steps.first).to_contain_text("Eddie Lead")
    check_accessibility(page)

    # Every step but the last two settled: one waived with a reason, the others done.
    for text, _, _ in ENDING[:-2]:
        if text == WAIVED:
            step = page.locator("ol.dissolution-steps > li", has=page.get_by_role("heading", name=text))
            step.get_by_text("Waive this step").click()
            step.get_by_label("Why is this step waived?").fill("No clients or referrals were ever shared between us.")
            page.get_by_role("button", name=f"Waive: {text}").click()
        else:
            page.get_by_role("button", name=f"Mark done: {text}").click()
        expect(page.locator(".messages")).to_contain_text(text)
    waived = page.locator("ol.dissolution-steps > li", has_text=WAIVED)
    expect(waived).to_contain_text("Waived: No clients or referrals were ever shared")
    check_accessibility(page)

    # Ending early is refused, naming what is still open.
    page.get_by_role("button", name="End the partnership").click()
    expect(page.locator(".messages")).to_contain_text(f"Still open: {ENDING[-2][0]}; {ENDING[-1][0]}")
    check_accessibility(page)

    # What we record at the end, then the last two steps.
    page.get_by_label("What we achieved together").fill("400 people supported at home\nA shared referral pathway")
    page.get_by_label("Keep in touch every (days)").fill("60")
    page.locator("form", has=page.get_by_label("Lessons learned")).get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved")
    for text, _, _ in ENDING[-2:]:
        page.get_by_role("button", name=f"Mark done: {text}").click()
        expect(page.locator(".messages")).to_contain_text(text)
    expect(page.locator("#complete-heading + p")).to_contain_text("Every step is settled")
    page.get_by_role("button", name="End the partnership").click()
    expect(page.locator(".messages")).to_contain_text("Frailty alliance has ended. The relationship is kept")
    check_accessibility(page)

    # The partnership has ended and is a relationship, kept in touch.
    page.get_by_role("link", name="Frailty alliance").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frailty alliance")
    expect(page.locator("#fact-status")).to_contain_text("Ended")
    expect(page.locator("#fact-tier")).to_contain_text("Relationship")
    ending = page.locator("section", has=page.locator("#dissolution-heading"))
    expect(ending).to_contain_text("relationship kept, keep in touch every 60 days")
    check_accessibility(page)

    # A closing letter to each partner, drafted by Keel and edited by a person.
    ending.get_by_role("link", name="Closing letters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Closing letters")
    check_accessibility(page)
    page.get_by_role("button", name="Draft a letter to each partner").click()
    letters = page.get_by_role("table", name="One closing letter per partner")
    expect(letters.get_by_role("row")).to_have_count(3)
    check_accessibility(page)
    letters.get_by_role("link", name="Edit the letter to Northshire Mind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter to Northshire Mind")
    body = page.get_by_label("Letter")
    expect(body).to_have_value(re.compile(r"^Dear Priya Shah,"))
    expect(body).to_have_value(re.compile("400 people supported at home"))
    expect(body).to_have_value(re.compile("every two months"))
    check_accessibility(page)
    body.fill(body.input_value().replace("Dear Priya Shah,", "Dear Priya,"))
    page.get_by_role("button", name="Save the letter").click()
    expect(page.locator(".messages")).to_contain_text("Letter saved")
    expect(page.get_by_label("Letter")).to_have_value(re.compile(r"^Dear Priya,"))
    page.get_by_role("button", name="Mark as sent").click()
    expect(page.locator(".messages")).to_contain_text("Marked as sent")
    check_accessibility(page)
