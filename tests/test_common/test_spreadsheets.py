"""Reading the spreadsheets people bring: CSV dialects and encodings, XLSX values and formulas, refusals."""

import datetime as dt
import io
import re
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from keel.common.spreadsheets import (
    FORMULA_WITHOUT_VALUE,
    FileRefused,
    header_key,
    neutralise,
    read_table,
    write_csv,
    write_xlsx,
)


def xlsx(rows, cached=None, sheets=1, text=()) -> bytes:
    """A workbook made by openpyxl. Formulas it saves carry no value; `cached` adds one per cell.

    openpyxl cannot write a formula's last calculated value, as Excel and LibreOffice do, so
    the value is written into the sheet's XML the way they write it: <v> after <f>, with
    t="str" for a text result. `text` names cells holding text that starts with "=".
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for ref in text:
        sheet[ref].data_type = "s"
    for n in range(1, sheets):
        workbook.create_sheet(f"Sheet {n + 1}").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    return with_cached_values(data, cached) if cached else data


def with_cached_values(data: bytes, cached: dict) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = content.decode()
                for ref, value in cached.items():
                    kind = ' t="str"' if isinstance(value, str) else ""
                    xml, n = re.subn(
                        rf'<c r="{ref}"([^>]*)><f>([^<]*)</f><v ?/></c>',
                        lambda m, kind=kind, value=value, ref=ref: (
                            f'<c r="{ref}"{m.group(1)}{kind}><f>{m.group(2)}</f><v>{escape(str(value))}</v></c>'
                        ),
                        xml,
                    )
                    assert n == 1, f"no formula cell {ref} to give a value"
                content = xml.encode()
            target.writestr(item, content)
    return out.getvalue()


def refusal(data: bytes, filename="file.csv") -> str:
    with pytest.raises(FileRefused) as caught:
        read_table(data, filename)
    return str(caught.value)


# Headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Start Date",
        "start_date",
        " START-DATE ",
        "start  date",
        "\ufeffStart date",
        "Start date (dd/mm/yyyy)",
        "start.date*",
    ],
)
def test_header_variants_all_become_one_key(header):
    assert header_key(header) == "start date"


def test_email_spellings():
    assert header_key("E-mail") == header_key("e_mail") == "e mail"


# CSV dialects and encodings -------------------------------------------------------------


def test_comma_csv_gives_spreadsheet_row_numbers_and_skips_blank_rows():
    table = read_table(b"name,sector\nMind,Charity\n\n,\nAge UK,Charity\n", "orgs.csv")
    assert table.headers == ["name", "sector"]
    assert table.rows == [(2, {"name": "Mind", "sector": "Charity"}), (5, {"name": "Age UK", "sector": "Charity"})]


@pytest.mark.parametrize("separator", [";", "\t", ","])
def test_separator_is_sniffed(separator):
    text = f"name{separator}sector\nMind, Northshire{separator}Charity\n"
    if separator == ",":
        text = 'name,sector\n"Mind, Northshire",Charity\n'
    table = read_table(text.encode(), "orgs.csv")
    assert table.rows == [(2, {"name": "Mind, Northshire", "sector": "Charity"})]


def test_an_exported_apostrophe_before_a_formula_sign_is_taken_off():
    table = read_table(b"name,notes\n'=SUM(A1),'-5\nO'Neill,'quoted'\n", "orgs.csv")
    assert [values for _, values in table.rows] == [
        {"name": "=SUM(A1)", "notes": "-5"},
        {"name": "O'Neill", "notes": "'quoted'"},
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-3", "'-3"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx")]
    + [("Plain", "Plain"), ("", ""), ("a=b", "a=b"), ("'=quoted", "'=quoted")],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_excel_sep_line_names_the_separator_and_is_not_a_row():
    table = read_table(b"sep=;\nname;sector\nMind;Charity\n", "orgs.csv")
    assert table.rows == [(2, {"name": "Mind", "sector": "Charity"})]


def test_utf8_with_bom():
    table = read_table("\ufeffName,Sector\nCafé Mind,Charité\n".encode(), "orgs.csv")
    assert table.keys == ["name", "sector"]
    assert table.rows[0][1] == {"name": "Café Mind", "sector": "Charité"}


def test_windows_1252_is_the_fallback():
    table = read_table("name;notes\nCafé Mind;“quoted” – dash\n".encode("cp1252"), "orgs.csv")
    assert table.rows[0][1] == {"name": "Café Mind", "notes": "“quoted” – dash"}


def test_utf16_unicode_text_from_excel():
    table = read_table("name\tsector\nCafé\tNHS\n".encode("utf-16"), "orgs.txt")
    assert table.rows[0][1] == {"name": "Café", "sector": "NHS"}


def test_embedded_newlines_keep_row_numbers_by_record():
    table = read_table(b'name,notes\nA,"line one\nline two"\nB,x\n', "p.csv")
    assert [number for number, _ in table.rows] == [2, 3]
    assert table.rows[0][1]["notes"] == "line one\nline two"


def test_title_rows_above_the_header_are_skipped_and_said():
    data = b"Partnership register 2025,\n,\nname,sector\nMind,Charity\n"
    table = read_table(data, "orgs.csv", is_header=lambda keys: "name" in keys)
    assert table.header_row == 3
    assert table.rows == [(4, {"name": "Mind", "sector": "Charity"})]
    assert "row 3" in table.warnings[0]


def test_values_past_the_last_header_are_a_row_problem():
    table = read_table(b"name,sector\nSmith, Jones and Co,Charity\nMind,NHS,\n", "orgs.csv")
    assert table.problems == [(2, "", table.problems[0][2])]
    assert "past the last header, in C" in table.problems[0][2]


def test_columns_without_a_header_are_ignored_with_a_warning():
    table = read_table(b"name,,sector\nMind,x,NHS\n", "orgs.csv")
    assert table.rows[0][1] == {"name": "Mind", "sector": "NHS"}
    assert table.warnings == ["Columns with no header were ignored: B."]


def test_the_first_of_two_columns_with_one_header_is_read():
    table = read_table(b"name,Name\nfirst,second\n", "orgs.csv")
    assert table.rows[0][1] == {"name": "first"}


# XLSX --------------------------------------------------------------------------------


def test_xlsx_values_dates_and_numbers():
    data = xlsx([["Name", "Start date", "Code", "Share"], ["Mind", dt.datetime(2024, 4, 1), 1089576, 0.5]])
    table = read_table(data, "p.xlsx")
    assert table.rows == [(2, {"name": "Mind", "start date": dt.date(2024, 4, 1), "code": "1089576", "share": "0.5"})]


def test_xlsx_is_recognised_by_content_not_name():
    table = read_table(xlsx([["name"], ["Mind"]]), "upload.csv")
    assert table.rows == [(2, {"name": "Mind"})]


def test_only_the_first_sheet_is_read_and_that_is_said():
    table = read_table(xlsx([["name"], ["Mind"]], sheets=3), "p.xlsx")
    assert table.rows == [(2, {"name": "Mind"})]
    assert table.warnings == ["The workbook has 3 sheets; only the first, 'Sheet', was read."]


def test_formula_read_by_the_value_the_file_carries():
    data = xlsx([["name", "code"], ['="Northshire "&"Mind"', "=1+1"]], cached={"A2": "Northshire Mind", "B2": 2})
    table = read_table(data, "p.xlsx")
    assert table.rows == [(2, {"name": "Northshire Mind", "code": "2"})]
    assert table.problems == []


def test_formula_with_no_value_is_a_problem_of_its_cell():
    table = read_table(xlsx([["name", "code"], ["Mind", "=1+1"], ["Age UK", "x"]]), "p.xlsx")
    assert table.problems == [(2, "code", FORMULA_WITHOUT_VALUE)]
    assert table.rows[1] == (3, {"name": "Age UK", "code": "x"})


def test_formula_whose_value_is_empty_text_is_read_as_blank():
    table = read_table(xlsx([["name", "code"], ["Mind", '=IF(1,"",2)']], cached={"B2": ""}), "p.xlsx")
    assert table.problems == []
    assert table.rows == [(2, {"name": "Mind", "code": ""})]


def test_a_cell_showing_an_error_is_a_problem():
    table = read_table(xlsx([["name", "code"], ["Mind", "#REF!"]]), "p.xlsx")
    assert table.problems == [(2, "code", "the cell shows the error #REF!")]


def test_text_that_starts_with_equals_is_text():
    table = read_table(xlsx([["name", "notes"], ["Mind", "=not a formula"]], text=["B2"]), "p.xlsx")
    assert table.problems == []
    assert table.rows == [(2, {"name": "Mind", "notes": "=not a formula"})]


def test_a_row_of_only_an_unreadable_cell_is_kept_for_its_problem():
    table = read_table(xlsx([["name", "code"], [None, "=1+1"]]), "p.xlsx")
    assert table.problems == [(2, "code", FORMULA_WITHOUT_VALUE)]
    assert table.rows == [(2, {"name": "", "code": ""})]


# Refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\n", b"\xef\xbb\xbf", b",,,\n,,\n"])
def test_empty_files(data):
    assert "empty" in refusal(data)


def test_header_only():
    assert "no rows of data" in refusal(b"name,sector\n")


def test_binary_junk():
    junk = bytes(range(1, 32)) * 200  # control characters, no NUL
    assert "binary data" in refusal(junk)
    assert "neither CSV text" in refusal(b"\x00\x01\x02\xff" * 300)


def test_oversized(settings):
    settings.KEEL_IMPORT_MAX_BYTES = 100
    message = refusal(b"name\n" + b"x" * 200 + b"\n")
    assert "at most 100 bytes" in message and "Split it" in message


def test_old_xls_by_content_or_name():
    assert ".xls" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "orgs.xls")
    assert "save it as .xlsx" in refusal(b"<html><table></table></html>", "export.xls")


def test_ods_and_other_archives():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    assert "OpenDocument" in refusal(buffer.getvalue(), "orgs.ods")
    assert "damaged" in refusal(b"PK\x03\x04 not really a zip", "orgs.xlsx")
    assert "not a readable spreadsheet" in refusal(b"name\nMind\n", "orgs.xlsx")


# Templates ---------------------------------------------------------------------------


def test_written_templates_read_back():
    rows = [["name", "status"], ["=Mind", "active"]]
    assert read_table(write_csv(rows), "t.csv").rows == [(2, {"name": "=Mind", "status": "active"})]
    table = read_table(write_xlsx(rows, ["Required.", "One of…"], [(), ("proposed", "active")]), "t.xlsx")
    assert table.rows == [(2, {"name": "=Mind", "status": "active"})]
    assert table.problems == []


# Whatever the bytes, a table or a refusal with a message: never another exception ----------

SAMPLE_XLSX = xlsx([["name", "start date", "code"], ["Mind", dt.datetime(2024, 1, 1), "=1+1"], ["Age UK", 3.5, "x"]])
SAMPLE_CSV = "name;notes\nCafé;“x”\n".encode("cp1252")


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    base=st.sampled_from([SAMPLE_XLSX, SAMPLE_CSV, b""]),
    changes=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.integers(min_value=0),
    tail=st.binary(max_size=200),
    filename=st.sampled_from(["f.xlsx", "f.csv", "f"]),
)
def test_any_bytes_give_a_table_or_a_refusal(base, changes, cut, tail, filename):
    data = bytearray(base)
    for position, value in changes:
        if data:
            data[position % len(data)] = value
    data = bytes(data[: cut % (len(data) + 1)] if cut % 3 == 0 else data) + tail
    try:
        read_table(data, filename, is_header=lambda keys: "name" in keys)
    except FileRefused as refusal:
        assert str(refusal)
