"""`keel audit`'s activity keys: communication, attendance, referrals, outcomes, and each member's rating."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from test_activity.activity_data import busy_partnership, days

from keel.portfolio.audit import audit_rows, render_table

pytestmark = pytest.mark.django_db

PARTNERSHIP_KEYS = {
    "last_contact_date",
    "days_since_last_contact",
    "regular_communication",
    "contact_every_days",
    "attendance_rate",
    "referrals_made",
    "referral_completion_rate",
    "overdue_follow_ups",
    "referral_pathway_documented",
    "outcome_indicators_on_track",
    "outcome_indicators_total",
}


def run(**options) -> str:
    out = io.StringIO()
    call_command("audit", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def busy(scope_a, actor):
    return busy_partnership(actor)


def test_json_gives_the_activity_of_each_partnership(busy, make_partnership):
    make_partnership("Quiet partnership")
    busy_row, quiet = json.loads(run(format="json"))["partnerships"]
    assert set(busy_row) >= PARTNERSHIP_KEYS
    assert {key: busy_row[key] for key in PARTNERSHIP_KEYS} == {
        "last_contact_date": days(5).isoformat(),
        "days_since_last_contact": 5,
        "regular_communication": True,
        "contact_every_days": 30,
        "attendance_rate": 0.67,  # 4 attended of 6 recorded
        "referrals_made": 2,
        "referral_completion_rate": 0.5,
        "overdue_follow_ups": 1,
        "referral_pathway_documented": False,
        "outcome_indicators_on_track": 1,
        "outcome_indicators_total": 1,
    }
    assert {key: quiet[key] for key in PARTNERSHIP_KEYS} == {
        "last_contact_date": None,
        "days_since_last_contact": None,
        "regular_communication": False,
        "contact_every_days": 30,
        "attendance_rate": None,
        "referrals_made": 0,
        "referral_completion_rate": None,
        "overdue_follow_ups": 0,
        "referral_pathway_documented": False,
        "outcome_indicators_on_track": 0,
        "outcome_indicators_total": 0,
    }


def test_json_gives_each_members_rating_conditions_and_attendance(busy, make_partnership):
    make_partnership("Quiet partnership")
    busy_row, quiet = json.loads(run(format="json"))["partnerships"]
    age, mind, trust = busy_row["members"]
    assert age["organisation"] == busy.age.name
    assert age["latest_rating"] == {"score": 4, "date": days(3).isoformat(), "rated_by": "alice"}
    assert age["conditions"] == {
        "single_point_of_contact": True,
        "regular_communication": True,
        "working_referral_system": True,
    }
    assert age["attendance_rate"] == 1.0
    assert mind["latest_rating"]["score"] == 2
    assert mind["conditions"]["single_point_of_contact"] is False
    assert trust["latest_rating"] is None and trust["attendance_rate"] == 0.0
    assert trust["conditions"] == {
        "single_point_of_contact": False,
        "regular_communication": False,
        "working_referral_system": True,
    }
    assert all(m["latest_rating"] is None and m["attendance_rate"] is None for m in quiet["members"])


def test_csv_has_the_activity_columns(busy, make_partnership):
    make_partnership("Quiet partnership")
    busy_row, quiet = csv.DictReader(io.StringIO(run(format="csv")))
    assert busy_row["last_contact_date"] == days(5).isoformat()
    assert (busy_row["days_since_last_contact"], busy_row["regular_communication"]) == ("5", "yes")
    assert (busy_row["contact_every_days"], busy_row["attendance_rate"]) == ("30", "67%")
    assert (busy_row["referrals_made"], busy_row["referral_completion_rate"], busy_row["overdue_follow_ups"]) == (
        "2",
        "50%",
        "1",
    )
    assert (busy_row["outcome_indicators_on_track"], busy_row["outcome_indicators_total"]) == ("1", "1")
    assert busy_row["member_ratings"] == (
        f"{busy.age.name} 4 (contact yes, communication yes, referrals yes); "
        f"{busy.mind.name} 2 (contact no, communication yes, referrals yes); "
        f"{busy.trust.name} not rated (contact no, communication no, referrals yes)"
    )
    assert (quiet["last_contact_date"], quiet["regular_communication"], quiet["attendance_rate"]) == ("", "no", "")
    assert (quiet["referrals_made"], quiet["referral_completion_rate"], quiet["outcome_indicators_total"]) == (
        "0",
        "",
        "",
    )
    assert quiet["member_ratings"].count("not rated") == 2


def test_the_table_shows_activity_and_leaves_out_columns_empty_everywhere(scope_a, make_partnership, busy):
    header = render_table(audit_rows(scope_a)).splitlines()[0]
    for heading in ("Last contact", "Regular contact", "Attendance", "Referrals", "Overdue follow-ups"):
        assert heading in header
    assert "Member ratings and conditions" in header
    make_partnership("Quiet partnership")
    quiet = [row for row in audit_rows(scope_a) if row["name"] == "Quiet partnership"]
    header = render_table(quiet).splitlines()[0]
    assert "Regular contact" in header and "Referrals" in header
    assert "Last contact" not in header and "Attendance" not in header and "Outcomes on track" not in header


def test_the_audit_holds_its_query_count_from_2_to_20_partnerships_with_activity(scope_a, actor):
    counts = []
    made = 0
    for n in (2, 20):
        for i in range(made, n):
            busy_partnership(actor, lead_email=f"lead{i}@example.org", name=f"Alliance {i:02}")
        made = n
        with CaptureQueriesContext(connection) as context:
            rows = audit_rows(scope_a)
        assert len(rows) == n and all(row["referrals_made"] == 2 for row in rows)
        counts.append(len(context))
    assert counts[0] == counts[1], f"{counts[0]} queries with 2 partnerships, {counts[1]} with 20"
    # 4 for the register and health; 12 for activity: 5 for the conditions, attendance, ratings,
    # 2 for the last contacts, referrals, indicators, documented pathways; 14 for Keel's advice
    # (keel.decisions.evidence.advise) and 1 for the last decisions made at reviews.
    assert counts[0] == 31
