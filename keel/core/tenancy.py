"""Workspace isolation, in one mechanism.

Every workspace-owned model's default manager filters by the *current workspace*, held in a
context variable. The middleware sets it from the URL (`/w/<slug>/…`) after checking that
the signed-in user is a member, and the CLI sets it from `--workspace`. Code that forgets
to filter cannot leak: with no current workspace the manager refuses to run at all, and with
one it can only see that workspace's rows. Forms built from these models inherit the same
scoping for their choices, so a record of another workspace cannot be chosen either.

Writes are held to the same scope: a record is saved (new or not) only inside the scope of its
own workspace, and only if every record it refers to — each foreign key to a workspace-owned
model, found from the model's `_meta` — belongs to that workspace too. `bulk_create` applies
the same rules with one query per foreign key for the whole batch. (`QuerySet.update` and raw
SQL are not checked: they are for code that already holds the rows of its own workspace.)

Roles are its other half, in `keel.core.middleware`: every view under `/w/<slug>/` needs at
least `viewer`; any request that is not GET/HEAD/OPTIONS needs at least `editor`; a view may ask
for more with `@requires_role(...)` (below). There is no other place where access is decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connections, models

if TYPE_CHECKING:
    from keel.core.models import Workspace

    # A foreign key or a one-to-one (a kind of foreign key).
    Reference = models.ForeignKey[Any, Any]

_current_workspace: ContextVar[Workspace | None] = ContextVar("keel_current_workspace", default=None)


class NoWorkspaceScope(ImproperlyConfigured):
    """Raised when workspace-owned records are read outside any workspace."""


def current_workspace(doing: str = "read") -> Workspace:
    workspace = _current_workspace.get()
    if workspace is None:
        raise NoWorkspaceScope(
            f"Workspace-owned records were {doing} with no current workspace; "
            "wrap the code in workspace_scope(workspace)."
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
        # bulk_create skips save(), so the same rules are applied here: rows go into the
        # current workspace, a row of another workspace is refused, and so is a row that
        # refers to another workspace's record (one query per foreign key for the batch).
        workspace = current_workspace("saved")
        objs = list(objs)
        for obj in objs:
            if obj.workspace_id is None:
                obj.workspace = workspace
            elif obj.workspace_id != workspace.pk:
                raise PermissionDenied("A record of another workspace cannot be saved here.")
        check_references(self.model, objs, workspace.pk, using=self.db)
        return super().bulk_create(objs, *args, **kwargs)


class WorkspaceManager(models.Manager):
    """The default manager of workspace-owned models: only the current workspace's rows.

    Its queries are WorkspaceQuerySets, so `objects.bulk_create` keeps the same rules as save().
    """

    def get_queryset(self) -> WorkspaceQuerySet:
        return WorkspaceQuerySet(self.model, using=self._db).filter(workspace=current_workspace())


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

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A save outside any scope is refused whether the record is new or not: the scope is
        # what says whose records these are, so code that writes without one is a mistake.
        workspace = current_workspace("saved")
        if self.workspace_id is None:
            self.workspace = workspace
        elif self.workspace_id != workspace.pk:
            raise PermissionDenied("A record of another workspace cannot be saved here.")
        fields = references(type(self))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # Only what this save writes needs checking.
            fields = tuple(f for f in fields if f.name in update_fields or f.attname in update_fields)
        check_references(type(self), [self], self.workspace_id, fields=fields, using=kwargs.get("using"))
        super().save(*args, **kwargs)


@cache
def references(model: type[models.Model]) -> tuple[Reference, ...]:
    """The model's foreign keys (and one-to-ones) to workspace-owned models, found from its _meta."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
        and not field.remote_field.parent_link
        and isinstance(field.related_model, type)
        and issubclass(field.related_model, WorkspaceOwned)
    )


def check_references(
    model: type[models.Model],
    objs: Iterable[models.Model],
    workspace_id: int,
    fields: Iterable[Reference] | None = None,
    using: str | None = None,
) -> None:
    """Refuse (PermissionDenied) if any of `objs` refers to a record outside workspace `workspace_id`.

    A related record already loaded on the object is checked in memory; the others with one
    query per foreign key for all of `objs` (in chunks the database accepts), not one per row.
    """
    objs = list(objs)
    for field in references(model) if fields is None else fields:
        unloaded = set()
        for obj in objs:
            value = getattr(obj, field.attname)
            if value is None:
                continue
            related = field.get_cached_value(obj, default=None)
            owner = None if related is None else related.__dict__.get("workspace_id")
            if owner is None:  # not loaded (or loaded without its workspace): ask the database
                unloaded.add(field.target_field.to_python(value))
            elif owner != workspace_id:
                raise PermissionDenied(_refusal(model, field, value))
        if unloaded:
            _check_in_database(model, field, unloaded, workspace_id, using)


def _check_in_database(
    model: type[models.Model], field: Reference, unloaded: set[Any], workspace_id: int, using: str | None
) -> None:
    target = field.target_field.attname
    related: Any = field.related_model
    manager = related.all_workspaces.db_manager(using)
    values = list(unloaded)
    size = connections[manager.db].features.max_query_params or len(values)
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        found = set(
            manager.filter(workspace_id=workspace_id, **{f"{target}__in": chunk}).values_list(target, flat=True)
        )
        for value in chunk:
            if value not in found:
                raise PermissionDenied(_refusal(model, field, value))


def _refusal(model: type[models.Model], field: Reference, value: object) -> str:
    related: Any = field.related_model
    return (
        f"{str(model._meta.verbose_name).capitalize()}: {field.name} refers to "
        f"{related._meta.verbose_name} {value}, which is not a record of this workspace."
    )


def requires_role(role: str):
    """Mark a view as needing at least `role` ("viewer", "editor" or "admin")."""

    def mark(view):
        view.keel_role = role
        return view

    return mark
