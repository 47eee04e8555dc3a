"""Writes to workspaces, memberships and administrators, each with its change record.

The change log is workspace-owned, so every record here is filed in the workspace it concerns:
a membership's in its workspace, a new workspace in itself, a new administrator in each
workspace they are made admin of. Passwords are never recorded.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import models, transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.models import Membership, Role, Workspace
from keel.core.tenancy import workspace_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Sent after a workspace's settings change, with the names of the fields that changed, so the
# apps that depend on a setting (assessment scores on the anonymity threshold) can follow.
settings_changed = Signal()

MEMBERSHIP_FIELDS = ["user", "role"]

# A change record's before/after: {field: [before, after]}.
Changes = dict[str, list[Any]]


class ServiceError(ValueError):
    """A write refused for a reason a person can act on; the message says what to do."""


def unique_slug(name: str) -> str:
    """A slug for `name` that no workspace has yet."""
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _record_in(
    workspace: Workspace, actor: Actor, action: str, obj: models.Model, changes: Changes, note: str = ""
) -> None:
    """Write a change record about `obj` in `workspace`'s trail.

    `record` files a change under `obj.workspace_id`. A membership has one; a workspace or a
    user has none, so a copy of it stands in with the workspace set, leaving the caller's
    object as it was. The scope is set here because these writes are made outside any
    workspace (the workspaces page, the CLI) or for another one than the current.
    """
    if getattr(obj, "workspace_id", None) != workspace.pk:
        obj = copy.copy(obj)
        obj.workspace_id = workspace.pk  # type: ignore[attr-defined]
    with workspace_scope(workspace):
        record(actor, action, obj, changes, note)


@transaction.atomic
def create_workspace(actor: Actor, name: str, owner: User | None = None) -> Workspace:
    """Create a workspace, recording `workspace.created`; its owner, when given, becomes its first admin.

    The one record carries the first admin too: making the owner admin is part of creating
    the workspace, not a separate change.
    """
    name = " ".join(name.split())
    if not name:
        raise ServiceError("A workspace needs a name.")
    workspace = Workspace.objects.create(name=name, slug=unique_slug(name))
    changes: Changes = {"name": [None, workspace.name]}
    if owner is not None:
        Membership.objects.create(workspace=workspace, user=owner, role=Role.ADMIN)
        changes["admin"] = [None, str(owner)]
    _record_in(workspace, actor, "workspace.created", workspace, changes)
    return workspace


def _keep_an_admin(membership: Membership, role: str) -> None:
    """Refuse to remove or demote the last admin: nobody could manage the workspace after."""
    if membership.role != Role.ADMIN or role == Role.ADMIN:
        return
    others = Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.ADMIN).exclude(pk=membership.pk)
    if not others.exists():
        raise ServiceError("A workspace needs at least one admin: make someone else admin first.")


def _put_membership(workspace: Workspace, user: User, role: str) -> tuple[Membership, dict[str, Any]]:
    """Give `user` `role` in `workspace`, unrecorded; returns the membership and its fields before ({} if new)."""
    if role not in Role.values:
        raise ServiceError(f"Unknown role {role!r}: choose admin, editor or viewer.")
    # Locked, so two admins changing the same member one moment apart are checked and recorded in turn.
    membership = Membership.objects.select_for_update().filter(workspace=workspace, user=user).first()
    if membership is None:
        return Membership.objects.create(workspace=workspace, user=user, role=role), {}
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    if membership.role != role:
        _keep_an_admin(membership, role)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership, before


@transaction.atomic
def set_membership(actor: Actor, workspace: Workspace, user: User, role: str) -> Membership:
    """Add `user` to `workspace` with `role` (`membership.added`) or change their role (`membership.role_changed`).

    Setting the role someone already has changes nothing and records nothing. The last admin
    of a workspace cannot be demoted.
    """
    membership, before = _put_membership(workspace, user, role)
    changes = diff(before, snapshot(membership, MEMBERSHIP_FIELDS))
    if not before:
        _record_in(workspace, actor, "membership.added", membership, changes)
    elif changes:
        _record_in(workspace, actor, "membership.role_changed", membership, changes)
    return membership


def change_role(actor: Actor, membership: Membership, role: str) -> Membership:
    """Give a member another role; the last admin of a workspace cannot be demoted."""
    return set_membership(actor, membership.workspace, membership.user, role)


@transaction.atomic
def remove_membership(actor: Actor, membership: Membership) -> None:
    """Remove a member, recording `membership.removed`; the last admin of a workspace cannot be removed."""
    _keep_an_admin(membership, role="")
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    # Recorded before the delete, while the membership still has its id.
    _record_in(membership.workspace, actor, "membership.removed", membership, {k: [v, None] for k, v in before.items()})
    membership.delete()


def find_user(email_or_username: str) -> User | None:
    """The user with this e-mail address or username (either case), or None."""
    users = get_user_model().objects
    value = email_or_username.strip()
    return users.filter(email__iexact=value).first() or users.filter(username__iexact=value).first()


@transaction.atomic
def add_member(actor: Actor, workspace: Workspace, email: str, role: str, name: str = "") -> tuple[Membership, bool]:
    """Give the person with `email` `role` in `workspace`, making them a user first if they are new to Keel.

    Returns (membership, whether the user is new). A new user has no password until they
    follow the invitation (`send_invitation`), so nobody else ever knows it. Someone already
    in the workspace has their role changed, with the same last-admin rule as `change_role`.
    """
    email = email.strip()
    user = find_user(email)
    new = user is None
    if user is None:
        first, _, last = name.strip().partition(" ")
        user = get_user_model().objects.create_user(
            username=email.lower(), email=email, first_name=first, last_name=last
        )
    return set_membership(actor, workspace, user, role), new


def send_invitation(request: Any, user: User) -> None:  # Any: a page's request, which carries .workspace
    """E-mail a new member a one-time link to choose their password (Django's reset link)."""
    context = {
        "user": user,
        "workspace": request.workspace,
        "inviter": request.user,
        "protocol": "https" if request.is_secure() else "http",
        "domain": request.get_host(),
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string("core/invite_subject.txt", context).strip()
    send_mail(subject, render_to_string("core/invite_email.txt", context), None, [user.email])


def new_password() -> str:
    """A random password for a new administrator, shown to them once."""
    return secrets.token_urlsafe(12)


@transaction.atomic
def create_admin(
    actor: Actor,
    username: str,
    email: str = "",
    password: str | None = None,
    workspaces: Iterable[Workspace] = (),
) -> tuple[User, str]:
    """Create a superuser, or give an existing one a new password; returns (user, password).

    They become admin of each of `workspaces`, and each of those records `user.admin_created`
    with what changed for them there (their role, and being a superuser), never the password.
    With no workspace nothing is recorded: the change log is workspace-owned, so there is no
    trail to write to, and such a user reaches no workspace until made a member of one,
    which is recorded then.
    """
    User = get_user_model()
    password = password or new_password()
    user, new = User.objects.get_or_create(username=username, defaults={"email": email})
    before = {} if new else {"superuser": user.is_superuser, "email": user.email or None}
    if email:
        user.email = email
    user.is_staff = user.is_superuser = True
    # get_or_create, not create_user: a new user gets their password only here, like an old one.
    user.set_password(password)
    user.save()
    account = diff(before, {"superuser": True, "email": user.email or None})
    note = "new user" if new else "existing user, password reset"
    for workspace in workspaces:
        membership, was = _put_membership(workspace, user, Role.ADMIN)
        changes = account | diff({"role": was.get("role")}, snapshot(membership, ["role"]))
        _record_in(workspace, actor, "user.admin_created", user, changes, note)
    return user, password


SETTINGS_FIELDS = ["name", "anonymity_threshold", "band_strength", "band_watch", "gap_flag", "indicator_tolerance"]


@transaction.atomic
def update_settings(actor: Actor, workspace: Workspace, values: dict[str, Any]) -> list[str]:
    """Change a workspace's settings, recording what changed. Returns the changed field names."""
    before = snapshot(Workspace.objects.get(pk=workspace.pk), SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        if name in values:
            setattr(workspace, name, values[name])
    workspace.full_clean(exclude=["slug"])
    workspace.save()
    # Read back, so the record shows values as stored (4.20, not the 4.2 that was typed).
    changes = diff(before, snapshot(Workspace.objects.get(pk=workspace.pk), SETTINGS_FIELDS))
    if changes:
        _record_in(workspace, actor, "workspace.settings_changed", workspace, changes)
        # The receivers recompute the workspace's own records, so they run in its scope.
        with workspace_scope(workspace):
            settings_changed.send(sender=Workspace, workspace=workspace, changed=list(changes))
    return list(changes)
