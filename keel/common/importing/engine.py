"""Running an import: matching the file's columns, reading rows, all or nothing, the templates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from keel.common.importing.columns import Column
from keel.common.importing.kinds import READ_ONLY_GROUPS, Kind, find_kind, spreadsheet_kinds
from keel.common.importing.report import FileColumn, ImportContext, ImportReport, Row, RowError, RowOutcome
from keel.common.spreadsheets import FileRefused, Table, header_key, read_table, write_csv, write_xlsx
from keel.common.text import ReadError
from keel.core.changelog import Actor
from keel.core.services import ServiceError

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
