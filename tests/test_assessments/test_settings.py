"""The workspace settings that scoring reads: anonymity threshold, bands, gap flag."""

import pytest
from django.urls import reverse

from keel.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _post(client, workspace, **values):
    data = {"name": workspace.name, "anonymity_threshold": 3, "band_strength": "4.0", "band_watch": "3.0"}
    data.update({"gap_flag": "1.0", **values})
    return client.post(reverse("workspace_settings", kwargs={"ws": workspace.slug}), data)


def test_bands_and_gap_flag_are_saved_and_recorded(client, admin, workspace_a, scope_a):
    response = _post(_login(client, admin), workspace_a, band_strength="4.2", gap_flag="0.8")
    assert response.status_code == 302
    workspace_a.refresh_from_db()
    assert float(workspace_a.band_strength) == 4.2 and float(workspace_a.gap_flag) == 0.8
    change = ChangeRecord.objects.get(action="workspace.settings_changed")
    assert change.changes["band_strength"] == ["4.00", "4.20"]


def test_watch_must_start_below_strength(client, admin, workspace_a):
    response = _post(_login(client, admin), workspace_a, band_watch="4.5")
    assert response.status_code == 200
    assert "Watch must start below strength" in response.content.decode()


def test_bands_are_between_one_and_five(client, admin, workspace_a):
    response = _post(_login(client, admin), workspace_a, band_strength="6")
    assert "less than or equal to 5" in response.content.decode()


def test_a_form_sent_without_its_cookie_gets_a_page_a_person_can_act_on(workspace_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Allow cookies for this site" in response.content.decode()
