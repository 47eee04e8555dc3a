"""`keel audit`'s decisions keys: cost and value, conflicts, events, the next review, lapsed terms,
Keel's recommendation and the last decision, validated against docs/audit.schema.json."""

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from jsonschema import Draft202012Validator

from keel.decisions.models import CostItem, Event, Review, ValueItem
from keel.portfolio.audit import audit_rows, render_csv, render_table

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA = json.loads((DOCS / "audit.schema.json").read_text(encoding="utf-8"))


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command("audit", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def costed(make_partnership, today, actor):
    """An active partnership past its planned end, with a year's cost and value, a review, an old and
    a recent event, and an open conflict."""
    from keel.decisions.models import Conflict

    partnership = make_partnership(
        "Harbourside Carers", start_date=dt.date(2023, 1, 1), planned_end=today - dt.timedelta(days=10)
    )
    CostItem.objects.create(partnership=partnership, year=today.year, kind="money", amount=Decimal("1000.00"))
    ValueItem.objects.create(partnership=partnership, year=today.year, amount=Decimal("1500"), basis="Admissions")
    Review.objects.create(
        partnership=partnership,
        held_on=today - dt.timedelta(days=100),
        decision="keep",
        reasons="Working well for carers.",
        reviewer_name="Fiona Reid",
    )
    Event.objects.create(partnership=partnership, kind="other", date=today - dt.timedelta(days=30))
    Event.objects.create(partnership=partnership, kind="other", date=today - dt.timedelta(days=500))
    Conflict.objects.create(partnership=partnership, raised_on=today - dt.timedelta(days=20), about="Referrals")
    return partnership


def validate(document: dict) -> None:
    Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(document)
    # Every key written is one the schema (and so the documentation) names.
    declared = SCHEMA["$defs"]["partnership"]["properties"]
    for row in document["partnerships"]:
        assert set(row) == set(declared), set(row) ^ set(declared)
        for member in row["members"]:
            assert set(member) == set(SCHEMA["$defs"]["member"]["properties"])


def test_the_json_validates_against_the_documented_schema(costed, make_partnership):
    make_partnership("Quiet one")
    document = json.loads(run(format="json"))
    validate(document)
    assert len(document["partnerships"]) == 2


def test_the_demo_validates_against_the_schema(db):
    from keel.portfolio.demo.build import build_demo

    workspace = build_demo("small", seed=1, reference_date=dt.date(2026, 11, 1))
    out = io.StringIO()
    call_command("audit", "--workspace", workspace.slug, format="json", stdout=out)
    validate(json.loads(out.getvalue()))


def test_the_schema_is_documented_field_by_field():
    """Each field of the schema has its row in docs/audit.md."""
    text = (DOCS / "audit.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_0-9]+)` \|", text, re.MULTILINE))
    for definition in ("partnership", "member"):
        missing = set(SCHEMA["$defs"][definition]["properties"]) - documented
        assert not missing, f"not in docs/audit.md: {sorted(missing)}"


def test_cost_value_return_events_conflicts_review_and_decision(costed, today):
    [row] = audit_rows(costed.workspace)
    assert (row["annual_cost"], row["annual_value"], row["net"], row["return"]) == (
        "1000.00",
        "1500.00",
        "500.00",
        "1.50",
    )
    assert row["cost_year"] == today.year
    assert row["open_conflicts"] == 1
    assert row["events_last_12_months"] == 1  # the one of 500 days ago is older
    # Past its planned end: the terms have lapsed, and the review is brought forward to today.
    assert row["terms_lapsed"].startswith("Planned end")
    assert row["next_review"] == today.isoformat() and row["review_overdue"] is False
    assert row["recommendation"]["code"] and row["recommendation"]["label"]
    assert row["recommendation"]["reasons"] and {"rule", "text", "figures"} <= set(row["recommendation"]["reasons"][0])
    assert row["last_decision"] == {
        "decision": "keep",
        "label": "Keep",
        "date": (today - dt.timedelta(days=100)).isoformat(),
        "reasons": "Working well for carers.",
        "reviewer": "Fiona Reid",
    }


def test_what_is_not_known_is_null(make_partnership):
    partnership = make_partnership("Nothing recorded")
    [row] = audit_rows(partnership.workspace)
    for key in (
        "annual_cost",
        "annual_value",
        "net",
        "return",
        "cost_year",
        "strategic_alignment",
        "next_review",
        "review_overdue",
        "terms_lapsed",
        "last_decision",
    ):
        assert row[key] is None, key
    assert (row["open_conflicts"], row["events_last_12_months"]) == (0, 0)
    # Not known is not failed: there is still one recommendation, with its reasons.
    assert row["recommendation"]["code"] in {"improve", "measure_first"} and row["recommendation"]["reasons"]


def test_cost_without_value_has_no_return(make_partnership, today):
    partnership = make_partnership("Costs only")
    CostItem.objects.create(partnership=partnership, year=today.year, kind="money", amount=Decimal("250"))
    [row] = audit_rows(partnership.workspace)
    assert (row["annual_cost"], row["annual_value"], row["net"], row["return"]) == ("250.00", None, None, None)


def test_csv_and_table_have_the_decision_columns(costed, today):
    CostItem.objects.create(partnership=costed, year=today.year, kind="money", amount=Decimal("1000"))
    [row] = csv.DictReader(io.StringIO(run(format="csv")))
    assert (row["annual_cost"], row["net"], row["return"]) == ("2000.00", "-500.00", "0.75")  # a number, not '-500
    assert row["open_conflicts"] == "1" and row["review_overdue"] == "no"
    assert row["recommendation"] and row["recommendation_reasons"]
    assert (row["last_decision"], row["last_decision_date"]) == ("Keep", (today - dt.timedelta(days=100)).isoformat())
    header = render_table(audit_rows(costed.workspace)).splitlines()[0]
    assert "Recommendation" in header and "Return" in header and "Last decision" in header


def test_csv_neutralises_decision_reasons_that_look_like_formulas(make_partnership, today):
    partnership = make_partnership("Formulas")
    Review.objects.create(partnership=partnership, held_on=today, decision="keep", reasons="=HYPERLINK(1)")
    [row] = csv.DictReader(io.StringIO(render_csv(audit_rows(partnership.workspace))))
    assert row["last_decision_reasons"] == "'=HYPERLINK(1)"
