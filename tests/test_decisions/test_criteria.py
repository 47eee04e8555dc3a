"""Decision settings and the criteria checklists: services, pages and who may change them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.core.models import ChangeRecord
from keel.core.services import ServiceError
from keel.decisions.models import Criterion, CriterionAnswer, DecisionSettings
from keel.decisions.services import criteria as services
from keel.decisions.services.settings import save_decision_settings
from keel.decisions.services.setup import decision_settings

pytestmark = pytest.mark.django_db


def url(workspace, name, **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def texts(kind):
    return [c.text for c in services.current_checklist(kind)]


# Services ---------------------------------------------------------------------------------


def test_every_workspace_starts_with_keels_four_checklists(scope_a):
    for kind in ("start", "keep", "dissolve", "ending"):
        assert services.current_checklist(kind), kind
    dissolve = services.current_checklist("dissolve")
    assert dissolve[0].key == "irreconcilable_conflict"
    assert {c.key for c in dissolve} >= {"no_trust", "purpose_fulfilled", "costs_more_than_produces"}


def test_adding_an_item_puts_it_last_and_records_it(scope_a, actor):
    item = services.add_criterion(actor, "keep", "  Partners   turn up to meetings ", "Two in three at least.")
    assert texts("keep")[-1] == "Partners turn up to meetings"
    assert item.guidance == "Two in three at least." and item.key == ""
    change = ChangeRecord.objects.get(action="criterion.created", object_id=item.pk)
    assert change.changes["text"] == [None, "Partners turn up to meetings"]


def test_an_item_needs_wording_and_a_real_checklist(scope_a, actor):
    with pytest.raises(ServiceError, match="wording"):
        services.add_criterion(actor, "keep", "   ")
    with pytest.raises(ServiceError, match="no checklist called"):
        services.add_criterion(actor, "someday", "Anything")


def test_rewording_keeps_past_answers_and_the_key(scope_a, actor, make_partnership):
    partnership = make_partnership()
    conflict = services.current_checklist("dissolve")[0]
    [answer] = services.record_answers(actor, partnership, "dissolve", [(conflict, "yes", "Since March")])
    services.change_criterion(actor, conflict, "A conflict we could not resolve", "Even with a mediator.")
    conflict.refresh_from_db()
    answer.refresh_from_db()
    assert conflict.text == "A conflict we could not resolve" and conflict.key == "irreconcilable_conflict"
    assert answer.wording == "An irreconcilable conflict" and answer.key == "irreconcilable_conflict"
    assert answer.note == "Since March"
    change = ChangeRecord.objects.get(action="criterion.changed", object_id=conflict.pk)
    assert change.changes["text"] == ["An irreconcilable conflict", "A conflict we could not resolve"]


def test_moving_up_and_down_and_at_the_ends(scope_a, actor):
    first, second, third = services.current_checklist("start")[:3]
    services.move_criterion(actor, second, "up")
    assert texts("start")[:3] == [second.text, first.text, third.text]
    services.move_criterion(actor, second, "down")
    services.move_criterion(actor, second, "down")
    assert texts("start")[:3] == [first.text, third.text, second.text]
    services.move_criterion(actor, first, "up")  # already first: nothing moves
    assert texts("start")[0] == first.text
    last = services.current_checklist("start")[-1]
    services.move_criterion(actor, last, "down")
    assert texts("start")[-1] == last.text
    assert ChangeRecord.objects.filter(action="criterion.moved").count() == 3
    with pytest.raises(ServiceError):
        services.move_criterion(actor, first, "sideways")


def test_retired_items_are_not_asked_and_keep_their_answers(scope_a, actor, make_partnership):
    partnership = make_partnership()
    item = services.current_checklist("keep")[0]
    services.record_answers(actor, partnership, "keep", [(item, "no", "")])
    services.retire_criterion(actor, item)
    assert item.text not in texts("keep")
    assert CriterionAnswer.objects.get(criterion=item).wording == item.text
    with pytest.raises(ServiceError, match="restore it first"):
        services.move_criterion(actor, item, "up")
    services.restore_criterion(actor, item)
    assert texts("keep")[-1] == item.text  # back, at the end
    actions = list(ChangeRecord.objects.filter(object_id=item.pk).values_list("action", flat=True))
    assert "criterion.retired" in actions and "criterion.restored" in actions


def test_record_answers_refuses_what_it_cannot_keep(scope_a, actor, make_partnership):
    partnership = make_partnership()
    start = services.current_checklist("start")[0]
    keep = services.current_checklist("keep")[0]
    with pytest.raises(ServiceError, match="not on the"):
        services.record_answers(actor, partnership, "start", [(keep, "yes", "")])
    with pytest.raises(ServiceError, match="answered twice"):
        services.record_answers(actor, partnership, "start", [(start, "yes", ""), (start, "no", "")])
    with pytest.raises(ServiceError, match="yes, no or not sure"):
        services.record_answers(actor, partnership, "start", [(start, "maybe", "")])
    assert not CriterionAnswer.objects.exists()
    made = services.record_answers(actor, partnership, "start", [(start, "unsure", " Ask them ")])
    assert made[0].pk and made[0].note == "Ask them" and made[0].kind == "start"
    assert services.unanswered("start", [start]) == services.current_checklist("start")[1:]


def test_settings_are_saved_with_the_change_log(scope_a, actor):
    save_decision_settings(actor, {"invest_return": Decimal("2.00"), "rate_manager": Decimal("50")})
    found = decision_settings()
    assert found.invest_return == Decimal("2.00") and found.rate_manager == Decimal("50.00")
    change = ChangeRecord.objects.get(action="decision_settings.changed")
    assert change.changes["invest_return"] == ["1.50", "2.00"]
    with pytest.raises(ServiceError, match="raise the first or lower the second"):
        save_decision_settings(actor, {"dissolve_return": Decimal("3")})
    with pytest.raises(ServiceError, match="below zero"):
        save_decision_settings(actor, {"rate_frontline": Decimal("-1")})
    assert DecisionSettings.objects.get().dissolve_return == Decimal("1.00")


# Pages ------------------------------------------------------------------------------------


def test_decision_settings_page_is_for_admins(client, workspace_a, admin, editor):
    page = url(workspace_a, "decisions:settings")
    client.force_login(editor)
    assert client.get(page).status_code == 403
    client.force_login(admin)
    html = client.get(page).content.decode()
    assert "Hourly rates by role" in html and "keep and invest from a return of" in html.lower()
    values = {
        "rate_executive": "95",
        "rate_senior_manager": "65",
        "rate_manager": "45",
        "rate_frontline": "30",
        "invest_return": "1.2",
        "dissolve_return": "1.4",
        "maturity_months": "12",
        "conflict_days": "60",
        "evidence_months": "12",
        "event_months": "12",
    }
    refused = client.post(page, values)
    assert refused.status_code == 200 and "keep and invest" in refused.content.decode()
    assert 'value="95"' in refused.content.decode()  # nothing typed is lost
    response = client.post(page, {**values, "invest_return": "1.6"})
    assert response.status_code == 302
    with_scope = DecisionSettings.all_workspaces.get(workspace=workspace_a)
    assert with_scope.rate_executive == Decimal("95") and with_scope.conflict_days == 60


def test_workspace_settings_link_to_decision_settings_and_checklists(client, workspace_a, admin):
    client.force_login(admin)
    html = client.get(url(workspace_a, "workspace_settings")).content.decode()
    assert url(workspace_a, "decisions:settings") in html and url(workspace_a, "decisions:criteria") in html


def test_everyone_reads_the_checklists_and_only_admins_change_them(client, workspace_a, admin, editor, viewer):
    page = url(workspace_a, "decisions:criteria")
    for user in (viewer, editor):
        client.force_login(user)
        html = client.get(page).content.decode()
        assert "An irreconcilable conflict" in html and "Only an administrator" in html
        assert "Move up" not in html and "Retire" not in html
    item = Criterion.all_workspaces.filter(workspace=workspace_a, kind="start").order_by("position").first()
    client.force_login(editor)
    assert client.post(url(workspace_a, "decisions:criterion_retire", pk=item.pk)).status_code == 403
    assert client.post(url(workspace_a, "decisions:criteria_add"), {"kind": "start", "text": "X"}).status_code == 403
    assert client.get(url(workspace_a, "decisions:criterion", pk=item.pk)).status_code == 403
    client.force_login(admin)
    html = client.get(page).content.decode()
    assert "Move down" in html and "Retire" in html and "rewording keeps it" in html


def test_an_admin_adds_rewords_moves_retires_and_restores(client, workspace_a, admin):
    client.force_login(admin)
    add = client.post(
        url(workspace_a, "decisions:criteria_add"), {"kind": "keep", "text": "Meetings are attended", "guidance": ""}
    )
    assert add.status_code == 302 and add["Location"].endswith("#checklist-keep")
    item = Criterion.all_workspaces.get(workspace=workspace_a, text="Meetings are attended")
    blank = client.post(url(workspace_a, "decisions:criterion", pk=item.pk), {"text": "", "guidance": "x"})
    assert blank.status_code == 200 and "required" in blank.content.decode().lower()
    client.post(url(workspace_a, "decisions:criterion", pk=item.pk), {"text": "Meetings are well attended"})
    client.post(url(workspace_a, "decisions:criterion_move", pk=item.pk), {"direction": "up"})
    item.refresh_from_db()
    keep = list(Criterion.all_workspaces.filter(workspace=workspace_a, kind="keep", retired_at=None))
    keep.sort(key=lambda c: (c.position, c.pk))
    assert item.text == "Meetings are well attended" and keep[-2].pk == item.pk
    client.post(url(workspace_a, "decisions:criterion_retire", pk=item.pk))
    html = client.get(url(workspace_a, "decisions:criteria")).content.decode()
    assert "Retired: no longer asked" in html and "Restore" in html
    client.post(url(workspace_a, "decisions:criterion_retire", pk=item.pk), {"restore": "1"})
    item.refresh_from_db()
    assert item.retired_at is None


def test_the_edit_page_says_a_key_is_kept(client, workspace_a, admin):
    client.force_login(admin)
    item = Criterion.all_workspaces.get(workspace=workspace_a, key="no_trust")
    html = client.get(url(workspace_a, "decisions:criterion", pk=item.pk)).content.decode()
    assert "no trust" in html and "Rewording it keeps that meaning" in html


def test_the_checklists_page_makes_a_fixed_number_of_queries(client, workspace_a, admin, actor, scope_a):
    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url(workspace_a, "decisions:criteria")).status_code == 200
        return len(context)

    client.force_login(admin)
    count()  # the first request after logging in also saves the session
    few = count()
    for i in range(40):
        item = services.add_criterion(actor, ["start", "keep", "dissolve", "ending"][i % 4], f"Item {i}")
        if i % 5 == 0:
            services.retire_criterion(actor, item)
    assert count() == few <= 4  # session, user, membership; then the checklists with their answer counts
