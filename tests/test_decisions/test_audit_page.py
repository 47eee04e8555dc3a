"""The audit page: filters, sorts, flags in words, the review links, and the XLSX download."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keel.decisions.models import CostItem, Review, ValueItem


@pytest.fixture
def today():
    return timezone.localdate()


def url(workspace, name="portfolio:audit", **params):
    from urllib.parse import urlencode

    return reverse(name, kwargs={"ws": workspace.slug}) + (f"?{urlencode(params)}" if params else "")


def money(partnership, cost, value, year):
    CostItem.objects.create(partnership=partnership, year=year, kind="money", amount=Decimal(cost))
    ValueItem.objects.create(partnership=partnership, year=year, amount=Decimal(value), basis="Estimate")


@pytest.fixture
def portfolio(make_partnership, today):
    """Three partnerships: one past its planned end, one that costs more than it produces, one with
    a review overdue and a last decision."""
    lapsed = make_partnership("Alder lapsed", planned_end=today - dt.timedelta(days=30), review_every_months=12)
    costly = make_partnership("Birch costly", review_every_months=12, start_date=today - dt.timedelta(days=30))
    money(costly, "1000", "400", today.year)
    overdue = make_partnership("Cedar overdue", review_every_months=3)
    Review.objects.create(
        partnership=overdue,
        held_on=today - dt.timedelta(days=200),
        decision="keep",
        reasons="Fine then.",
        next_review=today - dt.timedelta(days=12),
    )
    return {"lapsed": lapsed, "costly": costly, "overdue": overdue}


def names(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


def test_the_page_lists_every_partnership_with_its_review_link(client, viewer, workspace_a, portfolio):
    client.force_login(viewer)
    response = client.get(url(workspace_a))
    assert response.status_code == 200
    assert names(response) == ["Alder lapsed", "Birch costly", "Cedar overdue"]
    text = response.content.decode()
    review = reverse("portfolio:partnership_review", kwargs={"ws": workspace_a.slug, "pk": portfolio["overdue"].pk})
    assert f'href="{review}"' in text
    assert "overdue by 12 days" in text  # in words, not only in red
    assert "past planned end" in text
    assert "costs more than it produces" in text
    assert "Keep" in text and "not known yet" in text
    assert url(workspace_a, "portfolio:audit_csv") in text and url(workspace_a, "portfolio:audit_xlsx") in text


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("review_overdue", ["Cedar overdue"]),
        ("past_end", ["Alder lapsed"]),
        ("costly", ["Birch costly"]),
    ],
)
def test_filters(client, viewer, workspace_a, portfolio, show, expected):
    client.force_login(viewer)
    assert names(client.get(url(workspace_a, show=show))) == expected


def test_needs_a_decision_takes_overdue_lapsed_and_anything_but_keep(client, viewer, workspace_a, portfolio):
    client.force_login(viewer)
    response = client.get(url(workspace_a, show="needs_decision"))
    assert {"Alder lapsed", "Cedar overdue"} <= set(names(response))
    for row in response.context["rows"]:
        advice = row.advice
        assert advice.recommendation.code not in {"keep", "keep_and_invest"} or advice.review.overdue or advice.lapsed


def test_status_tier_and_recommendation_selects(client, viewer, workspace_a, portfolio, actor):
    from keel.register import services

    services.save_partnership(actor, {"tier": "relationship"}, partnership=portfolio["costly"])
    client.force_login(viewer)
    assert names(client.get(url(workspace_a, tier="relationship"))) == ["Birch costly"]
    assert names(client.get(url(workspace_a, status="ended"))) == []
    response = client.get(url(workspace_a))
    code = response.context["rows"][0].advice.recommendation.code
    chosen = names(client.get(url(workspace_a, recommendation=code)))
    assert "Alder lapsed" in chosen
    assert all(
        row.advice.recommendation.code == code
        for row in client.get(url(workspace_a, recommendation=code)).context["rows"]
    )


def test_sorts(client, viewer, workspace_a, portfolio):
    client.force_login(viewer)
    assert names(client.get(url(workspace_a, sort="-name"))) == ["Cedar overdue", "Birch costly", "Alder lapsed"]
    # Only Birch has a return: the others, not known, come last whichever the direction.
    assert names(client.get(url(workspace_a, sort="return")))[0] == "Birch costly"
    assert names(client.get(url(workspace_a, sort="-return")))[0] == "Birch costly"
    by_review = names(client.get(url(workspace_a, sort="review")))
    assert by_review.index("Cedar overdue") < by_review.index("Birch costly")
    for sort in ("recommendation", "-health", "rating", "outcomes", "decision", "status", "-end", "nonsense"):
        response = client.get(url(workspace_a, sort=sort))
        assert response.status_code == 200 and len(names(response)) == 3


def test_bad_parameters_fall_back(client, viewer, workspace_a, portfolio):
    client.force_login(viewer)
    response = client.get(url(workspace_a, show="everything", status="gone", page="99"))
    assert response.status_code == 200 and len(names(response)) == 3


def test_htmx_gets_only_the_results(client, viewer, workspace_a, portfolio):
    client.force_login(viewer)
    response = client.get(url(workspace_a, show="costly"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="results"') and "Birch costly" in text


def test_xlsx_neutralises_formulas(client, viewer, workspace_a, make_partnership, today):
    partnership = make_partnership('=HYPERLINK("http://evil.example.org","click")')
    money(partnership, "1000", "250", today.year)
    client.force_login(viewer)
    response = client.get(url(workspace_a, "portfolio:audit_xlsx"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row = {key: cell for key, cell in zip(header, sheet[2], strict=True)}
    assert row["name"].value == "'" + '=HYPERLINK("http://evil.example.org","click")'
    assert row["name"].data_type == "s"
    assert all(cell.data_type != "f" for cell in sheet[2])
    assert row["net"].value == "-750.00"  # a number is left as it is
    assert {"recommendation", "return", "next_review", "last_decision"} <= set(header)


def make(workspace, count, start):
    from keel.common.text import name_key
    from keel.register.models import Organisation, Partnership, PartnershipMember

    organisation = Organisation.objects.create(name=f"Org {start}", name_key=f"org {start}")
    made = Partnership.objects.bulk_create(
        Partnership(
            workspace=workspace,
            name=f"P {i:04}",
            name_key=name_key(f"P {i:04}"),
            status="active",
            review_every_months=3,
            start_date=dt.date(2025, 1, 1),
        )
        for i in range(start, start + count)
    )
    PartnershipMember.objects.bulk_create(
        PartnershipMember(workspace=workspace, partnership=p, organisation=organisation) for p in made
    )


@pytest.mark.parametrize("params", [{}, {"show": "needs_decision", "sort": "-return"}])
def test_the_page_makes_the_same_queries_at_two_sizes(client, viewer, workspace_a, scope_a, params):
    client.force_login(viewer)
    counts = []
    for start, count in ((0, 5), (5, 55)):  # 5 partnerships, then 60
        make(workspace_a, count, start)
        client.get(url(workspace_a, **params))  # settings made on first use are not counted
        with CaptureQueriesContext(connection) as context:
            response = client.get(url(workspace_a, **params))
        assert response.status_code == 200
        counts.append(len(context))
    assert counts[0] == counts[1], counts


def test_the_partnership_list_flags_lapsed_terms(client, viewer, workspace_a, make_partnership, today):
    from keel.register.models import Partnership

    make_partnership("Past its end", planned_end=today - dt.timedelta(days=3))
    met = make_partnership("Condition met", end_terms="When the pilot is evaluated")
    Partnership.objects.filter(pk=met.pk).update(end_condition_met_on=today)
    make_partnership("Ended long ago", status="ended", planned_end=today - dt.timedelta(days=300))
    make_partnership("Running", planned_end=today + dt.timedelta(days=300))
    client.force_login(viewer)
    response = client.get(reverse("portfolio:partnerships", kwargs={"ws": workspace_a.slug}))
    flagged = {p.name for p in response.context["page"] if p.lapsed}
    assert flagged == {"Past its end", "Condition met"}
    assert response.content.decode().count(">past planned end</span>") == 2
