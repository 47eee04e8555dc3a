"""Reads of assessment results for leaders: the latest health of many partnerships, and the
whole results of one partnership or round.

Nothing here scores around the anonymity rule: whole-round figures come from the round's kept
summary (made by `scoring.stats_data`, threshold already applied) and are checked against the
workspace's threshold again on the way out; breakdowns by organisation come only from
`services.score_round`. Every function reads a fixed number of queries, whatever the number of
partnerships, rounds or responses.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from keel.assessments import scoring, services
from keel.assessments.models import AssessmentRound, Invitation, Response
from keel.core.tenancy import current_workspace

NO_ORGANISATION = "Organisation not given"


def change_words(change: float | None) -> str:
    """A change in words, so it never rests on an arrow or a colour: "up 0.40", "down 0.20"."""
    if change is None:
        return ""
    change = round(change, 2)
    if change == 0:
        return "no change"
    return f"{'up' if change > 0 else 'down'} {abs(change):.2f}"


@dataclass(frozen=True)
class Health:
    """A partnership's latest health: its newest round with at least one response."""

    round_id: int
    overall: float | None  # None when too few responded for any score
    band: str  # "" when there is no score
    respondents: int
    date: dt.date  # the round's opening date
    dimensions: dict[str, float]  # dimension key -> mean, only those with enough respondents


def visible(summary: dict, threshold: int) -> tuple[float | None, dict[str, float]]:
    """(overall, {dimension: mean}) of a kept summary, with no dimension below `threshold`.

    The summary was made with the threshold of its day; checking again here means a summary
    kept before the threshold was raised can never show more than the workspace now allows.
    """
    dimensions = {
        key: stat[0] for key, stat in (summary.get("dimensions") or {}).items() if stat[2] >= max(1, threshold)
    }
    overall = sum(dimensions.values()) / len(dimensions) if dimensions else None
    return overall, dimensions


def latest_health(partnership_ids: Iterable[int] | None = None) -> dict[int, Health]:
    """{partnership id: Health} for the given partnerships (all of the workspace's for None). One query."""
    newest = (
        AssessmentRound.objects.filter(partnership_id=OuterRef("partnership_id"), response_count__gt=0)
        .order_by("-opens_on", "-id")
        .values("pk")[:1]
    )
    rounds = AssessmentRound.objects.filter(response_count__gt=0, pk=Subquery(newest))
    if partnership_ids is not None:
        partnership_ids = list(partnership_ids)
        if not partnership_ids:
            return {}
        rounds = rounds.filter(partnership_id__in=partnership_ids)
    workspace = current_workspace()
    bands = services.workspace_bands(workspace)
    found = {}
    for pk, partnership_id, opens_on, respondents, summary in rounds.order_by().values_list(
        "pk", "partnership_id", "opens_on", "response_count", "summary"
    ):
        overall, dimensions = visible(summary, workspace.anonymity_threshold)
        found[partnership_id] = Health(pk, overall, bands.of(overall), respondents, opens_on, dimensions)
    return found


# The results page of one round ---------------------------------------------------------------


@dataclass
class DimensionRow:
    key: str
    label: str
    description: str
    stat: scoring.Stat | None  # None when too few answered this dimension
    band: str
    change: float | None  # since the previous round of the same instrument

    @property
    def change_words(self) -> str:
        return change_words(self.change)


@dataclass
class TrendPoint:
    round: AssessmentRound
    respondents: int
    overall: float | None
    band: str
    change: float | None
    by_key: dict[str, float]  # dimension key -> mean, only those with enough respondents
    current: bool = False

    @property
    def change_words(self) -> str:
        return change_words(self.change)


@dataclass
class GapRow:
    key: str
    label: str
    means: list[float | None]  # in the order of Results.groups
    gap: float | None
    flagged: bool


@dataclass
class RateRow:
    label: str
    invited: int
    answered: int

    @property
    def percent(self) -> int | None:
        # Answers through an open link or an import can outnumber the invitations: no rate then.
        if not self.invited or self.answered > self.invited:
            return None
        return round(100 * self.answered / self.invited)


@dataclass
class Results:
    """Everything a leader may see of a partnership's assessments, anonymity already applied."""

    round: AssessmentRound | None  # the round shown (None: no round has responses yet)
    rounds: list[AssessmentRound]  # every round of the partnership, newest first
    threshold: int
    bands: scoring.Bands
    respondents: int = 0
    overall: float | None = None
    band: str = ""
    change: float | None = None
    dimensions: list[DimensionRow] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)  # oldest first
    trend_dimensions: list[tuple[str, str]] = field(default_factory=list)  # (key, label)
    groups: list[str] = field(default_factory=list)  # labels of the organisations shown separately
    gaps: list[GapRow] = field(default_factory=list)
    comments: list[tuple[str, list[str]]] = field(default_factory=list)  # (prompt, texts A–Z)
    rates: list[RateRow] = field(default_factory=list)
    rate_total: RateRow | None = None
    chart: dict = field(default_factory=dict)
    handed_over: int = 0  # answers sent through a link handed to someone who runs the round
    trend_chart: dict = field(default_factory=dict)

    @property
    def hidden(self) -> bool:
        """Some answered, but too few for any score."""
        return self.respondents > 0 and self.overall is None

    @property
    def more_answers_than_invitations(self) -> bool:
        return any(rate.answered > rate.invited for rate in self.rates)

    @property
    def comments_hidden(self) -> bool:
        return 0 < self.respondents < self.threshold

    @property
    def change_words(self) -> str:
        return change_words(self.change)

    @property
    def trend_table(self) -> list[tuple[str, list[float | None]]]:
        """Dimension by round: (dimension label, [mean in each round of the trend])."""
        return [(label, [p.by_key.get(key) for p in self.trend]) for key, label in self.trend_dimensions]


def partnership_results(partnership) -> Results:
    """The results of the partnership's newest round with responses, with its history."""
    rounds = list(partnership.rounds.select_related("instrument").order_by("-opens_on", "-id"))
    latest = next((r for r in rounds if r.response_count > 0), None)
    return _results(latest, rounds)


def round_results(round_: AssessmentRound) -> Results:
    """The results of one round, with the history of its partnership."""
    rounds = AssessmentRound.objects.filter(partnership_id=round_.partnership_id).select_related("instrument")
    return _results(round_, list(rounds.order_by("-opens_on", "-id")))


def _results(round_: AssessmentRound | None, rounds: list[AssessmentRound]) -> Results:
    workspace = current_workspace()
    results = Results(round_, rounds, max(1, workspace.anonymity_threshold), services.workspace_bands(workspace))
    if round_ is None:
        return results
    spec = round_.instrument.spec
    invited = list(
        Invitation.objects.filter(round=round_, via_open_link=False)
        .values("organisation_id", "organisation__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sent = list(
        Response.objects.filter(round=round_, submitted_at__isnull=False).values_list(
            "organisation_id", "organisation__name", "comments", "entered_via_handover"
        )
    )
    names = {row["organisation_id"]: row["organisation__name"] for row in invited}
    names.update({org: name for org, name, _, _ in sent})
    scores = services.score_round(round_, labels={org: name for org, name in names.items() if org is not None})
    results.respondents, results.overall = scores.respondents, scores.overall
    results.band = results.bands.of(scores.overall)
    _trend(results, round_, spec)
    previous = _previous(results)
    results.change = scoring.change(results.overall, previous.overall) if previous else None
    results.dimensions = [
        DimensionRow(
            d.key,
            d.label,
            d.description,
            stat := scores.total.dimensions.get(d.key),
            results.bands.of(stat.mean if stat else None),
            scoring.change(stat.mean if stat else None, previous.by_key.get(d.key) if previous else None),
        )
        for d in spec.dimensions
    ]
    _gaps(results, scores, spec)
    if not results.comments_hidden:
        results.comments = [
            (prompt.text, sorted((c[prompt.key] for _, _, c, _ in sent if c.get(prompt.key)), key=str.casefold))
            for prompt in spec.prompts
        ]
    _rates(results, invited, sent, names)
    results.handed_over = sum(1 for *_, marked in sent if marked)
    _charts(results)
    return results


def _trend(results: Results, round_: AssessmentRound, spec) -> None:
    """Every round of the same instrument (any version) that has responses, oldest first."""
    # A round with no responses yet is left out, unless it is the one shown.
    key = round_.instrument.key
    same = [r for r in reversed(results.rounds) if r.instrument.key == key and (r.response_count or r == round_)]
    results.trend_dimensions = [(d.key, d.label) for d in spec.dimensions]
    before = None
    for r in same:
        overall, means = visible(r.summary, results.threshold)
        point = TrendPoint(
            r,
            r.response_count,
            overall,
            results.bands.of(overall),
            scoring.change(overall, before.overall) if before else None,
            means,
            current=r.pk == round_.pk,
        )
        results.trend.append(point)
        before = point


def _previous(results: Results) -> TrendPoint | None:
    index = next(i for i, point in enumerate(results.trend) if point.current)
    return results.trend[index - 1] if index else None


def _gaps(results: Results, scores: scoring.RoundScores, spec) -> None:
    shown = [g for g in scores.organisations if g.key != scoring.OTHERS]
    results.groups = [g.label for g in shown]
    if len(shown) < 2:
        return
    for d in spec.dimensions:
        gap = scores.gaps.get(d.key)
        means = [g.dimensions[d.key].mean if d.key in g.dimensions else None for g in shown]
        flagged = gap is not None and round(gap, 2) >= results.bands.gap
        results.gaps.append(GapRow(d.key, d.label, means, gap, flagged))


def _rates(results: Results, invited, sent, names) -> None:
    invited_by = {row["organisation_id"]: row["n"] for row in invited}
    answered_by = Counter(org for org, _, _, _ in sent)
    orgs = sorted(set(invited_by) | set(answered_by), key=lambda o: (o is None, (names.get(o) or "").casefold()))
    results.rates = [
        RateRow(names.get(org) or NO_ORGANISATION, invited_by.get(org, 0), answered_by.get(org, 0)) for org in orgs
    ]
    results.rate_total = RateRow("All organisations", sum(invited_by.values()), len(sent))


def _charts(results: Results) -> None:
    # Each shown row with its score, so the score is known not to be None.
    shown = [(row, row.stat) for row in results.dimensions if row.stat is not None]
    words = "; ".join(f"{row.label} {stat.mean:.2f} ({row.band})" for row, stat in shown)
    results.chart = {
        "kind": "bars",
        "labels": [row.label for row, _ in shown],
        "values": [round(stat.mean, 2) for _, stat in shown],
        "bands": [row.band for row, _ in shown],
        "description": f"Bar chart of dimension scores from 1 to 5: {words}. The table below gives the same figures.",
    }
    points = [(p, p.overall) for p in results.trend if p.overall is not None]
    words = "; ".join(f"{day(p.round.opens_on)} {overall:.2f} ({p.band})" for p, overall in points)
    results.trend_chart = {
        "kind": "line",
        "labels": [day(p.round.opens_on) for p, _ in points],
        "values": [round(overall, 2) for _, overall in points],
        "bands": [p.band for p, _ in points],
        "description": f"Line chart of the overall score by round: {words}. The table below gives the same figures.",
    }


def day(date: dt.date) -> str:
    return f"{date.day} {date:%b %Y}"


# Rounds, as a leader follows them ----------------------------------------------------------


def _count_per_round(model, **conditions):
    """A count per round as a subquery: joining both tables would repeat each round many times."""
    counted = (
        model.objects.filter(round=OuterRef("pk"), **conditions)
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def round_list(params):
    """The workspace's rounds, newest first, with responses and invitees counted, filtered by state."""
    rounds = AssessmentRound.objects.select_related("partnership", "instrument").annotate(
        invited=_count_per_round(Invitation, via_open_link=False),
        answered=_count_per_round(Response, submitted_at__isnull=False),
    )
    today = timezone.localdate()
    closed = Q(closed_early_at__isnull=False) | Q(closes_on__lt=today)
    state = params.get("state")
    if state == "closed":
        rounds = rounds.filter(closed)
    elif state == "scheduled":
        rounds = rounds.exclude(closed).filter(opens_on__gt=today)
    elif state == "open":
        rounds = rounds.exclude(closed).filter(opens_on__lte=today)
    if (partnership := params.get("partnership", "")).isdigit():
        rounds = rounds.filter(partnership_id=int(partnership))
    return rounds.order_by("-opens_on", "-pk")


def progress(round_: AssessmentRound) -> dict:
    """Who has answered, per organisation and overall, and how many e-mails are waiting (two queries)."""
    emailable = Q(person__isnull=False) & ~Q(person__email="")
    answered = Q(response__submitted_at__isnull=False)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Invitation.objects.filter(round=round_, via_open_link=False)
        .values("organisation_id", name=F("organisation__name"))
        .annotate(
            invited=Count("pk"),
            answered=Count("pk", filter=answered),
            unsent=Count("pk", filter=emailable & Q(sent_at__isnull=True)),
            unsent_no_email=Count("pk", filter=Q(person__isnull=False, person__email="", sent_at__isnull=True)),
            waiting=Count("pk", filter=emailable & ~answered),
        )
        .order_by("organisation__name")
    ]
    totals = {key: sum(row[key] for row in rows) for key in ("invited", "answered", "unsent", "unsent_no_email")}
    totals["waiting"] = sum(row["waiting"] for row in rows)
    for row in [*rows, totals]:
        row["rate"] = round(100 * row["answered"] / row["invited"]) if row["invited"] else None
    # Answers that came through the open link or from an import: nobody was invited for them.
    totals["others"] = (
        Response.objects.filter(round=round_, submitted_at__isnull=False).exclude(source=Response.Source.LINK).count()
    )
    return {"organisations": rows, "total": totals}


def invitees(round_: AssessmentRound):
    """The invited people, by organisation and name, with when they answered (not what)."""
    return (
        Invitation.objects.filter(round=round_, via_open_link=False)
        .select_related("person", "organisation")
        .annotate(answered_at=F("response__submitted_at"))
        .order_by("organisation__name", "person__name", "pk")
    )
