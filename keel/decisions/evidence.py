"""What Keel knows about each partnership, gathered for the recommendation rules, and the advice.

`gather` reads the current workspace's evidence in a fixed number of queries whatever the
number of partnerships (about fifteen), from `.values()` rows rather than model instances:
`keel audit` and the audit page ask for all 5,000 partnerships of the large demo at once.
`advise` adds Keel's recommendation, the next review due and any lapsed terms; the audit, the
reviews list and the partnership page all use it, so they always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery

from keel.activity.models import RelationshipRating
from keel.assessments.models import AssessmentRound, Response
from keel.assessments.queries import latest_health, visible
from keel.assessments.services import workspace_bands
from keel.common.text import add_months
from keel.core.models import ChangeRecord
from keel.core.tenancy import current_workspace
from keel.decisions.models import Answer, ChecklistKind, Conflict, CriterionAnswer, Event, Review
from keel.decisions.money import latest
from keel.decisions.queries import money_by_year
from keel.decisions.rules import (
    FUNDAMENTALS,
    ConflictFact,
    EventFact,
    Evidence,
    Recommendation,
    ReviewDue,
    Thresholds,
    lapsed_terms,
    recommend,
    review_due,
)
from keel.decisions.services.setup import thresholds as workspace_thresholds
from keel.outcomes import rules as outcome_rules
from keel.outcomes.models import Indicator, IndicatorKind, Measurement
from keel.register.models import AgreedProcess, Partnership, PartnershipMember, PriorityAlignment, ProcessKind

PARTNERSHIP_FIELDS = (
    "pk",
    "name",
    "status",
    "tier",
    "basis",
    "start_date",
    "planned_end",
    "end_terms",
    "end_condition_met_on",
    "review_every_months",
    "conflict_process",
    "coordinator__name",
)
MEASURED = frozenset({outcome_rules.ON_TRACK, outcome_rules.AT_RISK, outcome_rules.OFF_TRACK})

Ids = Collection[int] | None


@dataclass(frozen=True)
class Advice:
    """Keel's advice on one partnership: the evidence, the recommendation, the next review, lapsed terms."""

    evidence: Evidence
    recommendation: Recommendation
    review: ReviewDue
    lapsed: str | None


def advise(today: dt.date, partnership_ids: Ids = None, include_archived: bool = False) -> dict[int, Advice]:
    """{partnership id: Advice} for the current workspace (all its partnerships for None)."""
    limits = workspace_thresholds()
    return {
        pk: Advice(
            evidence, recommend(evidence, limits, today), review_due(evidence, today), lapsed_terms(evidence, today)
        )
        for pk, evidence in _gather(today, partnership_ids, include_archived, limits).items()
    }


# The whole portfolio's advice, kept per process for the pages that filter and sort on it (the audit page,
# the reviews list): a few workspaces' worth, each only while nothing it rests on has changed.
_KEPT: OrderedDict[tuple[Any, ...], dict[int, Advice]] = OrderedDict()
KEPT_WORKSPACES = 8


def portfolio_advice(today: dt.date) -> dict[int, Advice]:
    """`advise(today)` for the whole current workspace, read again only when something changed.

    "Changed" is read from the database on every call, so several servers never disagree: every
    write to a workspace's records goes through a service that adds to its change log, and survey
    answers (which keep no change record, for anonymity) move the newest response's time or the
    number of responses. The date is part of it too: the rules read today.
    """
    key = (current_workspace().pk, today, *_stamp())
    found = _KEPT.get(key)
    if found is None:
        found = advise(today)
        for old in [kept for kept in _KEPT if kept[0] == key[0]]:
            del _KEPT[old]
        _KEPT[key] = found
        while len(_KEPT) > KEPT_WORKSPACES:
            _KEPT.popitem(last=False)
    else:
        _KEPT.move_to_end(key)
    return found


def _stamp() -> tuple[Any, ...]:
    """What moves whenever anything the advice rests on changes: two small aggregate queries."""
    # The time as well as the id: a rolled-back transaction can hand its ids out again.
    changes = ChangeRecord.objects.aggregate(newest=Max("pk"), at=Max("at"))
    responses = Response.objects.aggregate(newest=Max("updated_at"), count=Count("pk"))
    return changes["newest"], changes["at"], responses["newest"], responses["count"]


def forget_kept_advice() -> None:
    """Drop every kept portfolio advice (tests, whose rolled-back data can repeat ids and times)."""
    _KEPT.clear()


def gather(today: dt.date, partnership_ids: Ids = None, include_archived: bool = False) -> dict[int, Evidence]:
    """{partnership id: Evidence} for the current workspace, in a fixed number of queries."""
    return _gather(today, partnership_ids, include_archived, workspace_thresholds())


def _only(queryset: Any, ids: list[int] | None, field: str = "partnership_id") -> Any:
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def _gather(today: dt.date, partnership_ids: Ids, include_archived: bool, limits: Thresholds) -> dict[int, Evidence]:
    ids = None if partnership_ids is None else list(partnership_ids)
    if ids is not None and not ids:
        return {}
    rows = _only(Partnership.objects.all(), ids, "pk")
    if not include_archived:
        rows = rows.filter(archived_at__isnull=True)
    # Two facts read with the partnership itself, each one subquery: a conflict resolution process
    # agreed as a document counts as much as one written on the partnership; and whether anything
    # is measured (indicators measured at least once: one index entry each, not every measurement).
    measured = (
        Indicator.objects.filter(
            Exists(Measurement.objects.filter(indicator=OuterRef("pk"))), partnership=OuterRef("pk")
        )
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = rows.annotate(
        process_document=Exists(
            AgreedProcess.objects.filter(partnership=OuterRef("pk"), kind=ProcessKind.CONFLICT_RESOLUTION)
        ),
        measured=Subquery(measured, output_field=IntegerField()),
    )
    found = {
        row["pk"]: _evidence(row) for row in rows.order_by().values(*PARTNERSHIP_FIELDS, "process_document", "measured")
    }
    if not found:
        return {}
    # Each read below is one query for every partnership at once, keyed by partnership id.
    changes: dict[int, dict[str, Any]] = defaultdict(dict)
    _health(changes, ids)
    _ratings(changes, ids)
    _alignments(changes, ids)
    _outcomes(changes, ids)
    _money(changes, ids, today)
    _conflicts(changes, ids)
    _events(changes, ids, today, limits)
    _reviews(changes, ids)
    return {pk: replace(evidence, **changes[pk]) if pk in changes else evidence for pk, evidence in found.items()}


def _evidence(row: dict[str, Any]) -> Evidence:
    return Evidence(
        partnership_id=row["pk"],
        name=row["name"],
        status=row["status"],
        tier=row["tier"],
        basis=row["basis"],
        start_date=row["start_date"],
        planned_end=row["planned_end"],
        end_condition=row["end_terms"],
        end_condition_met_on=row["end_condition_met_on"],
        review_every_months=row["review_every_months"],
        conflict_process=bool(row["conflict_process"].strip()) or row["process_document"],
        measurements=row["measured"] or 0,
        coordinator=row["coordinator__name"] or None,
    )


def _health(changes: dict[int, dict[str, Any]], ids: list[int] | None) -> None:
    """The latest round's score, band and fundamentals, and the score of the round before it."""
    workspace = current_workspace()
    bands = workspace_bands(workspace)
    for pk, health in latest_health(ids).items():
        changes[pk] |= {
            "health_score": health.overall,
            "health_band": health.band or None,
            "last_assessment": health.date,
            "fundamentals": {key: bands.of(health.dimensions[key]) for key in FUNDAMENTALS if key in health.dimensions},
        }
    before = (
        AssessmentRound.objects.filter(partnership_id=OuterRef("partnership_id"), response_count__gt=0)
        .order_by("-opens_on", "-id")
        .values("pk")[1:2]
    )
    rounds = _only(AssessmentRound.objects.filter(response_count__gt=0, pk=Subquery(before)), ids)
    for pk, summary in rounds.order_by().values_list("partnership_id", "summary"):
        changes[pk]["previous_health_score"] = visible(summary, workspace.anonymity_threshold)[0]


def _ratings(changes: dict[int, dict[str, Any]], ids: list[int] | None) -> None:
    """The lowest of the members' latest ratings.

    The same newest-per-member subquery as `keel.activity.queries.latest_ratings`, reading only
    the score: making 20,000 rating instances took most of the time for the large demo."""
    newest = RelationshipRating.objects.filter(
        partnership_id=OuterRef("partnership_id"), organisation_id=OuterRef("organisation_id")
    ).order_by("-date", "-pk")
    members = _only(PartnershipMember.objects, ids).annotate(score=Subquery(newest.values("score")[:1]))
    lowest: dict[int, int] = {}
    for pk, score in members.order_by().values_list("partnership_id", "score"):
        if score is not None:
            lowest[pk] = min(lowest.get(pk, score), score)
    for pk, score in lowest.items():
        changes[pk]["lowest_rating"] = score


def _alignments(changes: dict[int, dict[str, Any]], ids: list[int] | None) -> None:
    scores: dict[int, list[int]] = defaultdict(list)
    for pk, score in _only(PriorityAlignment.objects, ids).order_by("pk").values_list("partnership_id", "score"):
        scores[pk].append(score)
    for pk, found in scores.items():
        changes[pk]["alignments"] = tuple(found)


def _outcomes(changes: dict[int, dict[str, Any]], ids: list[int] | None) -> None:
    """Outcome indicators on track, of those with a status: one query."""
    newest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period")
    outcomes = _only(Indicator.objects.filter(kind=IndicatorKind.OUTCOME), ids).annotate(
        latest_period=Subquery(newest.values("period")[:1]), latest_value=Subquery(newest.values("value")[:1])
    )
    tolerance = current_workspace().indicator_tolerance
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, direction, baseline, baseline_date, target, target_date, period, value in outcomes.order_by().values_list(
        "partnership_id", "direction", "baseline", "baseline_date", "target", "target_date",
        "latest_period", "latest_value",
    ):  # fmt: skip
        plan = outcome_rules.Plan(direction, baseline, baseline_date, target, target_date)
        state = outcome_rules.status(plan, (period, value) if period else None, tolerance)
        if state in MEASURED:
            tally[pk][0] += state == outcome_rules.ON_TRACK
            tally[pk][1] += 1
    for pk, (on_track, total) in tally.items():
        changes[pk] |= {"outcomes_on_track": on_track, "outcomes_total": total}


def _money(changes: dict[int, dict[str, Any]], ids: list[int] | None, today: dt.date) -> None:
    for pk, years in money_by_year(ids).items():
        money = latest(years, today.year)
        if money is not None:
            changes[pk] |= {"annual_cost": money.cost, "annual_value": money.value, "cost_year": money.year}


def _conflicts(changes: dict[int, dict[str, Any]], ids: list[int] | None) -> None:
    found: dict[int, list[ConflictFact]] = defaultdict(list)
    rows = _only(Conflict.objects, ids).order_by("raised_on", "pk")
    for pk, raised_on, outcome, closed_on, escalated_on in rows.values_list(
        "partnership_id", "raised_on", "outcome", "closed_on", "escalated_on"
    ):
        found[pk].append(ConflictFact(raised_on, outcome, closed_on, escalated_on is not None))
    for pk, conflicts in found.items():
        changes[pk]["conflicts"] = tuple(conflicts)


def _events(changes: dict[int, dict[str, Any]], ids: list[int] | None, today: dt.date, limits: Thresholds) -> None:
    """Events within the workspace's window, and any that call for an early review (for the due date)."""
    since = add_months(today, -limits.event_months)
    found: dict[int, list[EventFact]] = defaultdict(list)
    rows = _only(Event.objects.filter(Q(date__gte=since) | Q(early_review=True)), ids).order_by("date", "pk")
    for pk, kind, date, severity, early in rows.values_list(
        "partnership_id", "kind", "date", "severity", "early_review"
    ):
        found[pk].append(EventFact(kind, date, severity, early))
    for pk, events in found.items():
        changes[pk]["events"] = tuple(events)


def _reviews(changes: dict[int, dict[str, Any]], ids: list[int] | None) -> None:
    """The latest review of each partnership, and its answers to the keep and dissolve checklists."""
    newest = Review.objects.filter(partnership_id=OuterRef("partnership_id")).order_by("-held_on", "-pk")
    latest_reviews = _only(Review.objects.filter(pk=Subquery(newest.values("pk")[:1])), ids)
    for pk, held_on, next_review, objectives_met, decision in latest_reviews.order_by().values_list(
        "partnership_id", "held_on", "next_review", "objectives_met", "decision"
    ):
        changes[pk] |= {
            "last_review": held_on,
            "next_review_set": next_review,
            "objectives_met": objectives_met or None,
            "last_decision": decision or None,
        }
    answers = _only(
        CriterionAnswer.objects.filter(
            review__in=latest_reviews.values("pk"), kind__in=[ChecklistKind.KEEP, ChecklistKind.DISSOLVE]
        ),
        ids,
    )
    keys: dict[int, set[str]] = defaultdict(set)
    other: dict[int, list[str]] = defaultdict(list)
    keep_not_met: dict[int, list[str]] = defaultdict(list)
    for pk, kind, key, wording, answer in answers.order_by("pk").values_list(
        "partnership_id", "kind", "key", "wording", "answer"
    ):
        if kind == ChecklistKind.DISSOLVE and answer == Answer.YES:
            if key:
                keys[pk].add(key)
            else:
                other[pk].append(wording)
        elif kind == ChecklistKind.KEEP and answer == Answer.NO:
            keep_not_met[pk].append(wording)
    for pk in set(keys) | set(other) | set(keep_not_met):
        changes[pk] |= {
            "circumstances": frozenset(keys.get(pk, ())),
            "other_circumstances": tuple(other.get(pk, ())),
            "keep_not_met": tuple(keep_not_met.get(pk, ())),
        }
