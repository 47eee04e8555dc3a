"""Starting a proposed partnership, and the status guard on the register's forms."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keel.core.models import ChangeRecord
from keel.core.services import ServiceError
from keel.decisions.models import CriterionAnswer, StartDecision
from keel.decisions.services.criteria import change_criterion, current_checklist
from keel.decisions.services.start import EndTerms, start_partnership
from keel.register import services as register
from keel.register.models import AgreedProcess, Partnership

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(workspace, name, **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


@pytest.fixture
def proposed(make_partnership):
    return make_partnership("Falls prevention", status="proposed")


def all_yes():
    return [(c, "yes", "") for c in current_checklist("start")]


def full_terms(**changes):
    values = {
        "start_date": TODAY,
        "review_every_months": 6,
        "planned_end": TODAY + dt.timedelta(days=730),
        "conflict_process": "Leads meet within a week; then the ICS convenor mediates.",
    }
    return EndTerms(**{**values, **changes})


# The service ------------------------------------------------------------------------------


def test_starting_records_who_why_the_answers_and_the_terms(scope_a, actor, proposed):
    answers = all_yes()
    answers[1] = (answers[1][0], "no", "Their values differ on data; the agreement covers it.")
    decision = start_partnership(actor, proposed, answers, full_terms(), "  Falls admissions are rising.  ")
    proposed.refresh_from_db()
    assert proposed.status == "active" and proposed.start_date == TODAY and proposed.review_every_months == 6
    assert proposed.conflict_process.startswith("Leads meet")
    assert decision.decided_by == actor.user and decision.decided_by_name == "alice"
    assert decision.reasons == "Falls admissions are rising." and decision.decided_on == TODAY
    kept = list(CriterionAnswer.objects.filter(start=decision))
    assert len(kept) == len(answers) and {a.kind for a in kept} == {"start"}
    assert kept[1].answer == "no" and kept[1].note.startswith("Their values")
    actions = set(ChangeRecord.objects.filter(object_id=proposed.pk).values_list("action", flat=True))
    assert {"partnership.started", "partnership.changed", "partnership.start_criteria_answered"} <= actions
    started = ChangeRecord.objects.get(action="partnership.started")
    assert started.note == "Falls admissions are rising."


def test_answers_keep_their_wording_when_the_item_is_reworded(scope_a, actor, proposed):
    decision = start_partnership(actor, proposed, all_yes(), full_terms(), "Needed.")
    item = current_checklist("start")[0]
    was = item.text
    change_criterion(actor, item, "One shared purpose, in one sentence")
    assert decision.answers.get(criterion=item).wording == was


@pytest.mark.parametrize(
    "terms, missing",
    [
        ({"planned_end": None}, "Set a planned end date or an end condition."),
        ({"review_every_months": None}, "Set how often the partnership is reviewed."),
        ({"conflict_process": ""}, "Describe the conflict resolution process"),
    ],
    ids=["end", "review", "conflict"],
)
def test_a_start_without_each_end_term_is_refused_naming_it(scope_a, actor, proposed, terms, missing):
    with pytest.raises(ServiceError) as refused:
        start_partnership(actor, proposed, all_yes(), full_terms(**terms), "Needed.")
    assert missing in str(refused.value)
    proposed.refresh_from_db()
    assert proposed.status == "proposed" and not StartDecision.objects.exists()
    assert not CriterionAnswer.objects.exists()


def test_an_end_condition_or_an_agreed_document_stand_in(scope_a, actor, proposed):
    register.add_process(
        actor,
        proposed,
        {"title": "Disputes protocol", "kind": "conflict_resolution", "link": "https://example.org/disputes"},
    )
    terms = full_terms(planned_end=None, end_condition="When the pilot funding ends", conflict_process="")
    start_partnership(actor, proposed, all_yes(), terms, "Needed.")
    proposed.refresh_from_db()
    assert proposed.end_terms == "When the pilot funding ends" and proposed.status == "active"


def test_every_item_must_be_answered_and_a_no_explained(scope_a, actor, proposed):
    answers = all_yes()
    with pytest.raises(ServiceError, match="Answer “"):
        start_partnership(actor, proposed, answers[1:], full_terms(), "Needed.")
    answers[0] = (answers[0][0], "no", "  ")
    with pytest.raises(ServiceError, match="despite answering no"):
        start_partnership(actor, proposed, answers, full_terms(), "Needed.")
    with pytest.raises(ServiceError, match="reasons"):
        start_partnership(actor, proposed, all_yes(), full_terms(), " ")


def test_only_a_proposed_partnership_with_two_partners_starts(scope_a, actor, make_partnership, proposed):
    active = make_partnership("Already running")
    with pytest.raises(ServiceError, match="not proposed"):
        start_partnership(actor, active, all_yes(), full_terms(), "Needed.")
    alone = make_partnership("Just us", n=1, status="proposed")
    with pytest.raises(ServiceError, match="at least two partner organisations"):
        start_partnership(actor, alone, all_yes(), full_terms(), "Needed.")


# The page ---------------------------------------------------------------------------------


def form_data(**changes):
    data = {
        "start_date": TODAY.isoformat(),
        "planned_end": (TODAY + dt.timedelta(days=365)).isoformat(),
        "end_terms": "",
        "review_every_months": "quarterly",
        "conflict_process": "Leads first, then a mediator.",
        "reasons": "Falls admissions are rising and both sides are ready.",
    }
    return {**data, **changes}


def answered(workspace, value="yes"):
    from keel.core.tenancy import workspace_scope

    with workspace_scope(workspace):
        return {f"answer_{c.pk}": value for c in current_checklist("start")}


def test_the_start_page_names_exactly_what_is_missing(client, workspace_a, editor, proposed):
    client.force_login(editor)
    page = url(workspace_a, "decisions:partnership_start", pk=proposed.pk)
    form = client.get(page).content.decode()
    assert "Start checklist" in form and "A shared purpose we can write down in one sentence" in form
    assert f'value="{TODAY.isoformat()}"' in form  # the start date defaults to today
    refused = client.post(page, {"start_date": TODAY.isoformat(), "reasons": "", "review_every_months": ""})
    html = refused.content.decode()
    assert refused.status_code == 200 and "has not started: there is a problem" in html
    for missing in [
        "Set a planned end date or an end condition.",
        "Set how often the partnership is reviewed.",
        "Describe the conflict resolution process, or upload the document the partners agreed.",
        "Answer “A shared purpose we can write down in one sentence”: yes, no or not sure.",
        "Give the reasons for starting.",
    ]:
        assert missing in html, missing
    assert Partnership.all_workspaces.get(pk=proposed.pk).status == "proposed"


def test_a_no_needs_its_note_and_what_was_typed_is_kept(client, workspace_a, editor, proposed):
    client.force_login(editor)
    page = url(workspace_a, "decisions:partnership_start", pk=proposed.pk)
    answers = answered(workspace_a)
    first = next(iter(answers))
    answers[first] = "no"
    html = client.post(page, {**form_data(), **answers}).content.decode()
    assert "Say why you start despite answering no to “A shared purpose" in html
    assert "Falls admissions are rising and both sides are ready." in html
    pk = first.removeprefix("answer_")
    response = client.post(page, {**form_data(), **answers, f"note_{pk}": "We will write it together."})
    assert response.status_code == 302


def test_starting_from_the_page_with_a_document(client, workspace_a, editor, proposed):
    client.force_login(editor)
    page = url(workspace_a, "decisions:partnership_start", pk=proposed.pk)
    document = SimpleUploadedFile("disputes.pdf", b"%PDF-1.4 agreed", content_type="application/pdf")
    data = {**form_data(conflict_process=""), **answered(workspace_a), "conflict_document": document}
    response = client.post(page, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    process = AgreedProcess.all_workspaces.get(partnership=proposed)
    assert process.kind == "conflict_resolution" and process.title == "Conflict resolution process"
    detail = client.get(response["Location"]).content.decode()
    assert "Started on" in detail and "by eddie" in detail and "because Falls admissions are rising" in detail
    assert "Start this partnership" not in detail


def test_a_refused_upload_asks_for_the_file_again(client, workspace_a, editor, proposed):
    client.force_login(editor)
    page = url(workspace_a, "decisions:partnership_start", pk=proposed.pk)
    document = SimpleUploadedFile("disputes.pdf", b"%PDF-1.4", content_type="application/pdf")
    html = client.post(page, {**form_data(reasons=""), "conflict_document": document}).content.decode()
    assert "Choose the conflict resolution document again" in html


def test_who_may_start_and_what_is_not_proposed(client, workspace_a, editor, viewer, proposed, make_partnership):
    page = url(workspace_a, "decisions:partnership_start", pk=proposed.pk)
    detail = url(workspace_a, "portfolio:partnership", pk=proposed.pk)
    client.force_login(viewer)
    assert client.get(page).status_code == 403 and client.post(page, form_data()).status_code == 403
    assert "Start this partnership" not in client.get(detail).content.decode()
    assert "is proposed" in client.get(detail).content.decode()
    client.force_login(editor)
    assert "Start this partnership" in client.get(detail).content.decode()
    active = make_partnership("Running")
    response = client.get(url(workspace_a, "decisions:partnership_start", pk=active.pk), follow=True)
    assert "only a proposed partnership is started" in response.content.decode()


def test_the_start_page_makes_a_fixed_number_of_queries(client, workspace_a, editor, actor, make_partnership):
    from keel.decisions.services.criteria import add_criterion

    small = make_partnership("Small", status="proposed")
    large = make_partnership("Large", n=12, status="proposed")
    for i in range(20):
        add_criterion(actor, "start", f"Extra quality {i}")
    for i in range(5):
        register.add_process(
            actor, large, {"title": f"Process {i}", "kind": "conflict_resolution", "link": "https://example.org"}
        )
    client.force_login(editor)

    def count(partnership):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url(workspace_a, "decisions:partnership_start", pk=partnership.pk)).status_code == 200
        return len(context)

    count(small)  # the first request after logging in also saves the session
    assert count(small) == count(large)


# The status guard ---------------------------------------------------------------------------


def test_the_edit_form_will_not_make_a_proposed_partnership_active(client, workspace_a, editor, proposed):
    client.force_login(editor)
    edit = url(workspace_a, "register:partnership_edit", pk=proposed.pk)
    values = {"name": proposed.name, "tier": "operational", "formality": "formal", "basis": "voluntary"}
    html = client.post(edit, {**values, "status": "active"}).content.decode()
    start = url(workspace_a, "decisions:partnership_start", pk=proposed.pk)
    assert f'<a href="{start}">Start this partnership</a>' in html
    assert Partnership.all_workspaces.get(pk=proposed.pk).status == "proposed"
    assert client.post(edit, {**values, "status": "under_review"}).status_code == 302


@pytest.mark.parametrize("status", ["dissolving", "ended"])
def test_no_form_ends_a_partnership(client, workspace_a, editor, make_partnership, status):
    active = make_partnership("Running")
    client.force_login(editor)
    field = url(workspace_a, "register:partnership_field", pk=active.pk, field="status")
    html = client.post(field, {"status": status}, HTTP_HX_REQUEST="true").content.decode()
    review = url(workspace_a, "portfolio:partnership_review", pk=active.pk)
    assert f'<a href="{review}">Dissolve (from a review)</a>' in html
    assert Partnership.all_workspaces.get(pk=active.pk).status == "active"
    create = client.post(
        url(workspace_a, "register:partnership_create"),
        {"name": "Old one", "status": status, "tier": "operational", "formality": "formal", "basis": "voluntary"},
    )
    assert "cannot be recorded as dissolving or ended here" in create.content.decode()


def test_the_guard_is_the_forms_not_the_services(scope_a, actor, make_partnership):
    # Imports, the demo and the decisions' own services still record any status.
    running = make_partnership("Running")
    register.save_partnership(actor, {"status": "ended"}, running)
    assert Partnership.objects.get(pk=running.pk).status == "ended"
