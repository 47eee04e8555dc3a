"""Timing helpers shared by the benchmarks: run a function N times, print the median."""

import statistics
import time


def timed(function, runs):
    """The wall-clock time of each of `runs` calls of `function`, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def report(label, times, extra="", width=50):
    ms = [t * 1000 for t in times]
    print(f"{label:<{width}} median {statistics.median(ms):8.1f} ms  (min {min(ms):.1f}, max {max(ms):.1f}){extra}")


def large_demo_client(name: str):
    """Migrate, build the large demo (timed), and a test client signed in as an admin of it.

    Call after django.setup(). Returns (workspace, client)."""
    from django.core.management import call_command
    from django.test import Client

    from keel.core.changelog import Actor
    from keel.core.services import create_admin
    from keel.portfolio.demo.build import build_demo

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    workspace = build_demo(size="large", seed=1, name=f"{name} {time.time_ns()}")
    report("build_demo('large') (one run)", [time.perf_counter() - start])
    user, _ = create_admin(Actor(via="benchmark"), f"bench{time.time_ns()}", workspaces=[workspace])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return workspace, client


def count_queries(client, url):
    """The response to GET `url`, and how many queries it made."""
    from django.db import connection

    queries = []

    def count(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        response = client.get(url)
    return response, len(queries)


def report_pages(client, pages: dict, runs: int):
    """Time each page (label → URL), with its query count and size; a page that does not answer 200 is said."""
    for label, url in pages.items():
        response, queries = count_queries(client, url)
        if response.status_code != 200:
            print(f"{label:<50} skipped: {url} answered {response.status_code}")
            continue
        size = len(response.content) / 1024
        report(label, timed(lambda url=url: client.get(url), runs), f"  {queries} queries, {size:.0f} KB")


def report_audit(workspace, runs: int, audit_runs: int = 3):
    """Time `keel audit --format json` of the workspace, and say which database and how many runs."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    def audit():
        call_command("audit", "--workspace", workspace.slug, "--format", "json", stdout=StringIO())

    report("keel audit --format json", timed(audit, audit_runs))
    print(f"database: {connection.vendor}; runs per figure: {runs} (audit: {audit_runs})")
