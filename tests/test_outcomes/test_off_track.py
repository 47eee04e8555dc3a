"""Only measure what you intend to act on: an indicator says what we will do if it goes off track, and a
measurement that puts it off track raises that action, once while it is open."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keel.actions.models import Action
from keel.actions.services import change_action
from keel.outcomes import services
from keel.register import services as register

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PLAN = {
    "name": "People housed",
    "baseline": 0,
    "baseline_date": TODAY - dt.timedelta(days=100),
    "target": 100,
    "target_date": TODAY,
}


@pytest.fixture
def partnership(actor, make_partnership):
    partnership = make_partnership("Housing first")
    lead = register.save_person(actor, {"name": "Jo Lead", "organisation": partnership.members.first().organisation})
    return register.save_partnership(actor, {"lead": lead}, partnership)


def test_an_off_track_measurement_raises_the_action_once(actor, partnership):
    indicator = services.save_indicator(actor, partnership, {**PLAN, "if_off_track": "Ask the board for a caseworker"})
    services.record_measurement(actor, indicator, TODAY, 95)  # at risk (within 10 %): no action
    assert not Action.objects.exists()
    services.record_measurement(actor, indicator, TODAY, 40)  # off track
    action = Action.objects.get()
    assert action.title == "People housed: off track — Ask the board for a caseworker"
    assert (action.source, action.source_id, action.owner.name) == ("indicator", indicator.pk, "Jo Lead")
    assert action.due == TODAY + dt.timedelta(days=14) and action.partnership == partnership
    services.record_measurement(actor, indicator, TODAY - dt.timedelta(days=1), 10)  # still off track, action open
    assert Action.objects.count() == 1
    change_action(actor, action, {"status": "done"})
    services.record_measurement(actor, indicator, TODAY, 30)  # off track again, after the first was done
    assert Action.objects.count() == 2


def test_no_action_without_an_if_off_track_or_while_on_track(actor, partnership):
    silent = services.save_indicator(actor, partnership, PLAN)
    services.record_measurement(actor, silent, TODAY, 1)
    planned = services.save_indicator(actor, partnership, {**PLAN, "name": "Waits", "if_off_track": "Escalate"})
    services.record_measurement(actor, planned, TODAY, 100)
    assert not Action.objects.exists()


def test_the_indicator_form_and_page_say_what_we_will_do(client, editor, scope_a, actor, partnership):
    client.force_login(editor)
    new = reverse("outcomes:partnership_indicator_new", kwargs={"ws": scope_a.slug, "pk": partnership.pk})
    client.post(new, {"name": "Waits", "kind": "outcome", "direction": "lower", "if_off_track": "Add a clinic"})
    indicator = partnership.indicators.get()
    assert indicator.if_off_track == "Add a clinic"
    page = client.get(reverse("outcomes:indicator", kwargs={"ws": scope_a.slug, "pk": indicator.pk})).content.decode()
    assert "If it goes off track, we will" in page and "Add a clinic" in page
    other = services.save_indicator(actor, partnership, {"name": "Carers supported"})
    detail = client.get(reverse("portfolio:partnership", kwargs={"ws": scope_a.slug, "pk": partnership.pk}))
    section = detail.content.decode().split('id="settle-heading"')[1].split("</section>")[0]
    assert other.name in section and "Waits" not in section
