"""`keel audit [--format table|json|csv] [--output FILE] [--include-archived]`: the portfolio audit."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from keel.core.management.base import WorkspaceCommand
from keel.portfolio.audit import FORMATS, audit_document, render_csv, render_json, render_table


class Command(WorkspaceCommand):
    help = (
        "The portfolio audit: every partnership of the workspace with its status, tier, basis, members and "
        "their single points of contact, lead, dates, strategic priorities, health, activity, cost and value, "
        "conflicts, events, next review, Keel's recommendation with its reasons, and the last decision made "
        "at a review. Archived partnerships are left out unless --include-archived is given. See "
        "docs/audit.md for the JSON schema."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--format", choices=FORMATS, default="table", help="table (default), json or csv")
        parser.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
        parser.add_argument(
            "--include-archived", action="store_true", help="list archived partnerships too (left out by default)"
        )

    def handle_workspace(self, workspace, *args, **options):
        document = audit_document(workspace, include_archived=options["include_archived"])
        rows = document["partnerships"]
        if options["format"] == "json":
            text = render_json(document)
        elif options["format"] == "csv":
            text = render_csv(rows)
        else:
            text = render_table(rows)
        if not options["output"]:
            self.stdout.write(text, ending="")
            return
        path = Path(options["output"]).expanduser()
        # A byte-order mark lets Excel, which most boards open a CSV in, read accents and "…" right.
        encoding = "utf-8-sig" if options["format"] == "csv" else "utf-8"
        try:
            with path.open("w", encoding=encoding, newline="") as file:
                file.write(text)
        except OSError as error:
            raise CommandError(f"Could not write {path}: {error.strerror or error}.") from error
        self.stderr.write(f"Wrote the audit of {len(rows)} partnerships of {workspace.slug} to {path}.")
