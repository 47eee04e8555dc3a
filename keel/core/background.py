"""Work for one workspace away from a request: a command, a scheduled job, a queued task, a thread.

The scope travels as the workspace's id, never as a context variable that a thread or task
happens to inherit from whoever started it. `run_in_workspace` runs the work in a fresh,
empty context, loads the workspace by id and enters its scope there, so the work sees that
workspace and nothing else of its caller's — the same whether it runs in the caller's thread,
another thread, or a worker process that received only the id::

    total = run_in_workspace(workspace.pk, send_reminders, today)

Inside, `current_workspace()` is the workspace; the locale, time zone and URL prefix are
Django's defaults, as in a worker. The database connection is the thread's own, as always.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from keel.core.models import Workspace
from keel.core.tenancy import workspace_scope

P = ParamSpec("P")
R = TypeVar("R")


class NoSuchWorkspace(Workspace.DoesNotExist):
    """The workspace a piece of background work was given does not exist (any more)."""


def run_in_workspace(workspace_id: int, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run `fn(*args, **kwargs)` in the scope of workspace `workspace_id`, with nothing inherited."""
    if isinstance(workspace_id, bool) or not isinstance(workspace_id, int):
        # A Workspace object (or a slug) would work here but not in a task queue: insist on the id.
        raise TypeError(f"run_in_workspace needs a workspace's id (an int), not {type(workspace_id).__name__}.")
    return contextvars.Context().run(_run, workspace_id, fn, args, kwargs)


def _run(workspace_id: int, fn: Callable[..., R], args: tuple[Any, ...], kwargs: dict[str, Any]) -> R:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        raise NoSuchWorkspace(f"There is no workspace with id {workspace_id}: it may have been deleted.")
    with workspace_scope(workspace):
        return fn(*args, **kwargs)
