"""`keel import KIND FILE`: the register from CSV or XLSX; an instrument definition; a round's survey responses.

keel import organisations|people|partnerships FILE [--dry-run] [--skip-invalid]
keel import instrument FILE [--dry-run]
keel import responses FILE --round ID [--dry-run] [--ignore-column NAME]…
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from tqdm import tqdm

from keel.assessments import services as assessments
from keel.assessments.definitions import DefinitionError
from keel.assessments.importing import definition_text, describe_load, import_file, sorted_problems
from keel.assessments.models import AssessmentRound
from keel.common.importing import KINDS, UnknownKind, find_kind, run_import
from keel.common.spreadsheets import FileRefused
from keel.common.text import choice_key
from keel.core.changelog import Actor
from keel.core.management.base import WorkspaceCommand
from keel.core.services import ServiceError

# Below this many rows an import is over before a progress bar would tell anyone anything.
PROGRESS_FROM_ROWS = 500
ASSESSMENT_KINDS = {"instrument": "instrument", "instruments": "instrument", "responses": "responses"}
ASSESSMENT_KINDS |= {"response": "responses", "survey responses": "responses"}
ACTOR = Actor(via="keel import")


class Rollback(Exception):
    """Undoes a dry run's load of an instrument."""


class Command(WorkspaceCommand):
    help = (
        f"Import {', '.join(KINDS)} from a CSV or XLSX file into the workspace; an instrument from its YAML or "
        "JSON definition (`keel import instrument FILE`); or a round's survey responses exported from another "
        "survey tool (`keel import responses FILE --round ID`). Nothing is written unless every row is valid "
        "(or, for the register, --skip-invalid is given); importing the same register file again changes "
        "nothing, and the same responses file is refused a second time. See docs/import.md and "
        "docs/instruments.md."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("kind", help=f"what the file holds: {', '.join(KINDS)}, instrument or responses")
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
        assessment_kind = ASSESSMENT_KINDS.get(choice_key(options["kind"]))
        if assessment_kind == "instrument":
            return self._instrument(workspace, options)
        if assessment_kind == "responses":
            return self._responses(workspace, options)
        try:
            kind = find_kind(options["kind"])
        except UnknownKind as error:
            known = f"{', '.join(KINDS)}, instrument and responses"
            raise CommandError(f"Keel cannot import {options['kind'].strip()!r}: it imports {known}.") from error
        self._not_for(kind.name, options, "round", "ignore_column")
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

    # Assessments ---------------------------------------------------------------------------

    def _instrument(self, workspace, options):
        """Load an instrument definition: a new instrument, a new version, or the same one."""
        self._not_for("an instrument", options, "round", "ignore_column", "skip_invalid")
        data, filename = self._read(options["file"])
        try:
            text = definition_text(data)
            with transaction.atomic():
                instrument, outcome = assessments.load_instrument(ACTOR, text)
                message = describe_load(instrument, outcome)
                if options["dry_run"]:
                    raise Rollback
        except Rollback:
            self.stdout.write(f"Dry run: nothing was written. Loading {filename} would say: {message}")
            return
        except DefinitionError as error:
            for problem in sorted_problems(error.problems):
                self.stderr.write(f"keel: {problem}")
            count = len(error.problems)
            raise CommandError(
                f"{filename} was not loaded: correct the {count} problem{'s' if count != 1 else ''} above "
                "(the format is in docs/instruments.md) and load it again."
            ) from None
        except ServiceError as error:
            raise CommandError(f"{filename}: {error}") from None
        self.stdout.write(f"{message} (workspace {workspace.name})")

    def _responses(self, workspace, options):
        """Import a round's responses from another survey tool's export: all of them, or none."""
        if options["skip_invalid"]:
            raise CommandError(
                "--skip-invalid does not apply to responses: a survey file is imported whole or not at all, "
                "so a round's scores never rest on part of a file. Correct the invalid rows instead."
            )
        if options["round"] is None:
            raise CommandError(
                "keel import responses needs --round ID: the number of the round the answers belong to "
                "(`keel rounds` lists them with their ids; it is also in the round page's address, "
                f"/w/{workspace.slug}/assessments/rounds/ID/)."
            )
        round_ = AssessmentRound.objects.select_related("instrument", "partnership").filter(pk=options["round"])
        round_ = round_.first()
        if round_ is None:
            raise CommandError(
                f"No round {options['round']} in workspace {workspace.slug}: "
                "`keel rounds` lists its rounds with their ids."
            )
        data, filename = self._read(options["file"])
        try:
            result = import_file(ACTOR, round_, data, filename, options["ignore_column"], options["dry_run"])
        except (FileRefused, ServiceError) as error:
            raise CommandError(f"{filename}: {error}") from error
        mode = " (dry run: nothing will be written)" if options["dry_run"] else ""
        self.stdout.write(
            f"Importing responses from {filename} into round {round_.pk}, {round_} ({round_.partnership}){mode}."
        )
        for warning in result.warnings:
            self.stdout.write(f"Warning: {warning}")
        if options["dry_run"] or int(options["verbosity"]) >= 2:  # which column is which statement
            for column in result.of("item") + result.of("prompt"):
                self.stdout.write(f"Column {column.header!r} → {column.kind} {column.target}")
        for line in result.summary():
            self.stdout.write(line)
        for problem in result.problems:
            self.stdout.write(problem)
        if not result.ok:
            raise CommandError(result.verdict)
        self.stdout.write(result.verdict)
        if result.imported:
            round_.refresh_from_db()
            self.stdout.write(f"The round now has {round_.response_count:,} responses.")

    def _not_for(self, what: str, options, *names):
        for name in names:
            if options.get(name):
                option = "--" + name.replace("_", "-")
                raise CommandError(f"{option} does not apply to {what}: leave it out.")
