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

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")

from timing import large_demo_client, report_audit, report_pages  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    import django

    django.setup()
    from keel.core.tenancy import workspace_scope
    from keel.register.models import Organisation, Partnership

    workspace, client = large_demo_client("Benchmark")
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
    report_pages(client, pages, runs)
    report_audit(workspace, runs)


if __name__ == "__main__":
    sys.exit(main())
