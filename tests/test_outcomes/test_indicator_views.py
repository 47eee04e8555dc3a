"""Indicator pages: the form, the status explained for both directions, the chart's data, and
measurements added, replaced and deleted."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.core.models import ChangeRecord
from keel.outcomes import services
from keel.outcomes.models import Indicator, Measurement

BASELINE_DATE, TARGET_DATE = dt.date(2024, 1, 1), dt.date(2025, 1, 1)


def url(workspace, name, **kwargs):
    return reverse(f"outcomes:{name}", kwargs={"ws": workspace.slug, **kwargs})


def text_of(response) -> str:
    html = response.content.decode().replace("&#x27;", "'")
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".")


@pytest.fixture
def partnership(make_partnership):
    return make_partnership("Carers pathway")


@pytest.fixture
def housed(partnership, actor):
    """Higher is better: 100 people on 1 Jan 2024 to 200 by 1 Jan 2025."""
    values = {
        "name": "People housed",
        "unit": "people",
        "baseline": Decimal(100),
        "baseline_date": BASELINE_DATE,
        "target": Decimal(200),
        "target_date": TARGET_DATE,
    }
    return services.save_indicator(actor, partnership, values)


@pytest.fixture
def wait(partnership, actor):
    """Lower is better: 50 days on 1 Jan 2024 down to 30 by 1 Jan 2025."""
    values = {
        "name": "Average wait",
        "unit": "days",
        "direction": "lower",
        "baseline": Decimal(50),
        "baseline_date": BASELINE_DATE,
        "target": Decimal(30),
        "target_date": TARGET_DATE,
    }
    return services.save_indicator(actor, partnership, values)


FORM = {
    "name": "Carers supported",
    "kind": "outcome",
    "unit": "%",
    "direction": "higher",
    "baseline": "45%",
    "baseline_date": "2024-04-01",
    "target": "1,234",
    "target_date": "2026-03-31",
    "description": "Carers with a support plan",
}


# The form -----------------------------------------------------------------------------


def test_an_editor_adds_an_indicator_with_forgiving_values(client, workspace_a, editor, partnership):
    client.force_login(editor)
    page = client.get(url(workspace_a, "partnership_indicator_new", pk=partnership.pk))
    assert page.status_code == 200 and "New indicator for Carers pathway" in page.content.decode()
    response = client.post(url(workspace_a, "partnership_indicator_new", pk=partnership.pk), FORM)
    indicator = Indicator.objects.get()
    assert response.status_code == 302 and response["Location"] == url(workspace_a, "indicator", pk=indicator.pk)
    assert (indicator.baseline, indicator.target) == (Decimal(45), Decimal(1234))
    assert (indicator.kind, indicator.unit, indicator.partnership) == ("outcome", "%", partnership)
    assert ChangeRecord.objects.filter(action="indicator.created").count() == 1


def test_money_and_negatives_are_read_as_the_import_reads_them(client, workspace_a, editor, partnership):
    client.force_login(editor)
    data = {**FORM, "unit": "£", "baseline": "£1,200", "target": "(12.5)"}
    client.post(url(workspace_a, "partnership_indicator_new", pk=partnership.pk), data)
    indicator = Indicator.objects.get()
    assert (indicator.baseline, indicator.target) == (Decimal(1200), Decimal("-12.5"))


def test_the_form_refuses_with_reasons_and_keeps_what_was_typed(client, workspace_a, editor, partnership, housed):
    client.force_login(editor)
    new = url(workspace_a, "partnership_indicator_new", pk=partnership.pk)
    response = client.post(new, {**FORM, "baseline": "lots", "target_date": ""})
    text = text_of(response)
    assert "'lots' is not a number: write it as 42 or 42.5." in text
    assert "Give the target's date too, or leave the target blank." in text
    assert 'value="1,234"' in response.content.decode()  # kept as typed
    # The service's refusals show on the form too.
    text = text_of(client.post(new, {**FORM, "name": "people  HOUSED"}))
    assert "This partnership already has an indicator called 'people HOUSED'." in text
    text = text_of(client.post(new, {**FORM, "target_date": "2024-01-01"}))
    assert "must come after the baseline date" in text
    assert Indicator.objects.count() == 1


def test_an_editor_changes_an_indicator(client, workspace_a, editor, housed):
    client.force_login(editor)
    edit = url(workspace_a, "indicator_edit", pk=housed.pk)
    html = client.get(edit).content.decode()
    assert 'value="100"' in html and 'value="200"' in html  # stored 100.0000, shown as typed
    data = {**FORM, "name": "People housed", "unit": "people", "baseline": "100", "target": "250"}
    response = client.post(edit, data)
    assert response.status_code == 302
    housed.refresh_from_db()
    assert housed.target == Decimal(250) and housed.target_date == dt.date(2026, 3, 31)
    assert ChangeRecord.objects.filter(action="indicator.changed").count() == 1


def test_an_indicator_is_deleted_after_a_confirmation(client, workspace_a, editor, housed, actor, partnership):
    services.record_measurement(actor, housed, dt.date(2024, 6, 30), 140)
    client.force_login(editor)
    delete = url(workspace_a, "indicator_delete", pk=housed.pk)
    confirm = client.get(delete)
    assert "Its 1 measurement will be deleted with it." in text_of(confirm)
    assert Indicator.objects.exists()
    response = client.post(delete)
    assert response["Location"] == reverse(
        "portfolio:partnership", kwargs={"ws": workspace_a.slug, "pk": partnership.pk}
    )
    assert not Indicator.objects.exists() and not Measurement.objects.exists()
    assert ChangeRecord.objects.filter(action="indicator.deleted").count() == 1


# The status, explained ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label", "words"),
    [
        (205, "On track", "5 people above the target, 200 people, due by 1 Jan 2025, and higher is better"),
        (200, "On track", "is exactly the target, 200 people"),
        (195, "At risk", "within the workspace's tolerance of 10 people (10% of the planned change from 100"),
        (185, "Off track", "more than the workspace's tolerance of 10 people (10% of the planned change"),
    ],
)
def test_the_status_when_higher_is_better(client, workspace_a, viewer, housed, actor, value, label, words):
    services.record_measurement(actor, housed, TARGET_DATE, value)
    client.force_login(viewer)
    text = text_of(client.get(url(workspace_a, "indicator", pk=housed.pk)))
    assert f"Status {label}. The latest measurement, {value} people for 1 Jan 2025" in text
    assert words in text


@pytest.mark.parametrize(
    ("value", "label", "words"),
    [
        (28, "On track", "2 days below the target, 30 days, due by 1 Jan 2025, and lower is better"),
        (31, "At risk", "1 days above the target, 30 days, due by 1 Jan 2025, and lower is better; that is within"),
        (35, "Off track", "more than the workspace's tolerance of 2 days (10% of the planned change from 50 days"),
    ],
)
def test_the_status_when_lower_is_better(client, workspace_a, viewer, wait, actor, value, label, words):
    services.record_measurement(actor, wait, TARGET_DATE, value)
    client.force_login(viewer)
    text = text_of(client.get(url(workspace_a, "indicator", pk=wait.pk)))
    assert f"Status {label}." in text and words in text


def test_the_line_between_baseline_and_target(client, workspace_a, viewer, housed, actor):
    # 2 Jul 2024 is 183 of 366 days along: the line expects 150 people.
    services.record_measurement(actor, housed, dt.date(2024, 7, 2), 148)
    client.force_login(viewer)
    text = text_of(client.get(url(workspace_a, "indicator", pk=housed.pk)))
    assert "is 2 people below the 150 people that the straight line from baseline to target expects by then" in text
    assert "Status At risk." in text


def test_the_tolerance_is_the_workspaces(client, workspace_a, viewer, housed, actor):
    services.record_measurement(actor, housed, TARGET_DATE, 185)
    workspace_a.indicator_tolerance = Decimal(20)
    workspace_a.save()
    client.force_login(viewer)
    text = text_of(client.get(url(workspace_a, "indicator", pk=housed.pk)))
    assert "Status At risk." in text and "tolerance of 20 people (20% of the planned change" in text
    assert "Tolerance 20% of the planned change" in text


def test_without_measurements_or_a_plan(client, workspace_a, viewer, housed, partnership, actor):
    client.force_login(viewer)
    text = text_of(client.get(url(workspace_a, "indicator", pk=housed.pk)))
    assert "Status No measurement yet. Nothing is measured yet" in text and "No measurements yet." in text
    bare = services.save_indicator(actor, partnership, {"name": "Sessions run", "kind": "output"})
    services.record_measurement(actor, bare, TARGET_DATE, 12)
    text = text_of(client.get(url(workspace_a, "indicator", pk=bare.pk)))
    assert "Status No baseline and target. Keel compares the latest measurement with the straight line" in text
    assert "Baseline Not set" in text


def test_the_chart_and_its_table(client, workspace_a, viewer, housed, actor):
    services.record_measurement(actor, housed, dt.date(2024, 7, 2), 148, "Half-year")
    services.record_measurement(actor, housed, dt.date(2024, 3, 31), Decimal("1234.5"))
    client.force_login(viewer)
    html = client.get(url(workspace_a, "indicator", pk=housed.pk)).content.decode()
    island = re.search(r'<script id="indicator-chart-data" type="application/json">(.*?)</script>', html, re.S)
    chart = json.loads(island.group(1))
    assert chart["kind"] == "indicator"
    assert chart["points"] == [["2024-03-31", 1234.5], ["2024-07-02", 148.0]]  # oldest first
    assert chart["shown"] == ["1,234.5 people", "148 people"]
    assert chart["line"] == [["2024-01-01", 100.0], ["2025-01-01", 200.0]]
    assert chart["description"].startswith("Line chart of People housed: 2 measurements from 31 Mar 2024 to 2 Jul 2024")
    assert 'data-chart="indicator-chart-data" role="img" aria-label="Line chart of People housed' in html
    assert "keel/charts.js" in html
    text = text_of(client.get(url(workspace_a, "indicator", pk=housed.pk)))
    assert "Period Value Expected on the line Note" in text
    assert "2 Jul 2024 148 people 150 people Half-year" in text


def test_an_indicator_without_measurements_has_no_chart(client, workspace_a, viewer, housed):
    client.force_login(viewer)
    html = client.get(url(workspace_a, "indicator", pk=housed.pk)).content.decode()
    assert "indicator-chart" not in html and "charts.js" not in html


# Measurements -------------------------------------------------------------------------


def test_a_measurement_is_added_replaced_and_deleted(client, workspace_a, editor, housed):
    client.force_login(editor)
    add = url(workspace_a, "indicator_measurement_add", pk=housed.pk)
    detail = url(workspace_a, "indicator", pk=housed.pk)
    response = client.post(add, {"period": "March 2025", "value": "1,234", "note": "Quarter's figure"})
    assert response.status_code == 302 and response["Location"] == detail
    assert "Measurement added: 1,234 people for 31 Mar 2025." in text_of(client.get(detail))
    measurement = Measurement.objects.get()
    assert (measurement.period, measurement.value, measurement.note) == (dt.date(2025, 3, 31), 1234, "Quarter's figure")

    client.post(add, {"period": "31/03/2025", "value": "1300", "note": ""})
    text = text_of(client.get(detail))
    assert "31 Mar 2025 was already measured (1,234 people): its value is now 1,300 people" in text
    assert Measurement.objects.get().value == 1300 and Measurement.objects.get().note == "Quarter's figure"
    client.post(add, {"period": "2025-03", "value": "1300"})
    assert "31 Mar 2025 was already measured as 1,300 people: nothing changed." in text_of(client.get(detail))

    response = client.post(url(workspace_a, "measurement_delete", pk=measurement.pk))
    assert response["Location"] == detail
    assert "Measurement for 31 Mar 2025 (1,300 people) deleted." in text_of(client.get(detail))
    assert not Measurement.objects.exists()
    actions = list(ChangeRecord.objects.filter(object_type="indicator").values_list("action", flat=True))
    assert {"indicator.measurement_created", "indicator.measurement_changed", "indicator.measurement_deleted"} <= set(
        actions
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "sometime", "value": "3"}, "'sometime' is not a period"),
        ({"period": "31/02/2025", "value": "3"}, "February 2025 has 28 days"),
        ({"period": "Q2 2025", "value": "lots"}, "'lots' is not a number"),
        ({"period": "", "value": "3"}, "Give the period the value is for"),
    ],
)
def test_a_refused_measurement_is_explained_and_kept(client, workspace_a, editor, housed, data, message):
    client.force_login(editor)
    response = client.post(url(workspace_a, "indicator_measurement_add", pk=housed.pk), data)
    assert response.status_code == 400
    assert message in text_of(response)
    html = response.content.decode()
    assert f'value="{data["value"]}"' in html and (not data["period"] or f'value="{data["period"]}"' in html)
    assert not Measurement.objects.exists()


def test_a_viewer_reads_but_cannot_measure(client, workspace_a, viewer, housed, actor):
    measurement, _ = services.record_measurement(actor, housed, TARGET_DATE, 150)
    client.force_login(viewer)
    html = client.get(url(workspace_a, "indicator", pk=housed.pk)).content.decode()
    assert "Add a measurement" not in html and "measurement_delete" not in html and ">Edit</a>" not in html
    assert (
        client.post(url(workspace_a, "indicator_measurement_add", pk=housed.pk), {"period": "Q1 2025"}).status_code
        == 403
    )
    assert client.post(url(workspace_a, "measurement_delete", pk=measurement.pk)).status_code == 403
    assert client.get(url(workspace_a, "indicator_measurement_add", pk=housed.pk)).status_code in (403, 405)
    assert Measurement.objects.count() == 1


def test_the_page_holds_its_query_count_from_5_to_100_measurements(client, workspace_a, editor, housed):
    client.force_login(editor)
    detail = url(workspace_a, "indicator", pk=housed.pk)
    client.get(detail)  # the session notes the workspace
    counts = []
    for size in (5, 100):
        Measurement.objects.all().delete()
        Measurement.objects.bulk_create(
            Measurement(
                workspace=workspace_a, indicator=housed, period=BASELINE_DATE + dt.timedelta(days=7 * i), value=i
            )
            for i in range(size)
        )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{counts[0]} queries with 5 measurements, {counts[1]} with 100"
