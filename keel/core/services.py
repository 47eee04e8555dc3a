"""Writes to workspaces and memberships."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal
from django.utils.text import slugify

from keel.core.changelog import diff, record, snapshot
from keel.core.models import Membership, Role, Workspace
from keel.core.tenancy import workspace_scope

# Sent after a workspace's settings change, with the names of the fields that changed, so the
# apps that depend on a setting (assessment scores on the anonymity threshold) can follow.
settings_changed = Signal()


class ServiceError(ValueError):
    """A write refused for a reason a person can act on; the message says what to do."""


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_workspace(name: str, owner=None) -> Workspace:
    """Create a workspace; its owner, when given, becomes its first admin."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError("A workspace needs a name.")
    workspace = Workspace.objects.create(name=name, slug=unique_slug(name))
    if owner is not None:
        Membership.objects.create(workspace=workspace, user=owner, role=Role.ADMIN)
    return workspace


def set_membership(workspace: Workspace, user, role: str) -> Membership:
    """Add `user` to `workspace` with `role`, or change the role they have."""
    if role not in Role.values:
        raise ServiceError(f"Unknown role {role!r}: choose admin, editor or viewer.")
    membership, _ = Membership.objects.update_or_create(workspace=workspace, user=user, defaults={"role": role})
    return membership


def remove_membership(membership: Membership) -> None:
    """Remove a member; the last admin of a workspace cannot be removed or demoted."""
    others = Membership.objects.filter(workspace=membership.workspace, role=Role.ADMIN).exclude(pk=membership.pk)
    if membership.role == Role.ADMIN and not others.exists():
        raise ServiceError("A workspace needs at least one admin: make someone else admin first.")
    membership.delete()


def change_role(membership: Membership, role: str) -> Membership:
    others = Membership.objects.filter(workspace=membership.workspace, role=Role.ADMIN).exclude(pk=membership.pk)
    if membership.role == Role.ADMIN and role != Role.ADMIN and not others.exists():
        raise ServiceError("A workspace needs at least one admin: make someone else admin first.")
    return set_membership(membership.workspace, membership.user, role)


def send_invitation(request, user) -> None:
    """E-mail a new member a one-time link to choose their password (Django's reset link)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

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
    return secrets.token_urlsafe(12)


@transaction.atomic
def create_admin(username: str, email: str = "", password: str | None = None, workspace: Workspace | None = None):
    """Create (or reset) a superuser; returns (user, password). Makes them admin of `workspace`."""
    User = get_user_model()
    password = password or new_password()
    user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
    if email:
        user.email = email
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    if workspace is not None:
        set_membership(workspace, user, Role.ADMIN)
    return user, password


SETTINGS_FIELDS = ["name", "anonymity_threshold", "band_strength", "band_watch", "gap_flag", "indicator_tolerance"]


@transaction.atomic
def update_settings(actor, workspace: Workspace, values: dict) -> list[str]:
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
        # The audit trail is workspace-owned; a Workspace is its own workspace for this record.
        workspace.workspace_id = workspace.pk
        with workspace_scope(workspace):
            record(actor, "workspace.settings_changed", workspace, changes)
            settings_changed.send(sender=Workspace, workspace=workspace, changed=list(changes))
    return list(changes)
