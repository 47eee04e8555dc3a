"""Workspace isolation, tested by enumerating every route: nothing of A is reachable from B."""

import pytest
from django.urls import reverse

from keel.core.tenancy import NoWorkspaceScope, workspace_scope
from keel.register.models import Organisation, Partnership

from .routes import arguments, parameters, walk, workspace_routes

pytestmark = pytest.mark.django_db


def url_for(name, objects, slug):
    return reverse(name, kwargs={"ws": slug, **arguments(name, objects)})


def test_every_workspace_route_is_covered(objects, workspace_a):
    routes = workspace_routes()
    assert len(routes) > 20
    for name, route, _ in routes:
        assert name, f"{route} has no name: name it so the isolation tests can reach it"
        needed = parameters(route)
        missing = needed - set(arguments(name, objects))
        assert not missing, f"add {name} ({route}) to tests/architecture/routes.py: missing {missing}"


def test_every_route_is_404_for_a_member_of_another_workspace(client, objects, workspace_a, admin, outsider):
    client.force_login(admin)
    for name, _, _ in workspace_routes():
        url = url_for(name, objects, workspace_a.slug)
        # The owner reaches it (so the arguments are right and a 404 below means isolation).
        owner = client.get(url)
        assert owner.status_code in (200, 302, 405), (url, owner.status_code)
    client.force_login(outsider)
    for name, _, _ in workspace_routes():
        url = url_for(name, objects, workspace_a.slug)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x", "status": "ended"}).status_code == 404, url


def test_records_of_another_workspace_are_404_under_ones_own_workspace(client, objects, workspace_b, outsider):
    client.force_login(outsider)
    for name, _, _ in workspace_routes():
        args = arguments(name, objects)
        if not any(isinstance(value, int) for value in args.values()) or name.startswith("membership_"):
            continue
        url = reverse(name, kwargs={"ws": workspace_b.slug, **args})
        # 405 for a POST-only route answers the same whatever the id, so it reveals nothing.
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"name": "x", "status": "ended"}).status_code == 404, url


def test_membership_routes_do_not_reach_another_workspaces_members(client, objects, workspace_b, outsider):
    client.force_login(outsider)
    for name in ("membership_role", "membership_remove"):
        url = reverse(name, kwargs={"ws": workspace_b.slug, "pk": objects["membership"].pk})
        assert client.post(url, {"role": "viewer"}).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, objects, workspace_a):
    for name, _, _ in workspace_routes():
        response = client.get(url_for(name, objects, workspace_a.slug))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_records_cannot_be_read_outside_a_workspace_scope(objects):
    with pytest.raises(NoWorkspaceScope), workspace_scope(None):
        list(Partnership.objects.all())


def test_scoped_queries_see_only_their_workspace(objects, workspace_b, actor):
    from keel.core.changelog import Actor
    from keel.register import services

    with workspace_scope(workspace_b):
        services.save_organisation(Actor(via="test"), {"name": "Only in B"})
        assert list(Organisation.objects.values_list("name", flat=True)) == ["Only in B"]
        assert not Partnership.objects.filter(pk=objects["partnership"].pk).exists()
    assert Organisation.all_workspaces.count() > 1


def test_a_record_cannot_be_saved_into_another_workspace(objects, workspace_b):
    from django.core.exceptions import PermissionDenied

    partnership = objects["partnership"]
    with workspace_scope(workspace_b), pytest.raises(PermissionDenied):
        partnership.name = "Stolen"
        partnership.save()


def test_workspace_urls_are_the_only_routes_that_touch_records(client, workspace_a, workspace_b, outsider):
    # Routes outside /w/<ws>/ are the login, account and workspace pages, which read only
    # the user's own memberships, and the respondent pages, which read only what a private
    # link's token opens (tested in tests/test_assessments/test_respond.py).
    outside = {name for name, route, _ in walk() if "<slug:ws>" not in route}
    assert outside <= {
        "home",
        "workspaces",
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "respond",
        "respond_save",
        "open_link",
        None,
    }, outside
    # The workspace pages list the user's own workspaces, never another's.
    client.force_login(outsider)
    page = client.get(reverse("workspaces")).content.decode()
    assert workspace_b.name in page and workspace_a.name not in page and workspace_a.slug not in page
    assert client.get(reverse("home"))["Location"] == reverse("portfolio:partnerships", kwargs={"ws": workspace_b.slug})


def test_bulk_create_fills_in_and_guards_the_workspace(objects, workspace_a, workspace_b):
    from django.core.exceptions import PermissionDenied

    with workspace_scope(workspace_a):
        [made] = Organisation.objects.bulk_create([Organisation(name="Bulk", name_key="bulk")])
        assert made.workspace_id == workspace_a.pk
    with workspace_scope(workspace_b), pytest.raises(PermissionDenied):
        Organisation.objects.bulk_create([Organisation(workspace=workspace_a, name="Sneak", name_key="sneak")])
