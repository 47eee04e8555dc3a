"""What Keel's commands share: choosing the workspace, and refusing with a message, not a traceback."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from keel.core.background import run_in_workspace
from keel.core.models import Workspace
from keel.core.tenancy import current_workspace


def find_workspace(slug: str | None) -> Workspace:
    """The workspace named by --workspace, or the only one there is."""
    if slug:
        workspace = Workspace.objects.filter(slug=slug.strip().lower()).first()
        if workspace is None:
            known = ", ".join(Workspace.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No workspace {slug!r}. Known workspaces: {known}.")
        return workspace
    workspaces = list(Workspace.objects.all()[:2])
    if not workspaces:
        raise CommandError("There is no workspace yet: create one with `keel workspace create NAME` or `keel demo`.")
    if len(workspaces) > 1:
        known = ", ".join(Workspace.objects.values_list("slug", flat=True))
        raise CommandError(f"There is more than one workspace: choose one with --workspace ({known}).")
    return workspaces[0]


class KeelCommand(BaseCommand):
    """Base of Keel's commands: a refusal reads "keel: …", not Django's "CommandError: …"."""

    def execute(self, *args, **options):
        if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
            return super().execute(*args, **options)  # call_command and --traceback see the exception
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            self.stderr.write(f"keel: {error}")
            sys.exit(error.returncode)


class WorkspaceCommand(KeelCommand):
    """A command that reads or writes one workspace's records, inside its scope."""

    def add_arguments(self, parser):
        parser.add_argument("--workspace", metavar="SLUG", help="needed only where there is more than one")

    def handle(self, *args, **options):
        # Run as background work is run: the scope comes from the workspace's id alone.
        workspace = find_workspace(options.pop("workspace", None))
        return run_in_workspace(workspace.pk, self._handle_in_scope, *args, **options)

    def _handle_in_scope(self, *args, **options):
        return self.handle_workspace(current_workspace(), *args, **options)

    def handle_workspace(self, workspace: Workspace, *args, **options):
        raise NotImplementedError
