"""A partnership lead logs a referral (a bad client reference refused, then corrected) and reads an
indicator's page with its chart, in a real browser, with axe on every page."""

import datetime as dt
from decimal import Decimal

import pytest
from axe import check_accessibility
from playwright.sync_api import expect

from keel.activity.models import Referral
from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.outcomes import services as outcomes
from keel.register import services as register

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def partnership(workspace_a):
    """A charity and a trust, a navigator at the trust, and an outcome indicator with a year of measurements."""
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        mind = register.save_organisation(actor, {"name": "Northshire Mind"})
        trust = register.save_organisation(actor, {"name": "Northshire Teaching Hospitals"})
        sam = register.save_person(actor, {"name": "Sam Patel", "organisation": trust, "role": "Discharge navigator"})
        partnership = register.save_partnership(
            actor, {"name": "Frailty alliance", "status": "active"}, organisations=[mind, trust]
        )
        indicator = outcomes.save_indicator(
            actor,
            partnership,
            {
                "name": "Days from referral to first visit",
                "unit": "days",
                "direction": "lower",
                "baseline": Decimal(40),
                "baseline_date": dt.date(2024, 4, 1),
                "target": Decimal(20),
                "target_date": dt.date(2025, 3, 31),
            },
        )
        for month, value in [(6, 37), (9, 33), (12, 27), (3, 19)]:
            year = 2025 if month == 3 else 2024
            outcomes.record_measurement(actor, indicator, dt.date(year, month, 28), value, "")
    return {"partnership": partnership, "indicator": indicator, "sam": sam}


def test_a_referral_with_an_nhs_number_is_refused_then_saved(page, login, editor, workspace_a, partnership):
    login(editor)
    check_accessibility(page)
    page.goto(f"/w/{workspace_a.slug}/partnerships/{partnership['partnership'].pk}/referrals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals of Frailty alliance")
    expect(page.get_by_text("No referral pathway is documented.")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Log a referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a referral in Frailty alliance")
    check_accessibility(page)

    page.get_by_label("From").select_option(label="Northshire Mind")
    page.get_by_label("To (required)", exact=True).select_option(label="Northshire Teaching Hospitals")
    page.get_by_label("Client reference").fill("943 476 5919")
    page.get_by_label("Warm handoff to").select_option(label="Sam Patel, Discharge navigator")
    page.get_by_label("Note").fill("Lives alone; falls at home")
    page.get_by_role("button", name="Save").click()

    # Refused, with the reason beside the field, and nothing typed is lost.
    field = page.locator(".field.has-error", has=page.get_by_label("Client reference"))
    expect(field.locator(".field-error")).to_contain_text(
        "This client reference cannot be kept: it contains a valid NHS number."
    )
    expect(page.get_by_label("Client reference")).to_have_value("943 476 5919")
    expect(page.get_by_label("Note")).to_have_value("Lives alone; falls at home")
    expect(page.get_by_label("Warm handoff to")).to_have_value(str(partnership["sam"].pk))
    check_accessibility(page)
    with workspace_scope(workspace_a):
        assert not Referral.objects.exists()

    page.get_by_label("Client reference").fill("FA-0117")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals of Frailty alliance")
    expect(page.get_by_role("status")).to_contain_text("Referral FA-0117 logged")
    row = page.get_by_role("row", name="FA-0117")
    expect(row).to_contain_text("Sam Patel")
    expect(row).to_contain_text("Awaiting outcome")
    check_accessibility(page)
    with workspace_scope(workspace_a):
        assert Referral.objects.get().client_reference == "FA-0117"


def test_an_indicator_page_draws_its_chart_and_line(page, login, viewer, workspace_a, partnership):
    login(viewer)
    check_accessibility(page)
    page.goto(f"/w/{workspace_a.slug}/indicators/{partnership['indicator'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Days from referral to first visit")
    expect(page.locator(".indicator-status")).to_contain_text("On track")
    expect(page.locator(".indicator-status")).to_contain_text("lower is better")
    chart = page.locator("#indicator-chart")
    expect(chart.locator("svg")).to_have_count(1)
    expect(chart).to_have_attribute("role", "img")
    assert chart.get_attribute("aria-label").startswith("Line chart of Days from referral to first visit: 4")
    # Two lines drawn: the measurements, and the dashed line from baseline to target.
    expect(chart.locator("svg path[stroke-dasharray]").first).to_be_attached()
    table = page.get_by_role("region", name="Measurements of Days from referral to first visit, newest first")
    expect(table.get_by_role("row")).to_have_count(5)
    expect(table.get_by_role("row", name="28 Mar 2025")).to_contain_text("19 days")
    check_accessibility(page)
