"""Instrument definitions: each mistake named with its line; Keel's health check; versions; the command."""

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from keel.assessments import importers, services
from keel.assessments.definitions import DefinitionError, parse_definition
from keel.assessments.instrument_views import definition_yaml
from keel.assessments.models import Instrument
from keel.common.importing import run_import
from keel.core.changelog import Actor
from keel.core.services import ServiceError

DATA = Path(__file__).parent.parent / "data"
HEALTH_CHECK = services.BUILTIN_DIR / "keel-health-check.yaml"

# A valid definition; each test changes one thing. Line numbers are on the right.
BASE = """\
id: team-climate
title: Team climate check
dimensions:
  - key: voice
    label: Voice
  - key: pace
    label: Pace
items:
  - key: voice-heard
    dimension: voice
    statement: My ideas are listened to.
  - key: pace-steady
    dimension: pace
    statement: Joint work moves at a steady pace.
    reverse: false
prompts:
  - key: one-change
    text: What would help most?
"""


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text)
    return caught.value.problems


def test_the_base_definition_is_valid():
    definition = parse_definition(BASE)
    assert [d.key for d in definition.dimensions] == ["voice", "pace"]
    assert [i.key for i in definition.items] == ["voice-heard", "pace-steady"]
    assert definition.scale[5] == "Strongly agree" and definition.not_applicable == "Not applicable / don't know"


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "dimension: voice\n",
            "dimension: noise\n",
            "line 10: item 'voice-heard' belongs to dimension 'noise', which is not in the dimensions list.",
        ),
        ("key: pace-steady", "key: voice-heard", "line 12: key 'voice-heard' is used twice (first on line 9)."),
        ("key: pace\n", "key: voice\n", "line 6: key 'voice' is used twice (first on line 4)."),
        (
            "statement: My ideas are listened to.",
            'statement: "  "',
            "line 11: 'statement' of item 'voice-heard' is empty.",
        ),
        (
            "    statement: My ideas are listened to.\n",
            "",
            "line 9: item 'voice-heard' has no 'statement'.",
        ),
        (
            "key: voice-heard",
            "key: Voice/Heard",
            "line 9: key 'Voice/Heard' of an item: use letters, digits, '-' and '_' only (spaces become '-'), "
            "at most 60, starting with a letter or digit.",
        ),
        (
            "reverse: false",
            "reverse: perhaps",
            "line 15: 'reverse' of item 'pace-steady' should be true or false, not 'perhaps'.",
        ),
        (
            "key: one-change",
            "key: pace-steady",
            "line 17: prompt key 'pace-steady' is also an item key; each key must be unique.",
        ),
        ("title: Team climate check\n", "", "line 1: the definition has no 'title'."),
        (
            "id: team-climate",
            "id: Team Climate!",
            "line 1: id 'Team Climate!': use letters, digits, '-' and '_' only (spaces become '-'), "
            "at most 60, starting with a letter or digit.",
        ),
        ("prompts:", "questions:", "line 16: 'questions' is not part of the format"),
        ("    label: Pace\n", "", "line 6: dimension 'pace' has no 'label'."),
    ],
    ids=[
        "unknown-dimension",
        "duplicate-item-key",
        "duplicate-dimension-key",
        "empty-statement",
        "missing-statement",
        "bad-key-characters",
        "bad-reverse",
        "prompt-item-clash",
        "missing-title",
        "bad-id",
        "unknown-field",
        "missing-label",
    ],
)
def test_each_mistake_is_named_with_its_line(old, new, expected):
    assert old in BASE
    found = problems(BASE.replace(old, new, 1))
    assert any(problem.startswith(expected) for problem in found), found


def test_a_dimension_without_items_is_named_with_its_line():
    text = BASE.replace("dimension: pace", "dimension: voice")
    assert problems(text) == ["line 6: dimension 'pace' has no items; give it at least one or remove it."]


def test_missing_or_empty_items_are_refused():
    without = BASE.split("items:")[0] + "prompts: []\n"
    assert "line 1: the definition has no 'items' list." in problems(without)
    empty = BASE.split("items:")[0] + "items: []\n"
    assert "line 8: 'items' is empty." in problems(empty)
    assert "line 8: 'items' should be a list, each entry starting with '- '." in problems(
        BASE.split("items:")[0] + "items: voice-heard\n"
    )


@pytest.mark.parametrize(
    "scale, expected",
    [
        (
            "scale:\n  1: Never\n  2: Rarely\n",
            "line 4: the scale needs a label for every point 1 to 5; missing 3, 4, 5.",
        ),
        (
            "scale:\n  1: a\n  2: b\n  3: c\n  4: d\n  5: e\n  7: f\n",
            "line 9: the scale has points 1 to 5 and 'na'; '7' is not one of them.",
        ),
        ("scale:\n  1: a\n  2: b\n  3: c\n  4: d\n  5: A\n", "line 4: two points of the scale have the same label"),
        ("scale:\n  1: ''\n  2: b\n  3: c\n  4: d\n  5: e\n", "line 4: scale point 1 has no label."),
        ("scale: agree\n", "line 3: the scale should be a set of 'name: value' lines."),
    ],
    ids=["missing-points", "unknown-point", "same-label", "empty-label", "not-a-mapping"],
)
def test_a_bad_scale_is_named_with_its_line(scale, expected):
    text = BASE.replace("dimensions:", scale + "dimensions:", 1)
    found = problems(text)
    assert any(problem.startswith(expected) for problem in found), found


def test_a_scale_of_its_own_with_its_not_applicable_label():
    definition = parse_definition((DATA / "instrument-team-climate.yaml").read_text(encoding="utf-8"))
    assert definition.scale == {1: "Never", 2: "Rarely", 3: "Sometimes", 4: "Often", 5: "Always"}
    assert definition.not_applicable == "Can't say"
    assert [i.reverse for i in definition.items] == [False, True, False, True]
    assert definition.version == "2024.1"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("id: a\ntitle: [unclosed\n", "line 3: this is not valid YAML or JSON"),
        ("id: a\n  title: b\n", "line 2: this is not valid YAML or JSON (mapping values are not allowed here)."),
        ("", "line 1: the file is empty."),
        ("- just\n- a list\n", "line 1: the definition should be a set of 'name: value' lines."),
        ("just words", "line 1: the definition should be a set of 'name: value' lines."),
    ],
)
def test_text_that_is_not_a_definition(text, expected):
    found = problems(text)
    assert found[0].startswith(expected), found


def test_json_definitions_are_read_with_line_numbers():
    definition = {
        "id": "team-climate",
        "title": "Team climate check",
        "scale": {"1": "Never", "2": "Rarely", "3": "Sometimes", "4": "Often", "5": "Always", "na": "Can't say"},
        "dimensions": [{"key": "voice", "label": "Voice"}, {"key": "pace", "label": "Pace"}],
        "items": [
            {"key": "voice-heard", "dimension": "voice", "statement": "My ideas are listened to."},
            {
                "key": "pace-steady",
                "dimension": "pace",
                "statement": "Joint work moves at a steady pace.",
                "reverse": True,
            },
        ],
    }
    text = json.dumps(definition, indent=2)
    read = parse_definition(text)
    assert read.scale[4] == "Often" and read.not_applicable == "Can't say" and read.items[1].reverse
    wrong = text.replace('"dimension": "pace"', '"dimension": "speed"')
    line = next(n for n, row in enumerate(wrong.splitlines(), start=1) if '"speed"' in row)
    assert line > 20
    assert problems(wrong) == [
        f"line {line}: item 'pace-steady' belongs to dimension 'speed', which is not in the dimensions list.",
        "line 18: dimension 'pace' has no items; give it at least one or remove it.",
    ]
    broken = text[: text.index('"items"')] + '"items": [\n'
    assert problems(broken)[0].startswith(f"line {broken.count(chr(10)) + 1}: this is not valid YAML or JSON")


def test_a_file_of_many_mistakes_names_every_one():
    found = importers.sorted_problems(problems((DATA / "instrument-mistakes.yaml").read_text(encoding="utf-8")))
    assert [problem.split(":")[0] for problem in found] == [
        "line 1",
        "line 4",
        "line 7",
        "line 11",
        "line 13",
        "line 17",
        "line 19",
        "line 21",
        "line 22",
        "line 25",
        "line 27",
    ]


# Keel's own health check ---------------------------------------------------------------------


def test_the_shipped_health_check_is_a_short_complete_questionnaire():
    definition = parse_definition(HEALTH_CHECK.read_text(encoding="utf-8"))
    assert len(definition.dimensions) == 10
    assert {d.label for d in definition.dimensions} >= {"Shared purpose", "Trust", "Respect", "Communication"}
    assert all(len(definition.items_of(d.key)) >= 2 for d in definition.dimensions)
    assert 3 <= sum(item.reverse for item in definition.items) < len(definition.items) // 2
    assert [p.key for p in definition.prompts] == ["works", "does-not-work", "would-help"]
    assert len(definition.items) <= 30  # under ten minutes at about 15 seconds a statement
    assert all(len(item.statement) <= 120 for item in definition.items)


def test_a_downloaded_definition_loads_back_as_the_same(scope_a):
    for path in [HEALTH_CHECK, DATA / "instrument-team-climate.yaml"]:
        instrument, _ = services.load_instrument(Actor(via="test"), path.read_text(encoding="utf-8"))
        text = definition_yaml(instrument)
        assert text.startswith(f"# {instrument.title}: version {instrument.version} in Keel.")
        assert parse_definition(text).to_data() == instrument.definition


# Files and versions --------------------------------------------------------------------------


def test_definition_files_are_utf8_with_or_without_a_byte_order_mark():
    assert importers.definition_text(b"\xef\xbb\xbfid: caf\xc3\xa9\n") == "id: café\n"
    with pytest.raises(ServiceError, match=r"not UTF-8 text \(line 2 .*Windows-1252\): save it as UTF-8"):
        importers.definition_text(b"id: a\ntitle: caf\xe9\n")
    with pytest.raises(ServiceError, match="UTF-16"):
        importers.definition_text("id: a".encode("utf-16"))
    with pytest.raises(ServiceError, match="not text"):
        importers.definition_text(b"PK\x03\x04 a workbook")


def _round(actor, instrument, make_partnership):
    from keel.register import services as register

    partnership = make_partnership()
    person = register.save_person(actor, {"name": "Sam", "organisation": partnership.members.first().organisation})
    today = dt.date.today()
    made, _ = services.create_round(actor, partnership, instrument, today, today, invitees=[person])
    return made


def test_a_definition_is_new_then_unchanged_then_updated_until_a_round_uses_it(scope_a, actor, make_partnership):
    text = (DATA / "instrument-team-climate.yaml").read_text(encoding="utf-8")
    first, outcome = services.load_instrument(actor, text)
    assert outcome == "new" and first.version == 1
    assert importers.describe_load(first, outcome) == (
        "Loaded Team climate check as a new instrument, version 1: 2 dimensions, 4 statements, 1 question."
    )
    same, outcome = services.load_instrument(actor, text)
    assert (same.pk, outcome) == (first.pk, "unchanged")
    assert importers.describe_load(same, outcome) == (
        "Team climate check is unchanged: version 1 already holds exactly this definition."
    )
    changed = text.replace("My ideas are listened to", "My ideas are heard")
    updated, outcome = services.load_instrument(actor, changed)
    assert (updated.pk, updated.version, outcome) == (first.pk, 1, "updated")
    assert (
        importers.describe_load(updated, outcome)
        == "Updated Team climate check version 1 in place: no round uses it yet."
    )

    old_round = _round(actor, updated, make_partnership)
    newer, outcome = services.load_instrument(actor, changed.replace("steady pace", "good pace"))
    assert outcome == "new version" and newer.version == 2 and newer.pk != first.pk
    assert importers.describe_load(newer, outcome) == (
        "Loaded Team climate check as version 2: version 1 is used by 1 round and is kept. New rounds use version 2."
    )
    old_round.refresh_from_db()
    assert old_round.instrument_id == first.pk
    assert "My ideas are heard in joint meetings." in [i.statement for i in old_round.instrument.spec.items]
    assert "Joint work moves at a steady pace." in [i.statement for i in old_round.instrument.spec.items]
    again, outcome = services.load_instrument(actor, changed.replace("steady pace", "good pace"))
    assert (again.pk, outcome) == (newer.pk, "unchanged")


def test_a_definition_is_an_import_kind_with_a_dry_run(scope_a, actor):
    text = (DATA / "instrument-team-climate.yaml").read_bytes()
    dry = run_import("instrument", text, "team.yaml", actor, dry_run=True)
    assert dry.verdict.startswith("Dry run: nothing was written. Loading team.yaml would say: Loaded Team climate")
    assert not dry.written and not Instrument.objects.filter(key="team-climate").exists()
    loaded = run_import("Instruments", text, "team.yaml", actor)
    assert loaded.written and loaded.instrument == Instrument.objects.get(key="team-climate")
    assert loaded.counts == {"instrument": {"created": 1}}
    wrong = run_import("instrument", (DATA / "instrument-mistakes.yaml").read_bytes(), "bad.yaml", actor)
    assert len(wrong.refusals) == 11 and wrong.failed and not wrong.written


# The command ---------------------------------------------------------------------------------


def command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_keel_import_instrument_says_what_happened(scope_a, workspace_a, actor, make_partnership, tmp_path):
    path = DATA / "instrument-team-climate.yaml"
    out, _ = command("instrument", str(path), "--workspace", workspace_a.slug, "--dry-run")
    assert out.startswith("Dry run: nothing was written. Loading instrument-team-climate.yaml would say: Loaded")
    assert not Instrument.objects.filter(key="team-climate").exists()
    out, _ = command("instrument", str(path))
    assert out.startswith("Loaded Team climate check as a new instrument, version 1")
    assert command("instrument", str(path))[0].startswith("Team climate check is unchanged")
    _round(actor, Instrument.objects.get(key="team-climate"), make_partnership)
    changed = tmp_path / "changed.yaml"
    changed.write_text(path.read_text(encoding="utf-8").replace("steady pace", "good pace"), encoding="utf-8-sig")
    out, _ = command("Instruments", str(changed))
    assert out.startswith("Loaded Team climate check as version 2: version 1 is used by 1 round and is kept.")


def test_keel_import_instrument_lists_every_problem_by_line(scope_a, workspace_a, tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"instrument-mistakes.yaml was not loaded: correct the 11 problems above"):
        call_command("import", "instrument", str(DATA / "instrument-mistakes.yaml"), stderr=err)
    lines = err.getvalue().splitlines()
    assert (
        len(lines) == 11
        and lines[0]
        == "keel: line 1: id 'Team Climate!': use letters, digits, '-' and '_' only "
        "(spaces become '-'), at most 60, starting with a letter or digit."
    )
    assert (
        "keel: line 17: item 'voice-heard' belongs to dimension 'voise', which is not in the dimensions list." in lines
    )
    (tmp_path / "latin1.yaml").write_bytes(b"id: a\ntitle: caf\xe9\n")
    with pytest.raises(CommandError, match="latin1.yaml: The file is not UTF-8 text"):
        command("instrument", str(tmp_path / "latin1.yaml"))
    with pytest.raises(CommandError, match="--round does not apply to an instrument"):
        command("instrument", str(DATA / "instrument-team-climate.yaml"), "--round", "3")
    assert not Instrument.objects.filter(key="team-climate").exists()


@pytest.mark.slow
def test_keel_import_instrument_refuses_without_a_traceback(tmp_path):
    env = {**os.environ, "KEEL_DATA_DIR": str(tmp_path / "data"), "PYTHONWARNINGS": "ignore"}
    env.pop("DATABASE_URL", None)

    def keel(*args):
        return subprocess.run(
            [sys.executable, "-m", "keel", *args], env=env, capture_output=True, text=True, timeout=120
        )

    assert keel("migrate", "-v0").returncode == 0
    assert keel("workspace", "create", "Northshire").returncode == 0
    result = keel("import", "instrument", str(DATA / "instrument-mistakes.yaml"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "keel: line 17: item 'voice-heard' belongs to dimension 'voise'" in result.stderr
    loaded = keel("import", "instrument", str(DATA / "instrument-team-climate.yaml"))
    assert loaded.returncode == 0 and loaded.stdout.startswith("Loaded Team climate check as a new instrument")


def test_keys_are_forgiving_about_case_and_spacing():
    text = BASE.replace("id: team-climate", "id: Team Climate").replace("key: voice-heard", "key: Voice Heard")
    text = text.replace("dimension: pace", "dimension: Pace ")
    definition = parse_definition(text)
    assert definition.id == "team-climate"
    assert [i.key for i in definition.items] == ["voice-heard", "pace-steady"]
    assert [i.dimension for i in definition.items] == ["voice", "pace"]
