"""A full review in a real browser: open the review page, answer the keep criteria, record "improve"
with an action, and find the decision and the action on the partnership page."""

import datetime as dt

import pytest
from axe import check_accessibility
from playwright.sync_api import expect

from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.decisions.services.criteria import current_checklist
from keel.register import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def alliance(workspace_a, editor):
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        age = services.save_organisation(actor, {"name": "Age UK Northshire"})
        mind = services.save_organisation(actor, {"name": "Northshire Mind"})
        services.save_person(actor, {"name": "Jo Lead", "email": "jo@example.org", "organisation": age})
        partnership = services.save_partnership(
            actor,
            {"name": "Frailty alliance", "status": "under_review", "review_every_months": 6},
            organisations=[age, mind],
        )
        keep = [criterion.text for criterion in current_checklist("keep")]
    return partnership, keep


def test_a_full_review_records_improve_with_an_action(page, login, editor, alliance):
    partnership, keep = alliance
    login(editor)
    check_accessibility(page)
    page.goto(partnership.get_absolute_url())
    check_accessibility(page)
    reviews = page.locator("section", has=page.locator("#review-heading"))
    expect(reviews).to_contain_text("Never reviewed yet")
    reviews.get_by_role("link", name="Review now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review of Frailty alliance")
    expect(page.locator("#advice-heading")).to_have_text("Keel's recommendation")
    check_accessibility(page)

    # Recording too early lists what to put right, at the top, with links to each field.
    page.get_by_role("button", name="Record the review").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("The review is not recorded yet")
    expect(summary).to_contain_text(f"Answer “{keep[0]}”: yes, no or not sure.")
    expect(summary).to_contain_text("Choose a decision")
    check_accessibility(page)

    for text in keep:
        page.get_by_role("group", name=text).get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name=keep[2]).get_by_label("No", exact=True).check()
    page.get_by_label("Note on “Partners communicate regularly and openly”").fill("Two meetings missed.")
    page.get_by_role("group", name="Were the partnership's objectives met?").get_by_label("Partly").check()
    page.get_by_label("Why, or why not").fill("Waits fell, but not as far as planned.")
    page.get_by_role("group", name="What do you decide?").get_by_label("Improve", exact=True).check()
    page.get_by_label("Reasons for the decision").fill("Communication has slipped; the purpose still holds.")
    due = dt.date.today() + dt.timedelta(days=30)
    page.get_by_label("Improvement 1: what").fill("Meet every month")
    page.get_by_label("Improvement 1: owner").fill("jo@example.org")
    page.get_by_label("Improvement 1: due").fill(due.isoformat())
    page.get_by_role("button", name="Record the review").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Frailty alliance")
    expect(page.locator(".messages")).to_contain_text("Review recorded: Improve.")
    reviews = page.locator("section", has=page.locator("#review-heading"))
    expect(reviews).to_contain_text("Improve, ")
    expect(reviews).to_contain_text("Communication has slipped")
    actions = page.locator("section", has=page.locator("#actions-heading"))
    expect(actions).to_contain_text("Meet every month")
    expect(actions).to_contain_text("Jo Lead")
    check_accessibility(page)

    reviews.locator("a", has_text="Improve").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review of Frailty alliance")
    expect(page.locator("main")).to_contain_text("Keel recommended then")
    expect(page.get_by_role("region", name="Keep conditions as answered")).to_contain_text("Two meetings missed.")
    expect(page.locator("main")).to_contain_text("Meet every month")
    check_accessibility(page)
