"""Benchmark: scoring a big round, and the latest health of every partnership of the large demo.

    KEEL_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/assessments.py [--runs 7] [--no-demo]

In a fresh database (SQLite in KEEL_DATA_DIR, or DATABASE_URL):
1. scores a round of 1,000 responses to a 30-item instrument made up here: the plain
   scoring function alone, then `services.score_round` reading the responses from the
   database too. Both against the issue's budget of 200 ms, as PASS or FAIL.
2. builds the large demo (5,000 partnerships, about 200,000 responses) and reads the latest
   health of all 5,000 partnerships with `keel.assessments.queries.latest_health`, with the
   number of queries it made (the issue asks for no query per partnership).
Each figure is the median, min and max of repeated runs. Not part of the test suite: timings
belong here.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")

from timing import report, timed  # noqa: E402

BUDGET_MS = 200
RESPONSES = 1000
ITEMS = 30
DIMENSIONS = 10


def verdict(times, budget_ms):
    median = statistics.median(times) * 1000
    return f"  {'PASS' if median < budget_ms else 'FAIL'} (budget {budget_ms} ms)"


def thirty_items() -> str:
    """A 30-item instrument in Keel's definition format: 10 dimensions of 3, every 7th item reversed."""
    import yaml

    return yaml.safe_dump(
        {
            "id": "benchmark-thirty",
            "title": "Benchmark instrument of thirty statements",
            "dimensions": [{"key": f"d{d}", "label": f"Dimension {d}"} for d in range(DIMENSIONS)],
            "items": [
                {
                    "key": f"i{n}",
                    "statement": f"Statement {n}.",
                    "dimension": f"d{n % DIMENSIONS}",
                    "reverse": n % 7 == 0,
                }
                for n in range(ITEMS)
            ],
            "prompts": [{"key": "works", "text": "What works well?"}],
        }
    )


def responses(definition, organisations):
    """1,000 believable response rows: mostly 3–5, one in ten answers not applicable."""
    rng = random.Random(1000)
    rows = []
    for n in range(RESPONSES):
        answers = {item.key: None if rng.random() < 0.1 else rng.choice((2, 3, 4, 4, 5)) for item in definition.items}
        rows.append({"organisation_id": organisations[n % len(organisations)].pk, "answers": answers})
    return rows


def bench_scoring(runs):
    from keel.assessments import scoring, services
    from keel.core.changelog import Actor
    from keel.core.services import create_workspace
    from keel.core.tenancy import workspace_scope
    from keel.register import services as register

    actor = Actor(via="benchmark")
    workspace = create_workspace(actor, f"Scoring benchmark {time.time_ns()}")
    with workspace_scope(workspace):
        instrument, _ = services.load_instrument(actor, thirty_items())
        definition = instrument.spec
        organisations = [
            register.save_organisation(actor, {"name": f"Organisation {i}", "sector": "Charity"}) for i in range(8)
        ]
        partnership = register.save_partnership(
            actor, {"name": "Benchmark partnership", "status": "active"}, organisations=organisations
        )
        today = dt.date.today()
        round_, _ = services.create_round(
            actor, partnership, instrument, today, today + dt.timedelta(days=14), invitees=[], open_limit=RESPONSES
        )
        rows = responses(definition, organisations)
        services.import_responses(actor, round_, rows, "the benchmark")
        pairs = [(row["organisation_id"], row["answers"]) for row in rows]

        def score():
            return scoring.round_scores(definition, pairs, workspace.anonymity_threshold)

        assert score().respondents == RESPONSES
        times = timed(score, runs)
        report(f"scoring: {RESPONSES} responses x {ITEMS} items", times, verdict(times, BUDGET_MS))
        times = timed(lambda: services.score_round(round_), runs)
        report("score_round: the same, read from the database", times, verdict(times, BUDGET_MS))


def bench_latest_health(runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keel.assessments.models import AssessmentRound, Response
    from keel.core.tenancy import workspace_scope
    from keel.portfolio.demo.build import build_demo
    from keel.register.models import Partnership

    try:
        from keel.assessments.queries import latest_health
    except ImportError:
        print("latest health: skipped, keel.assessments.queries.latest_health is not there yet")
        return
    start = time.perf_counter()
    workspace = build_demo(size="large", seed=1, name=f"Assessments benchmark {time.time_ns()}")
    report("build_demo('large') (one run)", [time.perf_counter() - start])
    with workspace_scope(workspace):
        ids = list(Partnership.objects.values_list("pk", flat=True))
        rounds, sent = AssessmentRound.objects.count(), Response.objects.count()
        print(f"large demo: {len(ids)} partnerships, {rounds} rounds, {sent} responses")
        with CaptureQueriesContext(connection) as queries:
            health = latest_health(ids)
        times = timed(lambda: latest_health(ids), runs)
        extra = f"  {len(queries)} queries, {len(health)} partnerships with a score"
        report(f"latest_health of all {len(ids)} partnerships", times, extra)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-demo", action="store_true", help="only the scoring benchmark")
    options = parser.parse_args()
    runs = max(7, options.runs)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    bench_scoring(runs)
    if not options.no_demo:
        bench_latest_health(runs)
    print(f"database: {connection.vendor}; runs per figure: {runs}")


if __name__ == "__main__":
    sys.exit(main())
