"""Benchmark: the large demo, and the register's pages and commands on it.

    KEEL_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/register.py [--runs 7]

Builds the large demo (2,000 organisations, 20,000 people, 5,000 partnerships) in a fresh
database (SQLite in KEEL_DATA_DIR, or DATABASE_URL), then times each page through Django's
test client and `keel audit`, and prints the median, min and max of repeated runs, with the
number of queries each page made. Not part of the test suite: timings belong here.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")

from timing import report, timed  # noqa: E402


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
    from keel.core.tenancy import workspace_scope
    from keel.register.demo import build_demo
    from keel.register.models import Organisation, Partnership

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    workspace = build_demo(size="large", seed=1, name=f"Benchmark {time.time_ns()}")
    report("build_demo('large') (one run)", [time.perf_counter() - start])
    user, _ = create_admin(f"bench{time.time_ns()}", workspace=workspace)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    with workspace_scope(workspace):
        partnership = Partnership.objects.order_by("pk")[100]
        organisation = Organisation.objects.order_by("pk")[10]
    base = f"/w/{workspace.slug}/"
    pages = {
        "partnership list": base,
        "partnership list, filtered and sorted": base + "?status=active&sector=Primary+care&sort=-members",
        "partnership list, search": base + "?q=care",
        "partnership detail": f"{base}partnerships/{partnership.pk}/",
        "partnership edit form": f"{base}partnerships/{partnership.pk}/edit/",
        "new partnership form": f"{base}partnerships/new/",
        "organisation list": base + "organisations/",
        "organisation detail": f"{base}organisations/{organisation.pk}/",
        "people list": base + "people/",
        "people suggestions (htmx)": base + "people/suggest/?field=lead&lead=sarah",
    }
    for label, url in pages.items():
        queries = []

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
        report(label, timed(lambda url=url: client.get(url), runs), f"  {len(queries)} queries, {size / 1024:.0f} KB")
    report(
        "keel audit --format json",
        timed(lambda: call_command("audit", "--workspace", workspace.slug, "--format", "json", stdout=StringIO()), 3),
    )
    print(f"database: {connection.vendor}; runs per figure: {runs} (audit: 3)")


if __name__ == "__main__":
    sys.exit(main())
