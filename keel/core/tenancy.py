"""Workspace isolation, in one mechanism.

Every workspace-owned model's default manager filters by the *current workspace*, held in a
context variable. The middleware sets it from the URL (`/w/<slug>/…`) after checking that
the signed-in user is a member, and the CLI sets it from `--workspace`. Code that forgets
to filter cannot leak: with no current workspace the manager refuses to run at all, and with
one it can only see that workspace's rows. Forms built from these models inherit the same
scoping for their choices, so a record of another workspace cannot be chosen either.

The role check lives here too: every view under `/w/<slug>/` needs at least `viewer`; any
request that is not GET/HEAD/OPTIONS needs at least `editor`; a view may ask for more with
`@requires_role(...)`. There is no other place where access is decided.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models

if TYPE_CHECKING:
    from keel.core.models import Workspace

_current_workspace: ContextVar[Workspace | None] = ContextVar("keel_current_workspace", default=None)


class NoWorkspaceScope(ImproperlyConfigured):
    """Raised when workspace-owned records are read outside any workspace."""


def current_workspace() -> Workspace:
    workspace = _current_workspace.get()
    if workspace is None:
        raise NoWorkspaceScope(
            "Workspace-owned records were read with no current workspace; wrap the code in workspace_scope(workspace)."
        )
    return workspace


@contextmanager
def workspace_scope(workspace: Workspace):
    """Make `workspace` the current workspace for the code inside the block."""
    token = _current_workspace.set(workspace)
    try:
        yield workspace
    finally:
        _current_workspace.reset(token)


def enter_scope(workspace: Workspace) -> Token:
    """Make `workspace` current until `reset_scope(token)`: for the middleware, whose scope spans a request."""
    return _current_workspace.set(workspace)


def reset_scope(token: Token) -> None:
    _current_workspace.reset(token)


def scoped_workspace_id() -> int | None:
    """The current workspace's id, or None outside any scope (never raises)."""
    workspace = _current_workspace.get()
    return None if workspace is None else workspace.pk


class WorkspaceQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create skips save(), so the same rule is applied here: rows go into the
        # current workspace, and a row of another workspace is refused.
        workspace = current_workspace()
        objs = list(objs)
        for obj in objs:
            if obj.workspace_id is None:
                obj.workspace = workspace
            elif obj.workspace_id != workspace.pk:
                raise PermissionDenied("A record of another workspace cannot be saved here.")
        return super().bulk_create(objs, *args, **kwargs)


class WorkspaceManager(models.Manager.from_queryset(WorkspaceQuerySet)):
    """The default manager of workspace-owned models: only the current workspace's rows."""

    def get_queryset(self):
        return super().get_queryset().filter(workspace=current_workspace())


class WorkspaceOwned(models.Model):
    """Base of every record that belongs to a workspace (all of them, child tables too)."""

    workspace = models.ForeignKey("core.Workspace", on_delete=models.CASCADE, related_name="+", editable=False)

    objects = WorkspaceManager()
    # Explicit escape hatch for code that must span workspaces (maintenance commands,
    # the isolation tests). Its name makes every use stand out in review.
    all_workspaces = models.Manager()  # noqa: DJ012

    class Meta:
        abstract = True
        base_manager_name = "all_workspaces"

    def save(self, *args, **kwargs):
        if self.workspace_id is None:
            self.workspace = current_workspace()
        elif (ws := _current_workspace.get()) is not None and ws.pk != self.workspace_id:
            raise PermissionDenied("A record of another workspace cannot be saved here.")
        super().save(*args, **kwargs)


def requires_role(role: str):
    """Mark a view as needing at least `role` ("viewer", "editor" or "admin")."""

    def mark(view):
        view.keel_role = role
        return view

    return mark
