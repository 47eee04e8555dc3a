"""Reviews: holding one (each decision's side effects, refusals, recommendation and decision both kept),
the review pages by role, the due list's order, and the review page's query count at two sizes."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keel.actions.models import Action, Source
from keel.core.models import ChangeRecord
from keel.decisions.models import CriterionAnswer, Event, Review
from keel.decisions.rules import Reason, Recommend, Recommendation
from keel.decisions.services.criteria import current_checklist
from keel.decisions.services.reviews import (
    Given,
    Improvement,
    ReviewRefused,
    due_words,
    hold_review,
)
from keel.register import services as register
from keel.register.models import Partnership

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEXT = TODAY + dt.timedelta(days=180)


def keep_answers(answer="yes"):
    return [Given(c, answer, "") for c in current_checklist("keep")]


def values(decision="keep", **more):
    return {"decision": decision, "reasons": "Working well together.", "next_review": NEXT, **more}


@pytest.fixture
def partnership(make_partnership):
    return make_partnership("Frailty alliance", review_every_months=6, status="under_review")


# ---------------------------------------------------------------- the service


def test_a_keep_review_keeps_the_recommendation_next_to_the_decision(actor, partnership):
    advice = Recommendation(Recommend.IMPROVE, (Reason("health", "Health is in concern.", {"score": 2.5}),))
    review = hold_review(actor, partnership, values(), keep_answers(), recommendation=advice)
    review.refresh_from_db()
    assert (review.decision, review.recommendation) == ("keep", "improve")
    assert review.recommendation_reasons == [
        {"rule": "health", "text": "Health is in concern.", "figures": {"score": 2.5}}
    ]
    assert review.next_review == NEXT and review.reviewer_name == "alice"
    assert CriterionAnswer.objects.filter(review=review, kind="keep").count() == len(current_checklist("keep"))
    assert not CriterionAnswer.objects.filter(review=review, kind="dissolve").exists()  # only what was given
    partnership.refresh_from_db()
    assert partnership.status == "active"  # under review → active after a keep decision
    assert ChangeRecord.objects.filter(action="review.held", object_id=review.pk).exists()


def test_without_a_recommendation_given_the_service_asks_keel(actor, partnership):
    review = hold_review(actor, partnership, values(), keep_answers())
    assert review.recommendation in Recommend.__members__.values() or review.recommendation in {
        r.value for r in Recommend
    }
    assert review.recommendation_reasons and review.recommendation_reasons[0]["text"]


def test_improve_makes_one_action_per_improvement(actor, partnership):
    lead = register.save_person(actor, {"name": "Jo Lead", "organisation": partnership.members.first().organisation})
    improvements = [
        Improvement("Agree a data sharing agreement", TODAY + dt.timedelta(days=30), lead),
        Improvement("Meet every month", TODAY + dt.timedelta(days=14)),
    ]
    review = hold_review(actor, partnership, values("improve"), keep_answers("no"), improvements)
    actions = Action.objects.filter(source=Source.REVIEW, source_id=review.pk).order_by("due")
    assert [(a.title, a.owner, a.partnership_id) for a in actions] == [
        ("Meet every month", None, partnership.pk),
        ("Agree a data sharing agreement", lead, partnership.pk),
    ]


def test_downgrade_makes_the_partnership_a_relationship(actor, partnership):
    hold_review(actor, partnership, values("downgrade"), keep_answers())
    partnership.refresh_from_db()
    assert (partnership.tier, partnership.status) == ("relationship", "active")
    assert ChangeRecord.objects.filter(action="partnership.changed", object_id=partnership.pk).exists()


@pytest.mark.parametrize("decision", ["dissolve", "celebrate_and_close"])
def test_an_ending_decision_changes_nothing_else_and_sets_no_next_review(actor, partnership, decision):
    dissolve = current_checklist("dissolve")
    answers = keep_answers("no") + [Given(dissolve[0], "yes")]
    review = hold_review(actor, partnership, values(decision), answers)
    partnership.refresh_from_db()
    assert partnership.status == "under_review" and partnership.tier == "operational"
    assert review.next_review is None
    ticked = CriterionAnswer.objects.get(review=review, kind="dissolve", answer="yes")
    assert ticked.key == dissolve[0].key == "irreconcilable_conflict"


def test_refusals_say_what_to_put_right(actor, partnership):
    keep = current_checklist("keep")
    with pytest.raises(ReviewRefused) as refused:
        hold_review(actor, partnership, {"decision": "improve", "reasons": " "}, keep_answers()[1:])
    messages = dict(refused.value.problems)
    assert messages[f"keep_{keep[0].pk}"] == f"Answer “{keep[0].text}”: yes, no or not sure."
    assert messages["reasons"].startswith("Give the reasons for the decision")
    assert messages["next_review"].startswith("Set the next review date")
    assert messages["actions"].startswith("Say what to improve")
    assert not Review.objects.exists() and not CriterionAnswer.objects.exists()


def test_a_next_review_in_the_past_is_refused(actor, partnership):
    past = TODAY - dt.timedelta(days=1)
    with pytest.raises(ReviewRefused, match=f"{past:%d/%m/%Y} is in the past"):
        hold_review(actor, partnership, values(next_review=past), keep_answers())


def test_a_proposed_partnership_is_not_reviewed(actor, make_partnership):
    proposed = make_partnership(status="proposed")
    with pytest.raises(ReviewRefused, match="only an active partnership, or one under review"):
        hold_review(actor, proposed, values(), keep_answers())


def test_due_words():
    assert due_words(TODAY - dt.timedelta(days=12), TODAY) == "overdue by 12 days"
    assert due_words(TODAY - dt.timedelta(days=1), TODAY) == "overdue by 1 day"
    assert due_words(TODAY, TODAY) == "due today"
    assert due_words(TODAY + dt.timedelta(days=3), TODAY) == "due in 3 days"
    assert due_words(None, TODAY) == "no review cadence set"


# ---------------------------------------------------------------- the pages


def form_data(decision="keep", **more):
    data = {f"keep_{c.pk}": "yes" for c in current_checklist("keep")}
    data.update(decision=decision, reasons="Still needed.", next_review=NEXT.isoformat())
    data.update(more)
    return data


def review_url(workspace, partnership):
    return reverse("portfolio:partnership_review", kwargs={"ws": workspace.slug, "pk": partnership.pk})


def test_viewers_read_the_review_page_and_cannot_record(client, scope_a, viewer, partnership):
    client.force_login(viewer)
    response = client.get(review_url(scope_a, partnership))
    page = response.content.decode()
    assert response.status_code == 200 and "Keel's recommendation" in page
    assert "Record the review</button>" not in page and "Only an editor" in page
    assert client.post(review_url(scope_a, partnership), form_data()).status_code == 403
    assert not Review.objects.exists()


def test_an_editor_records_a_review_and_sees_it_on_the_partnership_page(client, scope_a, editor, partnership):
    client.force_login(editor)
    response = client.post(review_url(scope_a, partnership), form_data())
    assert response.status_code == 302 and response.url == partnership.get_absolute_url()
    review = Review.objects.get()
    assert review.reviewer == editor
    # The page answers every dissolve circumstance: none ticked means each "no".
    answers = CriterionAnswer.objects.filter(review=review, kind="dissolve").values_list("answer", flat=True)
    assert set(answers) == {"no"}
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "Keep, " in page and "Still needed." in page and "Review now" in page
    detail = client.get(reverse("portfolio:review", kwargs={"ws": scope_a.slug, "pk": review.pk}))
    assert detail.status_code == 200 and "Keel recommended then" in detail.content.decode()


def test_a_refused_review_keeps_what_was_typed_and_lists_the_problems(client, scope_a, editor, partnership):
    client.force_login(editor)
    data = form_data("improve", reasons="")
    data.pop(f"keep_{current_checklist('keep')[0].pk}")
    data["action_1_title"] = "Meet monthly"
    response = client.post(review_url(scope_a, partnership), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "The review is not recorded yet: 3 things to put right" in page
    assert "Give the reasons for the decision" in page and "Improvement 1: give it a due date." in page
    assert 'value="Meet monthly"' in page
    assert not Review.objects.exists()


def test_an_ending_decision_leads_to_the_dissolution(client, scope_a, editor, partnership):
    client.force_login(editor)
    response = client.post(review_url(scope_a, partnership), form_data("celebrate_and_close", next_review=""))
    review = Review.objects.get()
    dissolution = reverse("decisions:partnership_dissolution", kwargs={"ws": scope_a.slug, "pk": partnership.pk})
    assert response.status_code == 302 and response.url == f"{dissolution}?review={review.pk}"
    assert review.next_review is None


def test_the_list_puts_overdue_first_then_soon_then_later(client, scope_a, viewer, make_partnership, actor):
    long_ago = TODAY - dt.timedelta(days=800)
    later = make_partnership("Later", review_every_months=12, start_date=TODAY - dt.timedelta(days=30))
    soon = make_partnership("Soon", review_every_months=12, start_date=TODAY - dt.timedelta(days=350))
    overdue = make_partnership("Overdue", review_every_months=12, start_date=long_ago)
    early = make_partnership("Early", review_every_months=12, start_date=TODAY - dt.timedelta(days=30))
    Event.objects.create(
        partnership=early, kind="funding_withdrawn", date=TODAY - dt.timedelta(days=3), early_review=True
    )
    make_partnership("No cadence")
    make_partnership("Proposed one", status="proposed", review_every_months=12, start_date=long_ago)
    client.force_login(viewer)
    url = reverse("portfolio:reviews", kwargs={"ws": scope_a.slug})
    page = client.get(url).content.decode()
    order = [page.index(f">{name}<span") for name in ("Overdue", "Early", "Soon", "Later")]
    assert order == sorted(order)
    assert "overdue by 3 days" in page and "Brought forward by an event" in page
    assert page.index("No review cadence set") < page.index(">No cadence<span")
    assert "Proposed one" not in page
    overdue_only = client.get(url, {"show": "overdue"}).content.decode()
    assert ">Overdue<span" in overdue_only and ">Later<span" not in overdue_only
    assert soon and later and overdue


def test_the_review_page_holds_its_query_count_as_the_partnership_grows(client, scope_a, editor, partnership, actor):
    from keel.activity import services as activity
    from keel.decisions.models import Conflict, CostItem, ValueItem
    from keel.outcomes import services as outcomes

    client.force_login(editor)
    client.get(review_url(scope_a, partnership))  # the session notes the workspace
    organisation = partnership.members.first().organisation
    counts = []
    for size in (2, 20):
        for i in range(size):
            day = TODAY - dt.timedelta(days=i + 1)
            activity.log_contact(actor, partnership, {"date": day, "organisation": organisation})
            indicator = outcomes.save_indicator(actor, partnership, {"name": f"Indicator {size}-{i}"})
            outcomes.record_measurement(actor, indicator, day, i)
            Event.objects.create(partnership=partnership, kind="other", date=day)
            Conflict.objects.create(partnership=partnership, raised_on=day, about=f"Conflict {i}")
            CostItem.objects.create(partnership=partnership, year=TODAY.year - i % 3, kind="money", amount=100)
            ValueItem.objects.create(partnership=partnership, year=TODAY.year - i % 3, amount=150, basis="Est.")
            Action.objects.create(partnership=partnership, title=f"Action {i}", due=day)
        hold_review(actor, partnership, values(), keep_answers())
        Partnership.objects.filter(pk=partnership.pk).update(status="active")
        with CaptureQueriesContext(connection) as context:
            response = client.get(review_url(scope_a, partnership))
        assert response.status_code == 200
        counts.append(len(context))
    assert counts[0] == counts[1], f"{counts[0]} queries with little data, {counts[1]} with ten times more"
    assert counts[0] <= 60


def test_the_reviews_list_holds_its_query_count_from_5_to_60_partnerships(client, scope_a, viewer, make_partnership):
    client.force_login(viewer)
    url = reverse("portfolio:reviews", kwargs={"ws": scope_a.slug})
    client.get(url)  # the session notes the workspace
    counts = []
    for size in (5, 55):
        for i in range(size):
            made = make_partnership(review_every_months=1 + i % 12, start_date=TODAY - dt.timedelta(days=40 * i))
            Event.objects.create(partnership=made, kind="other", date=TODAY, early_review=i % 2 == 0)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, {"page": 2})
        assert response.status_code == 200
        counts.append(len(context))
    assert counts[0] == counts[1], f"{counts[0]} queries with 5 partnerships, {counts[1]} with 60"
    assert counts[0] <= 25
