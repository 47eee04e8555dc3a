"""Starting a proposed partnership in a real browser: refused without end terms, then started."""

import re

import pytest
from axe import check_accessibility
from playwright.sync_api import expect

from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.register import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def falls(workspace_a):
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        age = services.save_organisation(actor, {"name": "Age UK Northshire"})
        trust = services.save_organisation(actor, {"name": "Northshire Teaching Hospitals"})
        return services.save_partnership(
            actor, {"name": "Falls prevention", "status": "proposed"}, organisations=[age, trust]
        )


def test_a_proposed_partnership_is_refused_without_end_terms_then_started(page, login, editor, falls):
    login(editor)
    check_accessibility(page)
    page.goto(falls.get_absolute_url())
    expect(page.locator("#fact-status")).to_contain_text("Proposed")
    check_accessibility(page)

    page.get_by_role("link", name="Start this partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start Falls prevention")
    check_accessibility(page)

    items = page.locator("fieldset[id^=criterion-]")
    expect(items.first).to_contain_text("A shared purpose we can write down in one sentence")
    for item in items.all():
        item.get_by_label("Yes", exact=True).check()
    page.get_by_label("Why start this partnership?").fill("Falls admissions rose 20% last year.")
    page.get_by_role("button", name="Start this partnership").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Falls prevention has not started: there is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Set a planned end date or an end condition.",
            "Set how often the partnership is reviewed.",
            "Describe the conflict resolution process, or upload the document the partners agreed.",
        ]
    )
    expect(page.get_by_label("Why start this partnership?")).to_have_value("Falls admissions rose 20% last year.")
    check_accessibility(page)

    summary.get_by_role("link", name="Set how often the partnership is reviewed.").click()
    page.get_by_label("Review every").fill("quarterly")
    page.get_by_label("Or an end condition").fill("When the pilot's two-year funding ends")
    page.get_by_label("Conflict resolution process", exact=True).fill(
        "The two leads meet within a week; if stuck, the ICS convenor mediates."
    )
    page.get_by_role("button", name="Start this partnership").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Falls prevention")
    expect(page.locator(".messages")).to_contain_text("Falls prevention started.")
    expect(page.locator("#fact-status")).to_contain_text("Active")
    started = page.locator("section", has=page.locator("#start-heading"))
    expect(started).to_contain_text(re.compile(r"Started on .+ by eddie"))
    expect(started).to_contain_text("because Falls admissions rose 20% last year.")
    expect(page.get_by_role("link", name="Start this partnership")).to_have_count(0)
    check_accessibility(page)


def test_the_decision_settings_and_checklists_pages_on_a_phone(page, login, admin, workspace_a, falls):
    page.set_viewport_size({"width": 390, "height": 844})
    login(admin)
    check_accessibility(page)
    page.goto(f"/w/{workspace_a.slug}/settings/")
    check_accessibility(page)
    page.get_by_role("link", name="Decision settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision settings")
    check_accessibility(page)
    page.get_by_label("Costs more than it produces below a return of").fill("9")
    page.get_by_role("button", name="Save decision settings").click()
    expect(page.locator(".has-error")).to_contain_text("keep and invest")
    check_accessibility(page)

    page.get_by_role("link", name="The checklists").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checklists")
    check_accessibility(page)
    start = page.get_by_role("table", name="Qualities needed to start, in the order they are asked")
    second = start.locator("tbody tr").nth(1).locator("th").inner_text().splitlines()[0]
    start.locator("tbody tr").nth(1).get_by_role("button", name=re.compile("^Move up")).click()
    expect(start.locator("tbody tr").first.locator("th")).to_contain_text(second)
    check_accessibility(page)
    start.locator("tbody tr").first.get_by_role("button", name=re.compile("^Retire")).click()
    expect(page.locator("section:has(#checklist-start) ul.retired")).to_contain_text(second)
    expect(start.locator("tbody")).not_to_contain_text(second)
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("^Change wording.+An irreconcilable conflict")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change a checklist item")
    expect(page.locator(".notice")).to_contain_text("irreconcilable conflict")
    check_accessibility(page)

    page.goto(f"/w/{workspace_a.slug}/partnerships/{falls.pk}/start/")
    page.get_by_role("button", name="Start this partnership").click()
    expect(page.get_by_role("alert")).to_contain_text("there is a problem")
    check_accessibility(page)
