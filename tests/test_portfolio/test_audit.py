"""`keel audit`: the same partnerships as a table, CSV and the documented JSON schema."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from keel.portfolio.audit import audit_document, audit_rows, render_table
from keel.register import services


@pytest.fixture
def discharge(scope_a, actor, make_partnership):
    """An active partnership: one member with a contact, one without; a lead; a priority."""
    partnership = make_partnership(
        "Kingsport Hospital Discharge Partnership",
        tier="operational",
        basis="funding_condition",
        start_date=dt.date(2025, 4, 1),
        review_every_months=3,
    )
    first, second = partnership.members.all()
    jane = services.save_person(
        actor, {"name": "Jane Smith", "email": "jane@ageuk.example.org", "organisation": first.organisation}
    )
    services.change_member(actor, first, {"contact": jane, "role": "lead partner"})
    services.save_partnership(actor, {"lead": jane}, partnership=partnership)
    priority = services.save_priority(actor, {"name": "Independence at home"})
    services.set_alignment(actor, partnership, priority, 3)
    return partnership


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command("audit", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


# The documented schema (docs/audit.md): field -> accepted types. Kept equal to the document,
# so that a field added to the audit without being documented fails here.
NULLABLE_DATE = (str, type(None))
PERSON = {"name": str, "email": str}
PARTNERSHIP = {
    "id": int,
    "name": str,
    "status": str,
    "tier": str,
    "basis": str,
    "formality": str,
    "archived": bool,
    "members": list,
    "lead": (dict, type(None)),
    "start_date": NULLABLE_DATE,
    "planned_end": NULLABLE_DATE,
    "review_every_months": (int, type(None)),
    "review_cadence": (str, type(None)),
    "strategic_priorities": list,
    "health_score": (float, type(None)),
    "health_band": (str, type(None)),
    "health_responses": (int, type(None)),
    "health_round_date": NULLABLE_DATE,
    "health_dimensions": dict,
    "last_contact_date": NULLABLE_DATE,
    "days_since_last_contact": (int, type(None)),
    "regular_communication": bool,
    "contact_every_days": int,
    "attendance_rate": (float, type(None)),
    "referrals_made": int,
    "referral_completion_rate": (float, type(None)),
    "overdue_follow_ups": int,
    "referral_pathway_documented": bool,
    "outcome_indicators_on_track": int,
    "outcome_indicators_total": int,
    # Decisions (docs/audit.md, "Decisions"): money and returns are exact decimal text.
    "annual_cost": (str, type(None)),
    "annual_value": (str, type(None)),
    "net": (str, type(None)),
    "return": (str, type(None)),
    "cost_year": (int, type(None)),
    "strategic_alignment": (int, type(None)),
    "open_conflicts": (int, type(None)),
    "events_last_12_months": (int, type(None)),
    "next_review": NULLABLE_DATE,
    "review_overdue": (bool, type(None)),
    "next_review_why": (str, type(None)),
    "terms_lapsed": (str, type(None)),
    "recommendation": dict,
    "last_decision": (dict, type(None)),
}
MEMBER = {
    "organisation": str,
    "organisation_id": int,
    "role": str,
    "single_point_of_contact": (dict, type(None)),
    "since": NULLABLE_DATE,
    "until": NULLABLE_DATE,
    "latest_rating": (dict, type(None)),
    "conditions": dict,
    "attendance_rate": (float, type(None)),
}
PRIORITY = {"name": str, "alignment": int}


def check_shape(item: dict, shape: dict):
    assert set(item) == set(shape)
    for key, types in shape.items():
        assert isinstance(item[key], types), (key, item[key])


def check_document(document: dict):
    assert set(document) == {"schema", "generated_at", "workspace", "partnerships"}
    assert document["schema"] == "keel.audit/1"
    dt.datetime.fromisoformat(document["generated_at"])
    check_shape(document["workspace"], {"slug": str, "name": str})
    for partnership in document["partnerships"]:
        check_shape(partnership, PARTNERSHIP)
        assert partnership["status"] in {"proposed", "active", "under_review", "dissolving", "ended"}
        assert partnership["tier"] in {"strategic", "operational", "relationship"}
        assert partnership["basis"] in {"voluntary", "funding_condition", "statutory", "contractual"}
        assert partnership["formality"] in {"formal", "informal"}
        if partnership["lead"] is not None:
            check_shape(partnership["lead"], PERSON)
        for date in ("start_date", "planned_end"):
            if partnership[date] is not None:
                dt.date.fromisoformat(partnership[date])
        for member in partnership["members"]:
            check_shape(member, MEMBER)
            if member["single_point_of_contact"] is not None:
                check_shape(member["single_point_of_contact"], PERSON)
        for priority in partnership["strategic_priorities"]:
            check_shape(priority, PRIORITY)
            assert 0 <= priority["alignment"] <= 3


def test_json_follows_the_documented_schema(discharge, workspace_a):
    document = json.loads(run(format="json"))
    check_document(document)
    assert document["workspace"] == {"slug": workspace_a.slug, "name": workspace_a.name}
    [row] = document["partnerships"]
    assert row["id"] == discharge.pk
    assert (row["status"], row["tier"], row["basis"]) == ("active", "operational", "funding_condition")
    assert row["start_date"] == "2025-04-01"
    assert row["planned_end"] is None
    assert (row["review_every_months"], row["review_cadence"]) == (3, "quarterly")
    assert row["lead"] == {"name": "Jane Smith", "email": "jane@ageuk.example.org"}
    contacts = [m["single_point_of_contact"] for m in row["members"]]
    assert contacts == [{"name": "Jane Smith", "email": "jane@ageuk.example.org"}, None]
    assert row["members"][0]["role"] == "lead partner"
    assert row["strategic_priorities"] == [{"name": "Independence at home", "alignment": 3}]


def test_json_of_the_demo_follows_the_schema(db):
    from keel.portfolio.demo.build import build_demo

    workspace = build_demo("small", seed=1, reference_date=dt.date(2026, 11, 1))
    document = audit_document(workspace)
    check_document(document)
    assert len(document["partnerships"]) == 60


def test_table_shows_members_with_their_contacts(discharge):
    text = run()
    header, rule, line, footer = text.splitlines()
    assert header.startswith("ID") and "Partnership" in header and "Strategic priorities" in header
    assert set(rule) <= {"-", " "}
    # The members column shows 60 characters at most.
    assert "  Organisation 1-0 (contact: Jane Smith); Organisation 1-1 (n…  Jane Smith  " in line
    assert "Active" in line and "Operational partnership" in line and "Funding condition" in line
    assert "Independence at home (strongly)" in line
    assert "Archived" not in header
    assert footer == "1 partnership"


def test_table_cuts_long_text_and_drops_control_characters(make_partnership):
    make_partnership("A partnership with a name far longer than any table column would ever show in full")
    make_partnership("Escape \x1b[31m red")
    text = run()
    assert "  A partnership with a name far longer th…  " in text
    assert "\x1b" not in text


def test_table_says_so_when_there_are_no_partnerships(scope_a):
    assert run() == "No partnerships.\n"


def test_csv_has_one_row_per_partnership_with_members_joined(discharge, make_partnership):
    make_partnership("Another partnership", n=3)
    rows = list(csv.DictReader(io.StringIO(run(format="csv"))))
    assert [row["name"] for row in rows] == ["Another partnership", "Kingsport Hospital Discharge Partnership"]
    assert rows[0]["members"].count("; ") == 2
    row = rows[1]
    assert row["members"] == "Organisation 1-0 (contact: Jane Smith); Organisation 1-1 (no contact)"
    assert (row["status"], row["tier"], row["lead"]) == ("Active", "Operational partnership", "Jane Smith")
    assert (row["start_date"], row["planned_end"], row["review_cadence"]) == ("2025-04-01", "", "quarterly")


def test_csv_neutralises_formulas(scope_a, actor):
    evil = services.save_organisation(actor, {"name": '=HYPERLINK("http://evil.example.org","click")'})
    other = services.save_organisation(actor, {"name": "Zeta Trust"})
    services.save_partnership(actor, {"name": "@SUM(A1:A9)", "status": "active"}, organisations=[evil, other])
    [row] = list(csv.reader(io.StringIO(run(format="csv"))))[1:]
    assert row[1] == "'@SUM(A1:A9)"
    assert row[7].startswith("'=HYPERLINK(")
    assert row[7] == "'" + '=HYPERLINK("http://evil.example.org","click") (no contact); Zeta Trust (no contact)'


def test_more_than_one_workspace_needs_workspace_and_lists_the_slugs(discharge, workspace_b):
    with pytest.raises(CommandError) as raised:
        run()
    assert "--workspace" in str(raised.value)
    assert "northshire-ics" in str(raised.value) and "southvale-network" in str(raised.value)
    assert "Kingsport Hospital Discharge Partnership" in run("--workspace", "northshire-ics")
    assert run("--workspace", "southvale-network") == "No partnerships.\n"


def test_unknown_workspace_lists_the_known_ones(discharge):
    with pytest.raises(CommandError, match="northshire-ics"):
        run("--workspace", "nowhere")


def test_archived_partnerships_are_left_out_unless_asked(discharge, actor, make_partnership):
    old = make_partnership("Old partnership")
    services.archive(actor, old)
    assert [row["name"] for row in json.loads(run(format="json"))["partnerships"]] == [discharge.name]
    document = json.loads(run("--include-archived", format="json"))
    assert [(row["name"], row["archived"]) for row in document["partnerships"]] == [
        (discharge.name, False),
        ("Old partnership", True),
    ]
    table = run("--include-archived")
    assert "Archived" in table.splitlines()[0]
    assert "Old partnership" in table and "Old partnership" not in run()


def test_output_writes_a_file(discharge, tmp_path):
    target = tmp_path / "audit.csv"
    err = io.StringIO()
    call_command("audit", format="csv", output=str(target), stdout=io.StringIO(), stderr=err)
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid,name,")
    assert "Wrote the audit of 1 partnerships" in err.getvalue()
    call_command("audit", format="json", output=str(tmp_path / "audit.json"), stdout=io.StringIO(), stderr=err)
    check_document(json.loads((tmp_path / "audit.json").read_text(encoding="utf-8")))


def test_output_to_a_missing_folder_is_a_clear_error(discharge, tmp_path):
    with pytest.raises(CommandError, match="Could not write"):
        run(output=str(tmp_path / "no" / "such" / "audit.csv"))


def make_many(actor, n: int):
    """`n` partnerships, each with two members (one with a contact), a lead and a priority."""
    organisations = [services.save_organisation(actor, {"name": f"Org {i}"}) for i in range(20)]
    people = [
        services.save_person(actor, {"name": f"Person {i}", "email": f"p{i}@example.org", "organisation": org})
        for i, org in enumerate(organisations)
    ]
    priority = services.save_priority(actor, {"name": "Prevention"})
    for i in range(n):
        a, b = i % 20, (i + 1 + i // 20) % 20
        partnership = services.save_partnership(
            actor,
            {"name": f"P {i:03}", "status": "active", "lead": people[a]},
            organisations=[organisations[a], organisations[b]],
        )
        member = partnership.members.get(organisation=organisations[a])
        services.change_member(actor, member, {"contact": people[a]})
        services.set_alignment(actor, partnership, priority, i % 4)


@pytest.mark.parametrize("n", [10, 200])
def test_audit_rows_take_the_same_number_of_queries_at_any_size(scope_a, actor, n, django_assert_num_queries):
    make_many(actor, n)
    # 1: partnerships with their leads; 2: members with organisations and contacts;
    # 3: alignments with their priorities; 4: the latest round with responses of each;
    # 12 for activity; 14 for Keel's advice (keel.decisions.evidence.advise); 1 for the last decisions.
    with django_assert_num_queries(31):
        rows = audit_rows(scope_a)
    assert len(rows) == n
    assert all(len(row["members"]) == 2 and row["lead"] for row in rows)
    render_table(rows)


def test_another_workspaces_partnerships_never_appear(discharge, workspace_b, actor):
    from keel.core.tenancy import workspace_scope

    with workspace_scope(workspace_b):
        make = services.save_organisation
        orgs = [make(actor, {"name": "B1"}), make(actor, {"name": "B2"})]
        services.save_partnership(actor, {"name": "Southvale secret", "status": "active"}, organisations=orgs)
    assert [row["name"] for row in audit_rows(discharge.workspace)] == [discharge.name]
    assert "Southvale secret" not in run("--workspace", "northshire-ics", format="json")


@pytest.mark.django_db
def test_the_list_page_downloads_the_audit_as_csv(client, workspace_a, viewer, make_partnership):
    from django.urls import reverse

    make_partnership('=HYPERLINK("http://evil")')
    client.force_login(viewer)
    response = client.get(reverse("portfolio:audit_csv", kwargs={"ws": workspace_a.slug}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
