"""The demo workspace: believable, complete in its variety, and reproducible from its seed."""

import datetime as dt
import io
import time
from collections import Counter

import pytest
from django.core.management import call_command

from keel.core.models import ChangeRecord, Workspace
from keel.core.tenancy import workspace_scope
from keel.register.demo import build_demo
from keel.register.demo_data import SECTORS
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


@pytest.fixture
def small(db):
    return build_demo("small", seed=1, reference_date=REFERENCE)


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
        assert set(ChangeRecord.objects.values_list("via", flat=True)) == {"demo"}


def test_the_same_seed_makes_the_same_data_and_another_seed_other_data(db):
    first = build_demo("small", seed=7, reference_date=REFERENCE)
    again = build_demo("small", seed=7, reference_date=REFERENCE)
    other = build_demo("small", seed=8, reference_date=REFERENCE)
    assert first.slug != again.slug != other.slug
    assert dump(first) == dump(again)
    assert dump(first)["people"] != dump(other)["people"]
    assert dump(first)["partnerships"] != dump(other)["partnerships"]


def test_demo_command_creates_a_new_workspace_each_time_and_prints_its_slug(db):
    out = io.StringIO()
    call_command("demo", "--seed", "3", stdout=out, stderr=io.StringIO())
    call_command("demo", "--seed", "3", "--name", "Training copy", stdout=out, stderr=io.StringIO())
    slugs = out.getvalue().split()
    assert slugs == ["northshire-integrated-care-partnership-demo", "training-copy"]
    assert Workspace.objects.get(slug=slugs[0]).name == "Northshire Integrated Care Partnership (demo)"
    call_command("demo", stdout=out, stderr=io.StringIO())
    assert out.getvalue().split()[-1] == "northshire-integrated-care-partnership-demo-2"


def test_demo_refuses_an_unknown_size(db):
    with pytest.raises(ValueError, match="small or large"):
        build_demo("medium")
    assert not Workspace.objects.exists()


def test_progress_is_reported_up_to_the_total(db):
    seen = []
    build_demo("small", seed=2, reference_date=REFERENCE, progress=lambda n, total, what: seen.append((n, total)))
    assert sum(n for n, _ in seen) == seen[-1][1]


@pytest.mark.slow
def test_large_demo_is_big_and_quick(db):
    started = time.monotonic()
    workspace = build_demo("large", seed=1, reference_date=REFERENCE)
    elapsed = time.monotonic() - started
    with workspace_scope(workspace):
        assert Organisation.objects.count() == 2000
        assert Partnership.objects.count() == 5000
        assert Person.objects.count() == 20000
        assert 12000 <= PartnershipMember.objects.count() <= 18000
        assert {p for p in Partnership.objects.values_list("status", flat=True).distinct()} == set(Status.values)
        assert list(ChangeRecord.objects.values_list("action", flat=True)) == ["workspace.demo_loaded"]
        assert not Partnership.objects.filter(name_key="").exists()
    assert elapsed < 120
