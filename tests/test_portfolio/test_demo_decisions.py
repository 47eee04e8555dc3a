"""The demo's decisions: every recommendation at least once, each with a story a leader would believe."""

import pytest
from django.db import transaction
from django.utils import timezone

from keel.core.tenancy import workspace_scope
from keel.decisions.evidence import advise
from keel.decisions.models import Conflict, CostItem, Dissolution, Event, Review, ValueItem
from keel.decisions.rules import Recommend
from keel.portfolio.demo.build import build_demo
from keel.register.models import Partnership, Status


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo("small", seed=1)
        transaction.set_rollback(True)


@pytest.fixture
def advice(demo, db):
    with workspace_scope(demo):
        yield advise(timezone.localdate())


def test_every_recommendation_at_least_once(advice):
    given = {a.recommendation.code for a in advice.values()}
    assert given == set(Recommend), f"missing: {set(Recommend) - given}"
    assert all(a.recommendation.reasons for a in advice.values())


def test_the_stories_behind_the_recommendations(advice, demo):
    by_code = {}
    for a in advice.values():
        by_code.setdefault(a.recommendation.code, []).append(a)
    mediate = by_code[Recommend.MEDIATE][0]
    assert mediate.evidence.basis in ("statutory", "funding_condition")
    assert [r.rule for r in mediate.recommendation.reasons][-2:] == ["irreconcilable_conflict", "mandatory_basis"]
    dissolve = [a for a in by_code[Recommend.DISSOLVE] if a.evidence.status != Status.DISSOLVING]
    assert dissolve and dissolve[0].evidence.last_decision == "improve"  # a person decided otherwise last time
    assert by_code[Recommend.DOWNGRADE][0].evidence.alignments and not any(
        by_code[Recommend.DOWNGRADE][0].evidence.alignments
    )
    with workspace_scope(demo):
        assert Conflict.objects.count() >= 1 and Event.objects.count() >= 3 and Review.objects.count() >= 10
        assert CostItem.objects.exists() and ValueItem.objects.exists()
        dissolving = Partnership.objects.filter(status=Status.DISSOLVING).count()
        assert Dissolution.objects.filter(status="in_progress").count() == dissolving
