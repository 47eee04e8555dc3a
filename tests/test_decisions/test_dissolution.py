"""Dissolution: a respectful ending run to the end — services, pages and their query counts."""

import datetime as dt

import pytest

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
    found = queries.summary(alliance)
    assert (found.total, found.settled, found.next_step) == (len(ENDING), 2, steps[2])
    assert not found.completed
    for step in steps[2:]:
        services.mark_step_done(actor, step)
    services.complete_dissolution(actor, dissolution, today=TODAY)
    found = queries.summary(alliance)
    assert found.completed and found.ended_on == TODAY and found.next_step is None
