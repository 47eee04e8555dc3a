"""Pages make the same number of queries with 10 partnerships as with 1,000."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.common.text import name_key
from keel.register.models import (
    Organisation,
    Partnership,
    PartnershipMember,
    Person,
    PriorityAlignment,
    StrategicPriority,
)

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
        ("portfolio:partnerships", {}),
        ("portfolio:partnerships", {"q": "Partnership", "sector": "Charity", "sort": "-members"}),
        ("register:organisations", {}),
        ("register:people", {}),
        ("portfolio:partnership", "detail"),
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
        from keel.core.changelog import Actor
        from keel.core.services import set_membership
        from keel.core.tenancy import workspace_scope

        with workspace_scope(workspace):
            partnerships = fill(workspace, size)
        set_membership(Actor(via="test"), workspace, admin, "admin")
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
    # The partnership page carries its activity sections (tests/test_activity/test_activity_query_counts.py),
    # and its decisions: Keel's advice (14, the same reads as for the whole portfolio), cost and value, events,
    # conflicts and what we know of each partner (10), the start, the review and the dissolution (up to 5).
    assert counts[0] <= (64 if params == "detail" else 16)


def fill_rounds(workspace, partnerships):
    """Two rounds of the health check for each partnership, with kept whole-round scores."""
    from keel.assessments.models import AssessmentRound
    from keel.assessments.services import health_check

    instrument = health_check()
    summary = {"respondents": 5, "threshold": 3, "overall": 3.5, "dimensions": {"trust": [3.5, 0.5, 5]}}
    AssessmentRound.objects.bulk_create(
        AssessmentRound(
            workspace=workspace,
            partnership=p,
            instrument=instrument,
            opens_on=opens_on,
            closes_on=opens_on,
            summary=summary,
            response_count=5,
        )
        for p in partnerships
        for opens_on in (dt.date(2025, 3, 1), dt.date(2025, 9, 1))
    )


def test_the_list_holds_its_query_count_with_rounds_from_10_to_1000_partnerships(client, scope_a, admin):
    from keel.core.changelog import Actor
    from keel.core.models import Workspace
    from keel.core.services import set_membership
    from keel.core.tenancy import workspace_scope

    counts = []
    for size in (10, 1000):
        workspace = scope_a if size == 10 else Workspace.objects.create(name=f"Big {size}", slug=f"big-{size}")
        with workspace_scope(workspace):
            fill_rounds(workspace, fill(workspace, size))
        set_membership(Actor(via="test"), workspace, admin, "admin")
        client.force_login(admin)
        url = reverse("portfolio:partnerships", kwargs={"ws": workspace.slug})
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200 and "Partnership 0000</a></th>" in response.content.decode()
        assert '3.50 <span class="band band-watch">watch</span>' in response.content.decode()
        counts.append(len(context))
    assert counts[0] == counts[1], f"{counts[0]} queries with 10 partnerships, {counts[1]} with 1,000"
    assert counts[0] <= 17


def test_the_partnership_page_holds_its_query_count_from_3_to_60_responses(client, scope_a, admin, make_partnership):
    from keel.assessments import services
    from keel.core.changelog import Actor

    actor = Actor(user=admin, via="test")
    spec = services.health_check().spec
    client.force_login(admin)
    client.get(reverse("portfolio:partnerships", kwargs={"ws": scope_a.slug}))  # the session notes the workspace
    counts = []
    for size in (3, 60):
        partnership = make_partnership(n=3)
        organisations = [m.organisation_id for m in partnership.members.all()]
        for months in (0, 6, 12):
            opens_on = dt.date(2025, 1, 1) + dt.timedelta(days=30 * months)
            round_, _ = services.create_round(
                actor,
                partnership,
                services.health_check(),
                opens_on,
                opens_on + dt.timedelta(days=14),
                open_limit=1000,
                check_dates=False,
            )
            rows = [
                {
                    "organisation_id": organisations[i % 3],
                    "answers": {item.key: 1 + (i + j) % 5 for j, item in enumerate(spec.items)},
                    "comments": {"works": f"Comment {i}"},
                }
                for i in range(size)
            ]
            services.import_responses(actor, round_, rows, "test")
        url = reverse("portfolio:partnership", kwargs={"ws": scope_a.slug, "pk": partnership.pk})
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200 and "Perception gaps" in response.content.decode()
        counts.append(len(context))
    assert counts[0] == counts[1], f"{counts[0]} queries with 3 responses a round, {counts[1]} with 60"
    assert counts[0] <= 64  # the sections, as in test_pages_hold_their_query_count_from_10_to_1000_partnerships
