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

from keel.common.importing.columns import (
    Column,
    Headers,
    KnownColumns,
    choice,
    choice_column,
    email,
    long_text,
    names,
    one_line,
    plain,
    website,
    words,
)
from keel.common.importing.engine import (
    Matching,
    match_columns,
    run_import,
    template,
)
from keel.common.importing.kinds import (
    KINDS,
    READ_ONLY_GROUPS,
    STAGED_FOR,
    Kind,
    ReadOnlyGroup,
    UnknownKind,
    add_kind,
    add_read_only_group,
    find_kind,
    no_identity,
    spreadsheet_kinds,
)
from keel.common.importing.report import (
    FileColumn,
    HasColumns,
    ImportContext,
    ImportReport,
    Row,
    RowError,
    RowOutcome,
)
from keel.common.importing.uploads import (
    import_upload,
    stage_upload,
)

__all__ = [
    "HasColumns",
    "Column",
    "Headers",
    "KnownColumns",
    "choice",
    "choice_column",
    "email",
    "long_text",
    "names",
    "one_line",
    "plain",
    "website",
    "words",
    "Matching",
    "match_columns",
    "run_import",
    "template",
    "KINDS",
    "READ_ONLY_GROUPS",
    "STAGED_FOR",
    "Kind",
    "ReadOnlyGroup",
    "UnknownKind",
    "add_kind",
    "add_read_only_group",
    "find_kind",
    "no_identity",
    "spreadsheet_kinds",
    "FileColumn",
    "ImportContext",
    "ImportReport",
    "Row",
    "RowError",
    "RowOutcome",
    "import_upload",
    "stage_upload",
]
