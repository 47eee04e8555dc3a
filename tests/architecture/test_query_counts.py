"""Pages make the same number of queries with 10 partnerships as with 1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.register.models import (
    Organisation,
    Partnership,
    PartnershipMember,
    Person,
    PriorityAlignment,
    StrategicPriority,
)
from keel.register.text import name_key

pytestmark = pytest.mark.django_db


def fill(workspace, count):
    """`count` active partnerships of three members each, with leads, contacts and priorities."""
    organisations = Organisation.objects.bulk_create(
        Organisation(workspace=workspace, name=f"Org {i}", name_key=f"org {i}", sector=["NHS trust", "Charity"][i % 2])
        for i in range(30)
    )
    people = Person.objects.bulk_create(
        Person(workspace=workspace, name=f"Person {i}", name_key=f"person {i}", organisation=organisations[i % 30])
        for i in range(60)
    )
    priority = StrategicPriority.objects.create(name="Healthy ageing")
    partnerships = Partnership.objects.bulk_create(
        Partnership(
            workspace=workspace,
            name=f"Partnership {i:04}",
            name_key=name_key(f"Partnership {i:04}"),
            status="active",
            lead=people[i % 60],
        )
        for i in range(count)
    )
    PartnershipMember.objects.bulk_create(
        PartnershipMember(
            workspace=workspace,
            partnership=p,
            organisation=organisations[(i + k) % 30],
            contact=people[(i + k) % 30] if k else None,
        )
        for i, p in enumerate(partnerships)
        for k in range(3)
    )
    PriorityAlignment.objects.bulk_create(
        PriorityAlignment(workspace=workspace, partnership=p, priority=priority, score=2) for p in partnerships
    )
    return partnerships


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize(
    "page",
    [
        ("register:partnerships", {}),
        ("register:partnerships", {"q": "Partnership", "sector": "Charity", "sort": "-members"}),
        ("register:organisations", {}),
        ("register:people", {}),
        ("register:partnership", "detail"),
        ("register:organisation", "organisation"),
        ("register:priorities", {}),
    ],
    ids=[
        "partnerships",
        "partnerships-filtered",
        "organisations",
        "people",
        "partnership",
        "organisation",
        "priorities",
    ],
)
def test_pages_hold_their_query_count_from_10_to_1000_partnerships(client, scope_a, admin, page):
    from keel.core.models import Workspace

    name, params = page
    counts = []
    for size in (10, 1000):
        workspace = scope_a if size == 10 else Workspace.objects.create(name=f"Big {size}", slug=f"big-{size}")
        from keel.core.services import set_membership
        from keel.core.tenancy import workspace_scope

        with workspace_scope(workspace):
            partnerships = fill(workspace, size)
        set_membership(workspace, admin, "admin")
        client.force_login(admin)
        if params == "detail":
            url = reverse(name, kwargs={"ws": workspace.slug, "pk": partnerships[5].pk})
        elif params == "organisation":
            with workspace_scope(workspace):
                org = Organisation.objects.order_by("pk").first()
            url = reverse(name, kwargs={"ws": workspace.slug, "pk": org.pk})
        else:
            url = reverse(name, kwargs={"ws": workspace.slug})
            if params:
                from urllib.parse import urlencode

                url += "?" + urlencode(params)
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1], f"{counts[0]} queries with 10 partnerships, {counts[1]} with 1,000"
    assert counts[0] <= 16
