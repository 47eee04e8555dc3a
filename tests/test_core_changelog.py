"""The audit trail of workspaces, members and administrators: every write recorded once, refusals not at all."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from keel.core import services
from keel.core.changelog import Actor
from keel.core.models import ChangeRecord, Membership, Workspace
from keel.core.tenancy import workspace_scope

pytestmark = pytest.mark.django_db


def url(workspace, name, **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def trail(workspace, **filters):
    """The workspace's change records, oldest first."""
    with workspace_scope(workspace):
        return list(ChangeRecord.objects.filter(**filters).select_related("actor").order_by("id"))


def all_records() -> int:
    return ChangeRecord.all_workspaces.count()


def membership(user, workspace):
    return Membership.objects.get(user=user, workspace=workspace)


# ---------------------------------------------------------------- the five actions, through the services


def test_creating_a_workspace_records_it_once():
    workspace = services.create_workspace(Actor(via="keel workspace"), "  Eastmoor   Network ")
    (change,) = trail(workspace)
    assert (change.action, change.actor, change.via) == ("workspace.created", None, "keel workspace")
    assert (change.object_type, change.object_id, change.object_repr) == ("workspace", workspace.pk, "Eastmoor Network")
    assert change.changes == {"name": [None, "Eastmoor Network"]}
    # The record was filed through a stand-in; the caller's workspace is left as it was.
    assert not hasattr(workspace, "workspace_id")


def test_a_workspace_made_with_an_owner_records_its_first_admin_in_the_same_record(admin):
    workspace = services.create_workspace(Actor(user=admin, via="web"), "Eastmoor", owner=admin)
    (change,) = trail(workspace)
    assert change.action == "workspace.created" and change.actor == admin
    assert change.changes == {"name": [None, "Eastmoor"], "admin": [None, "alice"]}
    assert membership(admin, workspace).role == "admin"


def test_adding_a_member_records_who_and_what_role(workspace_a, admin):
    nina = get_user_model().objects.create_user(username="nina", email="nina@example.org")
    added = services.set_membership(Actor(user=admin, via="test"), workspace_a, nina, "editor")
    (change,) = trail(workspace_a, object_type="membership", object_id=added.pk)
    assert (change.action, change.actor, change.via) == ("membership.added", admin, "test")
    assert change.changes == {"user": [None, "nina"], "role": [None, "Editor"]}


def test_changing_a_role_records_before_and_after(workspace_a, admin, editor):
    member = membership(editor, workspace_a)
    services.change_role(Actor(user=admin, via="test"), member, "admin")
    (change,) = trail(workspace_a, action="membership.role_changed")
    assert (change.actor, change.object_id) == (admin, member.pk)
    assert change.changes == {"role": ["Editor", "Admin"]}
    # The role they already have: nothing changed, so nothing recorded.
    before = all_records()
    services.change_role(Actor(user=admin, via="test"), member, "admin")
    assert all_records() == before


def test_removing_a_member_records_what_they_were(workspace_a, admin, viewer):
    member = membership(viewer, workspace_a)
    member_id = member.pk
    services.remove_membership(Actor(user=admin, via="test"), member)
    (change,) = trail(workspace_a, action="membership.removed")
    assert (change.actor, change.object_type, change.object_id) == (admin, "membership", member_id)
    assert change.changes == {"user": ["vera", None], "role": ["Viewer", None]}
    assert not Membership.objects.filter(pk=member_id).exists()


def test_a_new_admin_is_recorded_in_each_workspace_they_are_made_admin_of(workspace_a, workspace_b, admin):
    actor = Actor(user=admin, via="test")
    user, password = services.create_admin(actor, "ada", email="ada@example.org", workspaces=[workspace_a, workspace_b])
    for workspace in (workspace_a, workspace_b):
        (change,) = trail(workspace, action="user.admin_created")
        assert (change.actor, change.object_type, change.object_id) == (admin, "user", user.pk)
        expected = {"superuser": [None, True], "email": [None, "ada@example.org"], "role": [None, "Admin"]}
        assert change.changes == expected
        assert change.note == "new user"
        # The password, and its hash, are never part of the trail.
        assert password not in str(change.changes) + change.note
        assert "password" not in change.changes
    assert not hasattr(user, "workspace_id")


def test_making_an_editor_admin_records_their_old_role_and_a_reset_records_no_fields(workspace_a, editor):
    services.create_admin(Actor(via="keel createadmin"), "eddie", workspaces=[workspace_a])
    (change,) = trail(workspace_a, action="user.admin_created")
    assert change.via == "keel createadmin" and change.actor is None
    assert change.changes == {"superuser": [False, True], "role": ["Editor", "Admin"]}
    assert change.note == "existing user, password reset"
    services.create_admin(Actor(via="keel createadmin"), "eddie", workspaces=[workspace_a])
    assert trail(workspace_a, action="user.admin_created")[-1].changes == {}


def test_an_admin_of_no_workspace_has_no_trail_to_be_recorded_in(workspace_a):
    before = all_records()
    services.create_admin(Actor(via="test"), "ada")
    assert all_records() == before


# ---------------------------------------------------------------- refusals write nothing


def test_the_last_admin_cannot_be_removed_or_demoted_and_nothing_is_recorded(workspace_a, admin, editor):
    actor = Actor(user=admin, via="test")
    before = all_records()
    with pytest.raises(services.ServiceError, match="at least one admin"):
        services.remove_membership(actor, membership(admin, workspace_a))
    with pytest.raises(services.ServiceError, match="at least one admin"):
        services.change_role(actor, membership(admin, workspace_a), "viewer")
    with pytest.raises(services.ServiceError, match="Unknown role"):
        services.set_membership(actor, workspace_a, editor, "owner")
    with pytest.raises(services.ServiceError, match="needs a name"):
        services.create_workspace(actor, "   ")
    assert all_records() == before
    assert membership(admin, workspace_a).role == "admin"


def test_the_pages_refuse_to_leave_a_workspace_without_admin_and_record_nothing(client, workspace_a, admin):
    client.force_login(admin)
    own = membership(admin, workspace_a)
    before = all_records()
    page = client.post(url(workspace_a, "membership_remove", pk=own.pk), follow=True).content.decode()
    assert "at least one admin" in page
    page = client.post(url(workspace_a, "members"), {"email": "alice@example.org", "role": "viewer"}).content.decode()
    assert "at least one admin" in page
    assert all_records() == before
    assert membership(admin, workspace_a).role == "admin"


# ---------------------------------------------------------------- the pages and commands go through the services


def test_the_members_page_adds_a_new_person_through_the_service(client, workspace_a, admin):
    client.force_login(admin)
    response = client.post(
        url(workspace_a, "members"), {"email": "New.Person@example.org", "name": "New Person", "role": "editor"}
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="new.person@example.org")
    assert (user.get_full_name(), user.has_usable_password()) == ("New Person", False)
    (change,) = trail(workspace_a, action="membership.added", object_id=membership(user, workspace_a).pk)
    assert (change.actor, change.via) == (admin, "web")
    assert change.changes == {"user": [None, "new.person@example.org"], "role": [None, "Editor"]}
    assert len(mail.outbox) == 1


def test_the_members_page_adds_someone_already_in_keel_without_an_invitation(client, workspace_a, admin, outsider):
    client.force_login(admin)
    client.post(url(workspace_a, "members"), {"email": "OSCAR@example.org", "role": "viewer"})
    (change,) = trail(workspace_a, action="membership.added", object_id=membership(outsider, workspace_a).pk)
    assert change.actor == admin and change.changes["role"] == [None, "Viewer"]
    assert mail.outbox == []


def test_the_members_page_records_role_changes_and_removals_by_the_admin(client, workspace_a, admin, editor, viewer):
    client.force_login(admin)
    client.post(url(workspace_a, "membership_role", pk=membership(editor, workspace_a).pk), {"role": "viewer"})
    client.post(url(workspace_a, "membership_remove", pk=membership(viewer, workspace_a).pk))
    changed, removed = trail(workspace_a, action__in=["membership.role_changed", "membership.removed"])
    assert (changed.action, changed.actor) == ("membership.role_changed", admin)
    assert changed.changes == {"role": ["Editor", "Viewer"]}
    assert (removed.action, removed.actor) == ("membership.removed", admin)
    assert removed.object_repr == "vera in Northshire ICS (viewer)"


def test_the_workspaces_page_records_the_new_workspace_with_its_creator(client, admin):
    client.force_login(admin)
    client.post(reverse("workspaces"), {"name": "Eastmoor"})
    workspace = Workspace.objects.get(name="Eastmoor")
    assert membership(admin, workspace).role == "admin"
    (change,) = trail(workspace)
    assert (change.action, change.actor, change.via) == ("workspace.created", admin, "web")


def test_the_commands_record_with_their_own_label(workspace_a):
    call_command("workspace", "create", "Eastmoor", stdout=StringIO())
    (created,) = trail(Workspace.objects.get(name="Eastmoor"))
    assert (created.action, created.via) == ("workspace.created", "keel workspace")
    call_command("createadmin", "--username", "ada", "--workspace", workspace_a.slug, stdout=StringIO())
    (made,) = trail(workspace_a, action="user.admin_created")
    assert made.via == "keel createadmin" and made.object_repr == "ada"


def test_the_history_page_lists_the_new_records(client, workspace_a, admin, editor):
    services.change_role(Actor(user=admin, via="web"), membership(editor, workspace_a), "viewer")
    services.create_admin(Actor(via="keel createadmin"), "ada", workspaces=[workspace_a])
    client.force_login(admin)
    response = client.get(url(workspace_a, "workspace_history"))
    page = response.content.decode()
    assert response.status_code == 200
    for line in ("Workspace: created", "Membership: added", "Membership: role changed", "User: admin created"):
        assert line in page


def test_an_admin_without_an_e_mail_address_records_none(workspace_a):
    services.create_admin(Actor(via="test"), "ada", workspaces=[workspace_a])
    services.create_admin(Actor(via="test"), "ada", workspaces=[workspace_a])
    first, reset = trail(workspace_a, action="user.admin_created")
    assert first.changes == {"superuser": [None, True], "role": [None, "Admin"]}
    assert reset.changes == {}
