"""How any import runs, whatever it imports: columns, rows, the report, all or nothing.

`run_import` reads the file (`spreadsheets.read_table`), matches its columns to the kind's,
reads each row into plain values, and hands each row to the kind's row function, all inside
one transaction. Each row runs in its own savepoint, so a row that fails leaves nothing. The
whole transaction is rolled back at the end for a dry run, and when any row is invalid unless
invalid rows are to be skipped: so a dry run reports exactly what the import would do, and an
import is all or nothing.

Each app's kinds (a column table, a row function and a context) are in that app's `importers`
module and registered here with `add_kind`; the engine itself knows only ImportUpload, the file
kept between an import page's preview and its import.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from keel.common.models import ImportUpload
from keel.common.spreadsheets import FileRefused, header_key, read_table, write_csv, write_xlsx
from keel.common.text import ReadError, choice_key, name_key, read_choice
from keel.core import changelog
from keel.core.changelog import Actor
from keel.core.services import ServiceError

# Reading cells: each reader takes a non-blank cell and returns a value or raises ReadError.


def plain(value) -> str:
    """A cell as text; a spreadsheet date as 2025-03-31."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value).strip()


def one_line(limit: int):
    def read(value) -> str:
        text = " ".join(plain(value).split())
        if len(text) > limit:
            raise ReadError(f"This is {len(text)} characters long; the most it can be is {limit}.")
        return text

    return read


def long_text(value) -> str:
    return plain(value)


def email(value) -> str:
    text = plain(value)
    try:
        validate_email(text)
    except ValidationError:
        raise ReadError(f"{text!r} is not an e-mail address.") from None
    return text


def website(value) -> str:
    text = plain(value)
    if "://" not in text:
        text = "https://" + text  # people write www.example.org
    try:
        URLValidator()(text)
    except ValidationError:
        raise ReadError(f"{plain(value)!r} is not a web address: write it as https://www.example.org.") from None
    if len(text) > 200:
        raise ReadError("This web address is longer than 200 characters.")
    return text


def choice(choices, synonyms: dict[str, str]):
    return lambda value: read_choice(plain(value), choices, synonyms)


def names(value) -> list[str]:
    """'A; B;\\nC' → ['A', 'B', 'C']: each name once, in the order given."""
    found = {}
    for part in plain(value).replace("\n", ";").split(";"):
        name = one_line(200)(part)
        if name:
            found.setdefault(name_key(name), name)
    return list(found.values())


@dataclass(frozen=True)
class Column:
    """One column of an import: how its cells are read, and how it is described."""

    name: str
    read: Callable[[object], object]
    required: bool = False
    synonyms: tuple[str, ...] = ()
    accepts: str = ""
    example: str = ""
    options: tuple[str, ...] = ()  # the values offered in a template's drop-down list


def choice_column(name: str, choices, synonyms: dict, example: str, headers: tuple[str, ...] = ()) -> Column:
    """A column of one of `choices`, read by value, label or synonym."""
    by_label = defaultdict(list)
    for word, value in synonyms.items():
        by_label[dict(choices.choices)[value].lower()].append(word)
    accepts = ", ".join(label.lower() for _, label in choices.choices)
    if by_label:
        accepts += " (also: " + "; ".join(f"{', '.join(w)} for {label}" for label, w in by_label.items()) + ")"
    options = tuple(label.lower() for _, label in choices.choices)
    return Column(name, choice(choices, synonyms), False, headers, accepts, example, options)


def words(value, text: str) -> dict[str, str]:
    """words(Status.ENDED, "closed, finished") → {"closed": "ended", "finished": "ended"}: synonyms."""
    return {word.strip(): value for word in text.split(",")}


@dataclass(frozen=True)
class Kind:
    """One kind of import: its columns, what makes a row unique in a file, and how a row is applied."""

    name: str  # plural, as typed after `keel import`
    record: str  # singular, the record each row is
    columns: tuple[Column, ...]
    import_row: Callable  # (context, row): checks, adding errors to the row, then writes
    identity: Callable[[dict], tuple[str, object, str] | None]  # (column, key, label) unique in a file
    context: Callable[[Actor], ImportContext]
    labels: dict[str, str]  # record → plural label, for the counts, in the order shown
    aliases: tuple[str, ...] = ()


# Rows and the report ---------------------------------------------------------------------


@dataclass
class RowError:
    """Why one row (and where known, one column) cannot be imported."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, column {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class Row:
    """One row being imported: its spreadsheet row number, its values by column name, its errors."""

    number: int
    data: dict
    errors: list[RowError]

    def error(self, column: str, message: str):
        self.errors.append(RowError(self.number, column, message))


@dataclass
class RowOutcome:
    """What a row did (or would do, on a dry run) to its record, and what else it touched."""

    row: int
    name: str = ""
    action: str = "unchanged"  # created, changed, unchanged or invalid
    details: list[str] = field(default_factory=list)
    counts: list[tuple[str, str]] = field(default_factory=list, repr=False)


@dataclass
class ImportReport:
    """What an import did or would do: counts per kind of record, every row's outcome and error."""

    kind: str
    record: str
    filename: str
    labels: dict[str, str] = field(default_factory=dict, repr=False)
    dry_run: bool = False
    skip_invalid: bool = False
    written: bool = False
    rows: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)

    def add(self, outcome: RowOutcome, errors: list[RowError]):
        self.outcomes.append(outcome)
        self.errors.extend(errors)
        for record, action in outcome.counts:
            tally = self.counts.setdefault(record, {})
            tally[action] = tally.get(action, 0) + 1

    @property
    def invalid_rows(self) -> int:
        return len({error.row for error in self.errors})

    @property
    def valid_rows(self) -> int:
        return self.rows - self.invalid_rows

    @property
    def failed(self) -> bool:
        """True when the file cannot be imported as it is: errors, and no valid rows to keep."""
        return bool(self.errors) and (not self.skip_invalid or self.invalid_rows == self.rows)

    @property
    def summary(self) -> list[str]:
        """One line per kind of record: 'Organisations: 2 created, 1 changed, 3 unchanged'."""
        tallies = {
            **self.counts,
            self.record: {"created": 0, "changed": 0, "unchanged": 0, **self.counts.get(self.record, {})},
        }
        return [
            f"{label}: " + ", ".join(f"{count} {action}" for action, count in tallies[record].items())
            for record, label in self.labels.items()
            if record in tallies
        ]

    @property
    def verdict(self) -> str:
        """One sentence on what happened; the page and the command add how to skip invalid rows."""
        invalid = self.invalid_rows
        rows = f"{_rows(invalid)} of {self.rows} {'is' if invalid == 1 else 'are'} invalid"
        if self.dry_run:
            if not self.errors:
                return "Dry run: nothing was written. The file is ready to import."
            if self.skip_invalid:
                return f"Dry run: nothing was written. {rows}: importing would skip {'it' if invalid == 1 else 'them'}."
            return f"Dry run: nothing was written. {rows}."
        if not self.written:
            return f"Nothing was written: {rows}. Correct {'it' if invalid == 1 else 'them'} and import the file again."
        if self.errors:
            return f"Imported {_rows(self.rows - invalid)}; skipped {_rows(invalid, 'invalid row')}."
        return f"Imported {_rows(self.rows)}."


def _rows(n: int, word: str = "row") -> str:
    return f"{n} {word}" if n == 1 else f"{n:,} {word}s"


class ImportContext:
    """What a kind's row functions share: the actor, the row's outcome, and a journal.

    Kinds keep maps of existing records (loaded once, not a query per row) on a subclass.
    Every change to those maps goes through `put`, `append` or `include`, so a row that fails
    is forgotten here just as its savepoint forgets it in the database.
    """

    def __init__(self, actor: Actor):
        self.actor = actor
        self.outcome = RowOutcome(0)
        self._journal: list[Callable[[], None]] = []

    def put(self, mapping: dict, key, value):
        missing = object()
        before = mapping.get(key, missing)
        mapping[key] = value
        self._journal.append(lambda: mapping.pop(key) if before is missing else mapping.__setitem__(key, before))

    def append(self, items: list, value):
        items.append(value)
        self._journal.append(lambda: items.remove(value))

    def include(self, items: set, value):
        items.add(value)
        self._journal.append(lambda: items.discard(value))

    def begin(self, number: int):
        self._journal.clear()
        self.outcome = RowOutcome(number)

    def undo(self):
        for step in reversed(self._journal):
            step()
        self._journal.clear()

    def count(self, record: str, action: str, detail: str = ""):
        self.outcome.counts.append((record, action))
        if detail:
            self.outcome.details.append(detail)


# Columns -------------------------------------------------------------------------------


def _lookup(kind: Kind) -> dict[str, Column]:
    return {header_key(word): column for column in kind.columns for word in (column.name, *column.synonyms)}


def match_columns(kind: Kind, headers: list[str], keys: list[str], others: Iterable[Kind] = ()):
    """The file's columns the kind reads, by normalised header, and a warning naming the rest."""
    lookup = _lookup(kind)
    matched, where, ignored = {}, {}, []
    for position, (header, key) in enumerate(zip(headers, keys, strict=True)):
        column = lookup.get(key)
        if column is None:
            if key:
                ignored.append(header)
            continue
        if column.name in where:
            first = headers[where[column.name]]
            raise FileRefused(f"Two columns, {first!r} and {header!r}, both give the {column.name}: keep one of them.")
        where[column.name] = position
        matched[key] = column
    _refuse_other_kind(kind, headers, keys, matched, others)
    missing = [column.name for column in kind.columns if column.required and column.name not in where]
    if missing:
        raise FileRefused(
            f"The file has no {' and no '.join(repr(n) for n in missing)} column, which every {kind.record} needs. "
            f"Its columns are: {', '.join(h for h in headers if h) or 'none'}. An import of {kind.name} reads: "
            f"{', '.join(c.name + (' (required)' if c.required else '') for c in kind.columns)}. "
            "Start from a template: the import page offers one for each kind."
        )
    notes = []
    # Columns another part of Keel writes (the audit's scores and figures) are read-only facts,
    # named as one group each rather than one by one.
    for group in READ_ONLY_GROUPS:
        found = [name for name in ignored if group.matches(name)]
        ignored = [name for name in ignored if name not in found]
        if found:
            ignored.append(f"the {len(found)} {group.describe}")
    if ignored:
        notes.append(f"These columns are not part of an import of {kind.name} and were ignored: {', '.join(ignored)}.")
    return matched, notes


def _refuse_other_kind(kind: Kind, headers, keys, matched, others: Iterable[Kind]):
    """Refuse, say, a partnerships file imported as organisations: its rows would become organisations."""
    own = _lookup(kind)
    ours = sum(1 for column in matched.values() if not column.required)
    for other in others:
        theirs = [h for h, k in zip(headers, keys, strict=True) if k in _lookup(other) and k not in own]
        if other.name != kind.name and len(theirs) >= 2 and len(theirs) > ours:
            raise FileRefused(
                f"This looks like a file of {other.name}, not {kind.name}: it has the columns {', '.join(theirs)}. "
                f"Import it as {other.name}, or remove those columns."
            )


# Running -------------------------------------------------------------------------------


class _Rollback(Exception):
    """Raised to undo a whole import: a dry run, or invalid rows not to be skipped."""


class _RowInvalid(Exception):
    """Raised to undo one row."""


def _read_row(kind: Kind, matched: dict[str, Column], number: int, cells: dict, errors: list[RowError]) -> Row:
    row = Row(number, {}, list(errors))
    for key, column in matched.items():
        value = cells.get(key, "")
        if value in ("", None) or any(e.column == column.name for e in row.errors):
            continue  # a blank cell leaves the value as it is
        try:
            row.data[column.name] = column.read(value)
        except ReadError as error:
            row.error(column.name, str(error))
    for column in kind.columns:
        if column.required and column.name not in row.data and all(e.column != column.name for e in row.errors):
            row.error(column.name, f"The {column.name} is missing: every {kind.record} needs one.")
    return row


def _apply(kind: Kind, context: ImportContext, row: Row) -> RowOutcome:
    """Apply one row in its own savepoint, so a row that fails leaves nothing behind."""
    context.begin(row.number)
    try:
        with transaction.atomic():
            kind.import_row(context, row)
            if row.errors:
                raise _RowInvalid
    except _RowInvalid:
        pass
    except ServiceError as error:
        row.error("", str(error))
    except ValidationError as error:
        fields = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
        for name, messages in fields:
            row.error("" if name == "__all__" else name.replace("_", " "), " ".join(messages))
    if row.errors:
        context.undo()
        reasons = [f"{e.column}: {e.message}" if e.column else e.message for e in row.errors]
        return RowOutcome(row.number, str(row.data.get("name", "")), "invalid", reasons)
    context.outcome.name = context.outcome.name or str(row.data.get("name", ""))
    return context.outcome


def run_import(
    kind: str | Kind,
    data: bytes,
    filename: str,
    actor: Actor,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a CSV or XLSX file of `kind` into the current workspace; raises FileRefused for an unreadable file."""
    kind = find_kind(kind) if isinstance(kind, str) else kind
    others = KINDS.values()
    required = {header_key(c.name) for c in kind.columns if c.required}
    table = read_table(data, filename, is_header=lambda keys: required <= set(keys))
    matched, notes = match_columns(kind, table.headers, table.keys, others)
    report = ImportReport(kind.name, kind.record, filename, kind.labels, dry_run, skip_invalid, rows=len(table.rows))
    report.warnings = table.warnings + notes
    problems = defaultdict(list)
    for number, key, message in table.problems:
        if not key or key in matched:  # a problem in an ignored column does not matter
            column = matched[key].name if key else ""
            problems[number].append(RowError(number, column, message[0].upper() + message[1:] + "."))
    context, seen = kind.context(actor), {}
    try:
        with transaction.atomic():
            for done, (number, cells) in enumerate(table.rows, start=1):
                row = _read_row(kind, matched, number, cells, problems[number])
                if identity := kind.identity(row.data):
                    column, key, label = identity
                    if key in seen:
                        row.error(
                            column, f"{label!r} is also in row {seen[key]}: a file holds each {kind.record} once."
                        )
                    seen.setdefault(key, number)
                report.add(_apply(kind, context, row), row.errors)
                if progress:
                    progress(done, len(table.rows))
            report.written = not dry_run and (skip_invalid or not report.errors)
            if not report.written:
                raise _Rollback
    except _Rollback:
        pass
    return report


def template(kind: Kind, fmt: str) -> bytes:
    """A file to start from: the kind's columns and one example row, as CSV or XLSX."""
    rows = [[column.name for column in kind.columns], [column.example for column in kind.columns]]
    if fmt == "csv":
        return write_csv(rows)
    notes = [("Required. " if c.required else "") + f"Accepts {c.accepts}." for c in kind.columns]
    return write_xlsx(rows, notes, [column.options for column in kind.columns])


# The registry of kinds ------------------------------------------------------------------
# Each app declares its kinds in its `importers` module (found by keel.common's AppConfig);
# `keel import`, the import page and the engine's "this looks like a file of …" check read them here.

KINDS: dict[str, Kind] = {}
STAGED_FOR = dt.timedelta(days=1)


class UnknownKind(ValueError):
    """An import kind Keel does not know; the message names the ones it does."""


@dataclass(frozen=True)
class ReadOnlyGroup:
    """Columns that some export of Keel writes and no import reads, e.g. the audit's health scores."""

    describe: str  # "health score columns of the audit"
    matches: Callable[[str], bool]


READ_ONLY_GROUPS: list[ReadOnlyGroup] = []


def add_kind(kind: Kind) -> None:
    """Offer an app's import (organisations, measurements…) on the import page and `keel import`."""
    KINDS.setdefault(kind.name, kind)


def add_read_only_group(group: ReadOnlyGroup) -> None:
    """Name a group of exported columns that imports ignore quietly, as one group."""
    if group not in READ_ONLY_GROUPS:
        READ_ONLY_GROUPS.append(group)


def find_kind(text: str) -> Kind:
    """The kind `text` names: 'organisations', 'Organisation', 'people', 'person'…"""
    key = choice_key(text)
    for kind in KINDS.values():
        if key == kind.name or key in kind.aliases:
            return kind
    raise UnknownKind(f"Keel cannot import {text.strip()!r}: it imports {', '.join(KINDS)}.")


# An uploaded file waits between its preview and its import.


def stage_upload(actor: Actor, kind_name: str, filename: str, data: bytes) -> ImportUpload:
    """Keep an uploaded file for its import; uploads left unconfirmed for a day are dropped."""
    ImportUpload.objects.filter(imported_at=None, created_at__lt=timezone.now() - STAGED_FOR).delete()
    return ImportUpload.objects.create(kind=kind_name, filename=filename[:255], content=data, created_by=actor.user)


@transaction.atomic
def import_upload(actor: Actor, upload: ImportUpload, skip_invalid: bool = False) -> ImportReport:
    """Import a kept upload once; its content is dropped once imported, and the import is recorded."""
    upload = ImportUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.imported_at is not None:
        when = timezone.localtime(upload.imported_at)
        raise ServiceError(
            f"This file was already imported, on {when:%d/%m/%Y at %H:%M}: upload it again to re-import."
        )
    report = run_import(upload.kind, bytes(upload.content), upload.filename, actor, skip_invalid=skip_invalid)
    if report.written:
        upload.imported_at, upload.content = timezone.now(), b""
        upload.save(update_fields=["imported_at", "content"])
        changelog.record(actor, "import.completed", upload, {"rows": [None, report.rows]}, note=report.verdict)
    return report
