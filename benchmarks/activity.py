"""Benchmark: activity and outcomes in the large demo — the busiest partnership's pages, and the audit.

    KEEL_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/activity.py [--runs 7]
    DATABASE_URL=postgres://… KEEL_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/activity.py

Builds the large demo (5,000 partnerships; about 120,000 meetings, 200,000 contacts, 500,000
referrals, 20,000 ratings and 360,000 measurements) in a fresh database (SQLite in
KEEL_DATA_DIR, or DATABASE_URL), then times through Django's test client:
  - the partnership page of the busiest partnership (the most meetings, contacts and referrals),
  - its timeline's first page, and its last page (the oldest entries: the deepest page),
and `keel audit --format json` of the whole workspace. Each figure is the median, min and max
of repeated runs, with the number of queries each page made (a page must make a bounded number
whatever the data size). Not part of the test suite: timings belong here.
"""

import argparse
import os
import re
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")

from timing import report, timed  # noqa: E402


def busiest(workspace):
    """The partnership with the most meetings, contacts and referrals, with those counts."""
    from collections import Counter

    from django.db.models import Count

    from keel.activity.models import Contact, Meeting, Referral
    from keel.core.tenancy import workspace_scope
    from keel.register.models import Partnership

    totals = Counter()
    with workspace_scope(workspace):
        for model in (Meeting, Contact, Referral):
            rows = model.objects.values_list("partnership_id").annotate(n=Count("pk")).order_by()
            totals.update(dict(rows))
        pk, records = totals.most_common(1)[0]
        return Partnership.objects.get(pk=pk), records


def count_queries(client, url):
    from django.db import connection

    queries = []

    def count(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        response = client.get(url)
    return response, len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from keel.core.services import create_admin
    from keel.register.demo import build_demo

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    workspace = build_demo(size="large", seed=1, name=f"Activity benchmark {time.time_ns()}")
    report("build_demo('large') (one run)", [time.perf_counter() - start])
    partnership, records = busiest(workspace)
    print(f"busiest partnership: {partnership.name} (id {partnership.pk}), {records} meetings, contacts and referrals")
    user, _ = create_admin(f"bench{time.time_ns()}", workspace=workspace)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    base = f"/w/{workspace.slug}/"
    timeline = f"{base}partnerships/{partnership.pk}/timeline/"
    first, _ = count_queries(client, timeline)
    # The last page is the deepest: Django's paginator takes a page past the end as the last.
    pages = re.search(r"Page 1 of ([\d,]+)", first.content.decode())
    last = pages.group(1).replace(",", "") if pages else "9999"
    urls = {
        "partnership page (busiest)": f"{base}partnerships/{partnership.pk}/",
        "timeline, first page": timeline,
        f"timeline, last page ({last})": f"{timeline}?page={last}",
    }
    for label, url in urls.items():
        response, queries = count_queries(client, url)
        if response.status_code != 200:
            print(f"{label:<50} skipped: {url} answered {response.status_code}")
            continue
        size = len(response.content) / 1024
        report(label, timed(lambda url=url: client.get(url), runs), f"  {queries} queries, {size:.0f} KB")
    audit_runs = 3
    report(
        "keel audit --format json",
        timed(
            lambda: call_command("audit", "--workspace", workspace.slug, "--format", "json", stdout=StringIO()),
            audit_runs,
        ),
    )
    print(f"database: {connection.vendor}; runs per figure: {runs} (audit: {audit_runs})")


if __name__ == "__main__":
    sys.exit(main())
