"""The audit's health columns, and the anonymity rule holding through `keel audit --format json`.

The property test builds random rounds (random respondents per organisation, some below the
threshold, random answers with many "not applicable") through the services, then checks the
audit document against scores recomputed here from the raw responses, by a second, plain
reading of the scoring rules: no score in the audit may rest on fewer respondents than the
workspace's anonymity threshold.
"""

import csv
import datetime as dt
import io
import json
import random
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from keel.assessments import queries, services
from keel.assessments.models import Response
from keel.core.services import update_settings
from keel.portfolio.audit import audit_document, health_check_dimensions


def add_round(actor, partnership, opens_on, rows):
    round_, _ = services.create_round(
        actor,
        partnership,
        services.health_check(),
        opens_on,
        opens_on + dt.timedelta(days=14),
        open_limit=1000,
        check_dates=False,
    )
    if rows:
        services.import_responses(actor, round_, rows, "test")
    return round_


def all_at(spec, score):
    """Answers that give every dimension `score` (reverse-scored statements answered 6 − score)."""
    return {item.key: 6 - score if item.reverse else score for item in spec.items}


def random_answers(rng, spec, not_applicable):
    return {item.key: None if rng.random() < not_applicable else rng.randint(1, 5) for item in spec.items}


def recompute(spec, all_answers, threshold):
    """{dimension: mean} of the dimensions answered (half their statements or more) by enough people."""
    shown = {}
    for dimension in spec.dimensions:
        items = spec.items_of(dimension.key)
        scores = []
        for answers in all_answers:
            values = [
                6 - answers[i.key] if i.reverse else answers[i.key] for i in items if answers.get(i.key) is not None
            ]
            if values and 2 * len(values) >= len(items):
                scores.append(sum(values) / len(values))
        if len(scores) >= threshold:
            shown[dimension.key] = sum(scores) / len(scores)
    return shown


ROUND = st.fixed_dictionaries(
    {
        # Respondents of each of three member organisations, and of no stated organisation.
        "respondents": st.lists(st.integers(0, 5), min_size=4, max_size=4),
        "days_ago": st.integers(0, 700),
    }
)


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    threshold=st.integers(1, 5),
    rounds=st.lists(ROUND, min_size=1, max_size=3),
    not_applicable=st.sampled_from([0.0, 0.3, 0.6, 0.85]),
    raise_by=st.integers(0, 2),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_audit_never_shows_a_score_of_too_few_respondents(
    scope_a, actor, make_partnership, threshold, rounds, not_applicable, raise_by, seed
):
    rng = random.Random(seed)
    spec = services.health_check().spec
    with transaction.atomic():
        update_settings(actor, scope_a, {"anonymity_threshold": threshold})
        partnership = make_partnership(n=3)
        never = make_partnership(name="Never assessed")
        organisations = [m.organisation_id for m in partnership.members.all()] + [None]
        made = []
        for spec_round in rounds:
            rows = [
                {"organisation_id": org, "answers": random_answers(rng, spec, not_applicable), "comments": {}}
                for org, count in zip(organisations, spec_round["respondents"], strict=True)
                for _ in range(count)
            ]
            opens_on = dt.date(2026, 1, 1) - dt.timedelta(days=spec_round["days_ago"])
            made.append((add_round(actor, partnership, opens_on, rows), len(rows)))
        if raise_by:  # kept round scores are re-scored when the threshold changes
            update_settings(actor, scope_a, {"anonymity_threshold": threshold + raise_by})
        threshold = scope_a.anonymity_threshold

        document = json.loads(json.dumps(audit_document(scope_a)))  # what `keel audit --format json` prints
        rows = {row["id"]: row for row in document["partnerships"]}
        assert rows[never.pk]["health_score"] is None and rows[never.pk]["health_dimensions"] == {}
        row = rows[partnership.pk]
        answered = [(r, n) for r, n in made if n]
        if not answered:
            assert row["health_responses"] is None and row["health_score"] is None
            assert row["health_dimensions"] == {}
        else:
            latest, respondents = max(answered, key=lambda found: (found[0].opens_on, found[0].pk))
            raw = list(
                Response.objects.filter(round=latest, submitted_at__isnull=False).values_list("answers", flat=True)
            )
            assert row["health_responses"] == respondents == len(raw)
            assert row["health_round_date"] == latest.opens_on.isoformat()
            expected = recompute(spec, raw, threshold)
            event(f"{len(expected)} of 10 dimensions shown")
            assert set(row["health_dimensions"]) == set(expected)
            for key, score in row["health_dimensions"].items():
                assert score == pytest.approx(expected[key], abs=0.005)
            if respondents < threshold or not expected:
                assert row["health_score"] is None and row["health_band"] is None
            else:
                overall = sum(expected.values()) / len(expected)
                assert row["health_score"] == pytest.approx(overall, abs=0.005)
                assert row["health_band"] == services.workspace_bands().of(overall)
        transaction.set_rollback(True)


def test_a_summary_kept_under_a_lower_threshold_shows_no_more_than_the_current_one(scope_a, make_partnership, actor):
    spec = services.health_check().spec
    partnership = make_partnership(n=2)
    org = partnership.members.first().organisation_id
    rows = [{"organisation_id": org, "answers": all_at(spec, 4)} for _ in range(3)]
    add_round(actor, partnership, dt.date(2026, 3, 1), rows)
    assert queries.latest_health()[partnership.pk].overall == pytest.approx(4.0)
    scope_a.anonymity_threshold = 4  # as if raised without the kept scores being refreshed
    health = queries.latest_health()[partnership.pk]
    assert health.overall is None and health.dimensions == {} and health.band == ""


@pytest.fixture
def assessed(scope_a, actor, make_partnership):
    """One partnership with a round of three answers (all 4), one with two answers, one never assessed."""
    spec = services.health_check().spec
    scored, few = make_partnership("Scored"), make_partnership("Too few")
    make_partnership("Never assessed")
    for partnership, count in ((scored, 3), (few, 2)):
        org = partnership.members.first().organisation_id
        rows = [{"organisation_id": org, "answers": all_at(spec, 4)} for _ in range(count)]
        add_round(actor, partnership, dt.date(2026, 3, 1), rows)
    return scope_a


def run(**options):
    out = io.StringIO()
    call_command("audit", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_keel_audit_json_has_the_health_keys(assessed):
    rows = {row["name"]: row for row in json.loads(run(format="json"))["partnerships"]}
    scored = rows["Scored"]
    assert (scored["health_score"], scored["health_band"], scored["health_responses"]) == (4.0, "strength", 3)
    assert scored["health_round_date"] == "2026-03-01"
    assert scored["health_dimensions"] == dict.fromkeys(health_check_dimensions(), 4.0)
    few = rows["Too few"]
    assert (few["health_score"], few["health_band"], few["health_responses"]) == (None, None, 2)
    assert few["health_round_date"] == "2026-03-01" and few["health_dimensions"] == {}
    never = rows["Never assessed"]
    assert [never[key] for key in ("health_score", "health_band", "health_responses", "health_round_date")] == [
        None
    ] * 4


def test_keel_audit_csv_has_a_column_per_dimension(assessed):
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(run(format="csv")))}
    scored = rows["Scored"]
    assert (scored["health_score"], scored["health_band"], scored["health_responses"]) == ("4.00", "strength", "3")
    assert scored["health_round_date"] == "2026-03-01"
    assert scored["health_shared-purpose"] == "4.00" and scored["health_communication"] == "4.00"
    assert rows["Too few"]["health_score"] == "" and rows["Too few"]["health_responses"] == "2"
    assert rows["Too few"]["health_trust"] == ""
    assert rows["Never assessed"]["health_responses"] == ""
    header = run(format="csv").splitlines()[0].split(",")
    assert header[-10:] == [f"health_{key}" for key in health_check_dimensions()]


def test_keel_audit_table_shows_health(assessed):
    header, _, *lines, _ = run().splitlines()
    assert "Health" in header and "Band" in header and "Dimension scores" in header
    scored = next(line for line in lines if line.startswith(tuple("0123456789")) and "Scored" in line)
    assert (
        re.search(r"  4\.00 +strength +3 +2026-03-01  ", scored) and "shared-purpose 4.00; shared-values 4.00" in scored
    )
