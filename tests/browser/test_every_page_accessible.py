"""Every page of the register, assessments, activity, decisions and the workspace, as an admin sees it,
checked with axe-core."""

import datetime as dt

import pytest
from axe import check_accessibility
from django.urls import reverse

from keel.actions.models import Action
from keel.activity import services as activity
from keel.assessments import services as assessments
from keel.core.changelog import Actor
from keel.core.tenancy import workspace_scope
from keel.decisions.services import conflicts, costs, events
from keel.outcomes import services as outcomes
from keel.register import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def records(workspace_a):
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        mind = services.save_organisation(actor, {"name": "Northshire Mind", "sector": "Charity", "identifier": "1"})
        trust = services.save_organisation(actor, {"name": "Northshire Teaching Hospitals", "sector": "NHS trust"})
        priya = services.save_person(actor, {"name": "Priya Shah", "organisation": mind, "level": "executive"})
        priority = services.save_priority(actor, {"name": "Healthy ageing"})
        partnership = services.save_partnership(
            actor, {"name": "Frailty alliance", "status": "active", "lead": priya}, organisations=[mind, trust]
        )
        services.set_alignment(actor, partnership, priority, 3)
        services.add_process(
            actor, partnership, {"title": "Terms", "kind": "terms_of_reference", "link": "https://example.org/t"}
        )
        # A round with answers from enough people that scores, gaps and comments show.
        spec = assessments.health_check().spec
        today = dt.date.today()
        round_, _ = assessments.create_round(
            actor, partnership, assessments.health_check(), today, today + dt.timedelta(days=14), invitees=[priya]
        )
        rows = [
            {"organisation_id": org.pk, "answers": {i.key: 2 + (n + k) % 4 for k, i in enumerate(spec.items)}}
            for org in (mind, trust)
            for n in range(3)
        ]
        assessments.import_responses(actor, round_, rows, "test")
        # A working life: a meeting, a contact, a referral, a rating of 2 (and its action), an indicator.
        today = dt.date.today()
        meeting = activity.save_meeting(
            actor, partnership, {"date": today, "agenda": "Winter plan"}, {mind: ("attended", "Priya Shah")}
        )
        activity.log_contact(actor, partnership, {"date": today, "organisation": mind, "person": priya})
        referral = activity.save_referral(
            actor,
            partnership,
            {"from_organisation": mind, "to_organisation": trust, "date": today, "client_reference": "C-1042"},
        )
        activity.rate(actor, partnership, trust, 2)
        indicator = outcomes.save_indicator(
            actor,
            partnership,
            {
                "name": "People supported at home",
                "baseline": 100,
                "baseline_date": today - dt.timedelta(days=200),
                "target": 200,
                "target_date": today + dt.timedelta(days=165),
            },
        )
        for months in (6, 3, 0):
            outcomes.record_measurement(
                actor, indicator, today - dt.timedelta(days=30 * months), 100 + 20 * (6 - months)
            )
        # Decisions: cost and value, an event, a conflict.
        year = today.year
        cost = costs.save_cost_item(
            actor, partnership, {"year": year, "kind": "staff_time", "level": "manager", "hours": 120}, year
        )
        value = costs.save_value_item(
            actor, partnership, {"year": year, "amount": 9000, "basis": "30 bed days × £300"}, year
        )
        event = events.save_event(actor, partnership, {"kind": "inspection", "date": today, "severity": "low"}, today)
        conflict = conflicts.raise_conflict(
            actor, partnership, {"raised_on": today, "about": "Who hosts the hub", "raised_by": priya}, [mind], today
        )
    return {
        "cost_item": cost,
        "value_item": value,
        "event": event,
        "conflict": conflict,
        "meeting": meeting,
        "referral": referral,
        "indicator": indicator,
        "action": Action.all_workspaces.get(),
        "trust": trust,
        "partnership": partnership,
        "organisation": mind,
        "person": priya,
        "priority": priority,
        "round": round_,
        "instrument": round_.instrument,
    }


PAGES = [
    ("portfolio:partnerships", None),
    ("portfolio:partnership", "partnership"),
    ("register:partnership_create", None),
    ("register:partnership_edit", "partnership"),
    ("register:member_add", "partnership"),
    ("register:process_add", "partnership"),
    ("register:organisations", None),
    ("register:organisation", "organisation"),
    ("register:organisation_create", None),
    ("register:organisation_edit", "organisation"),
    ("register:people", None),
    ("register:person", "person"),
    ("register:person_create", None),
    ("register:person_edit", "person"),
    ("register:priorities", None),
    ("register:priority_create", None),
    ("register:priority_edit", "priority"),
    ("register:import", None),
    ("assessments:rounds", None),
    ("assessments:round_new", None),
    ("assessments:round", "round"),
    ("assessments:round_results", "round"),
    ("assessments:round_import", "round"),
    ("assessments:instruments", None),
    ("assessments:instrument", "instrument"),
    ("assessments:instrument_upload", None),
    ("activity:partnership_meeting_new", "partnership"),
    ("activity:meeting", "meeting"),
    ("activity:meeting_edit", "meeting"),
    ("activity:meeting_delete", "meeting"),
    ("activity:partnership_contact_new", "partnership"),
    ("activity:partnership_referrals", "partnership"),
    ("activity:partnership_referral_new", "partnership"),
    ("activity:referral_edit", "referral"),
    ("portfolio:partnership_timeline", "partnership"),
    ("outcomes:partnership_indicator_new", "partnership"),
    ("outcomes:indicator", "indicator"),
    ("outcomes:indicator_edit", "indicator"),
    ("outcomes:indicator_delete", "indicator"),
    ("actions:actions", None),
    ("actions:action_new", None),
    ("actions:action", "action"),
    ("portfolio:audit", None),
    ("portfolio:reviews", None),
    ("portfolio:partnership_review", "partnership"),
    ("decisions:partnership_costs", "partnership"),
    ("decisions:partnership_cost_new", "partnership"),
    ("decisions:cost_item", "cost_item"),
    ("decisions:value_item", "value_item"),
    ("decisions:cost_and_value", None),
    ("decisions:partnership_events", "partnership"),
    ("decisions:partnership_event_new", "partnership"),
    ("decisions:event", "event"),
    ("decisions:partnership_conflict_new", "partnership"),
    ("decisions:conflict", "conflict"),
    ("decisions:criteria", None),
    ("decisions:settings", None),
    ("members", None),
    ("workspace_settings", None),
    ("workspace_history", None),
]


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_every_page_meets_wcag_aa(page, login, admin, workspace_a, records, width, height):
    page.set_viewport_size({"width": width, "height": height})
    login(admin)
    check_accessibility(page)
    for name, record in PAGES:
        kwargs = {"ws": workspace_a.slug}
        if record:
            kwargs["pk"] = records[record].pk
        response = page.goto(reverse(name, kwargs=kwargs))
        assert response.status == 200, name
        check_accessibility(page)
    rate = reverse(
        "activity:partnership_rate",
        kwargs={"ws": workspace_a.slug, "pk": records["partnership"].pk, "organisation_pk": records["trust"].pk},
    )
    for path in [rate, reverse("workspaces"), reverse("password_change"), "/no-such-page/"]:
        page.goto(path)
        check_accessibility(page)


def test_forms_with_errors_stay_accessible(page, login, admin, workspace_a, records):
    login(admin)
    check_accessibility(page)
    page.goto(reverse("register:organisation_create", kwargs={"ws": workspace_a.slug}))
    check_accessibility(page)
    page.get_by_label("Name").fill("northshire MIND")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".errors")
    check_accessibility(page)
