"""Conflicts: raised between member organisations, worked step by step, escalated to a neutral third party, closed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keel.actions.models import Action
from keel.core.models import ChangeRecord
from keel.core.services import ServiceError
from keel.decisions.models import Conflict, ConflictStep
from keel.decisions.services import conflicts
from keel.register import services as register
from keel.register.models import ProcessKind

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(workspace, name, **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


@pytest.fixture
def case(actor, make_partnership):
    partnership = make_partnership("Frailty alliance", n=3)
    first, second, third = [m.organisation for m in partnership.members.order_by("organisation__name_key")]
    mediator_org = register.save_organisation(actor, {"name": "Northshire Mediation"})
    return {
        "partnership": partnership,
        "first": first,
        "second": second,
        "third": third,
        "raiser": register.save_person(actor, {"name": "Jo Bloggs", "organisation": first}),
        "insider": register.save_person(actor, {"name": "Kim Third", "organisation": third}),
        "party": register.save_person(actor, {"name": "Sam Second", "organisation": second}),
        "neutral": register.save_person(actor, {"name": "Ann Neutral", "organisation": mediator_org}),
    }


def raise_one(actor, case, days_ago=0):
    return conflicts.raise_conflict(
        actor,
        case["partnership"],
        {"raised_on": TODAY - dt.timedelta(days=days_ago), "raised_by": case["raiser"], "about": "Data sharing"},
        [case["first"], case["second"]],
        TODAY,
    )


def test_a_conflict_needs_a_member_organisation_and_what_it_is_about(actor, case):
    values = {"raised_on": TODAY, "about": "Who pays for the room"}
    with pytest.raises(ServiceError, match="at least one member organisation"):
        conflicts.raise_conflict(actor, case["partnership"], values, [], TODAY)
    stranger = register.save_organisation(actor, {"name": "Elsewhere Trust"})
    with pytest.raises(ServiceError, match="not a member"):
        conflicts.raise_conflict(actor, case["partnership"], values, [stranger], TODAY)
    with pytest.raises(ServiceError, match="what the conflict is about"):
        conflicts.raise_conflict(actor, case["partnership"], {**values, "about": " "}, [case["first"]], TODAY)
    one = conflicts.raise_conflict(actor, case["partnership"], values, [case["first"]], TODAY)  # one party: allowed
    assert list(one.parties.values_list("organisation", flat=True)) == [case["first"].pk]


def test_the_neutral_third_party_is_outside_the_parties_and_the_partnership(actor, case):
    conflict = raise_one(actor, case)
    with pytest.raises(ServiceError, match="one of the parties"):
        conflicts.escalate(actor, conflict, case["party"], TODAY, TODAY)
    with pytest.raises(ServiceError, match="a member of Frailty alliance"):
        conflicts.escalate(actor, conflict, case["insider"], TODAY, TODAY)
    conflicts.escalate(actor, conflict, case["neutral"], TODAY, TODAY)
    conflict.refresh_from_db()
    assert conflict.escalated_to == case["neutral"] and conflict.escalated_on == TODAY


def test_steps_and_closing_are_dated_and_a_closed_conflict_takes_no_more(actor, case):
    conflict = raise_one(actor, case, days_ago=10)
    with pytest.raises(ServiceError, match="before the conflict was raised"):
        conflicts.add_step(actor, conflict, TODAY - dt.timedelta(days=11), "Met", TODAY)
    conflicts.add_step(actor, conflict, TODAY - dt.timedelta(days=5), "Leads met", TODAY)
    with pytest.raises(ServiceError, match="how it was resolved"):
        conflicts.close_conflict(actor, conflict, "resolved", TODAY, "", TODAY)
    conflicts.close_conflict(actor, conflict, "not_resolved", TODAY, "Positions too far apart", TODAY)
    with pytest.raises(ServiceError, match="was closed on"):
        conflicts.add_step(actor, conflict, TODAY, "Another try", TODAY)
    actions = list(ChangeRecord.objects.filter(object_type="conflict").order_by("pk").values_list("action", flat=True))
    assert actions == ["conflict.raised", "conflict.step_added", "conflict.closed"]


def test_the_conflict_pages_raise_work_through_escalate_and_close(client, editor, scope_a, actor, case):
    partnership = case["partnership"]
    register.add_process(
        actor,
        partnership,
        {"title": "Disputes protocol", "kind": ProcessKind.CONFLICT_RESOLUTION, "link": "https://example.org/p"},
    )
    client.force_login(editor)
    new = url(scope_a, "decisions:partnership_conflict_new", pk=partnership.pk)
    form = client.get(new).content.decode()
    assert case["first"].name in form and "Northshire Mediation" not in form  # members only
    response = client.post(new, {"raised_on": TODAY.isoformat(), "about": "Data sharing"})
    assert response.context["form"].errors["parties"] == [
        "Choose at least one member organisation the conflict is with."
    ]
    response = client.post(
        new,
        {
            "raised_on": TODAY.isoformat(),
            "raised_by": "Jo Bloggs",
            "about": "Data sharing",
            "parties": [case["first"].pk, case["second"].pk],
        },
    )
    conflict = Conflict.objects.get()
    assert response["Location"] == url(scope_a, "decisions:conflict", pk=conflict.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Disputes protocol" in page and "Open for" in page and "Add an action" in page
    step = client.post(url(scope_a, "decisions:conflict_step", pk=conflict.pk), {"date": "", "description": "x"})
    assert step.status_code == 400 and "Give the date of the step." in step.content.decode()
    client.post(
        url(scope_a, "decisions:conflict_step", pk=conflict.pk), {"date": TODAY.isoformat(), "description": "Met"}
    )
    assert ConflictStep.objects.get().description == "Met"
    refused = client.post(
        url(scope_a, "decisions:conflict_escalate", pk=conflict.pk),
        {"escalate-person": "Sam Second", "escalate-date": TODAY.isoformat()},
    )
    assert refused.status_code == 400 and "one of the parties" in refused.content.decode()
    client.post(
        url(scope_a, "decisions:conflict_escalate", pk=conflict.pk),
        {"escalate-person": "Ann Neutral", "escalate-date": TODAY.isoformat()},
    )
    client.post(
        url(scope_a, "decisions:conflict_close", pk=conflict.pk),
        {"close-outcome": "resolved", "close-closed_on": TODAY.isoformat(), "close-resolution": "Agreed a protocol"},
    )
    conflict.refresh_from_db()
    assert (conflict.escalated_to, conflict.outcome, conflict.resolution) == (
        case["neutral"],
        "resolved",
        "Agreed a protocol",
    )


def test_an_action_can_come_from_a_conflict(client, editor, scope_a, actor, case):
    conflict = raise_one(actor, case)
    client.force_login(editor)
    new = url(scope_a, "actions:action_new")
    query = f"?partnership={case['partnership'].pk}&source=conflict&source_id={conflict.pk}"
    assert "From the conflict: " in client.get(new + query).content.decode()
    response = client.post(
        new + query,
        {
            "title": "Agree the data flows",
            "partnership": case["partnership"].pk,
            "owner": "Jo Bloggs",
            "due": (TODAY + dt.timedelta(days=30)).isoformat(),
            "source": "conflict",
            "source_id": conflict.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    action = Action.objects.get(title="Agree the data flows")
    assert (action.source, action.source_id) == ("conflict", conflict.pk)
    assert "Agree the data flows" in client.get(url(scope_a, "decisions:conflict", pk=conflict.pk)).content.decode()


def test_an_old_open_conflict_counts_as_irreconcilable(client, editor, scope_a, actor, case):
    old = raise_one(actor, case, days_ago=91)
    raise_one(actor, case, days_ago=90)
    client.force_login(editor)
    page = client.get(url(scope_a, "decisions:conflict", pk=old.pk)).content.decode()
    assert "91 days" in page and "counts as irreconcilable" in page
    section = client.get(url(scope_a, "portfolio:partnership", pk=case["partnership"].pk)).content.decode()
    assert section.count("counts as irreconcilable</strong> (more than 90)") == 1
    assert "open 90 days" in section
