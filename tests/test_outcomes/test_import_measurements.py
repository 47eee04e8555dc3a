"""`keel import measurements FILE` and the import page: indicator values by period, all or nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from test_common.test_spreadsheets import xlsx  # the workbook maker of the spreadsheet tests

from keel.common.importing import run_import
from keel.common.models import ImportUpload
from keel.core.models import ChangeRecord
from keel.core.tenancy import workspace_scope
from keel.outcomes import services
from keel.outcomes.models import Measurement

HEADER = ["Partnership", "Indicator", "Period", "Value", "Note"]
GOOD = [
    HEADER,
    ["Northshire Dementia Pathway", "Carers supported", "31/01/2025", "120", "January"],
    ["northshire  dementia pathway", "CARERS SUPPORTED", "February 2025", "1,234", ""],
    ["Northshire Dementia Pathway", "Average wait", "Q1 2025", "45%", "Quarter's figure"],
]


def csv(rows) -> bytes:
    return "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows).encode()


def command(workspace, path, *options) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "measurements", str(path), "--workspace", workspace.slug, *options, stdout=out, stderr=err)
    return out.getvalue()


def failing(workspace, path, *options) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import", "measurements", str(path), "--workspace", workspace.slug, *options, stdout=out)
    return out.getvalue() + str(error.value)


@pytest.fixture
def indicators(make_partnership, actor):
    """The partnership of the templates' example, with two indicators, and another partnership."""
    partnership = make_partnership("Northshire Dementia Pathway")
    carers = services.save_indicator(actor, partnership, {"name": "Carers supported", "unit": "people"})
    wait = services.save_indicator(actor, partnership, {"name": "Average wait", "direction": "lower"})
    other = make_partnership("Frailty alliance")
    services.save_indicator(actor, other, {"name": "Falls"})
    return {"partnership": partnership, "carers": carers, "wait": wait}


def values(indicator) -> dict:
    return {m.period: m.value for m in Measurement.objects.filter(indicator=indicator)}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_good_file_imports_every_row(workspace_a, indicators, tmp_path, fmt):
    path = tmp_path / f"measurements.{fmt}"
    path.write_bytes(csv(GOOD) if fmt == "csv" else xlsx(GOOD))
    out = command(workspace_a, path)
    assert "Measurements: 3 created, 0 changed, 0 unchanged" in out and "Imported 3 rows." in out
    assert values(indicators["carers"]) == {dt.date(2025, 1, 31): 120, dt.date(2025, 2, 28): 1234}
    assert values(indicators["wait"]) == {dt.date(2025, 3, 31): 45}
    assert Measurement.objects.get(indicator=indicators["wait"]).note == "Quarter's figure"
    assert ChangeRecord.objects.filter(action="indicator.measurement_created", via="keel import").count() == 3


def test_xlsx_cells_hold_dates_and_numbers(workspace_a, indicators, tmp_path):
    path = tmp_path / "cells.xlsx"
    rows = [HEADER, ["Northshire Dementia Pathway", "Carers supported", dt.datetime(2025, 3, 31), 0.1 + 0.2, None]]
    path.write_bytes(xlsx(rows))
    command(workspace_a, path)
    assert values(indicators["carers"]) == {dt.date(2025, 3, 31): Decimal("0.3")}


def test_importing_the_same_file_again_changes_nothing(workspace_a, indicators, tmp_path):
    path = tmp_path / "measurements.csv"
    path.write_bytes(csv(GOOD))
    command(workspace_a, path)
    records = ChangeRecord.objects.count()
    out = command(workspace_a, path)
    assert "Measurements: 0 created, 0 changed, 3 unchanged" in out
    assert ChangeRecord.objects.count() == records  # nothing written, so nothing in the history
    assert Measurement.objects.count() == 3
    # A new value for a period already measured replaces it, and is counted as changed.
    path.write_bytes(csv([*GOOD[:2], [*GOOD[2][:3], "1,300", ""], GOOD[3]]))
    dry = command(workspace_a, path, "--dry-run")
    assert "row 3: Carers supported, 28/02/2025: changed (value: 1234 → 1300)" in dry
    assert "Measurements: 0 created, 1 changed, 2 unchanged" in command(workspace_a, path)
    assert values(indicators["carers"])[dt.date(2025, 2, 28)] == 1300


def test_a_dry_run_writes_nothing(workspace_a, indicators, tmp_path):
    path = tmp_path / "measurements.csv"
    path.write_bytes(csv(GOOD))
    out = command(workspace_a, path, "--dry-run")
    assert "(dry run: nothing will be written)" in out
    assert "row 2: Carers supported, 31/01/2025: created (value 120)" in out
    assert "Dry run: nothing was written. The file is ready to import." in out
    assert not Measurement.objects.exists()


BAD_ROWS = [
    (
        ["Southvale Dementia Pathway", "Carers supported", "31/01/2025", "3", ""],
        "row 3, column partnership: There is no partnership called 'Southvale Dementia Pathway' in this workspace.",
    ),
    (
        ["Northshire Dementia Pathway", "Carers helped", "31/01/2025", "3", ""],
        "row 3, column indicator: Northshire Dementia Pathway has no indicator called 'Carers helped'. "
        "Its indicators: Average wait, Carers supported. Add the indicator on the partnership's page first.",
    ),
    (
        ["Northshire Dementia Pathway", "Average wait", "31/01/2025", "about 12", ""],
        "row 3, column value: 'about 12' is not a number: write it as 42 or 42.5.",
    ),
    (
        ["Northshire Dementia Pathway", "Average wait", "31/02/2025", "12", ""],
        "row 3, column period: '31/02/2025' is not a date: February 2025 has 28 days",
    ),
    (
        ["Northshire Dementia Pathway", "Average wait", "last spring", "12", ""],
        "row 3, column period: 'last spring' is not a period: write a date (2025-03-31 or 31/03/2025), a month "
        "(March 2025) or a quarter (Q1 2025).",
    ),
    (
        ["Northshire Dementia Pathway", "Carers supported", "2025-01", "12", ""],  # the same period as row 2
        "row 3, column period: 'Carers supported for 31/01/2025' is also in row 2: a file holds each measurement once.",
    ),
    (
        ["Northshire Dementia Pathway", "Average wait", "", "12", ""],
        "row 3, column period: The period is missing: every measurement needs one.",
    ),
]


BAD_IDS = ["partnership", "indicator", "number", "date", "period", "duplicate", "missing"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("row", "message"), BAD_ROWS, ids=BAD_IDS)
def test_a_bad_row_is_reported_and_nothing_is_written(workspace_a, indicators, tmp_path, fmt, row, message):
    rows = [HEADER, GOOD[1], row, GOOD[3]]
    path = tmp_path / f"measurements.{fmt}"
    path.write_bytes(csv(rows) if fmt == "csv" else xlsx(rows))
    out = failing(workspace_a, path)
    assert message in out.replace('"', "'")
    assert "Nothing was written: 1 row of 3 is invalid." in out
    assert not Measurement.objects.exists()


def test_skip_invalid_imports_the_good_rows(workspace_a, indicators, tmp_path):
    path = tmp_path / "measurements.csv"
    path.write_bytes(csv([*GOOD, ["Nowhere", "Carers supported", "Q2 2025", "1", ""]]))
    out = command(workspace_a, path, "--skip-invalid")
    assert "Imported 3 rows; skipped 1 invalid row." in out
    assert Measurement.objects.count() == 3


@pytest.mark.parametrize(
    ("period", "read"),
    [
        ("March 2025", dt.date(2025, 3, 31)),
        ("Mar 2025", dt.date(2025, 3, 31)),
        ("Q1 2025", dt.date(2025, 3, 31)),
        ("2025 Q4", dt.date(2025, 12, 31)),
        ("2025-03", dt.date(2025, 3, 31)),
        ("03/2025", dt.date(2025, 3, 31)),
        ("31/03/2025", dt.date(2025, 3, 31)),
        ("2025-03-15", dt.date(2025, 3, 15)),
        ("15 March 2025", dt.date(2025, 3, 15)),
    ],
)
def test_periods_as_people_write_them(workspace_a, indicators, tmp_path, period, read):
    path = tmp_path / "measurements.csv"
    path.write_bytes(csv([HEADER, ["Northshire Dementia Pathway", "Average wait", period, "£1,200", ""]]))
    command(workspace_a, path)
    assert values(indicators["wait"]) == {read: 1200}


# The import page ----------------------------------------------------------------------


def page_url(workspace, name, **kwargs):
    return reverse(f"register:{name}", kwargs={"ws": workspace.slug, **kwargs})


def test_the_import_page_offers_measurements_and_imports_them(client, workspace_a, editor, indicators):
    client.force_login(editor)
    page = client.get(page_url(workspace_a, "import")).content.decode()
    assert '<option value="measurements"' in page
    assert page_url(workspace_a, "import_template", kind="measurements", fmt="xlsx") in page
    upload = SimpleUploadedFile("measurements.csv", csv(GOOD))
    preview = client.post(page_url(workspace_a, "import"), {"kind": "measurements", "file": upload})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Dry run: nothing was written. The file is ready to import." in html
    assert "Measurements: 3 created, 0 changed, 0 unchanged" in html
    assert not Measurement.objects.exists()
    staged = ImportUpload.objects.get()
    done = client.post(page_url(workspace_a, "import_confirm", pk=staged.pk))
    assert done.status_code == 200 and "Imported 3 rows." in done.content.decode()
    assert Measurement.objects.count() == 3
    assert ChangeRecord.objects.filter(action="indicator.measurement_created", actor=editor).count() == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_imports_once_its_partnership_and_indicator_exist(
    client, workspace_a, editor, actor, make_partnership, fmt
):
    client.force_login(editor)
    response = client.get(page_url(workspace_a, "import_template", kind="measurements", fmt=fmt))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="measurements-template.{fmt}"'
    data = response.content
    with workspace_scope(workspace_a):
        report = run_import("measurements", data, f"measurements-template.{fmt}", actor)
        assert [str(e) for e in report.errors] == [
            "row 2, column partnership: There is no partnership called 'Northshire Dementia Pathway' in this workspace."
        ]
        partnership = make_partnership("Northshire Dementia Pathway")
        indicator = services.save_indicator(actor, partnership, {"name": "Carers supported"})
        report = run_import("measurements", data, f"measurements-template.{fmt}", actor)
        assert report.errors == [] and report.warnings == []
        assert report.counts["measurement"] == {"created": 1}
        assert values(indicator) == {dt.date(2025, 3, 31): 42}


def test_a_re_import_reads_each_indicator_once_whatever_the_rows(workspace_a, indicators, actor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n):
        rows = [HEADER] + [
            ["Northshire Dementia Pathway", name, (dt.date(2020, 1, 1) + dt.timedelta(days=i)).isoformat(), str(i), ""]
            for i in range(n)
            for name in ("Carers supported", "Average wait")
        ]
        assert run_import("measurements", csv(rows), "m.csv", actor).written
        with CaptureQueriesContext(connection) as captured:
            report = run_import("measurements", csv(rows), "m.csv", actor)
        assert report.counts["measurement"] == {"unchanged": 2 * n}
        return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]

    assert len(queries(4)) == len(queries(40))
