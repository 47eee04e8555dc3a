"""Roles, tested by enumerating every route: viewers read, editors write, admins manage."""

import pytest
from django.urls import reverse

from keel.core.models import Role

from .routes import arguments, workspace_routes

pytestmark = pytest.mark.django_db


def url_for(name, objects, workspace):
    return reverse(name, kwargs={"ws": workspace.slug, **arguments(name, objects)})


def test_a_viewer_can_write_nothing(client, objects, workspace_a, viewer):
    client.force_login(viewer)
    for name, _, view in workspace_routes():
        url = url_for(name, objects, workspace_a)
        assert client.post(url, {"name": "x", "status": "ended", "role": "admin"}).status_code == 403, url
        needed = getattr(view, "keel_role", Role.VIEWER)
        if needed != Role.VIEWER:
            assert client.get(url).status_code in (403, 405), url
        else:
            assert client.get(url).status_code == 200, url


def test_an_editor_cannot_manage_members_or_settings(client, objects, workspace_a, editor):
    client.force_login(editor)
    admin_only = [name for name, _, view in workspace_routes() if getattr(view, "keel_role", None) == Role.ADMIN]
    assert set(admin_only) >= {"members", "membership_role", "membership_remove", "workspace_settings"}
    for name in admin_only:
        url = url_for(name, objects, workspace_a)
        assert client.post(url, {"role": "admin"}).status_code == 403, url


def test_every_write_view_is_marked_editor_or_admin(objects):
    # A view that changes records but is reachable by GET alone would slip past the
    # method rule; every view that renders a form is therefore marked.
    for name, _, view in workspace_routes():
        short = name.split(":")[-1]
        if any(word in short for word in ("create", "edit", "add", "remove", "archive", "field", "import")):
            if short == "import_template":
                continue
            assert getattr(view, "keel_role", Role.VIEWER) in (Role.EDITOR, Role.ADMIN), name


def test_an_editor_can_write(client, objects, workspace_a, editor):
    client.force_login(editor)
    url = reverse("register:organisation_create", kwargs={"ws": workspace_a.slug})
    response = client.post(url, {"name": "Northshire Mind"})
    assert response.status_code == 302
