"""The demo workspace: believable, complete in its variety, and reproducible from its seed."""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from keel.core.models import ChangeRecord
from keel.core.tenancy import workspace_scope
from keel.portfolio.demo.build import build_demo
from keel.portfolio.demo.register_data import SECTORS
from keel.register.models import (
    AgreedProcess,
    Basis,
    Formality,
    Level,
    Organisation,
    Partnership,
    PartnershipMember,
    Person,
    PriorityAlignment,
    Status,
    StrategicPriority,
    Tier,
)
from test_portfolio.test_demo_activity import check_large_activity

# A fixed reference date, so two builds in one test cannot straddle a month boundary.
REFERENCE = dt.date(2026, 11, 1)


def dump(workspace) -> dict:
    """Everything the demo wrote, without ids or timestamps, in a fixed order."""
    with workspace_scope(workspace):
        return {
            "organisations": sorted(
                Organisation.objects.values_list("name", "sector", "type", "identifier", "website")
            ),
            "people": sorted(Person.objects.values_list("name", "email", "organisation__name", "role", "level")),
            "priorities": sorted(StrategicPriority.objects.values_list("name", "description")),
            "partnerships": sorted(
                Partnership.objects.values_list(
                    "name",
                    "purpose",
                    "formality",
                    "basis",
                    "tier",
                    "status",
                    "start_date",
                    "planned_end",
                    "end_terms",
                    "review_every_months",
                    "lead__email",
                    "coordinator__email",
                    "notes",
                ),
                key=repr,
            ),
            "members": sorted(
                PartnershipMember.objects.values_list(
                    "partnership__name", "organisation__name", "role", "contact__email", "since", "until"
                ),
                key=repr,
            ),
            "alignments": sorted(PriorityAlignment.objects.values_list("partnership__name", "priority__name", "score")),
            "processes": sorted(
                AgreedProcess.objects.values_list("partnership__name", "title", "kind", "link", "date"), key=repr
            ),
        }


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    """One small demo for the module's tests, in a transaction rolled back at the end (each test
    runs in a savepoint inside it): building it takes seconds, and the tests only read it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo("small", seed=1, reference_date=REFERENCE)
        transaction.set_rollback(True)


@pytest.fixture
def small(small_demo, db):
    return small_demo


def test_small_demo_has_the_promised_sizes(small):
    with workspace_scope(small):
        assert 35 <= Organisation.objects.count() <= 45
        assert Partnership.objects.count() == 60
        assert Person.objects.count() == 150
        assert 5 <= StrategicPriority.objects.count() <= 7


def test_small_demo_has_every_status_tier_basis_formality_and_level(small):
    with workspace_scope(small):
        partnerships = Partnership.objects.all()
        assert {p.status for p in partnerships} == set(Status.values)
        assert {p.tier for p in partnerships} == set(Tier.values)
        assert {p.basis for p in partnerships} == set(Basis.values)
        assert {p.formality for p in partnerships} == set(Formality.values)
        assert set(Person.objects.values_list("level", flat=True)) == set(Level.values)
        assert set(Organisation.objects.values_list("sector", flat=True)) == set(SECTORS)
        scores = set(PriorityAlignment.objects.values_list("score", flat=True))
        assert scores == {0, 1, 2, 3}


def test_small_demo_follows_the_membership_rules_and_has_gaps(small):
    with workspace_scope(small):
        members = Counter(PartnershipMember.objects.values_list("partnership__status", "partnership_id"))
        for partnership in Partnership.objects.all():
            count = members[(partnership.status, partnership.pk)]
            if partnership.status == Status.PROPOSED:
                assert count <= 1, partnership.name
            else:
                assert count >= 2, partnership.name
        for member in PartnershipMember.objects.select_related("contact"):
            assert member.contact is None or member.contact.organisation_id == member.organisation_id
        assert PartnershipMember.objects.filter(contact__isnull=True).exists()
        assert PartnershipMember.objects.exclude(role="").exists()
        assert Partnership.objects.filter(end_terms="", planned_end__isnull=True).exists()
        assert Partnership.objects.filter(lead__isnull=False).count() > 40
        assert AgreedProcess.objects.exists()
        ended = Partnership.objects.filter(status=Status.ENDED)
        assert all(p.planned_end and p.planned_end < REFERENCE for p in ended)
        active = Partnership.objects.filter(status=Status.ACTIVE)
        assert all(p.start_date and p.start_date <= REFERENCE for p in active)


def test_small_demo_names_are_believable_and_addresses_fictional(small):
    with workspace_scope(small):
        names = set(Organisation.objects.values_list("name", flat=True))
        assert "Northshire Teaching Hospitals NHS Foundation Trust" in names
        assert "Age UK Northshire" in names
        assert "Northshire Health and Wellbeing Board" in Partnership.objects.values_list("name", flat=True)
        emails = Person.objects.values_list("email", flat=True)
        assert all(email.endswith(".example.org") for email in emails)
        assert len(set(emails)) == len(emails)
        assert all(".example.org/" in url for url in Organisation.objects.values_list("website", flat=True))
        assert all(
            link.startswith("https://docs.example.org/")
            for link in AgreedProcess.objects.values_list("link", flat=True)
        )
        nhs = Organisation.objects.filter(sector="NHS trust")
        assert all(o.identifier for o in nhs)


def test_small_demo_is_written_through_the_services_with_history(small):
    with workspace_scope(small):
        actions = Counter(ChangeRecord.objects.values_list("action", flat=True))
        assert actions["partnership.created"] == 60
        assert actions["partnership.member_added"] == PartnershipMember.objects.count()
        assert actions["workspace.demo_loaded"] == 1
        # Keel itself records the event a key-person change makes (the signal does not say who made the change).
        by_keel = ChangeRecord.objects.exclude(via="demo")
        assert set(by_keel.values_list("action", flat=True)) <= {"event.recorded"}
        assert set(by_keel.values_list("note", flat=True)) <= {"from a key-person change"}


def test_the_same_seed_makes_the_same_data_and_another_seed_other_data(db):
    first = build_demo("small", seed=7, reference_date=REFERENCE)
    again = build_demo("small", seed=7, reference_date=REFERENCE)
    other = build_demo("small", seed=8, reference_date=REFERENCE)
    assert first.slug != again.slug != other.slug
    assert dump(first) == dump(again)
    assert dump(first)["people"] != dump(other)["people"]
    assert dump(first)["partnerships"] != dump(other)["partnerships"]


def test_progress_is_reported_up_to_the_total(db):
    seen = []
    build_demo("small", seed=2, reference_date=REFERENCE, progress=lambda n, total, what: seen.append((n, total)))
    assert sum(n for n, _ in seen) == seen[-1][1]


@pytest.mark.slow
def test_large_demo_is_big(db):
    # How long it takes is measured by benchmarks/ (timing.large_demo_client), not asserted here.
    workspace = build_demo("large", seed=1, reference_date=REFERENCE)
    with workspace_scope(workspace):
        assert Organisation.objects.count() == 2000
        assert Partnership.objects.count() == 5000
        assert Person.objects.count() == 20000
        assert 12000 <= PartnershipMember.objects.count() <= 18000
        assert {p for p in Partnership.objects.values_list("status", flat=True).distinct()} == set(Status.values)
        actions = ChangeRecord.objects.order_by("id").values_list("action", flat=True)
        assert list(actions) == ["workspace.created", "workspace.demo_loaded"]
        assert not Partnership.objects.filter(name_key="").exists()
        check_large_assessment_history()  # here, so that the large demo is built only once
        check_large_activity()  # the same, for activity and outcomes


# ---------------------------------------------------------------- assessment history


def assessment_dump(workspace) -> dict:
    """The demo's rounds and responses, without ids, in a fixed order."""
    from keel.assessments.models import AssessmentRound, Response

    with workspace_scope(workspace):
        return {
            "rounds": sorted(
                AssessmentRound.objects.values_list(
                    "partnership__name", "opens_on", "closes_on", "response_count", "summary"
                ),
                key=repr,
            ),
            "responses": sorted(
                Response.objects.values_list(
                    "round__partnership__name",
                    "round__opens_on",
                    "invitation__person__email",
                    "organisation__name",
                    "answers",
                    "comments",
                    "draft_answers",
                    "submitted_at",
                ),
                key=repr,
            ),
        }


def rounds_by_partnership(workspace) -> dict:
    """{partnership id: [round, …] oldest first}."""
    from keel.assessments.models import AssessmentRound

    by_partnership = {}
    with workspace_scope(workspace):
        for round_ in AssessmentRound.objects.select_related("instrument").order_by("opens_on", "pk"):
            by_partnership.setdefault(round_.partnership_id, []).append(round_)
    return by_partnership


def test_small_demo_has_assessment_history_with_trends_gaps_and_every_band(small):
    from keel.assessments import services

    history = rounds_by_partnership(small)
    assert 15 <= len(history) <= 25
    assert {len(rounds) for rounds in history.values()} == {2, 3}
    first = min(r.opens_on for rounds in history.values() for r in rounds)
    assert dt.date(2024, 10, 1) <= first < dt.date(2025, 2, 1)  # about two years of history
    with workspace_scope(small):
        bands = services.workspace_bands()
        latest = [rounds[-1] for rounds in history.values()]
        assert {bands.of(r.summary["overall"]) for r in latest} == {"strength", "watch", "concern"}
        dimension_means = [stat[0] for r in latest for stat in r.summary["dimensions"].values()]
        assert {bands.of(mean) for mean in dimension_means} == {"strength", "watch", "concern"}
        changes = [rounds[-1].summary["overall"] - rounds[-2].summary["overall"] for rounds in history.values()]
        assert sum(c >= 0.3 for c in changes) >= 3  # improving
        assert sum(c <= -0.3 for c in changes) >= 3  # declining
        gaps = [max(services.score_round(r).gaps.values(), default=0) for r in latest]
        assert sum(gap >= bands.gap for gap in gaps) >= 3


def test_small_demo_answers_exercise_every_scoring_rule(small):
    from keel.assessments import scoring
    from keel.assessments.models import AssessmentRound, Response

    with workspace_scope(small):
        spec = AssessmentRound.objects.select_related("instrument").first().instrument.spec
        sent = list(Response.objects.filter(submitted_at__isnull=False).values_list("round", "organisation", "answers"))
        per_organisation = Counter((round_, organisation) for round_, organisation, _ in sent)
        assert any(n < small.anonymity_threshold for n in per_organisation.values())
        assert any(n >= small.anonymity_threshold for n in per_organisation.values())
        answers = [a for _, _, a in sent]
        assert all(set(a) == {item.key for item in spec.items} for a in answers)
        assert all(v is None or v in (1, 2, 3, 4, 5) for a in answers for v in a.values())
        assert 0.02 < sum(v is None for a in answers for v in a.values()) / (len(answers) * len(spec.items)) < 0.1
        half_answered = [
            a
            for a in answers
            if any(
                any(a[i.key] is not None for i in spec.items_of(d.key))
                and d.key not in scoring.response_dimension_scores(spec, a)
                for d in spec.dimensions
            )
        ]
        assert 3 <= len(half_answered) < len(answers) / 10

        # Reverse-scored statements are answered the other way round: someone who agrees that
        # "I can rely on partners" tends to disagree that "I am careful about what I say".
        def guarded(rely):
            values = [a["trust-guarded"] for a in answers if a["trust-rely"] in rely and a["trust-guarded"]]
            return sum(values) / len(values)

        assert guarded({4, 5}) + 1 < guarded({1, 2})
        comments = [c for c in Response.objects.values_list("comments", flat=True) if c]
        assert {key for c in comments for key in c} == {"works", "does-not-work", "would-help"}
        assert len({text for c in comments for text in c.values()}) >= 25


def test_small_demo_has_rounds_open_now_with_people_still_to_answer(small):
    from keel.assessments.models import Invitation, Response

    history = rounds_by_partnership(small)
    rounds = [r for rs in history.values() for r in rs]
    open_now = [r for r in rounds if r.opens_on <= REFERENCE <= r.closes_on]
    assert 3 <= len(open_now) <= 6
    assert all(r.closes_on < REFERENCE for r in rounds if r not in open_now)
    assert all(history[r.partnership_id][-1] == r for r in open_now)  # the latest round of each
    with workspace_scope(small):
        assert not Invitation.objects.filter(sent_at__isnull=True).exists()
        for round_ in open_now:
            invited = round_.invitations.count()
            answered = round_.responses.filter(submitted_at__isnull=False).count()
            assert 3 <= answered < invited, round_
            assert round_.response_count == answered
            assert round_.responses.filter(submitted_at__isnull=True).exclude(draft_answers={}).exists()
        assert not Response.objects.filter(submitted_at__isnull=True, round__closes_on__lt=REFERENCE).exists()


def test_small_demo_responses_come_from_invited_people_and_match_the_kept_scores(small):
    from keel.assessments import scoring, services
    from keel.assessments.models import AssessmentRound, Response

    with workspace_scope(small):
        for response in Response.objects.select_related("invitation__person"):
            person = response.invitation.person
            assert response.organisation_id == person.organisation_id == response.invitation.organisation_id
            assert response.round_id == response.invitation.round_id
        for round_ in AssessmentRound.objects.select_related("instrument"):
            assert round_.response_count == round_.responses.filter(submitted_at__isnull=False).count()
            assert round_.summary == scoring.stats_data(services.score_round(round_))
            people = set(round_.invitations.values_list("person__organisation", flat=True))
            members = set(round_.partnership.members.values_list("organisation", flat=True))
            assert people <= members
        actions = Counter(ChangeRecord.objects.values_list("action", flat=True))
        assert actions["round.created"] == AssessmentRound.objects.count()
        loaded = ChangeRecord.objects.get(action="workspace.demo_loaded").changes
        assert loaded["rounds"] == [0, AssessmentRound.objects.count()]
        assert loaded["responses"] == [0, Response.objects.filter(submitted_at__isnull=False).count()]


def test_the_same_seed_makes_the_same_assessment_history(small):
    again = build_demo("small", seed=1, reference_date=REFERENCE)
    assert assessment_dump(again) == assessment_dump(small)
    assert len(assessment_dump(small)["responses"]) > 300


def check_large_assessment_history():
    """About 200,000 responses in two rounds per partnership, scored as the services would."""
    from django.db.models import Count, F

    from keel.assessments import scoring, services
    from keel.assessments.models import AssessmentRound, Invitation, Response

    rounds = AssessmentRound.objects.all()
    assert 6000 <= rounds.count() <= 9000
    assert 180_000 <= Response.objects.count() <= 220_000
    assert not Response.objects.filter(submitted_at__isnull=True).exists()
    counts = dict(Response.objects.values_list("round").annotate(n=Count("pk")).order_by())
    assert all(counts.get(pk, 0) == n for pk, n in rounds.values_list("pk", "response_count"))
    bands = services.workspace_bands()
    assert {bands.of(summary["overall"]) for summary in rounds.values_list("summary", flat=True)} == {
        "strength",
        "watch",
        "concern",
    }
    # Only the rounds open now have invitations: they show response rates and take reminders.
    open_now = rounds.filter(opens_on__lte=REFERENCE, closes_on__gte=REFERENCE)
    assert 200 <= open_now.count() <= 800
    assert not Invitation.objects.exclude(round__in=open_now).exists()
    assert Invitation.objects.count() > Response.objects.filter(round__in=open_now).count()
    answered = Response.objects.filter(round__in=open_now)
    assert not answered.exclude(invitation__organisation=F("organisation")).exists()
    assert not answered.exclude(invitation__round=F("round")).exists()
    assert not Response.objects.exclude(round__in=open_now).filter(invitation__isnull=False).exists()
    sent_on = Response.objects.values_list("submitted_at__date", "round__opens_on", "round__closes_on")
    assert all(opens_on <= day <= closes_on for day, opens_on, closes_on in sent_on)
    some = list(rounds.order_by("pk").values_list("pk", flat=True))[::500]
    for round_ in rounds.filter(pk__in=some).select_related("instrument"):
        assert round_.summary == scoring.stats_data(services.score_round(round_))
