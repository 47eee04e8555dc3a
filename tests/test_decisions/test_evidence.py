"""Gathering the evidence for the recommendations from the records, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.activity.models import RelationshipRating
from keel.assessments import services as assessments
from keel.decisions.evidence import advise, gather
from keel.decisions.models import (
    Conflict,
    CostItem,
    Criterion,
    CriterionAnswer,
    Event,
    Review,
    ValueItem,
)
from keel.decisions.rules import NO_TRUST, Recommend
from keel.decisions.services.setup import ensure_defaults
from keel.outcomes.models import Indicator, Measurement
from keel.register.models import AgreedProcess, Partnership, Person, PriorityAlignment, StrategicPriority

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 3)


def add_round(actor, partnership, opens_on, score, respondents=3):
    """A health-check round in which every respondent answers `score` to every statement's meaning."""
    spec = assessments.health_check().spec
    round_, _ = assessments.create_round(
        actor,
        partnership,
        assessments.health_check(),
        opens_on,
        opens_on + dt.timedelta(days=14),
        open_limit=1000,
        check_dates=False,
    )
    answers = {item.key: 6 - score if item.reverse else score for item in spec.items}
    assessments.import_responses(actor, round_, [{"answers": answers} for _ in range(respondents)], "test")
    return round_


def fill(partnership, actor, organisation):
    """One of every kind of evidence for `partnership`."""
    add_round(actor, partnership, dt.date(2025, 10, 1), 3)
    add_round(actor, partnership, dt.date(2026, 10, 1), 2)
    RelationshipRating.objects.create(partnership=partnership, organisation=organisation, score=4, date=TODAY)
    RelationshipRating.objects.create(
        partnership=partnership, organisation=organisation, score=5, date=TODAY - dt.timedelta(days=90)
    )
    priority, _ = StrategicPriority.objects.get_or_create(
        name="Healthy ageing", defaults={"name_key": "healthy ageing"}
    )
    PriorityAlignment.objects.create(partnership=partnership, priority=priority, score=2)
    indicator = Indicator.objects.create(
        partnership=partnership,
        name="Falls",
        kind="outcome",
        baseline=Decimal(10),
        baseline_date=dt.date(2025, 1, 1),
        target=Decimal(20),
        target_date=dt.date(2027, 1, 1),
    )
    Measurement.objects.create(indicator=indicator, period=dt.date(2026, 11, 30), value=Decimal(25))
    Measurement.objects.create(indicator=indicator, period=dt.date(2026, 6, 30), value=Decimal(12))
    Indicator.objects.create(partnership=partnership, name="Visits", kind="output")
    CostItem.objects.create(partnership=partnership, year=2026, kind="staff_time", level="manager", hours=Decimal(100))
    CostItem.objects.create(partnership=partnership, year=2026, kind="money", amount=Decimal("500.00"))
    ValueItem.objects.create(partnership=partnership, year=2026, amount=Decimal("3000.00"), basis="an estimate")
    Conflict.objects.create(partnership=partnership, raised_on=dt.date(2026, 1, 5), about="Data")
    Event.objects.create(
        partnership=partnership, kind="breach_of_trust", date=dt.date(2026, 11, 1), severity="high", early_review=True
    )
    Event.objects.create(partnership=partnership, kind="other", date=dt.date(2020, 1, 1))  # too old to count
    AgreedProcess.objects.create(partnership=partnership, title="Disputes", kind="conflict_resolution")
    old = Review.objects.create(partnership=partnership, held_on=dt.date(2025, 6, 1), decision="keep", reasons="Fine")
    review = Review.objects.create(
        partnership=partnership,
        held_on=dt.date(2026, 6, 1),
        decision="improve",
        reasons="Trust",
        objectives_met="partly",
        next_review=dt.date(2027, 6, 1),
    )
    ensure_defaults()
    no_trust = Criterion.objects.get(kind="dissolve", key=NO_TRUST)
    for on, answer in ((old, "no"), (review, "yes")):
        CriterionAnswer.objects.create(
            partnership=partnership,
            criterion=no_trust,
            kind="dissolve",
            key=NO_TRUST,
            wording=no_trust.text,
            answer=answer,
            review=on,
        )
    for wording, kind, answer in (
        ("Fraud found", "dissolve", "yes"),
        ("Decisions are made together", "keep", "no"),
        ("Information is shared as agreed", "keep", "yes"),
    ):
        CriterionAnswer.objects.create(
            partnership=partnership, kind=kind, wording=wording, answer=answer, review=review
        )


@pytest.fixture
def full(make_partnership, actor):
    partnership = make_partnership("Falls prevention", start_date=dt.date(2023, 4, 1), review_every_months=12)
    coordinator = Person.objects.create(name="Priya Shah", organisation=partnership.organisations.first())
    Partnership.objects.filter(pk=partnership.pk).update(coordinator=coordinator, basis="statutory")
    fill(partnership, actor, partnership.organisations.first())
    return partnership


def test_gather_reads_every_kind_of_evidence(full):
    found = gather(TODAY)[full.pk]
    assert (found.name, found.status, found.basis, found.coordinator) == (
        "Falls prevention",
        "active",
        "statutory",
        "Priya Shah",
    )
    assert found.start_date == dt.date(2023, 4, 1) and found.review_every_months == 12
    assert (found.health_score, found.health_band, found.previous_health_score) == (2.0, "concern", 3.0)
    assert found.last_assessment == dt.date(2026, 10, 1)
    assert found.fundamentals == {
        "shared-purpose": "concern",
        "shared-values": "concern",
        "agreed-processes": "concern",
        "relationships": "concern",
    }
    assert found.lowest_rating == 4  # the latest rating of the member, not its older 5
    assert found.alignments == (2,)
    # One outcome indicator with a status (on track); one indicator measured at all.
    assert (found.outcomes_on_track, found.outcomes_total, found.measurements) == (1, 1, 1)
    # 100 hours at the manager's £45 and £500 given; £3,000 of value.
    assert (found.annual_cost, found.annual_value, found.cost_year) == (Decimal("5000.00"), Decimal("3000.00"), 2026)
    assert [c.outcome for c in found.conflicts] == ["open"]
    assert [e.kind for e in found.events] == ["breach_of_trust"]
    assert found.conflict_process  # as an agreed process document
    assert found.last_review == dt.date(2026, 6, 1) and found.next_review_set == dt.date(2027, 6, 1)
    assert (found.objectives_met, found.last_decision) == ("partly", "improve")
    assert found.circumstances == frozenset({NO_TRUST})
    assert found.other_circumstances == ("Fraud found",)
    assert found.keep_not_met == ("Decisions are made together",)


def test_advice_for_a_mandatory_partnership_in_trouble(full):
    advice = advise(TODAY)[full.pk]
    assert advice.recommendation.code == Recommend.MEDIATE
    assert [r.rule for r in advice.recommendation.reasons] == [
        "circumstances_said",
        "irreconcilable_conflict",
        "serious_event",
        "mandatory_basis",
    ]
    assert "Priya Shah" in advice.recommendation.reasons[-1].text
    # The breach of trust called for an early review after the last one.
    assert advice.review.due == dt.date(2026, 11, 1) and advice.review.overdue
    assert advice.lapsed is None


def test_a_partnership_with_nothing_recorded(make_partnership):
    bare = make_partnership("Bare", status="proposed")
    found = gather(TODAY)[bare.pk]
    assert found.health_score is None and found.annual_cost is None and found.alignments == ()
    assert not found.conflict_process and found.coordinator is None
    advice = advise(TODAY)[bare.pk]
    assert advice.recommendation.reasons and advice.review.due is None


def test_conflict_process_written_on_the_partnership(make_partnership):
    written = make_partnership("Written", conflict_process="Leads meet, then the chairs.")
    assert gather(TODAY)[written.pk].conflict_process


def test_only_the_partnerships_asked_for_and_archived_left_out(make_partnership):
    one, two = make_partnership(), make_partnership()
    archived = make_partnership()
    Partnership.objects.filter(pk=archived.pk).update(archived_at="2026-01-01T00:00Z")
    assert set(gather(TODAY)) == {one.pk, two.pk}
    assert set(gather(TODAY, include_archived=True)) == {one.pk, two.pk, archived.pk}
    assert set(advise(TODAY, [two.pk])) == {two.pk}
    assert advise(TODAY, []) == {}


def test_lapsed_terms_flagged(make_partnership):
    lapsed = make_partnership("Lapsed", planned_end=dt.date(2025, 3, 31), review_every_months=12)
    advice = advise(TODAY)[lapsed.pk]
    assert advice.lapsed == "Planned end 31/03/2025 passed 612 days ago"
    assert advice.review.due == TODAY
    assert advice.recommendation.reasons[0].rule == "terms_lapsed"


def _queries(today):
    with CaptureQueriesContext(connection) as context:
        found = advise(today)
    return len(context), found


def test_advice_for_the_whole_workspace_in_a_fixed_number_of_queries(scope_a, make_partnership, actor):
    def grow(count):
        for _ in range(count):
            partnership = make_partnership(start_date=dt.date(2024, 1, 1))
            fill(partnership, actor, partnership.organisations.first())

    grow(3)
    small, found = _queries(TODAY)
    assert len(found) == 3
    grow(27)
    large, found = _queries(TODAY)
    assert len(found) == 30 and all(a.evidence.health_score == 2.0 for a in found.values())
    assert small == large, f"{small} queries for 3 partnerships, {large} for 30"
    assert large <= 14, large


def test_the_partnership_page_shows_the_recommendation(client, admin, full, workspace_a):
    client.force_login(admin)
    url = reverse("portfolio:partnership", kwargs={"ws": workspace_a.slug, "pk": full.pk})
    page = client.get(url).content.decode()
    assert "Keel&#x27;s recommendation" in page or "Keel's recommendation" in page
    assert '<span class="tag tag-mediate">Mediate</span>' in page
    assert "Priya Shah" in page and "Review overdue:" in page
    assert "Keel advises; a person decides." in page
    assert reverse("portfolio:partnership_review", kwargs={"ws": workspace_a.slug, "pk": full.pk}) in page


def test_the_partnership_page_flags_lapsed_terms(client, admin, make_partnership, workspace_a):
    lapsed = make_partnership("Lapsed", planned_end=dt.date(2020, 3, 31))
    client.force_login(admin)
    page = client.get(reverse("portfolio:partnership", kwargs={"ws": workspace_a.slug, "pk": lapsed.pk}))
    assert "Past its end terms:" in page.content.decode()


def test_the_portfolio_advice_is_kept_until_something_it_rests_on_changes(scope_a, make_partnership, actor):
    from keel.decisions.evidence import portfolio_advice
    from keel.decisions.services.costs import save_cost_item

    partnership = make_partnership("Kept advice")
    first = portfolio_advice(TODAY)
    with CaptureQueriesContext(connection) as kept:
        assert portfolio_advice(TODAY) is first
    assert len(kept) == 2  # the change log's newest record, and the responses' newest time and count
    assert portfolio_advice(TODAY + dt.timedelta(days=1)) is not first  # the rules read today

    values = {"year": 2026, "kind": "money", "amount": Decimal("1000")}
    save_cost_item(actor, partnership, values, 2026)  # a service write adds to the change log
    after_write = portfolio_advice(TODAY)
    assert after_write is not first and after_write[partnership.pk].evidence.annual_cost == Decimal("1000")

    round_ = add_round(actor, partnership, dt.date(2026, 10, 1), 4)  # answers keep no change record…
    changed = portfolio_advice(TODAY)
    assert changed is not after_write and changed[partnership.pk].evidence.health_score is not None
    response = round_.responses.first()
    response.save()  # …so a response saved again (its time moves) is enough to read the advice again
    assert portfolio_advice(TODAY) is not changed
