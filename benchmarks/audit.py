"""Benchmark: the portfolio audit on the large demo — the audit page, its filters and sorts, and `keel audit`.

    KEEL_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/audit.py [--runs 7]

Builds the large demo (5,000 partnerships) in a fresh database (SQLite in KEEL_DATA_DIR, or
DATABASE_URL), then times each page through Django's test client with its query count, and
`keel audit --format json`. The page sorted by name works out Keel's advice for its 25 rows only;
a filter or a sort on the advice works it out for the whole portfolio once.
"""

import argparse
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")

from timing import large_demo_client, report_audit, report_pages  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    import django

    django.setup()

    workspace, client = large_demo_client("Audit benchmark")
    base = f"/w/{workspace.slug}/audit/"
    pages = {
        "audit page": base,
        "audit page, page 100": base + "?page=100",
        "audit page, sorted by planned end, strategic": base + "?sort=-end&tier=strategic",
        "audit page, past planned end": base + "?show=past_end",
        "audit page, needs a decision": base + "?show=needs_decision",
        "audit page, review overdue": base + "?show=review_overdue",
        "audit page, costs more than it produces": base + "?show=costly",
        "audit page, sorted by return": base + "?sort=-return",
        "audit page, sorted by recommendation": base + "?sort=recommendation",
    }
    report_pages(client, pages, runs)
    report_audit(workspace, runs)


if __name__ == "__main__":
    sys.exit(main())
