"""Reading the spreadsheets people bring: CSV in any common dialect and encoding, and XLSX.

`read_table` turns a file's bytes into its header and rows, keyed by a normalised form of
each header, with spreadsheet row numbers (the header is usually row 1). It knows nothing of
what the columns mean; the importers do. A file that cannot be read at all is refused with
`FileRefused`, whose message says what to do; a cell that cannot be read is a `problem` of
its row, so the importer can report it against that row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.conf import settings

# How far down a sheet the header row is looked for, past title rows.
HEADER_SEARCH_ROWS = 10
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS = "open it in Excel or LibreOffice and save it as .xlsx, or as CSV (UTF-8)"
# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_WITHOUT_VALUE = (
    "the cell holds a formula but the file carries no value for it: open the file in Excel or LibreOffice "
    "and save it again, so the values are stored, or type the value instead"
)
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class FileRefused(ValueError):
    """A file that cannot be read as a table; the message says why and what to do."""


@dataclass
class Table:
    """A sheet's header and rows, each row keyed by normalised header."""

    headers: list[str]
    keys: list[str]
    rows: list[tuple[int, dict[str, object]]]
    header_row: int = 1
    warnings: list[str] = field(default_factory=list)
    # Cells that hold something unreadable: (row number, header key, message); key "" for the row.
    problems: list[tuple[int, str, str]] = field(default_factory=list)


def header_key(text) -> str:
    """'Start Date', 'start_date', ' START-DATE ' and 'Start date (dd/mm/yyyy)' become 'start date'."""
    text = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").replace("\u200b", "")
    text = re.sub(r"\(.*?\)", " ", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split()).casefold()


def column_letter(index: int) -> str:
    """0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_table(data: bytes, filename: str = "", is_header: Callable[[list[str]], bool] | None = None) -> Table:
    """Read CSV or XLSX bytes into a Table, or refuse the file with a message saying why."""
    limit = settings.KEEL_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise FileRefused(
            f"The file is {_size(len(data))}; Keel imports files of at most {_size(limit)}. "
            "Split it into smaller files and import them one after the other."
        )
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileRefused("The file is empty: there is no header row and no data to import.")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"PK\x03\x04"):
        rows, notes, problems = _read_xlsx(data)
    elif data.startswith(OLE2_SIGNATURE) or extension == "xls":
        raise FileRefused(
            "This is an old Excel .xls file (or a password-protected workbook), which Keel cannot read: "
            f"{SAVE_AS}, without a password."
        )
    elif extension in {"xlsx", "xlsm", "ods", "numbers"}:
        raise FileRefused(
            f"The file is named .{extension} but is not a readable spreadsheet: it may be damaged; {SAVE_AS}."
        )
    else:
        rows, notes, problems = _read_csv(data), [], []
    return _table(rows, notes, problems, is_header)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _table(rows, notes, problems, is_header) -> Table:
    """Find the header row, then key every later row's cells by its normalised header."""
    unreadable = {row for row, _, _ in problems}
    filled = [(n, cells) for n, cells in rows if n in unreadable or any(_filled(value) for value in cells)]
    if not filled:
        raise FileRefused("The file is empty: there is no header row and no data to import.")
    header_at = 0
    if is_header is not None:
        for position, (_, cells) in enumerate(filled[:HEADER_SEARCH_ROWS]):
            if is_header([header_key(value) for value in cells]):
                header_at = position
                break
    header_row, header_cells = filled[header_at]
    headers = [_text(value) for value in header_cells]
    keys = [header_key(value) for value in headers]
    if header_at:
        notes.append(f"Rows above the header (row {header_row}) were taken as titles and skipped.")
    body = filled[header_at + 1 :]
    if not body:
        raise FileRefused(
            f"The file has a header row (row {header_row}) but no rows of data under it: "
            "add a row for each record, under the header."
        )
    table = Table(headers=headers, keys=keys, rows=[], header_row=header_row, warnings=notes)
    width = len(headers)
    unnamed = [column_letter(i) for i, key in enumerate(keys) if not key]
    for number, cells in body:
        values = {}
        for key, value in zip(keys, cells, strict=False):
            if key and key not in values:  # of two columns with one header, the first is read
                values[key] = _clean(value)
        beyond = [column_letter(width + i) for i, value in enumerate(cells[width:]) if _filled(value)]
        if beyond:
            table.problems.append(
                (
                    number,
                    "",
                    f"the row has values past the last header, in {', '.join(beyond)}: "
                    "a value holding the separator may need quotes, or the column needs a header",
                )
            )
        table.rows.append((number, values))
    if unnamed:
        table.warnings.append(f"Columns with no header were ignored: {', '.join(unnamed)}.")
    for row, index, message in problems:
        if row > header_row and index <= width and keys[index - 1]:
            table.problems.append((row, keys[index - 1], message))
    return table


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    return "" if value is None else str(_clean(value))


def _clean(value):
    """A cell's value as text, or as a date for dates, with numbers written as people wrote them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    return str(value)


# CSV -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise FileRefused(
        "The file is not a spreadsheet Keel can read: it is neither CSV text (UTF-8 or Windows-1252) "
        f"nor an .xlsx workbook. If it is a spreadsheet, {SAVE_AS}."
    )


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f")
    return controls > max(2, len(sample) // 200)


def _delimiter(lines: list[str]) -> str:
    """The separator that splits the header into the most columns: comma, semicolon or tab."""
    header = next((line for line in lines if line.strip()), "")
    counts = {delimiter: len(next(csv.reader([header], delimiter=delimiter))) for delimiter in ",;\t|"}
    best = max(counts.values())
    return next(delimiter for delimiter, count in counts.items() if count == best)


def _read_csv(data: bytes) -> list[tuple[int, list]]:
    text = _decode(data)
    if _looks_binary(text):
        raise FileRefused(
            "The file holds binary data, not CSV text or an .xlsx workbook: check you chose the right file. "
            f"If it is a spreadsheet, {SAVE_AS}."
        )
    text = text.lstrip("\ufeff")
    first, _, rest = text.partition("\n")
    # Excel writes and honours a first line `sep=;` naming the separator; it is not a row.
    if match := re.fullmatch(r"sep=(.)\r?", first):
        delimiter, text = match.group(1), rest
    else:
        delimiter = _delimiter(text[:65536].splitlines()[:5])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((number, [_unquote(cell) for cell in cells]))
    except csv.Error as error:
        raise FileRefused(f"The file cannot be read as CSV at row {len(rows) + 1}: {error}.") from error
    return rows


def _unquote(cell: str) -> str:
    """'=SUM(…) → =SUM(…): undo the apostrophe exports put before formula-like text (`neutralise`)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell


# XLSX ----------------------------------------------------------------------------------


def _read_xlsx(data: bytes):
    """The first worksheet's rows, read by the values the file carries; notes; cell problems."""
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, NotImplementedError, UnicodeDecodeError, ValueError) as error:  # a damaged archive
        raise FileRefused(
            f"The file looks like a spreadsheet but is damaged and cannot be opened; {SAVE_AS}."
        ) from error
    if "xl/workbook.xml" not in names:
        what = "an OpenDocument spreadsheet (.ods)" if "content.xml" in names else "a ZIP archive"
        if "xl/workbook.bin" in names:
            what = "an Excel binary workbook (.xlsb)"
        raise FileRefused(f"The file is {what}, not an .xlsx workbook: {SAVE_AS}.")
    if unpacked > max(200 * 1024 * 1024, 20 * settings.KEEL_IMPORT_MAX_BYTES):
        raise FileRefused("The workbook unpacks to far more data than an import can hold: split it into smaller files.")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles, extensions and odd dates it cannot read; none of that matters here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return _read_sheet(workbook, archive)
            finally:
                workbook.close()
    except FileRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds of error for a damaged workbook
        raise FileRefused(f"The workbook cannot be read ({error}); {SAVE_AS} and try again.") from error


def _read_sheet(workbook, archive):
    if not workbook.worksheets:
        raise FileRefused("The workbook has no worksheet to import.")
    sheet = workbook.worksheets[0]
    notes = []
    if len(workbook.sheetnames) > 1:
        notes.append(f"The workbook has {len(workbook.sheetnames)} sheets; only the first, {sheet.title!r}, was read.")
    sheet.reset_dimensions()  # some writers record a wrong size; read every row there is
    formulas = _formula_cells(archive, sheet._worksheet_path)
    rows, problems = [], []
    for cells in sheet.iter_rows():
        values = {}
        number = None
        for cell in cells:
            if not hasattr(cell, "row"):
                continue
            number = cell.row
            value = cell.value
            carries = formulas.get((cell.row, cell.column))
            if carries is False:
                problems.append((cell.row, cell.column, FORMULA_WITHOUT_VALUE))
                value = None
            elif cell.data_type == "e":
                problems.append((cell.row, cell.column, f"the cell shows the error {value}"))
                value = None
            elif carries and value is None:
                value = ""  # a formula whose result is an empty text
            values[cell.column] = value
        if number is not None:
            width = max(values) if values else 0
            rows.append((number, [values.get(i) for i in range(1, width + 1)]))
    return rows, notes, problems


def _formula_cells(archive: zipfile.ZipFile, path: str) -> dict[tuple[int, int], bool]:
    """Every formula cell of a sheet → whether the file carries a value for it.

    openpyxl gives None both for a formula never calculated (as openpyxl itself writes them)
    and for one whose result is an empty text, so the sheet's XML is read here: a value is
    carried when the cell has a non-empty <v>, or an empty <v> on a text-typed result.
    """
    from openpyxl.utils.cell import coordinate_to_tuple

    found = {}
    row_number = column = 0
    with archive.open(path.lstrip("/")) as source:
        # The same parser openpyxl itself uses here: expat (2.4.1 and later) refuses runaway
        # entity expansion, and ElementTree never fetches external entities.
        for event, element in ElementTree.iterparse(source, events=("start", "end")):  # noqa: S314
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start" and tag == "row":
                row_number = int(element.get("r") or row_number + 1)
                column = 0
            elif event == "end" and tag == "c":
                if element.get("r"):
                    row_number, column = coordinate_to_tuple(element.get("r"))
                else:
                    column += 1
                if element.find(f"{MAIN_NS}f") is not None:
                    value = element.find(f"{MAIN_NS}v")
                    found[(row_number, column)] = value is not None and bool(value.text or element.get("t") == "str")
                element.clear()
            elif event == "end" and tag == "row":
                element.clear()
    return found


# Writing -------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula: a leading ' where needed."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_csv(rows: list[list[str]]) -> bytes:
    """Rows as CSV in UTF-8 with a byte-order mark, so Excel reads accents right."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(rows: list[list[str]], notes: Sequence[str] = (), options: Sequence[tuple[str, ...]] = ()) -> bytes:
    """Rows as a one-sheet workbook: a bold header with a note on each column, and drop-down lists."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s"  # text stays text: a value starting with = is not a formula
    for index, cell in enumerate(sheet[1]):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
        if index < len(notes) and notes[index]:
            cell.comment = Comment(notes[index], "Keel", width=320, height=120)
        if index < len(options) and options[index]:
            allowed = DataValidation(type="list", formula1='"' + ",".join(options[index]) + '"', allow_blank=True)
            # Synonyms and other spellings are accepted too, so a different value is not refused here.
            allowed.showErrorMessage = False
            allowed.add(f"{cell.column_letter}2:{cell.column_letter}5000")
            sheet.add_data_validation(allowed)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
