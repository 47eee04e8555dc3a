"""Benchmark: Keel's advice (recommendation, next review, lapsed terms) for the whole large demo.

    KEEL_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/decisions.py [--runs 5]
    DATABASE_URL=postgres://… KEEL_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/decisions.py

Builds the large demo (5,000 partnerships) in a fresh database (SQLite in KEEL_DATA_DIR, or
DATABASE_URL), then times `keel.decisions.evidence.advise()` for every partnership at once —
what the audit page, `keel audit` and the reviews list ask for — and the partnership page's
own call for one partnership. Prints the median, min and max of repeated runs, the number of
queries each made (it must not grow with the portfolio), and how many partnerships got each
recommendation. Target: under 2 s for the 5,000. The CPU time of the process is printed
too: on a busy machine the wall clock also counts the turns of other processes. With
--existing, the newest workspace already in the database is timed instead of building one. Not part of the test suite.
"""

import argparse
import datetime as dt
import os
import sys
import time
from collections import Counter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")

from timing import large_demo_client, report, report_pages, timed  # noqa: E402


def counted(function):
    """The result of `function()` and the number of queries it made."""
    from django.db import connection

    queries = []

    def count(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        result = function()
    return result, len(queries)


def cpu_times(function, runs):
    """The CPU time of this process (Python and SQLite in it) for each of `runs` calls of `function`."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--existing", action="store_true", help="time the newest workspace already built")
    args = parser.parse_args()
    runs = args.runs

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from keel.activity.models import Meeting
    from keel.core.models import Workspace
    from keel.core.tenancy import workspace_scope
    from keel.decisions.evidence import advise
    from keel.register.models import Partnership

    if args.existing:
        workspace = Workspace.objects.order_by("-pk").first()
        client = signed_in(workspace)
    else:
        workspace, client = large_demo_client("Decisions benchmark")
    today = dt.date.today()
    with workspace_scope(workspace):
        advice, queries = counted(lambda: advise(today))
        report(
            f"advise() for all {len(advice):,} partnerships", timed(lambda: advise(today), runs), f"  {queries} queries"
        )
        # CPU time too: on a shared machine the wall clock also counts other processes' turns.
        report("  the same, CPU time of this process", cpu_times(lambda: advise(today), runs))
        pk = Partnership.objects.order_by("pk").values_list("pk", flat=True)[100]
        _, one = counted(lambda: advise(today, [pk]))
        report("advise() for one partnership (its page)", timed(lambda: advise(today, [pk]), runs), f"  {one} queries")
        # The review page and the partnership page of the busiest partnership (the most meetings).
        busiest = Meeting.objects.values("partnership").annotate(n=Count("pk")).order_by("-n", "partnership")[0]
        base = f"/w/{workspace.slug}/partnerships/{busiest['partnership']}/"
        report_pages(
            client,
            {
                f"review page, busiest partnership ({busiest['n']} meetings)": base + "review/",
                "its partnership page": base,
                "reviews list": f"/w/{workspace.slug}/reviews/",
            },
            runs,
        )
    tally = Counter(found.recommendation.label for found in advice.values())
    print("recommendations: " + "; ".join(f"{label} {n:,}" for label, n in tally.most_common()))
    overdue = sum(1 for found in advice.values() if found.review.overdue)
    lapsed = sum(1 for found in advice.values() if found.lapsed)
    print(f"reviews overdue: {overdue:,}; past their end terms: {lapsed:,}")
    print(f"database: {connection.vendor}; runs per figure: {runs}")


def signed_in(workspace):
    """A test client signed in as a new admin of `workspace`."""
    from django.test import Client

    from keel.core.changelog import Actor
    from keel.core.services import create_admin

    user, _ = create_admin(Actor(via="benchmark"), f"bench{time.time_ns()}", workspaces=[workspace])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


if __name__ == "__main__":
    sys.exit(main())
