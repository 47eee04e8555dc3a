"""The registry of kinds: what each app offers to import, found by keel.common's AppConfig."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from keel.common.importing.columns import Column, Headers
from keel.common.importing.report import ImportContext, ImportReport, Row
from keel.common.text import choice_key

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
