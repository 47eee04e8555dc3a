"""The partnership page, the timeline and the actions list make the same number of queries at any size."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keel.actions.models import Action
from keel.activity.models import Attendance, Contact, Meeting, Referral, RelationshipRating
from keel.outcomes.models import Indicator, Measurement
from keel.register.models import KeyPersonChange, Person

pytestmark = pytest.mark.django_db


def fill(partnership, n: int) -> None:
    """`n` activity records, round-robin over the six kinds, one day apart every six: so the newest
    page of the timeline holds every kind whatever `n` (at least six). Meetings have attendance."""
    today = timezone.localdate()
    organisations = [m.organisation for m in partnership.members.all()]
    first, second = organisations[0], organisations[1]
    indicator = Indicator.objects.create(
        partnership=partnership,
        name=f"Housed {n}",
        baseline=10,
        baseline_date=today - dt.timedelta(days=5000),
        target=90,
        target_date=today + dt.timedelta(days=365),
    )
    rows = {kind: [] for kind in ("meeting", "contact", "referral", "rating", "measurement", "key_person")}
    for i in range(n):
        day = today - dt.timedelta(days=i // 6)
        kind = list(rows)[i % 6]
        if kind == "meeting":
            rows[kind].append(Meeting(partnership=partnership, date=day))
        elif kind == "contact":
            rows[kind].append(Contact(partnership=partnership, date=day, organisation=first, summary=f"#{i}"))
        elif kind == "referral":
            rows[kind].append(
                Referral(
                    partnership=partnership,
                    from_organisation=first,
                    to_organisation=second,
                    date=day,
                    client_reference=f"C-{i}",
                    follow_up_due=day + dt.timedelta(days=14),
                    outcome=["received", "", "declined"][i % 3],
                    service_date=day + dt.timedelta(days=3) if i % 3 == 0 else None,
                )
            )
        elif kind == "rating":
            rows[kind].append(
                RelationshipRating(
                    partnership=partnership, organisation=organisations[i % 2], score=1 + i % 5, date=day
                )
            )
        elif kind == "measurement":
            rows[kind].append(Measurement(indicator=indicator, period=day, value=i))
        else:
            rows[kind].append(
                KeyPersonChange(partnership=partnership, organisation=first, before=f"A{i}", after=f"B{i}", date=day)
            )
    meetings = Meeting.objects.bulk_create(rows.pop("meeting"))
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, organisation=organisation, status=["attended", "absent"][k % 2])
        for meeting in meetings
        for k, organisation in enumerate(organisations)
    )
    for model, objects in zip(
        (Contact, Referral, RelationshipRating, Measurement, KeyPersonChange), rows.values(), strict=True
    ):
        model.objects.bulk_create(objects)


def count(client, url, **headers) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(context), response.content.decode()


@pytest.fixture
def signed_in(client, scope_a, editor):
    client.force_login(editor)
    client.get(reverse("portfolio:partnerships", kwargs={"ws": scope_a.slug}))  # the session notes the workspace
    return client


def test_the_partnership_page_and_timeline_hold_their_count_from_10_to_10000_records(
    signed_in, scope_a, make_partnership
):
    counts = {"page": [], "timeline": [], "partial": [], "filtered": []}
    for n in (10, 10_000):
        partnership = make_partnership(n=3)
        fill(partnership, n)
        page = reverse("portfolio:partnership", kwargs={"ws": scope_a.slug, "pk": partnership.pk})
        timeline = reverse("portfolio:partnership_timeline", kwargs={"ws": scope_a.slug, "pk": partnership.pk})
        queries, html = count(signed_in, page)
        assert "Partnership meeting — 2 of 3 organisations attended" in html
        counts["page"].append(queries)
        queries, html = count(signed_in, timeline)
        assert html.count('<span class="badge">') == min(n, 25)
        counts["timeline"].append(queries)
        queries, html = count(signed_in, timeline + "?page=2", **{"HX-Request": "true"})
        assert "<html" not in html
        counts["partial"].append(queries)
        queries, _ = count(signed_in, timeline + "?kind=meeting&kind=referral&kind=rating")
        counts["filtered"].append(queries)
    for what, (small, large) in counts.items():
        assert small == large, f"{what}: {small} queries with 10 records, {large} with 10,000"
    # The partnership page: 3 for the session, user and membership; about 12 for the register's part
    # and health; about 21 for activity (5 conditions, attendance, ratings, 2 last contact,
    # indicators, referrals, actions, the timeline's count and page, one per kind on its page).
    assert counts["page"][0] <= 64  # with the decisions' sections (tests/architecture/test_query_counts.py)
    # The timeline: session, user, membership, partnership, count, page, six kinds.
    assert counts["timeline"][0] <= 12


def test_the_actions_list_holds_its_count_from_5_to_500_actions(signed_in, scope_a, editor, make_partnership):
    partnership = make_partnership()
    me = Person.objects.create(
        name="Eddie", email="EDDIE@example.org", organisation=partnership.members.first().organisation
    )
    today = timezone.localdate()
    counts = {"mine": [], "everyone": []}
    made = 0
    for n in (5, 500):
        Action.objects.bulk_create(
            Action(
                title=f"Task {made + i}",
                partnership=partnership,
                owner=me,
                due=today + dt.timedelta(days=i - n // 2),
                status=["open", "in_progress", "done", "dropped"][i % 4],
            )
            for i in range(n)
        )
        made += n
        for who, params in (("mine", ""), ("everyone", f"?who=everyone&status=all&partnership={partnership.pk}")):
            url = reverse("actions:actions", kwargs={"ws": scope_a.slug}) + params
            queries, html = count(signed_in, url)
            assert "Task" in html
            counts[who].append(queries)
    for who, (small, large) in counts.items():
        assert small == large, f"{who}: {small} queries with 5 actions, {large} with 500"
        assert small <= 10
