"""Cost and value: the items, their checks, a partnership's years and the portfolio ranked by return."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keel.core.models import ChangeRecord
from keel.core.services import ServiceError
from keel.decisions.models import CostItem, ValueItem
from keel.decisions.money import YearMoney
from keel.decisions.record_page import portfolio, pounds
from keel.decisions.services import costs

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def url(workspace, name, **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def alliance(make_partnership):
    return make_partnership("Frailty alliance")


def staff(hours, level="manager", year=THIS_YEAR, **more):
    return {"year": year, "kind": "staff_time", "level": level, "hours": Decimal(hours), "amount": None, **more}


def money(amount, kind="money", year=THIS_YEAR):
    return {"year": year, "kind": kind, "level": "", "hours": None, "amount": Decimal(amount), "description": "Grant"}


def value(amount, year=THIS_YEAR, basis="40 admissions avoided × £2,500"):
    return {"year": year, "amount": Decimal(amount), "description": "", "basis": basis, "confidence": "medium"}


# Services ----------------------------------------------------------------------------------


def test_items_are_saved_and_written_to_the_partnerships_change_log(actor, alliance):
    item = costs.save_cost_item(actor, alliance, staff("10"), THIS_YEAR)
    costs.save_cost_item(actor, alliance, {"hours": Decimal("12")}, THIS_YEAR, item)
    worth = costs.save_value_item(actor, alliance, value("900"), THIS_YEAR)
    costs.delete_value_item(actor, worth)
    actions = list(
        ChangeRecord.objects.filter(object_type="partnership", object_id=alliance.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == [
        "partnership.cost_item_added",
        "partnership.cost_item_changed",
        "partnership.value_item_added",
        "partnership.value_item_deleted",
    ]
    deleted = ChangeRecord.objects.filter(action="partnership.value_item_deleted").get()
    assert deleted.changes["amount"] == ["900", None]
    assert CostItem.objects.get().hours == 12 and not ValueItem.objects.exists()


@pytest.mark.parametrize(
    "values, message",
    [
        (staff("10", level=""), "Staff time needs a role"),
        ({**staff("1"), "hours": None}, "Staff time needs the hours"),
        (staff("0"), "hours as a number above 0"),
        ({**staff("3"), "amount": Decimal("5")}, "leave the amount blank"),
        (money("-5"), "cannot be negative"),
        ({**money("5"), "hours": Decimal("2")}, "Hours and a role are for staff time"),
        (money("5", year=1989), "from 1990"),
        (money("5", year=THIS_YEAR + 1), "has not started yet"),
    ],
)
def test_a_bad_cost_is_refused_with_a_reason(actor, alliance, values, message):
    with pytest.raises(ServiceError, match=message):
        costs.save_cost_item(actor, alliance, values, THIS_YEAR)
    assert not CostItem.objects.exists()


def test_a_bad_value_is_refused_with_a_reason(actor, alliance):
    with pytest.raises(ServiceError, match="cannot be negative"):
        costs.save_value_item(actor, alliance, value("-1"), THIS_YEAR)
    with pytest.raises(ServiceError, match="how the value was estimated"):
        costs.save_value_item(actor, alliance, value("10", basis="  "), THIS_YEAR)
    assert costs.save_value_item(actor, alliance, value("0"), THIS_YEAR).amount == 0  # an estimate of nothing


# The costs page ------------------------------------------------------------------------------


def test_the_costs_page_shows_each_year_its_items_and_totals(editor_client, scope_a, actor, alliance):
    costs.save_cost_item(actor, alliance, staff("10", description="Chairing"), THIS_YEAR)  # 10 × £45
    costs.save_cost_item(actor, alliance, money("50.50", kind="in_kind"), THIS_YEAR)
    costs.save_value_item(actor, alliance, value("1001"), THIS_YEAR)
    costs.save_value_item(actor, alliance, value("100", year=THIS_YEAR - 1), THIS_YEAR)
    page = editor_client.get(url(scope_a, "decisions:partnership_costs", pk=alliance.pk)).content.decode()
    assert "10 h × £45.00" in page and "£450.00" in page and "£50.50" in page
    assert "£500.50" in page and "£1,001.00" in page and "£500.50" in page  # cost, value, net
    assert "2.00" in page  # 1001 ÷ 500.50 = 2.0000
    assert f"No costs recorded for {THIS_YEAR - 1}: the annual cost is not known yet." in page
    assert page.index(f'id="year-{THIS_YEAR}"') < page.index(f'id="year-{THIS_YEAR - 1}"')


def test_the_form_refuses_bad_input_next_to_the_field_and_keeps_what_was_typed(editor_client, scope_a, alliance):
    new = url(scope_a, "decisions:partnership_cost_new", pk=alliance.pk)
    response = editor_client.post(new, {"year": THIS_YEAR, "kind": "staff_time", "hours": "7.5", "amount": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["level"] == [
        "Staff time needs a role, for its hourly rate: choose executive, senior manager, manager or frontline."
    ]
    assert 'value="7.5"' in response.content.decode()
    response = editor_client.post(new, {"year": "2300", "kind": "money", "amount": "£1,200.555"})
    errors = response.context["form"].errors
    assert "has not started yet" in errors["year"][0] and "more than two decimal places" in errors["amount"][0]
    assert not CostItem.objects.exists()
    response = editor_client.post(new, {"year": THIS_YEAR, "kind": "money", "amount": "£1,200", "description": "Grant"})
    assert response.status_code == 302 and CostItem.objects.get().amount == Decimal("1200.00")
    assert said(response) == [f"Cost added to {THIS_YEAR}: money given."]


def test_items_are_changed_and_deleted_from_the_page(editor_client, scope_a, actor, alliance):
    item = costs.save_cost_item(actor, alliance, money("100"), THIS_YEAR)
    worth = costs.save_value_item(actor, alliance, value("300"), THIS_YEAR)
    edit = url(scope_a, "decisions:cost_item", pk=item.pk)
    assert 'value="100.00"' in editor_client.get(edit).content.decode()
    editor_client.post(edit, {"year": THIS_YEAR, "kind": "in_kind", "amount": "80", "description": "Rooms"})
    item.refresh_from_db()
    assert (item.kind, item.amount) == ("in_kind", Decimal("80.00"))
    response = editor_client.post(url(scope_a, "decisions:value_item", pk=worth.pk), {"year": THIS_YEAR, "amount": ""})
    assert response.context["form"].errors["amount"] == ["Give the value in pounds, as estimated."]
    editor_client.post(url(scope_a, "decisions:cost_item_delete", pk=item.pk))
    editor_client.post(url(scope_a, "decisions:value_item_delete", pk=worth.pk))
    assert not CostItem.objects.exists() and not ValueItem.objects.exists()


def test_viewers_read_the_figures_but_change_nothing(client, viewer, scope_a, actor, alliance):
    item = costs.save_cost_item(actor, alliance, money("100"), THIS_YEAR)
    client.force_login(viewer)
    page = client.get(url(scope_a, "decisions:partnership_costs", pk=alliance.pk)).content.decode()
    assert "£100.00" in page and "Add a cost" not in page and "Delete" not in page
    assert client.get(url(scope_a, "decisions:cost_item", pk=item.pk)).status_code == 403
    assert client.post(url(scope_a, "decisions:cost_item_delete", pk=item.pk)).status_code == 403


# The portfolio -------------------------------------------------------------------------------


def test_the_summary_is_exact_and_rounded_half_up_once():
    rows = [
        (1, "A", YearMoney(2026, Decimal("100"), Decimal("50"))),  # return 0.5: costs more
        (2, "B", YearMoney(2026, Decimal("200"), Decimal("300"))),  # 1.5
        (3, "C", YearMoney(2026, Decimal("0.005"), Decimal("1"))),  # 200
        (4, "D", YearMoney(2026, None, Decimal("10"))),  # one side only
        (5, "E", None),  # nothing yet
        (6, "F", YearMoney(2026, Decimal("1"), Decimal("0.995"))),  # 0.995 < 1: costs more
    ]
    found = portfolio(rows, Decimal("1.00"))
    assert [row.name for row in found.ranked] == ["C", "B", "F", "A"]
    assert found.costing_more == 2 and found.with_figures == 4
    # 2 of 4 = 50.00%; (100 + 1) / (100 + 200 + 0.005 + 1) = 33.5548…% → 33.55
    assert found.share == Decimal("50.00") and found.cost_share == Decimal("33.55")
    assert found.summary == (
        "2 of 4 partnerships with figures (50.00%) cost more than they produce; "
        "they account for 33.55% of the total cost."
    )
    assert (
        found.gaps == "1 of 6 partnerships has no figures yet; 1 has a cost or a value but not both, so no return yet."
    )
    assert found.ranked[2].figures.ratio == "1.00"  # 0.995 shown half up
    one = portfolio([(1, "A", YearMoney(2026, Decimal("3"), Decimal("1")))], Decimal("1"))
    assert one.summary.startswith("1 of 1 partnership with figures (100.00%) costs more than it produces; it accounts")
    assert portfolio([], Decimal("1")).summary.startswith("No partnership has both")


def test_pounds_are_shown_with_one_rounding_rule():
    assert pounds(Decimal("1234.005")) == "£1,234.01"
    assert pounds(Decimal("-20")) == "−£20.00"
    assert pounds(None) == "not known yet"


def test_the_portfolio_page_ranks_by_the_latest_year_up_to_this_year(editor_client, scope_a, actor, make_partnership):
    good, poor, silent = make_partnership("Good"), make_partnership("Poor"), make_partnership("Silent")
    costs.save_cost_item(actor, good, money("100"), THIS_YEAR)
    costs.save_value_item(actor, good, value("300"), THIS_YEAR)
    costs.save_cost_item(actor, poor, money("300", year=THIS_YEAR - 1), THIS_YEAR)
    costs.save_value_item(actor, poor, value("100", year=THIS_YEAR - 1), THIS_YEAR)
    ended = make_partnership("Ended", status="ended")
    costs.save_cost_item(actor, ended, money("999"), THIS_YEAR)
    page = editor_client.get(url(scope_a, "decisions:cost_and_value")).content.decode()
    assert page.index(">Good</a>") < page.index(">Poor</a>") and "Ended" not in page
    assert (
        "1 of 2 partnerships with figures (50.00%) costs more than it produces; "
        "it accounts for 75.00% of the total cost." in page
    )
    assert "1 of 3 partnerships has no figures yet." in page
    assert "costs more than it produces</strong>" in page
    assert silent.name not in page.split('id="cost-summary"')[1]


def test_the_partnership_list_links_to_the_portfolio_view(editor_client, scope_a):
    page = editor_client.get(url(scope_a, "portfolio:partnerships")).content.decode()
    assert url(scope_a, "decisions:cost_and_value") in page


# Bounded queries -----------------------------------------------------------------------------


def fill(workspace, partnerships, per):
    CostItem.objects.bulk_create(
        CostItem(partnership=p, year=THIS_YEAR - k % 3, kind="staff_time", level="manager", hours=Decimal(k + 1))
        for p in partnerships
        for k in range(per)
    )
    ValueItem.objects.bulk_create(
        ValueItem(partnership=p, year=THIS_YEAR - k % 3, amount=Decimal(100 * k), basis="Estimate")
        for p in partnerships
        for k in range(per)
    )


def count(client, address):
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200
    return len(context)


def test_the_costs_page_and_the_portfolio_hold_their_query_counts(editor_client, scope_a, make_partnership):
    editor_client.get(url(scope_a, "portfolio:partnerships"))  # the session notes the workspace
    counts = []
    for size in (2, 40):
        partnerships = [make_partnership() for _ in range(size)]
        fill(scope_a, partnerships, size)
        counts.append(
            (
                count(editor_client, url(scope_a, "decisions:partnership_costs", pk=partnerships[0].pk)),
                count(editor_client, url(scope_a, "decisions:cost_and_value")),
            )
        )
    assert counts[0] == counts[1], counts
    assert counts[0][0] <= 8 and counts[0][1] <= 8, counts


def test_a_year_in_the_future_is_left_out_of_the_latest(scope_a):
    from keel.decisions.money import latest

    years = [YearMoney(THIS_YEAR + 1, Decimal(1), Decimal(1)), YearMoney(THIS_YEAR, Decimal(2), None)]
    assert latest(years, THIS_YEAR).year == THIS_YEAR
    assert dt.date.today().year in (THIS_YEAR, THIS_YEAR + 1)
