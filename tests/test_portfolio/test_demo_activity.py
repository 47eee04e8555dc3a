"""The demo's activity and outcomes: the stories are there, the rules hold, and the seed decides."""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from keel.actions.models import Action, ActionStatus, Source
from keel.activity import queries
from keel.activity.models import Attendance, Contact, Meeting, Referral, RelationshipRating
from keel.activity.rules import personal_data_reason
from keel.core.models import ChangeRecord
from keel.core.tenancy import workspace_scope
from keel.outcomes import rules as outcome_rules
from keel.outcomes.models import Indicator, Measurement
from keel.outcomes.queries import with_status
from keel.portfolio.demo.build import build_demo
from keel.register.models import KeyPersonChange, Partnership, PartnershipMember, ProcessKind, Status

KINDS = (Meeting, Attendance, Contact, Referral, RelationshipRating, Indicator, Measurement, Action, KeyPersonChange)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One small demo for the whole module, dated from this month as `keel demo` dates it.

    Built inside a transaction that is rolled back afterwards; each test runs in a savepoint.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo("small", seed=1)
        transaction.set_rollback(True)


@pytest.fixture
def scope(demo, db):
    with workspace_scope(demo):
        yield demo


def counts(workspace) -> dict:
    with workspace_scope(workspace):
        return {model.__name__: model.objects.count() for model in KINDS}


def facts(today):
    """The figures the partnership page and `keel audit` show, for every partnership."""
    members = list(PartnershipMember.objects.all())
    cadence = dict(Partnership.objects.values_list("pk", "contact_every_days"))
    return {
        "last_contact": queries.last_contact_by_partnership(),
        "conditions": queries.conditions(members, cadence, today),
        "referrals": queries.referral_figures_by_partnership(today),
        "ratings": queries.latest_ratings(),
    }


def test_a_busy_partnership_has_regular_communication_working_referrals_and_a_5(scope):
    today = timezone.localdate()
    found = facts(today)
    fives = [r for r in found["ratings"].values() if r.score == 5]
    assert fives
    for rating in fives:
        held = found["conditions"][rating.partnership_id, rating.organisation_id]
        assert held.all_hold, rating
        assert rating.conditions == held.as_dict()
    busy = {r.partnership_id for r in fives}
    for pid in busy:
        assert (today - found["last_contact"][pid]).days <= 21
        figures = found["referrals"][pid]
        assert figures.made >= 10 and figures.completion_rate >= 0.6
        assert figures.median_days is not None and figures.median_days <= 10
        assert Referral.objects.filter(partnership=pid).values("from_organisation").distinct().count() >= 2
    pathways = Partnership.objects.filter(pk__in=busy, processes__kind=ProcessKind.REFERRAL_PATHWAY)
    assert pathways.distinct().count() == len(busy)
    monthly = Meeting.objects.filter(partnership__in=busy, date__gte=today - dt.timedelta(days=365))
    assert monthly.count() >= 11 * len(busy)


def test_a_silent_partnership_stopped_meeting_months_ago_after_attendance_fell(scope):
    today = timezone.localdate()
    last = facts(today)["last_contact"]
    going = Partnership.objects.filter(status__in=[Status.ACTIVE, Status.UNDER_REVIEW, Status.DISSOLVING])
    silent = [p for p in going if p.pk in last and (today - last[p.pk]).days > 120]
    assert silent
    first, last = [], []
    for partnership in silent:
        meetings = list(partnership.meetings.order_by("date"))
        assert (today - meetings[-1].date).days > 120
        rates = [sum(a.status == "attended" for a in m.attendance.all()) / m.attendance.count() for m in meetings]
        first += rates[:3]
        last += rates[-3:]
    assert sum(last) / len(last) + 0.2 < sum(first) / len(first)


def test_a_partnership_with_broken_follow_up_has_overdue_referrals_and_a_low_rating_with_its_action(scope):
    today = timezone.localdate()
    found = facts(today)
    struggling = [pid for pid, f in found["referrals"].items() if f.overdue >= 3]
    assert struggling
    low = [
        r
        for r in RelationshipRating.objects.filter(partnership__in=struggling, score__lte=2)
        if Action.objects.filter(source=Source.RATING, source_id=r.pk).exists()
    ]
    assert low
    lost = Referral.objects.filter(partnership=low[0].partnership_id, outcome="lost").count()
    assert lost >= 3


def test_ratings_follow_the_rule_and_references_are_pseudonymous(scope):
    assert all(all(c.values()) for c in RelationshipRating.objects.filter(score=5).values_list("conditions", flat=True))
    references = list(Referral.objects.values_list("client_reference", flat=True))
    assert all(ref.startswith("NS-") and personal_data_reason(ref) is None for ref in references)
    today = timezone.localdate()
    for model in (Meeting, Contact, Referral, RelationshipRating):
        assert not model.objects.filter(date__gt=today).exists(), model
    assert not Referral.objects.filter(service_date__gt=today).exists()
    ended = Partnership.objects.filter(status=Status.ENDED)
    for partnership in ended:
        assert not partnership.meetings.filter(date__gte=partnership.planned_end).exists()
    assert not Meeting.objects.filter(partnership__status=Status.PROPOSED).exists()
    assert not Referral.objects.filter(partnership__status=Status.PROPOSED).exists()


def test_indicators_of_every_status_and_some_not_yet_measured(scope):
    statuses = Counter(found.status for found in with_status())
    assert statuses[outcome_rules.ON_TRACK] >= 5
    assert statuses[outcome_rules.AT_RISK] >= 3
    assert statuses[outcome_rules.OFF_TRACK] >= 3
    assert statuses[outcome_rules.NO_MEASUREMENT] >= 2
    assert statuses[outcome_rules.NOT_SET] == 0
    kinds = Counter(Indicator.objects.values_list("kind", flat=True))
    assert kinds["outcome"] > kinds["output"] > 0 and kinds["process"] > 0
    going = Partnership.objects.filter(status__in=[Status.ACTIVE, Status.UNDER_REVIEW, Status.DISSOLVING])
    per_partnership = Counter(Indicator.objects.values_list("partnership_id", flat=True))
    assert all(1 <= n <= 5 for n in per_partnership.values())
    assert len(per_partnership) >= going.count() * 0.8
    assert Measurement.objects.count() > 300


def test_key_person_changes_are_dated_in_the_past_with_their_history(scope):
    today = timezone.localdate()
    changes = list(KeyPersonChange.objects.all())
    assert len(changes) == 2
    assert all(c.before and c.after and c.date < today - dt.timedelta(days=7) for c in changes)
    assert ChangeRecord.objects.filter(action="partnership.contact_changed").count() == 2


def test_actions_from_meetings_some_done_some_overdue(scope):
    today = timezone.localdate()
    from_meetings = Action.objects.filter(source=Source.MEETING)
    assert from_meetings.count() >= 6
    meeting_ids = set(Meeting.objects.values_list("pk", flat=True))
    assert all(a.source_id in meeting_ids for a in from_meetings)
    done = from_meetings.filter(status=ActionStatus.DONE)
    assert done.count() >= 2 and all(a.done_at and a.done_at < today for a in done)
    assert sum(a.is_overdue(today) for a in from_meetings) >= 1


def test_everything_is_written_through_the_services_with_history(scope):
    actions = Counter(ChangeRecord.objects.values_list("action", flat=True))
    assert actions["meeting.created"] == Meeting.objects.count()
    assert actions["contact.logged"] == Contact.objects.count()
    assert actions["referral.created"] == Referral.objects.count()
    assert actions["rating.given"] == RelationshipRating.objects.count()
    assert actions["indicator.measurement_created"] == Measurement.objects.count()
    loaded = ChangeRecord.objects.get(action="workspace.demo_loaded").changes
    assert loaded["meetings"] == [0, Meeting.objects.count()]
    assert loaded["measurements"] == [0, Measurement.objects.count()]


def test_the_same_seed_gives_the_same_activity(scope):
    again = build_demo("small", seed=1)
    assert counts(again) == counts(scope)
    assert counts(scope)["Meeting"] > 100


# ---------------------------------------------------------------- the large demo


def check_large_activity(today=None):
    """The large demo's activity, about as big as promised; called by tests/test_portfolio/test_demo.py's large test,
    so that the large demo is built only once."""
    from django.db.models import F

    today = today or timezone.localdate()
    expected = {
        Meeting: 120_000,
        Contact: 200_000,
        Referral: 500_000,
        Measurement: 360_000,
        RelationshipRating: 20_000,
    }
    for model, count in expected.items():
        assert abs(model.objects.count() - count) <= count * 0.05, model
    assert 250_000 <= Attendance.objects.count() <= 600_000
    assert 8_000 <= Indicator.objects.count() <= 20_000
    for model in (Meeting, Contact, Referral, RelationshipRating):
        assert not model.objects.filter(date__gt=today).exists(), model
    assert not Measurement.objects.filter(period__gt=today).exists()
    assert not Referral.objects.filter(from_organisation=F("to_organisation")).exists()
    assert not Attendance.objects.exclude(workspace=F("meeting__workspace")).exists()
    assert not Measurement.objects.exclude(workspace=F("indicator__workspace")).exists()
    fives = RelationshipRating.objects.filter(score=5).values_list("conditions", flat=True)
    assert all(all(c.values()) for c in fives.iterator(chunk_size=5000))
    low = RelationshipRating.objects.filter(score__lte=2).count()
    assert Action.objects.filter(source=Source.RATING).count() == low
    assert not Meeting.objects.filter(partnership__status=Status.PROPOSED).exists()
    some = list(Indicator.objects.order_by("pk").values_list("pk", flat=True)[:2000])
    statuses = {found.status for found in with_status(Indicator.objects.filter(pk__in=some))}
    assert {outcome_rules.ON_TRACK, outcome_rules.AT_RISK, outcome_rules.OFF_TRACK} <= statuses
