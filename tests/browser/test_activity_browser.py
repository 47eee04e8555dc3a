"""Meetings and relationship ratings as a partnership lead uses them, in a real browser, with axe on every page."""

import datetime as dt
import re

import pytest
from axe import check_accessibility
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from keel.activity.models import Meeting
from keel.common.text import add_months
from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.register import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def alliance(workspace_a):
    """An active partnership of two organisations, each with its single point of contact, and a lead."""
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        mind = services.save_organisation(actor, {"name": "Northshire Mind", "sector": "Charity"})
        age_uk = services.save_organisation(actor, {"name": "Age UK Northshire", "sector": "Charity"})
        priya = services.save_person(actor, {"name": "Priya Shah", "organisation": mind})
        tom = services.save_person(actor, {"name": "Tom Reid", "organisation": age_uk})
        partnership = services.save_partnership(
            actor, {"name": "Frailty alliance", "status": "active", "lead": priya}, organisations=[mind, age_uk]
        )
        for member in partnership.members.all():
            services.change_member(actor, member, {"contact": priya if member.organisation == mind else tom})
    return {"partnership": partnership, "mind": mind, "age_uk": age_uk}


def url(workspace, name, **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def test_log_a_meeting_with_attendance(page, login, editor, workspace_a, alliance):
    login(editor)
    check_accessibility(page)
    page.goto(url(workspace_a, "activity:partnership_meeting_new", pk=alliance["partnership"].pk))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a meeting of Frailty alliance")
    check_accessibility(page)

    mind = page.get_by_role("group", name="Northshire Mind")
    age_uk = page.get_by_role("group", name="Age UK Northshire")
    expect(mind.get_by_label("Attended")).to_be_checked()
    expect(mind.get_by_label("Who came")).to_have_value("Priya Shah")
    page.get_by_label("Kind").select_option(label="Steering group or board")
    page.get_by_label("Agenda").fill("1. Winter pressures\n2. Referral pathway")
    page.get_by_label("Decisions").fill("Meet monthly until March")
    mind.get_by_label("Who came").fill("Priya Shah, Ana Reyes")
    age_uk.get_by_label("Sent apologies").check()

    # A date in the future is refused on the date itself, and nothing typed is lost.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Save meeting").click()
    expect(page.locator("#id_date_error")).to_contain_text("is in the future")
    expect(page.get_by_label("Date")).to_have_attribute("aria-describedby", "id_date_error")
    expect(page.get_by_role("group", name="Age UK Northshire").get_by_label("Sent apologies")).to_be_checked()
    expect(page.get_by_label("Agenda")).to_have_value("1. Winter pressures\n2. Referral pathway")
    check_accessibility(page)

    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Steering group or board")
    expect(page.get_by_role("status")).to_contain_text("logged")
    table = page.get_by_role("table", name="Attendance of each member organisation")
    expect(table.get_by_role("row", name=re.compile("Northshire Mind"))).to_contain_text("Attended")
    expect(table.get_by_role("row", name=re.compile("Northshire Mind"))).to_contain_text("Priya Shah, Ana Reyes")
    expect(table.get_by_role("row", name=re.compile("Age UK Northshire"))).to_contain_text("Sent apologies")
    expect(page.get_by_text("1 of 2 member organisations attended.")).to_be_visible()
    expect(page.locator("#agenda-heading + .text-block")).to_contain_text("1. Winter pressures")
    expect(page.get_by_role("link", name="Add an action from this meeting")).to_have_attribute(
        "href", re.compile(r"source=meeting&source_id=\d+")
    )
    check_accessibility(page)
    with workspace_scope(workspace_a):
        assert Meeting.objects.get().attendance.count() == 2


def test_rate_a_partner_five_be_told_what_is_missing_then_rate_four(page, login, editor, workspace_a, alliance):
    login(editor)
    check_accessibility(page)
    rate = url(
        workspace_a, "activity:partnership_rate", pk=alliance["partnership"].pk, organisation_pk=alliance["age_uk"].pk
    )
    page.goto(rate)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate the relationship with Age UK Northshire")
    conditions = page.locator("#conditions-heading ~ .conditions")
    expect(conditions).to_contain_text("Named single point of contact: held")
    expect(conditions).to_contain_text("Regular communication: missing")
    expect(conditions).to_contain_text("Working referral system: missing")
    expect(page.get_by_role("link", name="Log a contact with Age UK Northshire")).to_be_visible()
    check_accessibility(page)

    page.get_by_label("5 – Excellent").check()
    page.get_by_label("Note").fill("Always there for us")
    page.get_by_role("button", name="Save rating").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("A rating of 5 needs all three conditions")
    expect(alert).to_contain_text("regular communication and a working referral system are missing")
    expect(alert).not_to_contain_text("single point of contact is missing")
    expect(page.get_by_label("5 – Excellent")).to_be_checked()
    expect(page.get_by_label("Note")).to_have_value("Always there for us")
    check_accessibility(page)

    page.get_by_label("4 – Good").check()
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frailty alliance")
    expect(page.locator(".messages")).to_contain_text("Age UK Northshire rated 4 out of 5.")
    check_accessibility(page)

    page.goto(rate)
    history = page.get_by_role("table", name=re.compile("Earlier ratings"))
    expect(history).to_contain_text("4 – Good")
    expect(history).to_contain_text("Regular communication: missing")
    check_accessibility(page)


def test_a_rating_of_two_creates_an_action_for_the_lead(page, login, editor, workspace_a, alliance):
    login(editor)
    check_accessibility(page)
    page.goto(
        url(
            workspace_a, "activity:partnership_rate", pk=alliance["partnership"].pk, organisation_pk=alliance["mind"].pk
        )
    )
    check_accessibility(page)
    page.get_by_label("2 – Weak").check()
    page.get_by_role("button", name="Save rating").click()
    message = page.locator(".messages")
    expect(message).to_contain_text("An action “Strengthen the relationship with Northshire Mind” was created")
    due = add_months(timezone.localdate(), 1)
    expect(message).to_contain_text(f"owned by Priya Shah, due {due.day} {due:%B %Y}")
    expect(message.get_by_role("link", name="Open the action")).to_have_attribute("href", re.compile(r"/actions/\d+/$"))
    check_accessibility(page)
