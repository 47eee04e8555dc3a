"""`keel import organisations|people|partnerships FILE` and the import page.

Forgiving about how a spreadsheet is written (headers, separators, encodings, dates, words),
strict about what it means: every refusal is explained with its row and column, nothing is
written unless every row is valid (or invalid rows are skipped), and importing the same file
again changes nothing.
"""

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from test_common.test_spreadsheets import xlsx  # the workbook maker, with cached formula values

from keel.common.importing import (
    KINDS,
    Column,
    Headers,
    ImportContext,
    Kind,
    KnownColumns,
    UnknownKind,
    find_kind,
    no_identity,
    one_line,
    run_import,
    spreadsheet_kinds,
)
from keel.common.models import ImportUpload
from keel.common.spreadsheets import FileRefused
from keel.core.models import ChangeRecord
from keel.register import services
from keel.register.models import Organisation, Partnership, Person, PriorityAlignment, StrategicPriority

HSDS = Path(__file__).parent / "data" / "hsds-organizations.csv"  # see tests/data/README.md

ORGANISATIONS = b"""name,sector,type,identifier,website
Northshire Mind,Voluntary,Charity,1089576,www.northshiremind.org.uk
Northshire Community NHS Trust,NHS,Community trust,RX1,https://northshire.nhs.uk
"""
PEOPLE = b"""Name,E-mail,Organisation,Job title,Level
Sam Patel,sam.patel@mind.example.org,Northshire Mind,Services manager,manager
Jo Evans,jo.evans@nhs.example.org,Northshire Community NHS Trust,Head of integration,senior
Kim Lee,,Northshire Borough Council,Commissioner,exec
"""
PARTNERSHIPS = "\n".join(
    ",".join(cells)
    for cells in [
        ["Name", "Purpose", "Partners", "Formality", "Basis", "Tier", "Status", "Start Date", "Planned End"]
        + ["Review every", "Lead", "Contacts", "Priorities", "Notes"],
        ["Dementia Pathway", "Joined-up support", "Northshire Mind; northshire community nhs trust", "formal"]
        + ["grant condition", "strategic partnership", "active", "01/04/2024", "2027-03-31", "quarterly"]
        + ["sam.patel@mind.example.org", "sam.patel@mind.example.org; Jo Evans", "Support carers; Reduce admissions"]
        + ["First row"],
        ["Carers Network", "", "Northshire Mind;Northshire Borough Council", "informal", "mandatory", "relationship"]
        + ["proposed", "2025-01-15", "", "annually", "Kim Lee", "", "Support carers", ""],
    ]
).encode()


def imported(kind, data, actor, filename="file.csv", **options):
    return run_import(kind, data, filename, actor, **options)


def errors_of(report):
    return [str(error) for error in report.errors]


def command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def register(scope_a, actor):
    """Organisations and people imported, ready for partnerships."""
    assert not imported("organisations", ORGANISATIONS, actor).errors
    assert not imported("people", PEOPLE, actor).errors
    return scope_a


# Kinds --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["organisations", "Organisation", " ORGANIZATIONS ", "orgs"])
def test_organisation_kind_spellings(text):
    assert find_kind(text).name == "organisations"


@pytest.mark.parametrize("text", ["people", "person", "People", "persons"])
def test_people_kind_spellings(text):
    assert find_kind(text).name == "people"


def test_unknown_kind_names_the_known():
    with pytest.raises(UnknownKind, match="it imports organisations, people, partnerships"):
        find_kind("widgets")


# Organisations ------------------------------------------------------------------------


def test_organisations_csv(scope_a, actor):
    report = imported("organisations", ORGANISATIONS, actor)
    assert report.errors == [] and report.written
    assert report.counts == {"organisation": {"created": 2}}
    mind = Organisation.objects.get(name="Northshire Mind")
    assert (mind.sector, mind.type, mind.identifier) == ("Voluntary", "Charity", "1089576")
    assert mind.website == "https://www.northshiremind.org.uk"
    assert ChangeRecord.objects.filter(action="organisation.created").count() == 2


def test_organisations_xlsx(scope_a, actor):
    data = xlsx([["Name", "Sector", "ODS code"], ["Northshire Mind", "Voluntary", None], ["Leeds Trust", "NHS", "RR8"]])
    report = imported("organisations", data, actor, "orgs.xlsx")
    assert report.errors == [] and report.counts["organisation"] == {"created": 2}
    assert Organisation.objects.get(name="Leeds Trust").identifier == "RR8"


def test_real_open_referral_file(scope_a, actor):
    """An HSDS organizations.csv: `name` and `url` are read; the rest is listed as ignored."""
    data = HSDS.read_bytes()
    report = imported("organisations", data, actor, "organizations.csv")
    assert report.errors == [] and report.counts["organisation"] == {"created": 10}
    assert "Example City Silvers" in Organisation.objects.values_list("name", flat=True)
    (warning,) = report.warnings
    assert "ignored: id, alternate_name, description, email" in warning
    again = imported("organisations", data, actor, "organizations.csv")
    assert again.counts["organisation"] == {"unchanged": 10}


def test_url_and_code_are_read_as_website_and_identifier(scope_a, actor):
    imported("organisations", b"Organisation name,URL,Code\nMind,mind.org.uk,C1\n", actor)
    mind = Organisation.objects.get()
    assert (mind.name, mind.website, mind.identifier) == ("Mind", "https://mind.org.uk", "C1")


def test_names_match_ignoring_case_and_spaces(scope_a, actor):
    imported("organisations", b"name\nNorthshire Mind\n", actor)
    report = imported("organisations", b"name,sector\n  northshire   MIND ,Voluntary\n", actor)
    assert report.counts["organisation"] == {"changed": 1}
    mind = Organisation.objects.get()
    assert (mind.name, mind.sector) == ("Northshire Mind", "Voluntary")


def test_blank_cell_leaves_value_present_value_changes_it(scope_a, actor):
    imported("organisations", b"name,sector,type\nMind,Voluntary,Charity\n", actor)
    report = imported("organisations", b"name,sector,type\nMind,,Trust\n", actor)
    assert report.outcomes[0].details == ["type: Charity → Trust"]
    mind = Organisation.objects.get()
    assert (mind.sector, mind.type) == ("Voluntary", "Trust")


def test_duplicate_name_in_one_file_is_an_error_on_the_later_row(scope_a, actor):
    report = imported("organisations", b"name\nMind\nAge UK\n mind \n", actor)
    assert errors_of(report) == ["row 4, column name: 'mind' is also in row 2: a file holds each organisation once."]
    assert not Organisation.objects.exists()


# People -------------------------------------------------------------------------------


def test_people_csv_creates_new_organisations(scope_a, actor):
    imported("organisations", b"name\nNorthshire Mind\n", actor)
    report = imported("people", PEOPLE, actor)
    assert report.errors == []
    assert report.counts == {"person": {"created": 3}, "organisation": {"created": 2}}
    sam = Person.objects.get(email="sam.patel@mind.example.org")
    assert (sam.organisation.name, sam.role, sam.level) == ("Northshire Mind", "Services manager", "manager")
    assert Person.objects.get(name="Jo Evans").level == "senior_manager"
    assert Person.objects.get(name="Kim Lee").level == "executive"


def test_people_xlsx(scope_a, actor):
    data = xlsx(
        [["Full name", "Email address", "Organization", "Level"], ["Sam Patel", "sam@x.org", "Mind", "Front-line"]]
    )
    report = imported("people", data, actor, "people.xlsx")
    assert report.errors == []
    assert Person.objects.get().level == "frontline"


def test_people_matched_by_email_first(scope_a, actor):
    imported("people", PEOPLE, actor)
    report = imported(
        "people", b"name,email,organisation\nSamuel Patel,SAM.PATEL@mind.example.org,Northshire Mind\n", actor
    )
    assert report.counts["person"] == {"changed": 1}
    assert report.outcomes[0].details == ["name: Sam Patel → Samuel Patel"]
    assert Person.objects.filter(email__iexact="sam.patel@mind.example.org").get().name == "Samuel Patel"


def test_people_of_one_name_at_two_organisations_are_two_people(scope_a, actor):
    report = imported("people", b"name,organisation\nAlex Kay,Mind\nAlex Kay,Age UK\n", actor)
    assert report.errors == [] and Person.objects.filter(name="Alex Kay").count() == 2
    again = imported("people", b"name,organisation\nalex kay,mind\n", actor)
    assert again.counts["person"] == {"unchanged": 1}


def test_bad_level_and_email_are_explained(scope_a, actor):
    report = imported("people", b"name,email,organisation,level\nSam,not-an-email,Mind,boss\n,,Mind,\n", actor)
    assert errors_of(report) == [
        "row 2, column email: 'not-an-email' is not an e-mail address.",
        "row 2, column level: 'boss' is not one of: executive, senior manager, manager, frontline.",
        "row 3, column name: The name is missing: every person needs one.",
    ]


# Partnerships -------------------------------------------------------------------------


def test_partnerships_csv(register, actor):
    report = imported("partnerships", PARTNERSHIPS, actor)
    assert report.errors == [], errors_of(report)
    assert report.counts["partnership"] == {"created": 2}
    dementia = Partnership.objects.get(name="Dementia Pathway")
    assert (dementia.formality, dementia.basis, dementia.tier, dementia.status) == (
        "formal",
        "funding_condition",
        "strategic",
        "active",
    )
    assert (dementia.start_date, dementia.planned_end) == (dt.date(2024, 4, 1), dt.date(2027, 3, 31))
    assert dementia.review_every_months == 3
    assert dementia.lead.name == "Sam Patel"
    contacts = {m.organisation.name: m.contact.name for m in dementia.members.select_related("organisation", "contact")}
    assert contacts == {"Northshire Mind": "Sam Patel", "Northshire Community NHS Trust": "Jo Evans"}
    assert {(a.priority.name, a.score) for a in dementia.alignments.select_related("priority")} == {
        ("Support carers", 2),
        ("Reduce admissions", 2),
    }
    carers = Partnership.objects.get(name="Carers Network")
    assert (carers.basis, carers.tier, carers.review_every_months) == ("statutory", "relationship", 12)
    assert carers.lead.name == "Kim Lee"
    assert StrategicPriority.objects.count() == 2


def test_partnerships_xlsx_with_date_cells(register, actor):
    data = xlsx(
        [
            ["name", "partners", "status", "start_date", "review every"],
            ["Falls Service", "Northshire Mind;Northshire Community NHS Trust", "Live", dt.datetime(2024, 5, 6), 6],
        ]
    )
    report = imported("partnerships", data, actor, "p.xlsx")
    assert report.errors == []
    falls = Partnership.objects.get()
    assert (falls.status, falls.start_date, falls.review_every_months) == ("active", dt.date(2024, 5, 6), 6)


def test_reimport_changes_nothing_and_records_nothing(register, actor):
    imported("partnerships", PARTNERSHIPS, actor)
    records = ChangeRecord.objects.count()
    for kind, data in [("organisations", ORGANISATIONS), ("people", PEOPLE), ("partnerships", PARTNERSHIPS)]:
        report = imported(kind, data, actor)
        assert report.errors == []
        assert {action for tally in report.counts.values() for action in tally} == {"unchanged"}, report.counts
    assert ChangeRecord.objects.count() == records


def test_existing_alignment_keeps_its_score(register, actor):
    imported("partnerships", PARTNERSHIPS, actor)
    dementia = Partnership.objects.get(name="Dementia Pathway")
    services.set_alignment(actor, dementia, StrategicPriority.objects.get(name="Support carers"), 3)
    imported("partnerships", PARTNERSHIPS, actor)
    assert PriorityAlignment.objects.get(partnership=dementia, priority__name="Support carers").score == 3


def test_partners_are_added_never_removed(register, actor):
    imported("partnerships", PARTNERSHIPS, actor)
    report = imported("partnerships", b"name,partners\nDementia Pathway,Northshire Borough Council\n", actor)
    assert report.counts["partnership"] == {"changed": 1} and report.counts["partner"] == {"added": 1}
    names = set(Partnership.objects.get(name="Dementia Pathway").organisations.values_list("name", flat=True))
    assert names == {"Northshire Mind", "Northshire Community NHS Trust", "Northshire Borough Council"}


def test_unknown_lead_says_to_import_people_first(register, actor):
    report = imported("partnerships", b"name,lead\nFalls,Nobody Known\nFalls 2,nobody@example.org\n", actor)
    assert errors_of(report) == [
        "row 2, column lead: 'Nobody Known' is not a known person: import people first, then this file.",
        "row 3, column lead: No one with the e-mail nobody@example.org is in the register: "
        "import people first, then this file.",
    ]
    assert not Partnership.objects.exists()


def test_contact_must_work_at_a_partner(register, actor):
    data = b"name,partners,contacts\nFalls,Northshire Mind;Northshire Community NHS Trust,Kim Lee\n"
    report = imported("partnerships", data, actor)
    assert errors_of(report) == [
        "row 2, column contacts: Kim Lee works at Northshire Borough Council, which is not one of this "
        "partnership's partners: add Northshire Borough Council to partners, or name someone at a partner."
    ]


def test_two_contacts_at_one_organisation(register, actor):
    services.save_person(actor, {"name": "Ann Bell", "organisation": Organisation.objects.get(name="Northshire Mind")})
    data = b"name,partners,contacts\nFalls,Northshire Mind;Northshire Borough Council,Sam Patel;Ann Bell\n"
    (error,) = imported("partnerships", data, actor).errors
    assert error.column == "contacts" and "one single point of contact" in error.message


def test_active_partnership_needs_two_partners(register, actor):
    report = imported("partnerships", b"name,partners,status\nSolo,Northshire Mind,active\nIdea,,proposed\n", actor)
    (error,) = report.errors
    assert (error.row, error.column) == (2, "partners")
    assert "needs at least two partner organisations (this one has 1)" in error.message


def test_choice_synonyms_and_date_formats(register, actor):
    data = (
        b"name,partners,basis,tier,status,start date,planned end,review every\n"
        b"A,Northshire Mind;Northshire Borough Council,Statutory,Strategic Partnership,Under-Review,"
        b"2024-02-29,28/02/2026,monthly\n"
        b"B,Northshire Mind;Northshire Borough Council,funding_condition,operational,ENDED,"
        b"1 March 2023,31.12.2024,3 months\n"
    )
    report = imported("partnerships", data, actor)
    assert report.errors == []
    a, b = Partnership.objects.order_by("name")
    assert (a.basis, a.tier, a.status, a.planned_end, a.review_every_months) == (
        "statutory",
        "strategic",
        "under_review",
        dt.date(2026, 2, 28),
        1,
    )
    assert (b.basis, b.status, b.start_date, b.review_every_months) == (
        "funding_condition",
        "ended",
        dt.date(2023, 3, 1),
        3,
    )


def test_bad_values_are_explained_by_row_and_column(register, actor):
    data = b"name,status,start date,planned end,review every\nA,sleeping,31/02/2024,2020-01-01,fortnightly\n"
    assert errors_of(imported("partnerships", data, actor)) == [
        "row 2, column status: 'sleeping' is not one of: proposed, active, under review, dissolving, ended.",
        "row 2, column start date: '31/02/2024' is not a date: February 2024 has 29 days: "
        "write it as 2025-03-31 or 31/03/2025.",
        "row 2, column review every: 'fortnightly' is more often than Keel reviews: reviews are counted in months, "
        "so write '1 month' or more (e.g. 'quarterly').",
    ]


def test_planned_end_before_start(register, actor):
    (error,) = imported("partnerships", b"name,start date,planned end\nA,2025-01-01,2024-01-01\n", actor).errors
    assert str(error) == "row 2, column planned end: The planned end, 01/01/2024, is before the start, 01/01/2025."


def test_partners_may_name_their_contact_and_priorities_their_score(register, actor):
    data = (
        b"name,partners,priorities\n"
        b'Falls,"Northshire Mind (contact: Sam Patel); Northshire Borough Council (no contact)",'
        b"Support carers (strongly); Reduce admissions\n"
    )
    report = imported("partnerships", data, actor)
    assert report.errors == []
    falls = Partnership.objects.get()
    contacts = {m.organisation.name: m.contact for m in falls.members.select_related("organisation", "contact")}
    assert contacts["Northshire Mind"].name == "Sam Patel" and contacts["Northshire Borough Council"] is None
    scores = dict(falls.alignments.values_list("priority__name", "score"))
    assert scores == {"Support carers": 3, "Reduce admissions": 2}


def test_a_contact_named_for_a_partner_must_work_there(register, actor):
    data = b'name,partners\nFalls,"Northshire Mind (contact: Jo Evans); Northshire Community NHS Trust"\n'
    assert errors_of(imported("partnerships", data, actor)) == [
        "row 2, column partners: Jo Evans works at Northshire Community NHS Trust: "
        "they cannot be another partner's contact."
    ]


def test_the_audit_csv_imports_back_unchanged(register, actor, workspace_a):
    """`keel audit --format csv` writes labels, contacts and scores that `keel import` reads back."""
    from keel.portfolio.audit import audit_rows, render_csv

    imported("partnerships", PARTNERSHIPS, actor)
    data = render_csv(audit_rows(workspace_a)).encode()
    report = imported("partnerships", data, actor, "audit.csv")
    assert report.errors == []
    assert report.counts == {"partnership": {"unchanged": 2}}
    assert report.warnings == [
        "These columns are not part of an import of partnerships and were ignored: "
        "id, archived, the 14 health score columns of the audit, the 11 activity columns of the audit, "
        "the 17 decision columns of the audit."
    ]


def test_an_exported_formula_apostrophe_is_undone(scope_a, actor):
    """Exports write '=… so a spreadsheet shows text; the import reads the text back without it."""
    imported("organisations", b"name\n'=HYPERLINK(1)\n'-minus\n", actor)
    assert sorted(Organisation.objects.values_list("name", flat=True)) == ["-minus", "=HYPERLINK(1)"]


# All or nothing, skip, dry run ----------------------------------------------------------


def test_one_bad_row_and_nothing_is_written(scope_a, actor):
    records = ChangeRecord.objects.count()  # the workspace's creation and its members' are there already
    report = imported("organisations", b"name,website\nMind,mind.org.uk\nAge UK,not a web address\nCarers,\n", actor)
    assert not report.written and report.failed
    assert errors_of(report) == [
        "row 3, column website: 'not a web address' is not a web address: write it as https://www.example.org."
    ]
    assert report.verdict == "Nothing was written: 1 row of 3 is invalid. Correct it and import the file again."
    assert not Organisation.objects.exists() and ChangeRecord.objects.count() == records


def test_skip_invalid_imports_the_valid_rows(scope_a, actor):
    data = b"name,website\nMind,mind.org.uk\nAge UK,not a web address\nCarers,\n"
    report = imported("organisations", data, actor, skip_invalid=True)
    assert report.written and not report.failed
    assert sorted(Organisation.objects.values_list("name", flat=True)) == ["Carers", "Mind"]
    assert [o.action for o in report.outcomes] == ["created", "invalid", "created"]
    assert report.verdict == "Imported 2 rows; skipped 1 invalid row."


def test_a_failed_row_leaves_nothing_of_itself(register, actor):
    """Partner organisations a row would create are not created when the row is invalid."""
    data = b"name,partners,lead\nFalls,New Partner Org;Northshire Mind,Nobody\nOk,Other New Org,\n"
    report = imported("partnerships", data, actor, skip_invalid=True)
    assert [o.action for o in report.outcomes] == ["invalid", "created"]
    assert not Organisation.objects.filter(name="New Partner Org").exists()
    assert Organisation.objects.filter(name="Other New Org").exists()


def test_dry_run_reports_and_writes_nothing(register, actor):
    before = ChangeRecord.objects.count()
    report = imported("partnerships", PARTNERSHIPS, actor, dry_run=True)
    assert report.errors == [] and not report.written
    assert report.counts["partnership"] == {"created": 2}
    assert report.counts["alignment"] == {"added": 3} and report.counts["priority"] == {"created": 2}
    assert "single point of contact for Northshire Mind: Sam Patel" in report.outcomes[0].details
    assert not Partnership.objects.exists() and not StrategicPriority.objects.exists()
    assert ChangeRecord.objects.count() == before


# File-level refusals --------------------------------------------------------------------


def test_missing_required_column_names_what_is_needed(scope_a, actor):
    with pytest.raises(FileRefused) as caught:
        imported("people", b"full name,email\nSam,sam@x.org\n", actor)
    message = str(caught.value)
    assert "The file has no 'organisation' column, which every person needs" in message
    assert "Its columns are: full name, email" in message


def test_a_file_of_another_kind_is_refused(scope_a, actor):
    with pytest.raises(FileRefused, match="This looks like a file of people, not organisations"):
        imported("organisations", PEOPLE, actor)


def test_two_columns_for_one_field_are_refused(scope_a, actor):
    with pytest.raises(FileRefused, match="Two columns, 'website' and 'url', both give the website"):
        imported("organisations", b"name,website,url\nMind,a.org,b.org\n", actor)


def test_formula_cells(scope_a, actor):
    data = xlsx(
        [["name", "identifier", "type"], ["Mind", "=1+1", "=not a formula"], ['=UPPER("age uk")', "X", None]],
        cached={"A3": "AGE UK"},
        text=["C2"],
    )
    report = imported("organisations", data, actor, "orgs.xlsx", skip_invalid=True)
    assert errors_of(report) == [
        "row 2, column identifier: The cell holds a formula but the file carries no value for it: open the file "
        "in Excel or LibreOffice and save it again, so the values are stored, or type the value instead."
    ]
    assert list(Organisation.objects.values_list("name", "identifier")) == [("AGE UK", "X")]
    data = xlsx([["name", "type"], ["Mind", "=not a formula"]], text=["B2"])
    imported("organisations", data, actor, "orgs.xlsx")
    assert Organisation.objects.get(name="Mind").type == "=not a formula"


def test_lookups_are_loaded_once_not_per_row(register, actor):
    """Re-importing 4 or 40 partnerships runs the same queries (savepoints aside)."""

    def queries(n):
        rows = "".join(f"P{i},Northshire Mind;Northshire Borough Council,Sam Patel,Support carers\n" for i in range(n))
        data = ("name,partners,lead,priorities\n" + rows).encode()
        imported("partnerships", data, actor)
        with CaptureQueriesContext(connection) as captured:
            assert imported("partnerships", data, actor).counts["partnership"] == {"unchanged": n}
        return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]

    assert len(queries(4)) == len(queries(40))


# The command ---------------------------------------------------------------------------


def test_command_imports_and_summarises(workspace_a, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(ORGANISATIONS)
    out, _ = command("Organisation", str(path))
    assert "Organisations: 2 created, 0 changed, 0 unchanged" in out
    assert "Imported 2 rows." in out
    out, _ = command("organisations", str(path))
    assert "Organisations: 0 created, 0 changed, 2 unchanged" in out


def test_command_errors_exit_non_zero_and_write_nothing(workspace_a, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"name,email,organisation\nSam,sam@,Mind\nJo,jo@x.org,Mind\n")
    with pytest.raises(CommandError, match="Nothing was written: 1 row of 2 is invalid.*--skip-invalid"):
        command("person", str(path))
    out, _ = command("people", str(path), "--skip-invalid")
    assert "row 2, column email: 'sam@' is not an e-mail address." in out
    assert "Imported 1 row; skipped 1 invalid row." in out


def test_command_dry_run_lists_what_would_change(workspace_a, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(ORGANISATIONS)
    out, _ = command("organisations", str(path), "--dry-run")
    assert "row 2: Northshire Mind: created" in out
    assert "Dry run: nothing was written." in out
    assert not Organisation.all_workspaces.exists()


def test_command_refuses_bad_files_with_a_message(workspace_a, tmp_path, settings):
    cases = {
        "empty.csv": (b"", "The file is empty"),
        "header.csv": (b"name,sector\n", "no rows of data"),
        "wrong.csv": (b"title,owner\nx,y\n", "The file has no 'name' column"),
        "junk.bin": (os.urandom(4000), "not a spreadsheet Keel can read"),
        "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old Excel .xls file"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(CommandError, match=message):
            command("organisations", str(tmp_path / name))
    settings.KEEL_IMPORT_MAX_BYTES = 50
    (tmp_path / "big.csv").write_bytes(b"name\n" + b"Mind\n" * 20)
    with pytest.raises(CommandError, match="at most 50 bytes"):
        command("organisations", str(tmp_path / "big.csv"))
    with pytest.raises(CommandError, match="There is no file"):
        command("organisations", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="it imports organisations, people, partnerships"):
        command("widgets", str(tmp_path / "big.csv"))


@pytest.mark.slow
def test_cli_refuses_junk_without_a_traceback(tmp_path):
    env = {**os.environ, "KEEL_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "keel.settings"}
    env.pop("DATABASE_URL", None)

    def keel(*args):
        code = "import sys; from keel.cli import main; main(sys.argv[1:])"
        return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120)

    assert keel("migrate", "-v0").returncode == 0
    setup = (
        "from keel.core.changelog import Actor; from keel.core.services import create_workspace; "
        "create_workspace(Actor(via='test'), 'Northshire')"
    )
    assert keel("shell", "-c", setup).returncode == 0
    (tmp_path / "junk.csv").write_bytes(os.urandom(3000))
    result = keel("import", "organisations", str(tmp_path / "junk.csv"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "not a spreadsheet Keel can read" in result.stderr


# The page ------------------------------------------------------------------------------


def url(workspace, name, **kwargs):
    return reverse(f"register:{name}", kwargs={"ws": workspace.slug, **kwargs})


def upload(client, workspace, kind, data, filename="file.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url(workspace, "import"), {"kind": kind, "file": SimpleUploadedFile(filename, data)})


def test_page_upload_preview_confirm(client, workspace_a, editor):
    client.force_login(editor)
    page = client.get(url(workspace_a, "import"))
    assert page.status_code == 200
    assert url(workspace_a, "import_template", kind="people", fmt="xlsx") in page.content.decode()

    preview = upload(client, workspace_a, "organisations", ORGANISATIONS)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Dry run: nothing was written. The file is ready to import." in html
    assert "Organisations: 2 created, 0 changed, 0 unchanged" in html
    assert not Organisation.all_workspaces.exists()
    staged = ImportUpload.all_workspaces.get()
    assert f'action="{url(workspace_a, "import_confirm", pk=staged.pk)}"' in html

    done = client.post(url(workspace_a, "import_confirm", pk=staged.pk))
    assert done.status_code == 200
    assert "Imported 2 rows." in done.content.decode()
    assert Organisation.all_workspaces.filter(workspace=workspace_a).count() == 2
    staged.refresh_from_db()
    assert staged.imported_at is not None and bytes(staged.content) == b""
    record = ChangeRecord.all_workspaces.get(action="import.completed")
    assert record.actor == editor

    again = client.post(url(workspace_a, "import_confirm", pk=staged.pk))
    assert again.status_code == 409
    assert "already imported" in again.content.decode()
    assert Organisation.all_workspaces.count() == 2


def test_page_shows_errors_and_offers_to_skip_them(client, workspace_a, editor):
    client.force_login(editor)
    preview = upload(client, workspace_a, "organisations", b"name,website\nMind,\nAge UK,nope nope\n")
    html = preview.content.decode()
    assert "Row 3, column website: &#x27;nope nope&#x27; is not a web address" in html
    assert "Import the 1 valid row, skipping the invalid" in html
    staged = ImportUpload.all_workspaces.get()
    done = client.post(url(workspace_a, "import_confirm", pk=staged.pk), {"skip_invalid": "1"})
    assert "Imported 1 row; skipped 1 invalid row." in done.content.decode()
    assert list(Organisation.all_workspaces.values_list("name", flat=True)) == ["Mind"]


def test_page_refuses_an_unreadable_file(client, workspace_a, editor):
    client.force_login(editor)
    response = upload(client, workspace_a, "people", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls")
    assert response.status_code == 400
    assert "old Excel .xls file" in response.content.decode()
    assert not ImportUpload.all_workspaces.exists()


def test_viewer_may_not_import(client, workspace_a, viewer, editor):
    client.force_login(editor)
    upload(client, workspace_a, "organisations", ORGANISATIONS)
    staged = ImportUpload.all_workspaces.get()
    client.force_login(viewer)
    assert client.get(url(workspace_a, "import")).status_code == 403
    assert upload(client, workspace_a, "organisations", ORGANISATIONS).status_code == 403
    assert client.post(url(workspace_a, "import_confirm", pk=staged.pk)).status_code == 403
    assert not Organisation.all_workspaces.exists()


def test_another_workspaces_upload_cannot_be_confirmed(client, workspace_a, editor, outsider, workspace_b):
    client.force_login(editor)
    upload(client, workspace_a, "organisations", ORGANISATIONS)
    staged = ImportUpload.all_workspaces.get()
    client.force_login(outsider)
    assert client.post(url(workspace_b, "import_confirm", pk=staged.pk)).status_code == 404
    assert not Organisation.all_workspaces.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_download_and_import_in_order(client, workspace_a, editor, actor, fmt):
    client.force_login(editor)
    files = {}
    for kind in [kind.name for kind in spreadsheet_kinds()]:  # every kind the import page offers
        response = client.get(url(workspace_a, "import_template", kind=kind, fmt=fmt))
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{kind}-template.{fmt}"'
        files[kind] = b"".join(response.streaming_content) if response.streaming else response.content
    from keel.core.tenancy import workspace_scope

    with workspace_scope(workspace_a):
        for kind, data in files.items():
            if kind == "measurements":  # needs an indicator first: tested in tests/test_outcomes
                continue
            report = run_import(kind, data, f"{kind}-template.{fmt}", actor)
            assert report.errors == [] and report.warnings == [], (kind, errors_of(report))
            assert report.counts[KINDS[kind].record] == {"created": 1}
        partnership = Partnership.objects.get()
        assert partnership.members.count() == 2 and partnership.lead.name == "Sam Patel"


def test_template_xlsx_has_notes_and_drop_downs(client, workspace_a, editor):
    client.force_login(editor)
    response = client.get(url(workspace_a, "import_template", kind="partnerships", fmt="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].comment.text.startswith("Required.")
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert '"proposed,active,under review,dissolving,ended"' in lists.values()


def test_the_page_offers_the_spreadsheet_kinds_and_no_others(client, workspace_a, editor):
    """An instrument's definition and a round's responses are imported on their own pages, not here."""
    assert [kind.name for kind in spreadsheet_kinds()] == ["organisations", "people", "partnerships", "measurements"]
    assert {"instrument", "responses"} <= set(KINDS)
    client.force_login(editor)
    page = client.get(url(workspace_a, "import")).content.decode()
    assert 'value="measurements"' in page and 'value="responses"' not in page and 'value="instrument"' not in page
    assert client.get(url(workspace_a, "import_template", kind="responses", fmt="csv")).status_code == 404
    assert client.get(url(workspace_a, "import_template", kind="instrument", fmt="xlsx")).status_code == 404
    assert upload(client, workspace_a, "responses", b"trust-rely\n4\n").status_code == 400


# Kinds whose file is not a fixed table ----------------------------------------------------


class AnswersContext(ImportContext):
    """A kind whose columns come from the import itself: one per question asked, as a survey's do."""

    def __init__(self, actor, questions):
        super().__init__(actor)
        self.questions = questions

    def columns(self, kind):
        return tuple(Column(q, one_line(5), synonyms=(f"question {q}",), group="answer") for q in self.questions)

    def recognise(self, key):
        return next((q for q in self.questions if key.endswith(" " + q)), None)

    def check(self, data, table):
        if unknown := self.report.of("unknown"):
            self.report.refusals.append(f"Not a question: {', '.join(c.header for c in unknown)}.")
        return True

    def finish(self):  # after the last row, where a kind writes its rows together
        self.report.warnings.append(f"Finished: {'would write' if self.report.writable else 'would not write'}.")


ANSWERS = Kind(
    "answers",
    "answer",
    (),
    lambda context, row: context.count("answer", "created"),
    no_identity,
    AnswersContext,
    {"answer": "Answers"},
    needs=("questions",),
    headers=Headers(
        strict=True,
        cite=True,
        known=(KnownColumns("metadata", frozenset({"timestamp"})),),
        sub_header=lambda value: value == "response",
    ),
)
ANSWERS_FILE = b"Timestamp,Q1 colour,question size,Extra\n,Response,Response,\n2025-03-01,red,large,x\n"


def test_a_kind_can_take_its_columns_from_the_import_and_place_every_one(scope_a, actor):
    assert not ANSWERS.spreadsheet  # it needs questions, so the import page does not offer it
    report = run_import(ANSWERS, ANSWERS_FILE, "a.csv", actor, dry_run=True, questions=("colour", "size"))
    assert [(c.header, c.role, c.target) for c in report.columns] == [
        ("Timestamp", "metadata", ""),
        ("Q1 colour", "answer", "colour"),
        ("question size", "answer", "size"),
        ("Extra", "unknown", ""),
    ]
    assert report.refusals == ["Not a question: Extra."] and report.failed and not report.writable
    assert "Row 2 under the header repeats the headers, as survey tools write, and was skipped." in report.warnings
    assert report.rows == 1 and report.errors == [] and report.warnings[-1] == "Finished: would not write."
    ignored = run_import(ANSWERS, ANSWERS_FILE, "a.csv", actor, ignore=["EXTRA", "Notes"], questions=("colour", "size"))
    assert [c.header for c in ignored.of("ignored")] == ["Extra"] and ignored.written
    assert "Finished: would write." in ignored.warnings
    assert "No column is called 'Notes', so there was nothing to ignore by that name." in ignored.warnings


def test_a_strict_kinds_errors_name_the_files_header_and_a_second_column_is_its_to_word(scope_a, actor):
    data = b"Q1 colour,colour\nturquoise,red\n"
    report = run_import(ANSWERS, data, "a.csv", actor, questions=("colour",))
    assert [(c.header, c.role) for c in report.columns] == [("Q1 colour", "answer"), ("colour", "duplicate")]
    assert errors_of(report) == ["row 2, column Q1 colour: This is 9 characters long; the most it can be is 5."]
    assert not report.written


def test_unknown_template_is_not_found(client, workspace_a, editor):
    client.force_login(editor)
    assert client.get(url(workspace_a, "import_template", kind="widgets", fmt="csv")).status_code == 404
    assert client.get(url(workspace_a, "import_template", kind="people", fmt="pdf")).status_code == 404


@pytest.mark.parametrize(
    "text, days", [("30", 30), ("2 weeks", 14), ("Fortnightly", 14), ("monthly", 30), ("45 days", 45)]
)
def test_the_contact_cadence_is_read_in_days(register, actor, text, days):
    data = f"name,partners,contact every\nDementia Pathway,Northshire Mind;Northshire Borough Council,{text}\n"
    report = imported("partnerships", data.encode(), actor)
    assert report.errors == [], errors_of(report)
    assert Partnership.objects.get(name="Dementia Pathway").contact_every_days == days


def test_a_contact_cadence_that_is_not_one_is_explained(register, actor):
    data = b"name,partners,contact cadence\nDementia Pathway,Northshire Mind;Northshire Borough Council,twice a day\n"
    report = imported("partnerships", data, actor)
    assert "is not a contact cadence: write a number of days" in errors_of(report)[0]
    assert not Partnership.objects.exists()


def test_a_new_partnership_has_contact_every_30_days_unless_told(register, actor):
    data = b"name,partners\nDementia Pathway,Northshire Mind;Northshire Borough Council\n"
    assert imported("partnerships", data, actor).errors == []
    assert Partnership.objects.get().contact_every_days == 30
