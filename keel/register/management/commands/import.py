"""`keel import KIND FILE [--dry-run] [--skip-invalid]`: organisations, people or partnerships from CSV or XLSX."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from tqdm import tqdm

from keel.core.audit import Actor
from keel.core.management.base import WorkspaceCommand
from keel.register.importers import KINDS, UnknownKind, find_kind, run_import
from keel.register.spreadsheets import FileRefused

# Below this many rows an import is over before a progress bar would tell anyone anything.
PROGRESS_FROM_ROWS = 500


class Command(WorkspaceCommand):
    help = (
        f"Import {', '.join(KINDS)} from a CSV or XLSX file into the workspace. Nothing is written unless "
        "every row is valid (or --skip-invalid is given); importing the same file again changes nothing. "
        "The columns of each kind are described in docs/import.md."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("kind", help=f"what the file holds: {', '.join(KINDS)}")
        parser.add_argument("file", help="a .csv or .xlsx file, or - to read standard input")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
        parser.add_argument("--skip-invalid", action="store_true", help="import the valid rows, skip the invalid")

    def handle_workspace(self, workspace, *args, **options):
        try:
            kind = find_kind(options["kind"])
        except UnknownKind as error:
            raise CommandError(str(error)) from error
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
                Actor(via="keel import"),
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=progress,
            )
        except FileRefused as error:
            raise CommandError(f"{filename}: {error}") from error
        finally:
            if bar is not None:
                bar.close()
        self._print(report, workspace, int(options["verbosity"]))
        if report.failed:
            hint = "" if options["skip_invalid"] else " Or import only the valid rows, with --skip-invalid."
            raise CommandError(f"{report.verdict}{hint}")

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

    def _print(self, report, workspace, verbosity: int):
        mode = " (dry run: nothing will be written)" if report.dry_run else ""
        self.stdout.write(f"Importing {report.kind} from {report.filename} into {workspace.name}{mode}.")
        for warning in report.warnings:
            self.stdout.write(f"Warning: {warning}")
        # A dry run is for seeing what would happen, so it lists every row that would change.
        if report.dry_run or verbosity >= 2:
            for outcome in report.outcomes:
                if outcome.action in ("created", "changed") or verbosity >= 2:
                    shown = outcome.details if outcome.action != "invalid" else []  # errors come below
                    details = f" ({'; '.join(shown)})" if shown else ""
                    self.stdout.write(f"row {outcome.row}: {outcome.name}: {outcome.action}{details}")
        for error in report.errors:
            self.stdout.write(str(error))
        if report.errors and not report.dry_run and not report.written:
            self.stdout.write("The valid rows would have made these changes:")
        for line in report.summary:
            self.stdout.write(line)
        if not report.failed:
            self.stdout.write(report.verdict)
