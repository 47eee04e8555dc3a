"""`keel rounds`: the rounds of a workspace with the ids that `keel import responses --round` needs."""

import io

import pytest
from django.core.management import CommandError, call_command

from keel.assessments import services


def rounds(*args):
    out = io.StringIO()
    call_command("rounds", *args, stdout=out)
    return out.getvalue()


def test_rounds_are_listed_with_their_ids_states_and_answers(open_round, actor, workspace_b):
    invitation = open_round.invitations.first()
    services.submit_response(invitation, {"trust-rely": "4"}, {})
    text = rounds("--workspace", open_round.workspace.slug)
    header, rule, row, total = text.splitlines()
    assert header.split()[:3] == ["id", "partnership", "instrument"]
    assert row.split()[:3] == [str(open_round.pk), *open_round.partnership.name.split()]
    assert row.split()[-4:] == ["open", "1", "/", "12"] and total == "1 round"


def test_rounds_can_be_narrowed_by_state_and_partnership(open_round, workspace_b):
    slug = open_round.workspace.slug
    assert rounds("--workspace", slug, "--state", "closed") == "No assessment rounds match.\n"
    name = open_round.partnership.name.upper()  # case and spacing are forgiven
    found = rounds("--workspace", slug, "--partnership", f"  {name} ").splitlines()
    assert found[2].split()[0] == str(open_round.pk) and found[-1] == "1 round"
    assert rounds("--workspace", slug, "--partnership", "nothing like it") == "No assessment rounds match.\n"


def test_an_unknown_round_points_to_keel_rounds(open_round, workspace_b, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("trust-rely\n4\n", encoding="utf-8")
    with pytest.raises(CommandError, match="`keel rounds` lists its rounds"):
        call_command("import", "responses", str(path), "--round", "999999", "--workspace", open_round.workspace.slug)
