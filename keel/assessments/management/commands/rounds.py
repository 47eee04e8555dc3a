"""`keel rounds [--state open|scheduled|closed] [--partnership TEXT]`: the assessment rounds and their ids."""

from __future__ import annotations

from keel.assessments.queries import round_list
from keel.common.text import name_key
from keel.core.management.base import WorkspaceCommand

HEADINGS = ("id", "partnership", "instrument", "opens", "closes", "state", "answered / invited")


class Command(WorkspaceCommand):
    help = (
        "List the workspace's assessment rounds, newest first, with the id that "
        "`keel import responses FILE --round ID` needs."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--state", choices=["scheduled", "open", "closed"], help="only rounds in this state")
        parser.add_argument("--partnership", metavar="TEXT", help="only partnerships whose name contains TEXT")

    def handle_workspace(self, workspace, *args, **options):
        rounds = round_list({"state": options["state"] or ""})
        if options["partnership"]:
            rounds = rounds.filter(partnership__name_key__contains=name_key(options["partnership"]))
        rows = [
            (
                str(r.pk),
                r.partnership.name,
                f"{r.instrument.title} v{r.instrument.version}",
                r.opens_on.isoformat(),
                r.closes_at.isoformat(),
                r.state,
                f"{r.answered} / {r.invited}",
            )
            for r in rounds
        ]
        if not rows:
            self.stdout.write(
                "No assessment rounds match." if options["state"] or options["partnership"] else "No rounds."
            )
            return
        widths = [max(len(row[i]) for row in [HEADINGS, *rows]) for i in range(len(HEADINGS))]
        for row in [HEADINGS, tuple("-" * w for w in widths), *rows]:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        self.stdout.write(f"{len(rows)} round{'' if len(rows) == 1 else 's'}")
