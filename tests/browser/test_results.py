"""A leader reads a partnership's health in a real browser: chart, its table, trend and gaps."""

import datetime as dt

import pytest
from axe import check_accessibility
from playwright.sync_api import expect

from keel.assessments import services
from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.register import services as register

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def at(spec, scores, default=4):
    """Answers giving each dimension its score (reverse-scored statements answered 6 − score)."""
    out = {}
    for item in spec.items:
        value = scores.get(item.dimension, default)
        out[item.key] = 6 - value if item.reverse else value
    return out


@pytest.fixture
def assessed(workspace_a):
    """A partnership of two organisations with two rounds: last year all 3, now a gap on trust."""
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        mind = register.save_organisation(actor, {"name": "Northshire Mind"})
        trust = register.save_organisation(actor, {"name": "Northshire Teaching Hospitals"})
        for org in (mind, trust):
            for i in range(3):
                register.save_person(
                    actor,
                    {"name": f"Staff {i} of {org.name}", "email": f"s{i}.{org.pk}@example.org", "organisation": org},
                )
        partnership = register.save_partnership(
            actor, {"name": "Frailty alliance", "status": "active"}, organisations=[mind, trust]
        )
        spec = services.health_check().spec
        today = dt.date.today()
        for title, opens_on, per_org, comment in [
            ("Last year", today - dt.timedelta(days=365), {mind: {}, trust: {}}, "Early days"),
            (
                "This year",
                today,
                {mind: {"trust": 5, "shared-values": 2}, trust: {"trust": 3, "shared-values": 2}},
                "Good",
            ),
        ]:
            round_, _ = services.create_round(
                actor,
                partnership,
                services.health_check(),
                opens_on,
                opens_on + dt.timedelta(days=14),
                title=title,
                check_dates=False,
            )
            default = 3 if title == "Last year" else 4
            rows = [
                {
                    "organisation_id": org.pk,
                    "answers": at(spec, scores, default),
                    "comments": {"works": f"{comment} {i}"},
                }
                for org, scores in per_org.items()
                for i in range(3)
            ]
            services.import_responses(actor, round_, rows, "test")
    return partnership


def test_a_leader_reads_the_health_of_a_partnership(page, login, viewer, workspace_a, assessed):
    login(viewer)
    check_accessibility(page)
    page.goto(f"/w/{workspace_a.slug}/")
    check_accessibility(page)
    expect(page.get_by_role("row", name="Frailty alliance")).to_contain_text("3.80 watch")
    page.get_by_role("link", name="Frailty alliance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frailty alliance")
    check_accessibility(page)
    health = page.locator("section.health")
    expect(health.get_by_role("heading", name="Health", exact=True)).to_be_visible()
    expect(health.locator(".health-summary")).to_contain_text("Overall score 3.80: watch")
    expect(health.locator(".health-summary")).to_contain_text("up 0.80 since the previous round")
    # The chart is drawn (an SVG inside its container) and named for screen readers ...
    chart = page.locator("#health-chart")
    expect(chart.locator("svg")).to_have_count(1)
    expect(chart).to_have_attribute("role", "img")
    label = chart.get_attribute("aria-label")
    assert label.startswith("Bar chart of dimension scores") and "Shared values 2.00 (concern)" in label
    # ... and the same figures are in a table beside it.
    table = page.get_by_role("table", name="Scores by dimension")
    expect(table.get_by_role("row", name="Shared values")).to_contain_text("2.00")
    expect(table.get_by_role("row", name="Shared values")).to_contain_text("concern")
    expect(table.get_by_role("row", name="Trust")).to_contain_text("strength")
    # The trend: a line chart of the two rounds and its table.
    expect(page.locator("#health-trend svg")).to_have_count(1)
    trend = page.get_by_role("table", name="Overall score by round of Partnership health check")
    expect(trend.get_by_role("row")).to_have_count(3)
    expect(trend.get_by_role("row", name="This year")).to_contain_text("up 0.80")
    # The gap between the two organisations on trust is flagged.
    gaps = page.get_by_role("table", name="Perception gaps between member organisations")
    expect(gaps.get_by_role("row", name="Trust")).to_contain_text("Flagged")
    expect(gaps.get_by_role("row", name="Respect")).not_to_contain_text("Flagged")
    expect(page.locator("ul.comments").first).to_contain_text("Good 0")

    page.get_by_role("link", name="Results of Last year").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results of Last year")
    expect(page.locator(".health-summary")).to_contain_text("Overall score 3.00: watch")
    expect(page.locator("#health-chart svg")).to_have_count(1)
    check_accessibility(page)
