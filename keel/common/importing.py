"""How any import runs, whatever it imports: columns, rows, the report, all or nothing.

`run_import` reads the file (`spreadsheets.read_table`), matches its columns to the kind's,
reads each row into plain values, and hands each row to the kind's row function, all inside
one transaction. Each row runs in its own savepoint, so a row that fails leaves nothing. The
whole transaction is rolled back at the end for a dry run, and when the file or any row is
invalid unless invalid rows are to be skipped: so a dry run reports exactly what the import
would do, and an import is all or nothing.

Each app's kinds (a column table, a row function and a context) are in that app's `importers`
module and registered here with `add_kind`. Most kinds are a fixed table any file of theirs
has; a kind may also need more than the file (a survey's round, whose instrument says what the
columns are), place every column of a file strictly (`Headers`), or load a file that is one
record rather than a table (an instrument's definition). The engine itself knows only
ImportUpload, the file kept between an import page's preview and its import.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from keel.common.models import ImportUpload
from keel.common.spreadsheets import FileRefused, Table, header_key, read_table, write_csv, write_xlsx
from keel.common.text import ReadError, choice_key, name_key, read_choice
from keel.core import changelog
from keel.core.changelog import Actor
from keel.core.services import ServiceError

# Reading cells: each reader takes a non-blank cell and returns a value or raises ReadError.


def plain(value: object) -> str:
    """A cell as text; a spreadsheet date as 2025-03-31."""
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat()) if callable(isoformat) else str(value).strip()


def one_line(limit: int) -> Callable[[object], str]:
    def read(value: object) -> str:
        text = " ".join(plain(value).split())
        if len(text) > limit:
            raise ReadError(f"This is {len(text)} characters long; the most it can be is {limit}.")
        return text

    return read


def long_text(value: object) -> str:
    return plain(value)


def email(value: object) -> str:
    text = plain(value)
    try:
        validate_email(text)
    except ValidationError:
        raise ReadError(f"{text!r} is not an e-mail address.") from None
    return text


def website(value: object) -> str:
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


def choice(choices: Any, synonyms: dict[str, str]) -> Callable[[object], str]:
    return lambda value: read_choice(plain(value), choices, synonyms)


def names(value: object) -> list[str]:
    """'A; B;\\nC' → ['A', 'B', 'C']: each name once, in the order given."""
    found: dict[str, str] = {}
    for part in plain(value).replace("\n", ";").split(";"):
        name = one_line(200)(part)
        if name:
            found.setdefault(name_key(name), name)
    return list(found.values())


@dataclass(frozen=True)
class Column:
    """One column of an import: how its cells are read, and how it is described."""

    name: str
    read: Callable[[Any], object]
    required: bool = False
    synonyms: tuple[str, ...] = ()
    accepts: str = ""
    example: str = ""
    options: tuple[str, ...] = ()  # the values offered in a template's drop-down list
    group: str = ""  # where a kind's columns are of several sorts: a survey's "item", "prompt"…


def choice_column(
    name: str, choices: Any, synonyms: dict[str, str], example: str, headers: tuple[str, ...] = ()
) -> Column:
    """A column of one of `choices`, read by value, label or synonym."""
    by_label = defaultdict(list)
    for word, value in synonyms.items():
        by_label[dict(choices.choices)[value].lower()].append(word)
    accepts = ", ".join(label.lower() for _, label in choices.choices)
    if by_label:
        accepts += " (also: " + "; ".join(f"{', '.join(w)} for {label}" for label, w in by_label.items()) + ")"
    options = tuple(label.lower() for _, label in choices.choices)
    return Column(name, choice(choices, synonyms), False, headers, accepts, example, options)


def words(value: str, text: str) -> dict[str, str]:
    """words(Status.ENDED, "closed, finished") → {"closed": "ended", "finished": "ended"}: synonyms."""
    return {word.strip(): value for word in text.split(",")}


@dataclass(frozen=True)
class KnownColumns:
    """Columns a kind knows and does not read, such as a survey tool's timestamp or a respondent's e-mail."""

    role: str  # what the report calls them
    keys: frozenset[str]  # their headers, as header_key writes them


@dataclass(frozen=True)
class Headers:
    """How a kind finds its columns in a file, where names and synonyms are not all.

    The default suits a table Keel itself describes: a column it does not read is ignored
    with a note. A survey tool's export is another matter: every column must be placed, since
    one Keel cannot place may be a statement worded differently, so a `strict` kind's context
    words unknown and repeated columns as problems of the file (`ImportContext.check`).
    """

    strict: bool = False
    cite: bool = False  # a row's errors name a column as the file heads it, not by the kind's name for it
    known: tuple[KnownColumns, ...] = ()
    # A row just under the header whose every filled cell passes this repeats the headers
    # (SurveyMonkey's "Response") and is skipped.
    sub_header: Callable[[str], bool] | None = None


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
    data: dict[str, Any]
    errors: list[RowError]
    labels: Mapping[str, str] = field(default_factory=dict)  # how errors name a column, when not by its name

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.labels.get(column, column), message))


@dataclass
class RowOutcome:
    """What a row did (or would do, on a dry run) to its record, and what else it touched."""

    row: int
    name: str = ""
    action: str = "unchanged"  # created, changed, unchanged or invalid
    details: list[str] = field(default_factory=list)
    counts: list[tuple[str, str]] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class FileColumn:
    """One column of the file, and what the import makes of it."""

    header: str  # as the file writes it
    key: str  # as its rows are keyed (spreadsheets.header_key)
    # The kind's column's group ("read" when it has none); "ignored" when asked to; a known
    # group's role; "unknown"; or "duplicate", a second column for a column already found.
    role: str
    target: str = ""  # the name of the kind's column it gives


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
    refusals: list[str] = field(default_factory=list)  # problems of the file as a whole: nothing is written
    columns: list[FileColumn] = field(default_factory=list, repr=False)

    def add(self, outcome: RowOutcome, errors: list[RowError]) -> None:
        self.outcomes.append(outcome)
        self.errors.extend(errors)
        for record, action in outcome.counts:
            tally = self.counts.setdefault(record, {})
            tally[action] = tally.get(action, 0) + 1

    def of(self, role: str) -> list[FileColumn]:
        """The file's columns of one role: "item", "ignored", "unknown"…"""
        return [column for column in self.columns if column.role == role]

    @property
    def invalid_rows(self) -> int:
        return len({error.row for error in self.errors})

    @property
    def valid_rows(self) -> int:
        return self.rows - self.invalid_rows

    @property
    def writable(self) -> bool:
        """True when the rows would be written: the file is whole, and its rows valid or to be skipped."""
        return not self.refusals and (self.skip_invalid or not self.errors)

    @property
    def failed(self) -> bool:
        """True when the file cannot be imported as it is: refused, or errors and no valid rows to keep."""
        return bool(self.refusals) or bool(self.errors) and (not self.skip_invalid or self.invalid_rows == self.rows)

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

    def lines(self, verbosity: int = 1) -> list[str]:
        """What `keel import` prints between its first line and the verdict."""
        lines = [f"Warning: {warning}" for warning in self.warnings]
        # A dry run is for seeing what would happen, so it lists every row that would change.
        if self.dry_run or verbosity >= 2:
            for outcome in self.outcomes:
                if outcome.action in ("created", "changed") or verbosity >= 2:
                    shown = outcome.details if outcome.action != "invalid" else []  # errors come below
                    details = f" ({'; '.join(shown)})" if shown else ""
                    lines.append(f"row {outcome.row}: {outcome.name}: {outcome.action}{details}")
        lines += [str(error) for error in self.errors]
        if self.errors and not self.dry_run and not self.written:
            lines.append("The valid rows would have made these changes:")
        return lines + self.summary


def _rows(n: int, word: str = "row") -> str:
    return f"{n} {word}" if n == 1 else f"{n:,} {word}s"


class ImportContext:
    """What a kind's row functions share: the actor, the report, the row's outcome, and a journal.

    Kinds keep maps of existing records (loaded once, not a query per row) on a subclass.
    Every change to those maps goes through `put`, `append` or `include`, so a row that fails
    is forgotten here just as its savepoint forgets it in the database. A subclass may also
    override the hooks below, where its kind's file needs more than a fixed table of columns.
    """

    report: ImportReport  # the import's report so far, set by run_import

    def __init__(self, actor: Actor):
        self.actor = actor
        self.outcome = RowOutcome(0)
        self._journal: list[Callable[[], object]] = []

    def put(self, mapping: dict[Any, Any], key: object, value: object) -> None:
        missing = object()
        before = mapping.get(key, missing)
        mapping[key] = value
        self._journal.append(lambda: mapping.pop(key) if before is missing else mapping.__setitem__(key, before))

    def append(self, items: list[Any], value: object) -> None:
        items.append(value)
        self._journal.append(lambda: items.remove(value))

    def include(self, items: set[Any], value: object) -> None:
        items.add(value)
        self._journal.append(lambda: items.discard(value))

    def begin(self, number: int) -> None:
        self._journal.clear()
        self.outcome = RowOutcome(number)

    def undo(self) -> None:
        for step in reversed(self._journal):
            step()
        self._journal.clear()

    def count(self, record: str, action: str, detail: str = "") -> None:
        self.outcome.counts.append((record, action))
        if detail:
            self.outcome.details.append(detail)

    # Hooks -------------------------------------------------------------------------------

    def columns(self, kind: Kind) -> tuple[Column, ...]:
        """The columns a file may have: the kind's own, unless they depend on the import (a round's statements)."""
        return kind.columns

    def is_header(self, keys: list[str], columns: tuple[Column, ...]) -> bool:
        """Whether a row is the header, rather than a title above it: it names every required column."""
        return {header_key(c.name) for c in columns if c.required} <= set(keys)

    def recognise(self, key: str) -> str | None:
        """The column a header gives beyond its names and synonyms (a statement after "Q3."), by name."""
        return None

    def check(self, data: bytes, table: Table) -> bool:
        """Add problems of the file as a whole to the report once its columns are known; False: read no row."""
        return True

    def finish(self) -> None:
        """After the last row, in the import's transaction: a kind that writes its rows together does it here."""


# Columns -------------------------------------------------------------------------------


def _lookup(columns: Iterable[Column]) -> dict[str, Column]:
    found: dict[str, Column] = {}
    for column in columns:
        for word in (column.name, *column.synonyms):
            found.setdefault(header_key(word), column)  # of two columns one header names, the first
    return found


@dataclass
class Matching:
    """A file's columns matched to a kind's: the ones read, by header key; every one described; notes."""

    matched: dict[str, Column]
    columns: list[FileColumn]
    notes: list[str]


def match_columns(
    kind: Kind,
    headers: list[str],
    keys: list[str],
    others: Iterable[Kind] = (),
    columns: tuple[Column, ...] | None = None,
    recognise: Callable[[str], str | None] | None = None,
    ignore: Iterable[str] = (),
) -> Matching:
    """Which of the file's columns gives which of the kind's: by name or synonym, then `recognise`.

    `columns` are the kind's unless given (a survey's depend on its round); `ignore` names
    columns to leave out, as the file heads them.
    """
    columns = kind.columns if columns is None else columns
    lookup, by_name = _lookup(columns), {column.name: column for column in columns}
    asked = {header_key(name): name for name in ignore}
    matched: dict[str, Column] = {}
    found: list[FileColumn] = []
    where: dict[str, int] = {}
    for position, (header, key) in enumerate(zip(headers, keys, strict=True)):
        if not key:
            continue  # read_table warns of columns with no header
        role = "ignored" if key in asked else ""
        column = None if role else lookup.get(key)
        if column is None and not role:
            role = next((known.role for known in kind.headers.known if key in known.keys), "")
            if not role and recognise and (name := recognise(key)):
                column = by_name[name]
        if column is None:
            found.append(FileColumn(header, key, role or "unknown"))
            continue
        if column.name in where:
            if not kind.headers.strict:
                first = headers[where[column.name]]
                raise FileRefused(
                    f"Two columns, {first!r} and {header!r}, both give the {column.name}: keep one of them."
                )
            found.append(FileColumn(header, key, "duplicate", column.name))
            continue
        where[column.name] = position
        matched[key] = column
        found.append(FileColumn(header, key, column.group or "read", column.name))
    if not kind.headers.strict:
        _refuse_other_kind(kind, headers, keys, matched, others)
    missing = [column.name for column in columns if column.required and column.name not in where]
    if missing:
        raise FileRefused(
            f"The file has no {' and no '.join(repr(n) for n in missing)} column, which every {kind.record} needs. "
            f"Its columns are: {', '.join(h for h in headers if h) or 'none'}. An import of {kind.name} reads: "
            f"{', '.join(c.name + (' (required)' if c.required else '') for c in columns)}. "
            "Start from a template: the import page offers one for each kind."
        )
    return Matching(matched, found, _notes(kind, found, asked, keys))


def _notes(kind: Kind, found: list[FileColumn], asked: dict[str, str], keys: list[str]) -> list[str]:
    notes = []
    if not kind.headers.strict:  # a strict kind's context says what it makes of a column it cannot place
        ignored = [column.header for column in found if column.role in ("unknown", "ignored")]
        # Columns another part of Keel writes (the audit's scores and figures) are read-only facts,
        # named as one group each rather than one by one.
        for group in READ_ONLY_GROUPS:
            grouped = [name for name in ignored if group.matches(name)]
            ignored = [name for name in ignored if name not in grouped]
            if grouped:
                ignored.append(f"the {len(grouped)} {group.describe}")
        if ignored:
            notes.append(
                f"These columns are not part of an import of {kind.name} and were ignored: {', '.join(ignored)}."
            )
    for key, name in asked.items():
        if key not in keys:
            notes.append(f"No column is called {name!r}, so there was nothing to ignore by that name.")
    return notes


def _refuse_other_kind(
    kind: Kind, headers: list[str], keys: list[str], matched: dict[str, Column], others: Iterable[Kind]
) -> None:
    """Refuse, say, a partnerships file imported as organisations: its rows would become organisations."""
    own = _lookup(kind.columns)
    ours = sum(1 for column in matched.values() if not column.required)
    for other in others:
        theirs = [h for h, k in zip(headers, keys, strict=True) if k in _lookup(other.columns) and k not in own]
        if other.name != kind.name and len(theirs) >= 2 and len(theirs) > ours:
            raise FileRefused(
                f"This looks like a file of {other.name}, not {kind.name}: it has the columns {', '.join(theirs)}. "
                f"Import it as {other.name}, or remove those columns."
            )


# Running -------------------------------------------------------------------------------


class _Rollback(Exception):
    """Raised to undo a whole import: a dry run, or an invalid file or rows not to be skipped."""


class _RowInvalid(Exception):
    """Raised to undo one row."""


def _read_row(
    kind: Kind,
    columns: tuple[Column, ...],
    matched: dict[str, Column],
    number: int,
    cells: dict[str, object],
    errors: list[RowError],
    labels: Mapping[str, str],
) -> Row:
    row = Row(number, {}, list(errors), labels)
    for key, column in matched.items():
        value = cells.get(key, "")
        label = labels.get(column.name, column.name)
        if value in ("", None) or any(e.column == label for e in row.errors):
            continue  # a blank cell leaves the value as it is
        try:
            row.data[column.name] = column.read(value)
        except ReadError as error:
            row.error(column.name, str(error))
    for column in columns:
        label = labels.get(column.name, column.name)
        if column.required and column.name not in row.data and all(e.column != label for e in row.errors):
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


def _sub_headers(kind: Kind, table: Table) -> list[int]:
    """Rows just under the header that only repeat headers, as survey tools write them."""
    test = kind.headers.sub_header
    if test is None:
        return []
    skipped = []
    for number, cells in table.rows[:2]:
        values = [str(value).strip().lower() for value in cells.values() if value not in ("", None)]
        if values and all(test(value) for value in values):
            skipped.append(number)
    return skipped


def _import_table(
    kind: Kind,
    context: ImportContext,
    data: bytes,
    filename: str,
    ignore: Iterable[str],
    progress: Callable[[int, int], None] | None,
) -> None:
    report, columns = context.report, context.columns(kind)
    table = read_table(data, filename, is_header=lambda keys: context.is_header(keys, columns))
    others = [] if kind.headers.strict else spreadsheet_kinds()
    matching = match_columns(kind, table.headers, table.keys, others, columns, context.recognise, ignore)
    report.columns, report.warnings = matching.columns, list(table.warnings)
    read = context.check(data, table)
    report.warnings += matching.notes
    rows = table.rows
    if skipped := _sub_headers(kind, table):
        report.warnings.append(
            f"Row {' and '.join(map(str, skipped))} under the header repeats the headers, as survey tools write, "
            "and was skipped."
        )
        rows = [row for row in rows if row[0] not in skipped]
    if not read:
        return
    report.rows = len(rows)
    labels = {c.target: c.header for c in matching.columns if c.target and c.key in matching.matched}
    labels = labels if kind.headers.cite else {}
    problems = defaultdict(list)
    for number, key, message in table.problems:
        if not key or key in matching.matched:  # a problem in a column that is not read does not matter
            name = matching.matched[key].name if key else ""
            problems[number].append(RowError(number, labels.get(name, name), message[0].upper() + message[1:] + "."))
    seen: dict[object, int] = {}
    for done, (number, cells) in enumerate(rows, start=1):
        row = _read_row(kind, columns, matching.matched, number, cells, problems[number], labels)
        if identity := kind.identity(row.data):
            name, unique, label = identity
            if unique in seen:
                row.error(name, f"{label!r} is also in row {seen[unique]}: a file holds each {kind.record} once.")
            seen.setdefault(unique, number)
        report.add(_apply(kind, context, row), row.errors)
        if progress:
            progress(done, len(rows))
    context.finish()


def run_import(
    kind: str | Kind,
    data: bytes,
    filename: str,
    actor: Actor,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
    ignore: Iterable[str] = (),
    **params: Any,
) -> ImportReport:
    """Import a file of `kind` into the current workspace; raises FileRefused for an unreadable file.

    `params` are what the kind needs besides the file (`round=` for responses); `ignore` names
    columns to leave out.
    """
    kind = find_kind(kind) if isinstance(kind, str) else kind
    report = kind.report(kind.name, kind.record, filename, kind.labels, dry_run, skip_invalid)
    context = kind.context(actor, **params)
    context.report = report
    try:
        with transaction.atomic():
            if kind.load:
                kind.load(context, data, filename)
            else:
                _import_table(kind, context, data, filename, ignore, progress)
            report.written = not dry_run and report.writable
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


@dataclass(frozen=True)
class Kind:
    """One kind of import: its columns, what makes a row unique in a file, and how a row is applied."""

    name: str  # plural, as typed after `keel import`
    record: str  # singular, the record each row is
    columns: tuple[Column, ...]  # () where the context computes them (ImportContext.columns)
    import_row: Callable[[Any, Row], None]  # (context, row): checks, adding errors to the row, then writes
    identity: Callable[[dict[str, Any]], tuple[str, object, str] | None]  # (column, key, label) unique in a file
    context: Callable[..., ImportContext]  # (actor, **params)
    labels: dict[str, str]  # record → plural label, for the counts, in the order shown
    aliases: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # what the context needs besides the actor (round): no file alone will do
    headers: Headers = Headers()
    report: type[ImportReport] = ImportReport  # a kind may word its report itself
    # A file that is one record, not a table (an instrument's definition): (context, data, filename)
    # reads and writes it whole, adding its problems to context.report.refusals.
    load: Callable[[Any, bytes, str], None] | None = None
    whole_file: str = ""  # why invalid rows cannot be skipped, where they cannot
    records_itself: bool = False  # its own service records the import, so an upload's import is not recorded again

    @property
    def spreadsheet(self) -> bool:
        """True when a spreadsheet alone can be imported as this kind: the import page offers it, with templates."""
        return self.load is None and not self.needs and bool(self.columns)


def no_identity(data: dict[str, Any]) -> None:
    """The identity of a kind whose rows are each a new record, however alike (survey respondents)."""
    return None


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
    """Offer an app's import (organisations, measurements…) on `keel import`, and the import page if it fits."""
    KINDS.setdefault(kind.name, kind)


def spreadsheet_kinds() -> list[Kind]:
    """The kinds a spreadsheet alone can be imported as, in the order registered."""
    return [kind for kind in KINDS.values() if kind.spreadsheet]


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
    known = [kind.name for kind in spreadsheet_kinds()] + [k.name for k in KINDS.values() if not k.spreadsheet]
    listed = ", ".join(known[:-1]) + f" and {known[-1]}" if len(known) > 1 else "".join(known)
    raise UnknownKind(f"Keel cannot import {text.strip()!r}: it imports {listed}.")


# An uploaded file waits between its preview and its import. Its kind may say, after a colon,
# what it was uploaded for ("responses:12": round 12), so a page takes back only its own uploads.


def stage_upload(actor: Actor, kind_name: str, filename: str, data: bytes) -> ImportUpload:
    """Keep an uploaded file for its import; uploads left unconfirmed for a day are dropped."""
    ImportUpload.objects.filter(imported_at=None, created_at__lt=timezone.now() - STAGED_FOR).delete()
    upload: ImportUpload = ImportUpload.objects.create(
        kind=kind_name, filename=filename[:255], content=data, created_by=actor.user
    )
    return upload


@transaction.atomic
def import_upload(
    actor: Actor, upload: ImportUpload, skip_invalid: bool = False, ignore: Iterable[str] = (), **params: Any
) -> ImportReport:
    """Import a kept upload once; its content is dropped once imported, and the import is recorded."""
    upload = ImportUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.imported_at is not None:
        when = timezone.localtime(upload.imported_at)
        raise ServiceError(
            f"This file was already imported, on {when:%d/%m/%Y at %H:%M}: upload it again to re-import."
        )
    kind = find_kind(upload.kind.partition(":")[0])
    data = bytes(upload.content)
    report = run_import(kind, data, upload.filename, actor, skip_invalid=skip_invalid, ignore=ignore, **params)
    if report.written:
        upload.imported_at, upload.content = timezone.now(), b""
        upload.save(update_fields=["imported_at", "content"])
        if not kind.records_itself:
            changelog.record(actor, "import.completed", upload, {"rows": [None, report.rows]}, note=report.verdict)
    return report
