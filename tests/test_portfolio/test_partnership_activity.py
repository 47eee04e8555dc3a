"""The partnership page's activity sections: working together, members, outcomes, referrals, actions, timeline."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from test_activity.activity_data import busy_partnership, days

from keel.actions.models import Action
from keel.actions.services import create_action
from keel.activity import queries as activity_queries
from keel.activity import services as activity
from keel.activity.models import RelationshipRating
from keel.common.text import add_months
from keel.portfolio import summary
from keel.register import queries
from keel.register import services as register

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(scope_a, actor):
    return busy_partnership(actor)


def page(client, user, partnership):
    client.force_login(user)
    url = reverse("portfolio:partnership", kwargs={"ws": partnership.workspace.slug, "pk": partnership.pk})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    """The text of the <section> labelled by `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_sections_come_in_order_after_the_members(client, editor, busy):
    html = page(client, editor, busy.partnership)
    order = ["members-heading", "working-heading", "outcomes-heading", "referrals-heading"]
    order += ["actions-heading", "timeline-heading", "priorities-heading", "processes-heading"]
    positions = [html.index(f'id="{heading}"') for heading in order]
    assert positions == sorted(positions)


def test_working_together_says_whether_communication_is_regular(client, editor, busy):
    text = words(section(page(client, editor, busy.partnership), "working-heading"))
    assert f"Regular communication: yes. The last contact was on {days(5):%-d %b %Y}, 5 days ago." in text
    assert "at least every 30 days" in text
    assert "Log a contact" in text and "Log a meeting" in text


def test_working_together_says_no_and_what_to_do_when_contact_lapsed(client, editor, scope_a, actor, make_partnership):
    partnership = make_partnership()
    text = words(section(page(client, editor, partnership), "working-heading"))
    assert "Regular communication: no. No contact or meeting has been logged yet." in text
    activity.log_contact(actor, partnership, {"date": days(45)})
    text = words(section(page(client, editor, partnership), "working-heading"))
    assert f"Regular communication: no. The last contact was on {days(45):%-d %b %Y}, 45 days ago." in text
    assert "log a contact to make communication regular again" in text


def test_members_show_attendance_rating_and_conditions_today(client, editor, busy, scope_a):
    html = section(page(client, editor, busy.partnership), "members-heading")
    rows = [words(row) for row in html.split("<tr>")[2:]]
    age, mind, trust = (next(row for row in rows if row.startswith(o.name)) for o in (busy.age, busy.mind, busy.trust))
    assert "2 of 2 meetings, 100%" in age
    assert f"4 out of 5, {days(3):%-d %b %Y}, by alice" in age
    assert "Named contact: held" in age and "Regular communication: held" in age and "Working referrals: held" in age
    assert f"2 out of 5, {days(2):%-d %b %Y}, by alice" in mind and "Named contact: missing" in mind
    assert "0 of 2 meetings, 0%" in trust and "Not rated yet" in trust
    assert "Regular communication: missing" in trust
    ws, pk = scope_a.slug, busy.partnership.pk
    assert f'href="/w/{ws}/partnerships/{pk}/rate/{busy.trust.pk}/"' in html
    assert f'href="/w/{ws}/partnerships/{pk}/contacts/new/?organisation={busy.trust.pk}"' in html


def test_a_member_without_meetings_has_none_recorded(client, editor, make_partnership):
    html = section(page(client, editor, make_partnership()), "members-heading")
    assert words(html).count("no meetings recorded") == 2


def test_outcomes_give_the_one_line_and_each_indicator(client, editor, busy, actor):
    from keel.outcomes import services as outcomes

    outcomes.save_indicator(actor, busy.partnership, {"name": "Referrals handled", "kind": "output"})
    html = section(page(client, editor, busy.partnership), "outcomes-heading")
    text = words(html)
    assert "1 of 1 outcome indicator on track; 0 of 1 output." in text
    assert "People housed Outcome 42 people" in text and "On track" in text
    assert "Referrals handled Output None yet" in text and "No baseline and target" in text
    assert (
        reverse("outcomes:indicator", kwargs={"ws": busy.partnership.workspace.slug, "pk": busy.indicator.pk}) in html
    )
    assert "Add an indicator" in text


def test_referrals_give_the_figures_and_the_pathway(client, editor, busy, actor):
    text = words(section(page(client, editor, busy.partnership), "referrals-heading"))
    assert "Referrals made 2" in text
    assert "Completion rate 50% (1 of 2" in text
    assert "Median days to service 6 days" in text
    assert "Overdue follow-ups 1" in text
    assert "No referral pathway is documented." in text
    assert "Log a referral" in text
    register.add_process(
        actor, busy.partnership, {"title": "Pathway", "kind": "referral_pathway", "link": "https://example.org/p"}
    )
    text = words(section(page(client, editor, busy.partnership), "referrals-heading"))
    assert "A referral pathway is documented" in text


def test_actions_show_the_open_ones_overdue_first(client, editor, busy, actor):
    create_action(
        actor,
        {"title": "Agree the data sharing", "partnership": busy.partnership, "owner": busy.priya, "due": days(3)},
    )
    done = create_action(actor, {"title": "Old and done", "partnership": busy.partnership, "due": days(30)})
    done.status = "done"
    done.save()
    text = words(section(page(client, editor, busy.partnership), "actions-heading"))
    assert text.index("Agree the data sharing") < text.index("Strengthen the relationship with")
    assert "Priya Shah" in text and "overdue by 3 days" in text
    assert "Old and done" not in text
    assert "Add an action" in text


def test_only_ten_open_actions_are_listed_with_how_many_there_are(busy, actor, scope_a):
    Action.objects.bulk_create(Action(title=f"Task {i}", partnership=busy.partnership, due=days(-i)) for i in range(14))
    found = summary.open_actions(busy.partnership.pk, timezone.localdate())
    assert len(found.items) == 10 and found.total == 15 and found.more == 5
    assert [a.title for a in found.items][:2] == ["Task 0", "Task 1"]


def test_the_timeline_section_filters_and_pages_in_place(client, editor, busy):
    html = section(page(client, editor, busy.partnership), "timeline-heading")
    url = reverse(
        "portfolio:partnership_timeline", kwargs={"ws": busy.partnership.workspace.slug, "pk": busy.partnership.pk}
    )
    assert f'hx-get="{url}" hx-target="#timeline-results" hx-push-url="false"' in html
    assert f'action="{url}"' in html  # without JavaScript: the full timeline page
    assert "1–11 of 11 entries" in words(html)
    assert f'<a href="{url}">The whole timeline</a>' in html


def test_a_viewer_sees_every_section_without_links_to_forms(client, viewer, busy):
    html = page(client, viewer, busy.partnership)
    for heading in ("working-heading", "outcomes-heading", "referrals-heading", "actions-heading", "timeline-heading"):
        assert f'id="{heading}"' in html
    for form in (
        "Log a contact",
        "Log a meeting",
        "Log contact",
        "Add an indicator",
        "Log a referral",
        "Add an action",
    ):
        assert form not in html, form
    assert "/rate/" not in html
    assert "Strengthen the relationship with" in html


def test_latest_ratings_pick_the_newest_of_each_member(busy, actor, scope_a):
    activity.rate(actor, busy.partnership, busy.age, 3, date=days(1))
    RelationshipRating.objects.create(partnership=busy.partnership, organisation=busy.age, score=1, date=days(1))
    found = activity_queries.latest_ratings([busy.partnership.pk])
    assert set(found) == {(busy.partnership.pk, busy.age.pk), (busy.partnership.pk, busy.mind.pk)}
    assert found[busy.partnership.pk, busy.age.pk].score == 1  # the same day: the one recorded last
    assert found[busy.partnership.pk, busy.mind.pk].score == 2


def test_the_summary_is_plain_data(busy):
    partnership = queries.partnership_detail(busy.partnership.pk)
    found = summary.partnership_activity(partnership, can_edit=True)
    assert found.communication.regular and found.communication.days_since == 5
    assert [m.attendance for m in found.members] == ["2 of 2 meetings, 100%"] * 2 + ["0 of 2 meetings, 0%"]
    assert found.referrals.figures.made == 2 and not found.referrals.pathway
    assert found.outcome_line == "1 of 1 outcome indicator on track."
    assert [a.title for a in found.actions.items] == [f"Strengthen the relationship with {busy.mind.name}"]
    assert found.timeline.paginator.count == 11


@pytest.mark.parametrize(
    ("attended", "meetings", "text"),
    [
        (0, 0, "no meetings recorded"),
        (8, 10, "8 of 10 meetings, 80%"),
        (1, 1, "1 of 1 meeting, 100%"),
        (1, 3, "1 of 3 meetings, 33%"),
    ],
)
def test_attendance_in_words(attended, meetings, text):
    assert summary.attendance_words(attended, meetings) == text


def test_days_ago_in_words():
    assert [summary.days_ago(d) for d in (None, 0, 1, 12)] == ["", "today", "yesterday", "12 days ago"]


def test_indicator_figures_are_written_as_on_the_indicator_page(client, editor, busy, actor):
    from keel.outcomes import services as outcomes

    today = timezone.localdate()
    indicator = outcomes.save_indicator(
        actor,
        busy.partnership,
        {
            "name": "Seen within a week",
            "unit": "%",
            "baseline": 80,
            "baseline_date": add_months(today, -12),
            "target": 90,
            "target_date": add_months(today, 12),
        },
    )
    outcomes.record_measurement(actor, indicator, today, "83.70")
    text = words(section(page(client, editor, busy.partnership), "outcomes-heading"))
    assert "Seen within a week Outcome 83.7%" in text and "90% by" in text
