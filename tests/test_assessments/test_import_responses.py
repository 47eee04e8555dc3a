"""Importing a round's responses from another survey tool's export: `keel import responses`."""

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from keel.assessments import services, survey_files
from keel.assessments.definitions import parse_definition
from keel.assessments.models import Response
from keel.common.importing import run_import
from keel.core.changelog import Actor
from keel.core.models import ChangeRecord
from keel.core.services import ServiceError

DATA = Path(__file__).parent.parent / "data"
ACTOR = Actor(via="test")
MEMBERS = ["Northshire Mind", "Northshire Community NHS Trust", "Age UK Northshire"]
HEALTH_CHECK = parse_definition((services.BUILTIN_DIR / "keel-health-check.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def partnership(scope_a, actor):
    """Dementia Pathway: three member organisations; Southvale Carers is in the workspace but not a member."""
    from keel.register import services as register

    identifiers = {"Northshire Community NHS Trust": "RX4"}
    organisations = [
        register.save_organisation(actor, {"name": n, "identifier": identifiers.get(n, "")}) for n in MEMBERS
    ]
    register.save_organisation(actor, {"name": "Southvale Carers"})
    return register.save_partnership(
        actor, {"name": "Dementia Pathway", "status": "active"}, organisations=organisations
    )


@pytest.fixture
def round_(partnership, actor):
    today = dt.date.today()
    instrument = services.health_check()
    made, _ = services.create_round(
        actor, partnership, instrument, today, today + dt.timedelta(days=14), invitees=[], open_limit=50
    )
    return made


@pytest.fixture
def spec(round_):
    return round_.instrument.spec


def csv_bytes(rows, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def all_items(spec, normal, reverse):
    """A respondent's answers: `normal` to every statement, `reverse` to the reverse-scored ones."""
    return [reverse if item.reverse else normal for item in spec.items]


def keys_file(spec, rows, extra_headers=(), organisation=True):
    header = (["organisation"] if organisation else []) + [item.key for item in spec.items] + list(extra_headers)
    return csv_bytes([header, *rows])


def read_file(round_, data, filename, ignore=()):
    """What the import page's preview shows: the import, as a dry run."""
    return run_import("responses", data, filename, ACTOR, dry_run=True, ignore=ignore, round=round_)


def import_file(actor, round_, data, filename, ignore=()):
    return run_import("responses", data, filename, actor, ignore=ignore, round=round_)


def errors_of(result):
    return [str(error) for error in result.errors]


# Real exports ------------------------------------------------------------------------------


def test_a_google_forms_export_is_read_by_statement_text_with_labels(round_, spec):
    result = read_file(round_, (DATA / "responses-google-forms.csv").read_bytes(), "google.csv")
    assert result.ok, result.problems
    assert len(result.responses) == 5
    assert {c.target for c in result.of("item")} == {item.key for item in spec.items}
    assert [c.target for c in result.of("prompt")] == ["works", "does-not-work", "would-help"]
    assert [c.header for c in result.of("organisation")] == ["Which organisation do you work for?"]
    assert [c.header for c in result.of("metadata")] == ["Timestamp"]
    assert [c.header for c in result.of("personal")] == ["Email Address"]
    assert result.organisations == {"Northshire Mind": 2, "Northshire Community NHS Trust": 2, "Age UK Northshire": 1}
    first = result.responses[0]
    assert first["answers"]["purpose-clear"] is None  # "Not applicable / don't know"
    assert first["answers"]["purpose-agreed"] == 4 and first["answers"]["purpose-unclear"] == 1
    assert first["comments"] == {"works": "Good joint meetings.", "would-help": "A shared referral form."}
    summary = "\n".join(result.summary)
    assert (
        "Respondents: 5, from Age UK Northshire (1), Northshire Community NHS Trust (2), Northshire Mind (2)."
        in summary
    )
    assert "never stored" in summary and "Email Address" in summary


def test_imported_responses_count_in_the_round_and_no_email_is_kept(round_):
    data = (DATA / "responses-google-forms.csv").read_bytes()
    result = import_file(ACTOR, round_, data, "google.csv")
    assert result.imported == 5 and result.verdict == "Imported 5 responses."
    round_.refresh_from_db()
    assert round_.response_count == 5
    assert round_.summary["respondents"] == 5 and 1 <= round_.summary["overall"] <= 5
    stored = list(Response.objects.filter(round=round_))
    assert {r.source for r in stored} == {Response.Source.IMPORT} and all(r.submitted_at for r in stored)
    assert "example.org" not in repr([(r.answers, r.comments) for r in stored])
    record = ChangeRecord.objects.get(action="round.responses_imported")
    assert "5 responses from google.csv" in record.note and "example.org" not in record.note


def test_a_semicolon_windows_1252_export_with_numbered_headers_keys_and_numbers(round_, spec):
    result = read_file(round_, (DATA / "responses-numbered.csv").read_bytes(), "numbered.csv")
    assert result.ok, result.problems
    assert {c.target for c in result.of("item")} == {item.key for item in spec.items}
    assert [c.target for c in result.of("prompt")] == ["works", "does-not-work", "would-help"]
    assert result.organisations == {"Northshire Mind": 2, "Age UK Northshire": 1, "Northshire Community NHS Trust": 1}
    assert [c.header for c in result.of("metadata")] == ["Respondent ID", "Start time"]
    first = result.responses[0]["answers"]
    assert first["purpose-clear"] is None  # "N/A"
    assert first["purpose-agreed"] == 2 and first["values-similar"] == 4
    assert result.responses[0]["comments"]["works"] == "Café mornings – we meet"
    assert result.responses[1]["comments"]["would-help"] == "Row 3’s idea"
    assert len(result.responses[1]["answers"]) == len(spec.items) - 1  # a blank cell is no answer, not an N/A


def test_an_xlsx_file_with_number_cells_labels_and_numbered_labels(round_, spec):
    statements = [f"Q{n}. {item.statement}" for n, item in enumerate(spec.items, start=1)]
    answers = [4, 4.0, "Agree strongly", "5 - Strongly agree", "Disagree (2)", "neutral", "N/A"]
    row = ["Northshire Mind"] + [answers[k % len(answers)] for k in range(len(spec.items))]
    data = xlsx_bytes([["Organisation", *statements], row, ["Age UK Northshire"] + [3] * len(spec.items)])
    result = read_file(round_, data, "answers.xlsx")
    assert result.ok, result.problems
    first = result.responses[0]["answers"]
    assert [first[item.key] for item in spec.items[:7]] == [4, 4, 5, 5, 2, 3, None]
    assert result.organisations == {"Northshire Mind": 1, "Age UK Northshire": 1}


def test_headers_match_by_key_or_text_forgivingly(round_, spec):
    item = spec.items[2]  # "Partners often pull in different directions."
    for header in [
        item.key,
        item.key.upper().replace("-", "_"),
        item.statement,
        item.statement.upper().rstrip("."),
        "  partners   often pull in different directions?  ",
        "Q3. Partners often pull in different directions.",
        "3) Partners often pull in different directions",
        "Question 3: Partners often pull in different directions",
        "Q1_3 Partners often pull in different directions",
        "Shared purpose - Partners often pull in different directions.",
        "Rate each statement [Partners often pull in different directions.]",
    ]:
        result = read_file(round_, csv_bytes([[header], ["4"]]), "f.csv")
        assert [c.target for c in result.of("item")] == [item.key], header
        assert result.responses[0]["answers"] == {item.key: 4}, header
    smart = csv_bytes([["My organisation’s knowledge and experience are valued by the partners"], ["5"]])
    assert read_file(round_, smart, "f.csv").responses[0]["answers"] == {"respect-expertise": 5}


@pytest.mark.parametrize(
    "cell, answer",
    [
        ("1", 1),
        ("5", 5),
        ("4.0", 4),
        (" agree ", 4),
        ("STRONGLY DISAGREE", 1),
        ("Neither agree nor disagree", 3),
        ("neutral", 3),
        ("Agree strongly", 5),
        ("5 - Strongly agree", 5),
        ("2: Disagree", 2),
        ("Strongly agree (5)", 5),
        ("n/a", None),
        ("N/A", None),
        ("NA", None),
        ("Not applicable", None),
        ("don't know", None),
        ("Don’t know", None),
        ("Not applicable / don't know", None),
    ],
)
def test_answers_as_numbers_labels_or_not_applicable(cell, answer):
    assert survey_files.Scale(HEALTH_CHECK).read(cell) == answer


def test_a_blank_cell_is_no_answer():
    assert survey_files.Scale(HEALTH_CHECK).read("  ") is survey_files.BLANK


@pytest.mark.parametrize("cell", ["0", "6", "4.5", "yes", "5 - Disagree", "agreed", "-1"])
def test_other_answers_are_refused_saying_what_is_accepted(cell):
    with pytest.raises(ValueError, match=r"give a whole number from 1 to 5, or one of the labels \(Strongly disagree"):
        survey_files.Scale(HEALTH_CHECK).read(cell)


def test_an_instruments_own_scale_labels_are_read():
    spec = parse_definition((DATA / "instrument-team-climate.yaml").read_text(encoding="utf-8"))
    scale = survey_files.Scale(spec)
    assert (scale.read("often"), scale.read("Can't say"), scale.read("N/A"), scale.read("5")) == (4, None, None, 5)
    with pytest.raises(ValueError, match="Never, Rarely, Sometimes, Often, Always"):
        scale.read("Agree")


# Problems, by row and column -----------------------------------------------------------------


def test_every_bad_value_is_reported_by_row_and_column_and_nothing_is_stored(round_, spec):
    header = ["Organisation", "Q1. I can explain in one sentence what this partnership is for.", "trust-rely", "works"]
    rows = [
        header,
        ["Northshire Mind", "4", "5", "Fine"],
        ["Northshire Mind", "7", "Agree", ""],
        ["Northshire Mnd", "3", "3", ""],
        ["Southvale Carers", "3", "3", ""],
        ["Northshire Mind", "", "n/a", ""],
        ["Age UK Northshire", "4", "sometimes", "x" * 4001],
    ]
    result = import_file(ACTOR, round_, csv_bytes(rows), "bad.csv")
    assert result.imported == 0 and not Response.objects.exists()
    errors = errors_of(result)
    assert errors[0].startswith(
        "row 3, column Q1. I can explain in one sentence what this partnership is for.: '7' is not an answer"
    )
    assert errors[1].startswith(
        "row 4, column Organisation: 'Northshire Mnd' is not an organisation in this workspace. "
        "Did you mean Northshire Mind?"
    )
    assert errors[2] == (
        "row 5, column Organisation: Southvale Carers is not a member of Dementia Pathway, so its answers cannot "
        "count in this round: correct the row, or add Southvale Carers to the partnership first."
    )
    assert errors[3] == "row 6: It has no answers: remove the row, or fill in the answers."
    assert errors[4].startswith("row 7, column trust-rely: 'sometimes' is not an answer")
    assert errors[5] == "row 7, column works: A comment can be at most 4,000 characters; this one has 4,001."
    assert len(errors) == 6 and result.invalid_rows == 5
    assert result.verdict == "Nothing was written: 5 rows of 6 are invalid. Correct the file and import it again."


def test_organisations_are_found_by_name_or_identifier_and_may_be_left_blank(round_):
    rows = [["org", "trust-rely"], ["northshire  MIND", "4"], ["rx4", "4"], ["", "4"]]
    result = read_file(round_, csv_bytes(rows), "f.csv")
    assert result.ok, result.problems
    assert result.organisations == {"Northshire Mind": 1, "Northshire Community NHS Trust": 1}
    assert result.without_organisation == 1
    assert "no organisation given (1)" in result.summary[0]


def test_a_file_without_an_organisation_column_is_imported_for_the_whole_round(round_, spec):
    result = import_file(ACTOR, round_, keys_file(spec, [all_items(spec, 4, 2)], organisation=False), "f.csv")
    assert result.imported == 1
    assert Response.objects.get().organisation_id is None


def test_unknown_columns_are_refused_by_name_unless_ignored(round_, spec):
    row = ["Northshire Mind", *all_items(spec, "4", "2"), "x", "y"]
    data = keys_file(spec, [row], extra_headers=["Department", "Team size"])
    result = read_file(round_, data, "f.csv")
    assert not result.ok and not result.errors
    assert result.refusals[0].startswith("The file has columns Keel does not recognise: Department, Team size.")
    assert "--ignore-column NAME" in result.refusals[0]
    ignored = read_file(round_, data, "f.csv", ignore=["department", "TEAM SIZE", "Region"])
    assert ignored.ok, ignored.problems
    assert "Ignored as asked: Department, Team size." in ignored.summary
    assert "No column is called 'Region', so there was nothing to ignore by that name." in ignored.warnings


def test_a_file_with_no_statement_columns_is_refused(round_):
    result = read_file(round_, csv_bytes([["Organisation", "Score"], ["Northshire Mind", "4"]]), "f.csv")
    assert not result.ok and not result.responses
    assert any(
        r.startswith("No column of the file is a statement of Partnership health check") for r in result.refusals
    )
    assert (
        "'purpose-clear'" in result.refusals[-1]
        and "The file's columns are: Organisation, Score." in result.refusals[-1]
    )


def test_two_columns_for_one_statement_are_refused(round_, spec):
    rows = [["trust-rely", "I can rely on partners to do what they say they will do."], ["4", "4"]]
    result = read_file(round_, csv_bytes(rows), "f.csv")
    assert result.refusals == [
        "The columns 'trust-rely' and 'I can rely on partners to do what they say they will do.' both answer "
        "the statement 'trust-rely': keep one of them."
    ]


def test_missing_statements_are_noted_and_count_as_not_answered(round_):
    result = read_file(round_, csv_bytes([["trust-rely"], ["4"]]), "f.csv")
    assert result.ok
    assert any(w.startswith("These statements have no column in the file") for w in result.warnings)


def test_title_rows_and_a_repeated_header_row_are_skipped(round_):
    rows = [
        ["Partnership survey export", ""],
        ["Respondent ID", "I can rely on partners to do what they say they will do."],
        ["", "Response"],
        ["1001", "Agree"],
    ]
    result = read_file(round_, csv_bytes(rows), "monkey.csv")
    assert result.ok, result.problems
    assert [row["answers"] for row in result.responses] == [{"trust-rely": 4}]
    assert any("repeats the headers" in warning for warning in result.warnings)


def test_two_identical_rows_are_two_respondents(round_, spec):
    row = all_items(spec, "4", "2")
    assert import_file(ACTOR, round_, keys_file(spec, [["Northshire Mind", *row]] * 2), "f.csv").imported == 2


def test_the_same_file_is_not_imported_twice_into_a_round(round_, spec):
    data = keys_file(spec, [["Northshire Mind", *all_items(spec, "4", "2")]])
    assert import_file(ACTOR, round_, data, "first.csv").imported == 1
    again = import_file(ACTOR, round_, data, "renamed.csv")
    assert again.imported == 0 and Response.objects.count() == 1
    assert again.refusals[0].startswith("This file was already imported into this round on ")
    assert "would count the same respondents twice" in again.refusals[0]
    changed = data + b"Age UK Northshire," + ",".join(all_items(spec, "3", "3")).encode() + b"\r\n"
    assert import_file(ACTOR, round_, changed, "more.csv").imported == 2


def test_a_second_import_found_only_under_the_lock_is_refused(round_, spec, monkeypatch):
    data = keys_file(spec, [["Northshire Mind", *all_items(spec, "4", "2")]])
    import_file(ACTOR, round_, data, "first.csv")
    real = survey_files.previous_import
    calls = []

    def first_misses(round_, digest):  # as if another import finished between the check and the write
        calls.append(digest)
        return None if len(calls) == 1 else real(round_, digest)

    monkeypatch.setattr(survey_files, "previous_import", first_misses)
    with pytest.raises(ServiceError, match="already imported"):
        import_file(ACTOR, round_, data, "first.csv")
    assert Response.objects.count() == 1


def test_imported_answers_change_the_rounds_scores(round_, spec):
    best = all_items(spec, "5", "1")  # the best answer everywhere, reverse-scored statements included
    rows = [[name, *best] for name in MEMBERS for _ in range(3)]
    import_file(ACTOR, round_, keys_file(spec, rows), "best.csv")
    round_.refresh_from_db()
    assert round_.response_count == 9
    assert round_.summary["overall"] == pytest.approx(5.0)
    assert all(mean == pytest.approx(5.0) for mean, _, _ in round_.summary["dimensions"].values())
    scores = services.score_round(round_)
    assert len([g for g in scores.organisations if g.respondents >= 3]) == 3
    worst = [["Age UK Northshire", *all_items(spec, "1", "5")] for _ in range(3)]
    import_file(ACTOR, round_, keys_file(spec, worst), "worst.csv")
    round_.refresh_from_db()
    assert round_.response_count == 12 and round_.summary["overall"] == pytest.approx(4.0)


def test_an_unreadable_file_is_refused_whole(round_):
    from keel.common.spreadsheets import FileRefused

    with pytest.raises(FileRefused, match="empty"):
        read_file(round_, b"", "empty.csv")
    with pytest.raises(FileRefused, match="no rows of data under it"):
        read_file(round_, csv_bytes([["trust-rely"]]), "header-only.csv")


# The command -----------------------------------------------------------------------------------


def command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_file_into_a_round(round_, workspace_a):
    path = str(DATA / "responses-google-forms.csv")
    out, _ = command("responses", path, "--round", str(round_.pk), "--workspace", workspace_a.slug, "--dry-run")
    assert "(dry run: nothing will be written)" in out
    assert "Nothing was written yet. The file is ready to import: 5 responses." in out
    assert (
        "Column 'How far do you agree with each statement? [Partners often pull in different directions.]' "
        "→ item purpose-unclear" in out
    )
    assert not Response.objects.exists()
    out, _ = command("responses", path, "--round", str(round_.pk), "--workspace", workspace_a.slug)
    assert f"Importing responses from responses-google-forms.csv into round {round_.pk}" in out
    assert "Columns read: 25 statements, 3 questions, the respondent's organisation." in out
    assert "Column '" not in out  # which column is which statement: on a dry run, or with -v 2
    assert "Respondents: 5, from Age UK Northshire (1)" in out and "Email Address" in out
    assert "Imported 5 responses." in out and "The round now has 5 responses." in out
    with pytest.raises(CommandError, match="Nothing was written: the file cannot be imported"):
        command("responses", path, "--round", str(round_.pk), "--workspace", workspace_a.slug)


def test_the_command_lists_every_problem_and_refuses(round_, spec, workspace_a, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(keys_file(spec, [["Northshire Mind", *(["7"] + all_items(spec, "4", "2")[1:])]], ["Notes"]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="cannot be imported as it is and 1 row of 1 is invalid"):
        call_command("import", "responses", str(path), "--round", str(round_.pk), stdout=out)
    assert "The file has columns Keel does not recognise: Notes." in out.getvalue()
    assert "row 2, column purpose-clear: '7' is not an answer on the scale" in out.getvalue()
    path.write_bytes(keys_file(spec, [["Northshire Mind", *all_items(spec, "4", "2")]], ["Notes"]))
    with pytest.raises(CommandError, match="Nothing was written"):
        command("responses", str(path), "--round", str(round_.pk))
    out, _ = command("responses", str(path), "--round", str(round_.pk), "--ignore-column", "notes")
    assert "Ignored as asked: Notes." in out and "Imported 1 response." in out


def test_the_command_needs_a_round_of_the_workspace(round_, workspace_a, workspace_b, actor, tmp_path):
    from keel.core.tenancy import workspace_scope

    path = str(DATA / "responses-google-forms.csv")
    with pytest.raises(CommandError, match="needs --round ID"):
        command("responses", path, "--workspace", workspace_a.slug)
    with workspace_scope(workspace_b):
        services.ensure_builtin_instruments()
    with pytest.raises(CommandError, match=f"No round {round_.pk} in workspace southvale-network."):
        command("responses", path, "--round", str(round_.pk), "--workspace", workspace_b.slug)
    with pytest.raises(CommandError, match="--skip-invalid does not apply to responses"):
        command("responses", path, "--round", str(round_.pk), "--workspace", workspace_a.slug, "--skip-invalid")
    with pytest.raises(CommandError, match="There is no file"):
        command("responses", str(tmp_path / "missing.csv"), "--round", str(round_.pk), "--workspace", workspace_a.slug)
    (tmp_path / "junk.csv").write_bytes(os.urandom(2000))
    with pytest.raises(CommandError, match="junk.csv: The file"):
        command("responses", str(tmp_path / "junk.csv"), "--round", str(round_.pk), "--workspace", workspace_a.slug)


def test_the_register_kinds_still_import_and_unknown_kinds_list_all(scope_a, workspace_a, tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_bytes(b"name\nNorthshire Mind\n")
    out, _ = command("organisations", str(path), "--workspace", workspace_a.slug)
    assert "Imported 1 row." in out
    with pytest.raises(
        CommandError, match="it imports organisations, people, partnerships, measurements, instrument and responses"
    ):
        command("widgets", str(path), "--workspace", workspace_a.slug)
    with pytest.raises(CommandError, match="--round does not apply to organisations"):
        command("organisations", str(path), "--workspace", workspace_a.slug, "--round", "1")


@pytest.mark.slow
def test_the_keel_command_reports_a_bad_file_without_a_traceback(tmp_path):
    env = {**os.environ, "KEEL_DATA_DIR": str(tmp_path / "data"), "PYTHONWARNINGS": "ignore"}
    env.pop("DATABASE_URL", None)

    def keel(*args):
        return subprocess.run(
            [sys.executable, "-m", "keel", *args], env=env, capture_output=True, text=True, timeout=120
        )

    assert keel("migrate", "-v0").returncode == 0
    setup = (
        "from keel.core.services import create_workspace; from keel.core.tenancy import workspace_scope; "
        "from keel.register import services as r; from keel.assessments import services as a; "
        "from keel.core.changelog import Actor; import datetime as dt; ws = create_workspace(Actor(), 'Northshire')\n"
        "with workspace_scope(ws):\n"
        "    orgs = [r.save_organisation(Actor(), {'name': n}) for n in ('Northshire Mind', 'Age UK Northshire')]\n"
        "    p = r.save_partnership(Actor(), {'name': 'P', 'status': 'active'}, organisations=orgs)\n"
        "    t = dt.date.today(); a.create_round(Actor(), p, a.health_check(), t, t, invitees=[], open_limit=5)"
    )
    assert keel("shell", "-c", setup).returncode == 0
    (tmp_path / "bad.csv").write_text("Organisation,trust-rely\nNowhere,4\n", encoding="utf-8")
    result = keel("import", "responses", str(tmp_path / "bad.csv"), "--round", "1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "row 2, column Organisation: 'Nowhere' is not an organisation in this workspace." in result.stdout
    assert result.stderr.startswith("keel: Nothing was written: 1 row of 1 is invalid.")
