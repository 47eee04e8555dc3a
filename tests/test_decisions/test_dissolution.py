"""Dissolution: a respectful ending run to the end — services, pages and their query counts."""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.actions.models import Action, ActionStatus, Source
from keel.core.models import ChangeRecord
from keel.core.services import ServiceError
from keel.decisions import dissolution_queries as queries
from keel.decisions.defaults import ENDING
from keel.decisions.models import ClosingLetter, Criterion, Dissolution, DissolutionStatus, Review
from keel.decisions.services import dissolution as services
from keel.register import services as register
from keel.register.models import Partnership

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def alliance(scope_a, actor):
    """An active partnership led from Age UK, with two partners whose contacts are named."""
    age = register.save_organisation(actor, {"name": "Age UK Northshire"})
    mind = register.save_organisation(actor, {"name": "Northshire Mind"})
    trust = register.save_organisation(actor, {"name": "Northshire Community Trust"})
    lead = register.save_person(actor, {"name": "Eddie Lead", "email": "eddie@example.org", "organisation": age})
    priya = register.save_person(actor, {"name": "Priya Shah", "organisation": mind})
    partnership = register.save_partnership(
        actor,
        {
            "name": "Frailty alliance",
            "status": "active",
            "lead": lead,
            "purpose": "Keep frail older people well at home.",
            "start_date": dt.date(2023, 4, 1),
        },
        organisations=[age, mind, trust],
    )
    member = partnership.members.get(organisation=mind)
    register.change_member(actor, member, {"contact": priya})
    return partnership


def start(actor, partnership, **kwargs):
    return services.start_dissolution(actor, partnership, "Purpose fulfilled", today=TODAY, **kwargs)


def settle_all(actor, dissolution):
    for step in dissolution.steps.all():
        services.mark_step_done(actor, step, on=TODAY)


# ------------------------------------------------------------------ starting


def test_starting_copies_the_ending_checklist_with_owners_due_dates_and_actions(actor, alliance):
    dissolution = start(actor, alliance)
    alliance.refresh_from_db()
    assert alliance.status == "dissolving"
    steps = list(dissolution.steps.select_related("action", "owner"))
    assert [s.wording for s in steps] == [text for text, _, _ in ENDING]
    assert {s.owner.name for s in steps} == {"Eddie Lead"}
    assert [s.due for s in steps] == [TODAY + dt.timedelta(days=14 * i) for i in range(1, len(ENDING) + 1)]
    for step in steps:
        assert step.action.source == Source.DISSOLUTION and step.action.source_id == step.pk
        assert step.action.partnership_id == alliance.pk and step.action.owner_id == step.owner_id
        assert step.action.due == step.due and step.action.status == ActionStatus.OPEN
        assert step.wording in step.action.title
    assert dissolution.started_by == actor.user and dissolution.started_on == TODAY
    assert ChangeRecord.objects.filter(action="dissolution.started", object_id=dissolution.pk).exists()
    assert ChangeRecord.objects.filter(action="partnership.changed", object_id=alliance.pk).exists()


def test_editing_the_checklist_later_never_changes_a_started_dissolution(actor, alliance):
    first = Criterion.objects.filter(kind="ending").order_by("position").first()
    retired = Criterion.objects.filter(kind="ending").order_by("position").last()
    retired.retired_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    retired.save()
    dissolution = start(actor, alliance)
    first.text = "Something else entirely"
    first.save()
    wordings = list(dissolution.steps.values_list("wording", flat=True))
    assert wordings[0] == ENDING[0][0]
    assert retired.text not in wordings and len(wordings) == len(ENDING) - 1


def test_a_review_gives_the_dissolution_its_origin(actor, alliance):
    review = Review.objects.create(
        partnership=alliance, held_on=TODAY, decision="celebrate_and_close", reasons="It did what it set out to do"
    )
    assert start(actor, alliance, review=review).review == review


def test_a_second_dissolution_is_refused_while_one_is_in_progress(actor, alliance):
    start(actor, alliance)
    with pytest.raises(ServiceError, match="already in progress"):
        start(actor, alliance)


@pytest.mark.parametrize("status, message", [("ended", "already ended"), ("proposed", "still proposed")])
def test_an_ended_or_proposed_partnership_cannot_be_dissolved(actor, alliance, status, message):
    Partnership.objects.filter(pk=alliance.pk).update(status=status)
    alliance.refresh_from_db()
    with pytest.raises(ServiceError, match=message):
        start(actor, alliance)
    assert not Dissolution.objects.exists()


def test_a_reason_is_needed(actor, alliance):
    with pytest.raises(ServiceError, match="Say why"):
        services.start_dissolution(actor, alliance, "   ")


def test_with_no_lead_the_steps_have_no_owner_yet(actor, make_partnership):
    dissolution = start(actor, make_partnership())
    assert not dissolution.steps.filter(owner__isnull=False).exists()
    assert Action.objects.filter(source=Source.DISSOLUTION, owner__isnull=True).count() == len(ENDING)


# ------------------------------------------------------------------ steps


def test_a_steps_owner_and_due_date_move_its_action(actor, alliance):
    step = start(actor, alliance).steps.first()
    priya = alliance.members.get(organisation__name="Northshire Mind").contact
    services.plan_step(actor, step, {"owner": priya, "due": dt.date(2027, 1, 15), "note": "After the board"})
    step.refresh_from_db()
    action = step.action
    assert (step.owner, step.due, step.note) == (priya, dt.date(2027, 1, 15), "After the board")
    assert (action.owner, action.due) == (priya, dt.date(2027, 1, 15))
    assert ChangeRecord.objects.filter(action="dissolution.step_changed").exists()


def test_done_closes_the_action_waived_drops_it_undo_opens_it_again(actor, alliance):
    first, second = start(actor, alliance).steps.all()[:2]
    services.mark_step_done(actor, first, on=TODAY)
    first.refresh_from_db()
    assert first.done_on == TODAY and first.action.status == ActionStatus.DONE
    services.waive_step(actor, second, "  No clients were ever referred  ")
    second.refresh_from_db()
    assert second.waived_reason == "No clients were ever referred"
    assert second.action.status == ActionStatus.DROPPED
    services.undo_step(actor, second)
    second.refresh_from_db()
    assert not second.is_settled and second.action.status == ActionStatus.OPEN
    with pytest.raises(ServiceError, match="already settled"):
        services.waive_step(actor, first, "changed my mind")


def test_waiving_needs_a_reason(actor, alliance):
    step = start(actor, alliance).steps.first()
    with pytest.raises(ServiceError, match="only with a reason"):
        services.waive_step(actor, step, " ")
    step.refresh_from_db()
    assert not step.is_settled and step.action.status == ActionStatus.OPEN


def test_a_step_whose_action_was_deleted_gets_a_new_one_when_planned(actor, alliance):
    step = start(actor, alliance).steps.first()
    step.action.delete()
    step.refresh_from_db()
    services.plan_step(actor, step, {"owner": step.owner, "due": dt.date(2027, 2, 1), "note": ""})
    step.refresh_from_db()
    assert step.action is not None and step.action.due == dt.date(2027, 2, 1)


# ------------------------------------------------------------------ completing


def test_completing_is_refused_naming_the_steps_still_open(actor, alliance):
    dissolution = start(actor, alliance)
    steps = list(dissolution.steps.all())
    for step in steps[:-2]:
        services.mark_step_done(actor, step, on=TODAY)
    with pytest.raises(ServiceError) as refused:
        services.complete_dissolution(actor, dissolution, today=TODAY)
    assert steps[-1].wording in str(refused.value) and steps[-2].wording in str(refused.value)
    assert steps[0].wording not in str(refused.value)
    dissolution.refresh_from_db()
    alliance.refresh_from_db()
    assert dissolution.status == DissolutionStatus.IN_PROGRESS and alliance.status == "dissolving"


def test_completing_ends_the_partnership_and_keeps_the_relationship(actor, alliance):
    dissolution = start(actor, alliance)
    services.save_dissolution(
        actor, dissolution, {"end_date": dt.date(2027, 3, 31), "keep_in_touch_days": 60, "lessons": "Start small"}
    )
    steps = list(dissolution.steps.all())
    settle_all(actor, dissolution)
    services.undo_step(actor, steps[2])
    services.waive_step(actor, steps[2], "No clients or referrals were shared")
    services.complete_dissolution(actor, dissolution, today=TODAY)
    dissolution.refresh_from_db()
    alliance.refresh_from_db()
    assert dissolution.status == DissolutionStatus.COMPLETED and dissolution.completed_on == TODAY
    assert alliance.status == "ended" and alliance.tier == "relationship"
    assert alliance.contact_every_days == 60 and alliance.planned_end == dt.date(2027, 3, 31)
    assert ChangeRecord.objects.filter(action="dissolution.completed", object_id=dissolution.pk).exists()
    assert not Action.objects.filter(source=Source.DISSOLUTION, status__in=["open", "in_progress"]).exists()
    # The record is kept as it was; a new dissolution of an ended partnership is refused.
    with pytest.raises(ServiceError, match="completed"):
        services.mark_step_done(actor, steps[2])
    with pytest.raises(ServiceError, match="completed"):
        services.save_dissolution(actor, dissolution, {"lessons": "More"})
    with pytest.raises(ServiceError, match="already ended"):
        start(actor, alliance)


def test_without_an_agreed_end_date_the_partnership_ends_on_the_day_it_is_completed(actor, alliance):
    dissolution = start(actor, alliance)
    settle_all(actor, dissolution)
    services.complete_dissolution(actor, dissolution, today=TODAY)
    alliance.refresh_from_db()
    assert alliance.planned_end == TODAY and alliance.contact_every_days == 90


def test_the_dissolutions_own_fields_are_checked(actor, alliance):
    dissolution = start(actor, alliance)
    with pytest.raises(Exception, match="365"):
        services.save_dissolution(actor, dissolution, {"keep_in_touch_days": 400})
    with pytest.raises(ServiceError, match="cannot be changed"):
        services.save_dissolution(actor, dissolution, {"status": "completed"})


# ------------------------------------------------------------------ letters


def test_a_letter_is_drafted_for_each_partner_but_the_leads_own_organisation(actor, alliance):
    dissolution = start(actor, alliance)
    services.save_dissolution(actor, dissolution, {"achievements": "400 people supported at home"})
    made = services.add_letters(actor, dissolution, queries.drafts(dissolution, TODAY))
    assert sorted(letter.organisation.name for letter in made) == ["Northshire Community Trust", "Northshire Mind"]
    mind = ClosingLetter.objects.get(organisation__name="Northshire Mind")
    assert mind.addressee == "Priya Shah" and mind.body.startswith("Dear Priya Shah,")
    assert "400 people supported at home" in mind.body and "Eddie Lead" in mind.body
    trust = ClosingLetter.objects.get(organisation__name="Northshire Community Trust")
    assert trust.body.startswith("Dear colleagues at Northshire Community Trust,")
    # Asking again keeps the letters already made, edits and all.
    services.save_letter(actor, mind, {"body": "Dear Priya, thank you."})
    assert services.add_letters(actor, dissolution, queries.drafts(dissolution, TODAY)) == []
    mind.refresh_from_db()
    assert mind.body == "Dear Priya, thank you."


def test_a_celebrated_close_says_so_in_the_letters(actor, alliance):
    review = Review.objects.create(partnership=alliance, held_on=TODAY, decision="celebrate_and_close", reasons="Done")
    dissolution = start(actor, alliance, review=review)
    facts = queries.letter_facts(dissolution, TODAY)
    assert all(f.purpose_fulfilled for f in facts.values())


def test_a_letter_is_marked_sent_and_cannot_be_emptied(actor, alliance):
    dissolution = start(actor, alliance)
    services.add_letters(actor, dissolution, queries.drafts(dissolution, TODAY))
    letter = ClosingLetter.objects.first()
    services.save_letter(actor, letter, {"sent_on": TODAY})
    assert ChangeRecord.objects.filter(action="dissolution.letter_sent").exists()
    with pytest.raises(ServiceError, match="empty"):
        services.save_letter(actor, letter, {"body": "  "})


# ------------------------------------------------------------------ the partnership page's summary


def test_the_summary_counts_settled_steps_and_names_the_next(actor, alliance):
    assert queries.summary(alliance) is None
    dissolution = start(actor, alliance)
    steps = list(dissolution.steps.all())
    services.mark_step_done(actor, steps[0])
    services.waive_step(actor, steps[1], "Not needed")
    alliance.refresh_from_db()
    found = queries.summary(alliance)
    assert (found.total, found.settled, found.next_step) == (len(ENDING), 2, steps[2])
    assert not found.completed
    for step in steps[2:]:
        services.mark_step_done(actor, step)
    services.complete_dissolution(actor, dissolution, today=TODAY)
    alliance.refresh_from_db()
    found = queries.summary(alliance)
    assert found.completed and found.ended_on == TODAY and found.next_step is None


# ------------------------------------------------------------------ pages


def url(workspace, name, pk, query=""):
    return reverse(f"decisions:{name}", kwargs={"ws": workspace.slug, "pk": pk}) + query


def test_the_start_page_prefills_the_reason_from_the_review(client, editor, workspace_a, alliance):
    review = Review.objects.create(
        partnership=alliance, held_on=TODAY, decision="dissolve", reasons="No longer serves our priorities"
    )
    client.force_login(editor)
    page = client.get(url(workspace_a, "partnership_dissolution", alliance.pk, f"?review={review.pk}"))
    html = page.content.decode()
    assert page.status_code == 200 and "No longer serves our priorities" in html
    assert f'name="review" value="{review.pk}"' in html
    assert "End date agreed with partners" in html  # the checklist the steps will be copied from
    response = client.post(
        url(workspace_a, "partnership_dissolution", alliance.pk), {"reason": "Not our priority", "review": review.pk}
    )
    dissolution = Dissolution.objects.get()
    assert response.status_code == 302 and response["Location"] == url(workspace_a, "dissolution", dissolution.pk)
    assert dissolution.review == review and dissolution.reason == "Not our priority"
    # The partnership's dissolution page is now the dissolution itself.
    again = client.get(url(workspace_a, "partnership_dissolution", alliance.pk))
    assert "Ending Frailty alliance" in again.content.decode()


def test_starting_without_a_reason_is_refused_on_the_form(client, editor, workspace_a, alliance):
    client.force_login(editor)
    response = client.post(url(workspace_a, "partnership_dissolution", alliance.pk), {"reason": " "})
    assert response.status_code == 200 and "Say why the partnership is ending" in response.content.decode()
    assert not Dissolution.objects.exists()


def test_a_viewer_reads_but_cannot_start_or_change_anything(client, viewer, actor, workspace_a, alliance):
    client.force_login(viewer)
    page = client.get(url(workspace_a, "partnership_dissolution", alliance.pk)).content.decode()
    assert "Only an editor can start a dissolution" in page
    assert client.post(url(workspace_a, "partnership_dissolution", alliance.pk), {"reason": "x"}).status_code == 403
    dissolution = start(actor, alliance)
    step = dissolution.steps.first()
    assert client.post(url(workspace_a, "dissolution_step", step.pk), {"op": "done"}).status_code == 403
    assert client.post(url(workspace_a, "dissolution_complete", dissolution.pk)).status_code == 403
    page = client.get(url(workspace_a, "dissolution", dissolution.pk)).content.decode()
    assert step.wording in page and "Mark done" not in page


def test_steps_are_settled_from_the_page(client, editor, actor, workspace_a, alliance):
    dissolution = start(actor, alliance)
    first, second, third = dissolution.steps.all()[:3]
    client.force_login(editor)
    assert client.post(url(workspace_a, "dissolution_step", first.pk), {"op": "done"}).status_code == 302
    refused = client.post(
        url(workspace_a, "dissolution_step", second.pk), {"op": "waive", f"waive-{second.pk}-reason": ""}
    )
    assert refused.status_code == 200 and "a step is waived only with a reason" in refused.content.decode()
    client.post(url(workspace_a, "dissolution_step", second.pk), {"op": "waive", f"waive-{second.pk}-reason": "None"})
    typo = {"op": "plan", f"step-{third.pk}-owner": "Nobody Atall", f"step-{third.pk}-due": "2027-02-01"}
    refused = client.post(url(workspace_a, "dissolution_step", third.pk), typo)
    assert refused.status_code == 200 and "No one called 'Nobody Atall'" in html.unescape(refused.content.decode())
    assert 'value="Nobody Atall"' in refused.content.decode()  # what was typed is kept
    plan = {"op": "plan", f"step-{third.pk}-owner": "eddie@example.org", f"step-{third.pk}-due": "2027-02-01"}
    assert client.post(url(workspace_a, "dissolution_step", third.pk), plan).status_code == 302
    client.post(url(workspace_a, "dissolution_step", first.pk), {"op": "undo"})
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert not first.is_settled and second.waived_reason == "None" and third.due == dt.date(2027, 2, 1)
    assert client.post(url(workspace_a, "dissolution_step", first.pk), {"op": "shrug"}).status_code == 400


def test_completing_early_is_refused_then_the_partnership_ends(client, editor, actor, workspace_a, alliance):
    dissolution = start(actor, alliance)
    client.force_login(editor)
    early = client.post(url(workspace_a, "dissolution_complete", dissolution.pk), follow=True).content.decode()
    assert "Still open: End date agreed with partners; Partners and staff told" in early
    settle_all(actor, dissolution)
    client.post(url(workspace_a, "dissolution", dissolution.pk), {"keep_in_touch_days": "60"})
    done = client.post(url(workspace_a, "dissolution_complete", dissolution.pk), follow=True).content.decode()
    assert "Frailty alliance has ended. The relationship is kept: keep in touch every 60 days." in done
    page = client.get(alliance.get_absolute_url()).content.decode()
    assert "relationship kept, keep in touch every 60 days" in page


def test_the_partnership_page_summarises_a_dissolution_in_progress(client, viewer, actor, workspace_a, alliance):
    dissolution = start(actor, alliance)
    services.mark_step_done(actor, dissolution.steps.first())
    client.force_login(viewer)
    page = client.get(alliance.get_absolute_url()).content.decode()
    assert f"1 of {len(ENDING)} steps settled" in page
    assert "Next due: <strong>Partners and staff told</strong>" in page


def test_the_dissolutions_fields_are_saved_and_refused_with_a_message(client, editor, actor, workspace_a, alliance):
    dissolution = start(actor, alliance)
    client.force_login(editor)
    refused = client.post(url(workspace_a, "dissolution", dissolution.pk), {"keep_in_touch_days": "400"})
    assert refused.status_code == 200 and "Keep in touch at least once a year" in refused.content.decode()
    values = {"end_date": "2027-03-31", "achievements": "A shared pathway", "keep_in_touch_days": "90"}
    assert client.post(url(workspace_a, "dissolution", dissolution.pk), values).status_code == 302
    dissolution.refresh_from_db()
    assert dissolution.end_date == dt.date(2027, 3, 31) and dissolution.achievements == "A shared pathway"


def test_letters_are_drafted_edited_marked_sent_and_downloaded(client, editor, actor, workspace_a, alliance):
    dissolution = start(actor, alliance)
    client.force_login(editor)
    listed = client.get(url(workspace_a, "dissolution_letters", dissolution.pk)).content.decode()
    assert listed.count("Not drafted yet") == 2 and "Age UK Northshire" not in listed.split("<h1>")[1]
    client.post(url(workspace_a, "dissolution_letters", dissolution.pk))
    assert ClosingLetter.objects.count() == 2
    letter = ClosingLetter.objects.get(organisation__name="Northshire Mind")
    page = client.get(url(workspace_a, "letter", letter.pk)).content.decode()
    assert "Dear Priya Shah," in page and "Copy the letter" in page
    edited = {"op": "save", "addressee": "Priya Shah", "body": "Dear Priya,\n\nThank you for everything."}
    assert client.post(url(workspace_a, "letter", letter.pk), edited).status_code == 302
    empty = client.post(url(workspace_a, "letter", letter.pk), {"op": "save", "addressee": "", "body": ""})
    assert empty.status_code == 200
    client.post(url(workspace_a, "letter", letter.pk), {"op": "sent", "sent_on": "2026-12-10"})
    letter.refresh_from_db()
    assert letter.body == "Dear Priya,\n\nThank you for everything." and letter.sent_on == dt.date(2026, 12, 10)
    text = client.get(url(workspace_a, "letter_text", letter.pk))
    assert text["Content-Type"].startswith("text/plain")
    assert 'filename="closing-letter-northshire-mind.txt"' in text["Content-Disposition"]
    assert text.content.decode() == letter.body
    client.post(url(workspace_a, "letter", letter.pk), {"op": "unsent"})
    letter.refresh_from_db()
    assert letter.sent_on is None


# ------------------------------------------------------------------ query counts, at two sizes


def grow(actor, alliance, dissolution, size):
    """`size` more steps and partners (with letters): the pages must not make more queries for them."""
    from keel.decisions.models import DissolutionStep

    for i in range(size):
        organisation = register.save_organisation(actor, {"name": f"Partner {size}-{i}"})
        register.add_member(actor, alliance, {"organisation": organisation})
        step = DissolutionStep.objects.create(dissolution=dissolution, wording=f"Extra {i}", due=TODAY)
        services.plan_step(actor, step, {"owner": alliance.lead, "due": TODAY, "note": ""})
    services.add_letters(actor, dissolution, queries.drafts(dissolution, TODAY))


def count(client, address):
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("name", ["dissolution", "dissolution_letters", "partnership_dissolution"])
def test_dissolution_pages_make_a_bounded_number_of_queries(client, editor, actor, workspace_a, alliance, name):
    dissolution = start(actor, alliance)
    client.force_login(editor)
    pk = alliance.pk if name.startswith("partnership") else dissolution.pk
    grow(actor, alliance, dissolution, 2)
    client.get(url(workspace_a, name, pk))  # the first request of a session makes a few more
    small = count(client, url(workspace_a, name, pk))
    grow(actor, alliance, dissolution, 12)
    assert count(client, url(workspace_a, name, pk)) == small
