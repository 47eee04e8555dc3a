"""Rows, their problems and the report of an import; the context a kind's row function writes through."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from keel.common.importing.columns import Column
from keel.common.spreadsheets import Table, header_key
from keel.core.changelog import Actor


class HasColumns(Protocol):
    """What a context needs of its kind: the kind's columns (kinds.py imports this module, not back)."""

    @property
    def columns(self) -> tuple[Column, ...]: ...


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

    def columns(self, kind: HasColumns) -> tuple[Column, ...]:
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
