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

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")

from timing import count_queries, large_demo_client, report_audit, report_pages  # noqa: E402


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    import django

    django.setup()
    workspace, client = large_demo_client("Activity benchmark")
    partnership, records = busiest(workspace)
    print(f"busiest partnership: {partnership.name} (id {partnership.pk}), {records} meetings, contacts and referrals")
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
    report_pages(client, urls, runs)
    report_audit(workspace, runs)


if __name__ == "__main__":
    sys.exit(main())
