"""The indicator tolerance is a workspace setting: changing it changes at risk into off track."""

import datetime as dt

import pytest
from django.urls import reverse

from keel.core.models import ChangeRecord
from keel.outcomes import services
from keel.outcomes.queries import with_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind(scope_a, actor, make_partnership):
    """An indicator 15 behind its line halfway through: the planned change is 100."""
    today = dt.date.today()
    partnership = make_partnership("Warm homes")
    indicator = services.save_indicator(
        actor,
        partnership,
        {
            "name": "Homes insulated",
            "baseline": 100,
            "baseline_date": today - dt.timedelta(days=100),
            "target": 200,
            "target_date": today + dt.timedelta(days=100),
        },
    )
    services.record_measurement(actor, indicator, today, 135)
    return indicator


def _post(client, workspace, **values):
    data = {"name": workspace.name, "anonymity_threshold": 3, "band_strength": "4.0", "band_watch": "3.0"}
    data.update({"gap_flag": "1.0", **values})
    return client.post(reverse("workspace_settings", kwargs={"ws": workspace.slug}), data)


def test_the_default_tolerance_makes_15_behind_off_track(behind):
    assert [found.status for found in with_status()] == ["off_track"]


def test_a_wider_tolerance_saved_on_the_settings_page_makes_it_at_risk(client, admin, workspace_a, behind):
    client.force_login(admin)
    assert _post(client, workspace_a, indicator_tolerance="20").status_code == 302
    workspace_a.refresh_from_db()
    assert [found.status for found in with_status()] == ["at_risk"]
    change = ChangeRecord.objects.get(action="workspace.settings_changed")
    assert change.changes["indicator_tolerance"] == ["10.00", "20.00"]


def test_a_blank_tolerance_keeps_the_one_there_is(client, admin, workspace_a):
    client.force_login(admin)
    assert _post(client, workspace_a, indicator_tolerance="").status_code == 302
    workspace_a.refresh_from_db()
    assert workspace_a.indicator_tolerance == 10


def test_a_tolerance_above_100_percent_is_refused(client, admin, workspace_a):
    client.force_login(admin)
    response = _post(client, workspace_a, indicator_tolerance="150")
    assert response.status_code == 200 and "less than or equal to 100" in response.content.decode()
