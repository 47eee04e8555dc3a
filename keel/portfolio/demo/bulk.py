"""Writing the large demo's rows in bulk, in the current workspace, reporting progress as it goes.

One record at a time through the services would take the large demo hours, so its parts
write rows here instead, inside the demo's one transaction, and the demo's single
`workspace.demo_loaded` change record counts them. Two ways in, for two needs:

- `create`: model objects through bulk_create, a batch at a time. For the register and the
  assessment rounds: rows whose ids later rows take from the objects themselves.
- `insert`: plain rows of named columns, COPY on PostgreSQL and executemany elsewhere. For
  the hundreds of thousands of responses, meetings, referrals and measurements: bulk_create
  spends most of its time preparing each value one by one, and plain rows are five to seven
  times faster. Every column is named, so a new column without a default makes this fail
  at once rather than store nonsense.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from django.db import connection
from django.utils import timezone

from keel.core.tenancy import WorkspaceOwned, current_workspace

BATCH = 1000  # objects per bulk_create
CHUNK = 20_000  # plain rows per COPY or executemany

M = TypeVar("M", bound=WorkspaceOwned)

# Progress reports: progress(rows_just_written, total_rows, what).
Progress = Callable[[int, int, str], None]


def quiet(done: int, total: int, what: str) -> None:
    """Progress that nobody is told of."""


class BulkWriter:
    """Writes rows of the current workspace in bulk; `progress` hears of each batch, out of `total`."""

    def __init__(self, progress: Progress = quiet, total: int = 0):
        self.progress, self.total = progress, total
        self.workspace = current_workspace().pk
        # Every plain row's created_at (and the like), already in the form the database takes.
        self.now = self.timestamp(timezone.now())

    @staticmethod
    def timestamp(value: dt.datetime) -> Any:
        """A time in the form a plain row gives the database: as it is for PostgreSQL, UTC text for SQLite."""
        return value if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(value)

    def create(self, model: type[M], objects: list[M], what: str, report: bool = True) -> list[M]:
        """bulk_create `objects` a batch at a time; bulk_create skips save(), so set what it would."""
        for start in range(0, len(objects), BATCH):
            batch = objects[start : start + BATCH]
            model.objects.bulk_create(batch, batch_size=BATCH)
            if report:
                self.progress(len(batch), self.total, what)
        return objects

    def insert(
        self,
        model: type[WorkspaceOwned],
        columns: tuple[str, ...],
        rows: Iterable[tuple[Any, ...]],
        what: str,
        report: bool = True,
        ids: bool = False,
    ) -> list[int]:
        """Insert `rows` (values of `columns`, without the workspace); with `ids`, return the new ids in order."""
        before = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) if ids else 0
        table, names = connection.ops.quote_name(model._meta.db_table), ", ".join(("workspace_id", *columns))
        written = 0
        for chunk in _chunks(((self.workspace, *row) for row in rows), CHUNK):
            _write(table, names, len(columns) + 1, chunk)
            written += len(chunk)
            if report:
                self.progress(len(chunk), self.total, what)
        if not ids:
            return []
        # Ids come in the order the rows went in: one transaction, one workspace that is new.
        found = list(model.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
        if len(found) != written:
            raise RuntimeError(f"Inserted {written} {what} but found {len(found)}: another writer in this workspace?")
        return found


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def _write(table: str, names: str, width: int, rows: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * width)
        # Table and column names are the callers' own constants; the values go as parameters.
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608
