"""`keel import KIND FILE`: any kind the import engine knows, from the register to a round's survey responses.

keel import organisations|people|partnerships|measurements FILE [--dry-run] [--skip-invalid]
keel import instrument FILE [--dry-run]
keel import responses FILE --round ID [--dry-run] [--ignore-column NAME]…
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from tqdm import tqdm

from keel.assessments.models import AssessmentRound
from keel.common.importing import ImportReport, Kind, UnknownKind, find_kind, run_import, spreadsheet_kinds
from keel.common.spreadsheets import FileRefused
from keel.core.changelog import Actor
from keel.core.management.base import WorkspaceCommand
from keel.core.services import ServiceError

# Below this many rows an import is over before a progress bar would tell anyone anything.
PROGRESS_FROM_ROWS = 500
ACTOR = Actor(via="keel import")


def _spreadsheets() -> str:
    return ", ".join(kind.name for kind in spreadsheet_kinds())


class Command(WorkspaceCommand):
    help = (
        f"Import {_spreadsheets()} from a CSV or XLSX file into the workspace; an instrument from its YAML or "
        "JSON definition (`keel import instrument FILE`); or a round's survey responses exported from another "
        "survey tool (`keel import responses FILE --round ID`). Nothing is written unless every row is valid "
        "(or, for the register, --skip-invalid is given); importing the same register file again changes "
        "nothing, and the same responses file is refused a second time. See docs/import.md and "
        "docs/instruments.md."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("kind", help=f"what the file holds: {_spreadsheets()}, instrument or responses")
        parser.add_argument("file", help="a .csv or .xlsx file (a .yaml or .json one for an instrument), or -")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
        parser.add_argument("--skip-invalid", action="store_true", help="import the valid rows, skip the invalid")
        parser.add_argument("--round", type=int, metavar="ID", help="responses: the round the answers belong to")
        parser.add_argument(
            "--ignore-column",
            action="append",
            default=[],
            metavar="NAME",
            help="responses: a column of the file to leave out (repeat for several)",
        )

    def handle_workspace(self, workspace, *args, **options):
        try:
            kind = find_kind(options["kind"])
        except UnknownKind as error:
            raise CommandError(str(error)) from error
        self._check_options(kind, options)
        round_ = self._round(kind, workspace, options["round"]) if "round" in kind.needs else None
        params = {"round": round_} if round_ else {}
        data, filename = self._read(options["file"])
        bar = None

        def progress(done, total):
            nonlocal bar
            if bar is None:
                hide = total < PROGRESS_FROM_ROWS or not sys.stderr.isatty()
                bar = tqdm(total=total, unit=" rows", file=sys.stderr, disable=hide, leave=False)
            bar.update(1)

        try:
            report = run_import(
                kind,
                data,
                filename,
                ACTOR,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=progress,
                ignore=options["ignore_column"],
                **params,
            )
        except (FileRefused, ServiceError) as error:  # not a file of this kind at all
            raise CommandError(f"{filename}: {error}") from error
        finally:
            if bar is not None:
                bar.close()
        if kind.load:
            return self._loaded(report, workspace)
        into = f"round {round_.pk}, {round_} ({round_.partnership})" if round_ else workspace.name
        self._print(kind, report, into, int(options["verbosity"]))
        if round_ and report.written:
            round_.refresh_from_db()
            self.stdout.write(f"The round now has {round_.response_count:,} responses.")

    def _check_options(self, kind: Kind, options):
        """Refuse an option the kind has no use for, rather than quietly ignore it."""
        if kind.whole_file and options["skip_invalid"]:
            raise CommandError(f"--skip-invalid does not apply to {kind.name}: {kind.whole_file}")
        what = kind.name if kind.load is None else f"{'an' if kind.record[0] in 'aeiou' else 'a'} {kind.record}"
        applies = {"round": "round" in kind.needs, "ignore_column": kind.headers.strict, "skip_invalid": not kind.load}
        for name, used in applies.items():
            if options.get(name) and not used:
                option = "--" + name.replace("_", "-")
                raise CommandError(f"{option} does not apply to {what}: leave it out.")

    def _round(self, kind: Kind, workspace, pk: int | None) -> AssessmentRound:
        if pk is None:
            raise CommandError(
                f"keel import {kind.name} needs --round ID: the number of the round the answers belong to "
                "(`keel rounds` lists them with their ids; it is also in the round page's address, "
                f"/w/{workspace.slug}/assessments/rounds/ID/)."
            )
        round_ = AssessmentRound.objects.select_related("instrument", "partnership").filter(pk=pk).first()
        if round_ is None:
            raise CommandError(
                f"No round {pk} in workspace {workspace.slug}: `keel rounds` lists its rounds with their ids."
            )
        return round_

    def _read(self, name: str) -> tuple[bytes, str]:
        if name == "-":
            return sys.stdin.buffer.read(settings.KEEL_IMPORT_MAX_BYTES + 1), "standard input"
        path = Path(name).expanduser()
        if not path.is_file():
            raise CommandError(f"There is no file {name}." if not path.exists() else f"{name} is not a file.")
        if path.stat().st_size > settings.KEEL_IMPORT_MAX_BYTES:
            # Refused before it is read: an oversized file is not held in memory.
            limit = settings.KEEL_IMPORT_MAX_BYTES
            raise CommandError(
                f"{name}: the file is {path.stat().st_size:,} bytes; Keel imports files of at most {limit:,} bytes. "
                "Split it into smaller files and import them one after the other."
            )
        try:
            return path.read_bytes(), path.name
        except OSError as error:
            raise CommandError(f"Could not read {name}: {error.strerror or error}.") from error

    def _print(self, kind: Kind, report: ImportReport, into: str, verbosity: int):
        mode = " (dry run: nothing will be written)" if report.dry_run else ""
        self.stdout.write(f"Importing {report.kind} from {report.filename} into {into}{mode}.")
        for line in report.lines(verbosity):
            self.stdout.write(line)
        if report.failed:
            can_skip = not (report.skip_invalid or kind.whole_file or report.refusals)
            hint = " Or import only the valid rows, with --skip-invalid." if can_skip else ""
            raise CommandError(f"{report.verdict}{hint}")
        self.stdout.write(report.verdict)

    def _loaded(self, report: ImportReport, workspace):
        """A file loaded whole (an instrument's definition): its problems by line, or what it did."""
        for problem in report.refusals:
            self.stderr.write(f"keel: {problem}")
        if report.failed:
            raise CommandError(report.verdict)
        self.stdout.write(report.verdict if report.dry_run else f"{report.verdict} (workspace {workspace.name})")
