"""The register as a partnership lead uses it, in a real browser, with axe on every page."""

import re

import pytest
from axe import check_accessibility
from playwright.sync_api import expect

from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.register import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def register(workspace_a):
    """Three organisations and a handful of partnerships in workspace A."""
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        orgs = [
            services.save_organisation(actor, {"name": name, "sector": sector})
            for name, sector in [
                ("Northshire Mind", "Charity"),
                ("Northshire Teaching Hospitals", "NHS trust"),
                ("Age UK Northshire", "Charity"),
            ]
        ]
        services.save_person(actor, {"name": "Priya Shah", "organisation": orgs[0], "email": "priya@example.org"})
        for i, status in enumerate(["active", "active", "under_review", "proposed"]):
            services.save_partnership(
                actor,
                {"name": f"Existing partnership {i}", "status": status},
                organisations=orgs[:2] if status != "proposed" else [],
            )
    return orgs


def test_create_a_partnership_with_two_partners(page, login, editor, workspace_a, register):
    login(editor)
    check_accessibility(page)
    page.get_by_role("link", name="New partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New partnership")
    check_accessibility(page)

    page.get_by_label("Name").fill("Hospital discharge alliance")
    page.get_by_label("Purpose").fill("Get people home from hospital safely and quickly.")
    page.get_by_label("Status").select_option(label="Active")
    page.get_by_label("Review every").fill("quarterly")
    page.get_by_label("Partner 1").fill("Northshire Mind")
    page.get_by_label("Partner 2").press_sequentially("age uk", delay=30)
    expect(page.locator("#id_partners_suggestions option")).to_have_count(1)
    check_accessibility(page)
    page.get_by_label("Partner 2").fill("Age UK Northshire")
    page.get_by_role("button", name="Add another partner").click()
    expect(page.get_by_label("Partner 3")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hospital discharge alliance")
    members = page.get_by_role("table", name="Member organisations and their single points of contact")
    expect(members).to_contain_text("Northshire Mind")
    expect(members).to_contain_text("Age UK Northshire")
    expect(page.locator("#fact-review_every_months")).to_contain_text("quarterly")
    expect(page.locator(".history")).to_contain_text("Created")
    check_accessibility(page)


def test_one_partner_is_refused_with_the_reason_and_nothing_typed_is_lost(page, login, editor, register):
    login(editor)
    check_accessibility(page)
    page.get_by_role("link", name="New partnership").click()
    check_accessibility(page)
    page.get_by_label("Name").fill("Lonely partnership")
    page.get_by_label("Status").select_option(label="Active")
    page.get_by_label("Partner 1").fill("Northshire Mind")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field-error")).to_contain_text("at least two partner organisations")
    expect(page.get_by_label("Name")).to_have_value("Lonely partnership")
    check_accessibility(page)


def test_filter_the_list_without_a_full_reload(page, login, viewer, workspace_a, register):
    login(viewer)
    check_accessibility(page)
    expect(page.locator(".count")).to_have_text("4 partnerships")
    page.evaluate("window.__stillHere = true")  # lost if the page reloads
    page.get_by_label("Status").select_option(label="Active")
    expect(page.locator(".count")).to_have_text("2 partnerships")
    expect(page).to_have_url(re.compile(r"status=active"))  # htmx pushes the URL after the swap
    check_accessibility(page)
    page.get_by_label("Search").fill("Existing partnership 2")
    expect(page.locator(".count")).to_have_text("0 partnerships")
    expect(page).to_have_url(re.compile(r"q=Existing"))
    check_accessibility(page)
    page.get_by_label("Status").select_option(label="Under review")
    expect(page.locator(".count")).to_have_text("1 partnership")
    expect(page).to_have_url(re.compile(r"status=under_review"))
    check_accessibility(page)
    assert page.evaluate("window.__stillHere") is True
    page.locator("thead").get_by_role("link", name="Name", exact=True).click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Name")
    expect(page).to_have_url(re.compile(r"sort=-name"))
    check_accessibility(page)


def test_edit_inline_and_see_the_change_history(page, login, editor, workspace_a, register):
    login(editor)
    check_accessibility(page)
    page.get_by_role("link", name="Existing partnership 3").click()
    expect(page.locator("#fact-status")).to_contain_text("Proposed")
    check_accessibility(page)

    page.get_by_role("button", name="Edit status").click()
    status = page.locator("#fact-status select")
    status.select_option(label="Active")
    page.locator("#fact-status").get_by_role("button", name="Save").click()
    # Refused: a proposed partnership becomes active only by being started, from its own page.
    expect(page.locator("#fact-status").get_by_role("link", name="Start this partnership")).to_be_visible()
    status.select_option(label="Under review")
    page.locator("#fact-status").get_by_role("button", name="Save").click()
    # Refused too: a partnership with no partners is only ever proposed.
    expect(page.locator("#fact-status")).to_contain_text("at least two member organisations")
    check_accessibility(page)
    page.locator("#fact-status").get_by_role("button", name="Cancel").click()

    page.get_by_role("button", name="Edit tier").click()
    expect(page.locator("#fact-tier select")).to_be_focused()
    page.locator("#fact-tier select").select_option(label="Strategic partnership")
    page.locator("#fact-tier").get_by_role("button", name="Save").click()
    expect(page.locator("#fact-tier")).to_contain_text("Strategic partnership")
    expect(page.locator("#fact-tier select")).to_have_count(0)
    expect(page.get_by_role("button", name="Edit tier")).to_be_focused()

    page.reload()
    history = page.locator(".history")
    expect(history).to_contain_text("Changed")
    expect(history).to_contain_text("Operational partnership")
    expect(history).to_contain_text("Strategic partnership")
    check_accessibility(page)


def test_choose_a_lead_by_typing_with_suggestions(page, login, editor, register):
    login(editor)
    check_accessibility(page)
    page.get_by_role("link", name="Existing partnership 0").click()
    check_accessibility(page)
    page.get_by_role("button", name="Edit lead").click()
    lead = page.get_by_label("Lead")
    expect(lead).to_be_visible()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")
    lead.press_sequentially("pri", delay=50)
    suggestions = page.locator("#fact-lead datalist option")
    expect(suggestions).to_have_count(1)
    assert suggestions.first.get_attribute("value") == "Priya Shah (Northshire Mind)"
    check_accessibility(page)
    lead.fill(suggestions.first.get_attribute("value"))
    page.locator("#fact-lead").get_by_role("button", name="Save").click()
    expect(page.locator("#fact-lead")).to_contain_text("Priya Shah")
    expect(page.locator("#fact-lead input")).to_have_count(0)
