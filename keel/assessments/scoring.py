"""Scoring of assessment rounds: plain functions on plain data, used by pages, CLI and API.

An answer is 1–5, or None for not applicable / not answered. The rules (DESIGN.md, "Response"):

- a reverse-scored item counts as 6 − answer;
- a response's dimension score is the mean of its answered items in that dimension, and
  counts only when at least half of that dimension's items are answered;
- a group's dimension score is the mean of its responses' dimension scores, with n and the
  (sample) standard deviation; its overall score is the mean of its dimension scores;
- bands come from the workspace (defaults ≥ 4.0 strength, 3.0–3.99 watch, < 3.0 concern);
- anonymity: no score is ever given for fewer respondents than the threshold. Member
  organisations below it are pooled as "other organisations", and where that pool would
  itself be too small, the smallest shown organisation joins it, so that no hidden group's
  score can be worked out by subtracting shown ones from the total. The same rule holds for
  the round as a whole and for every dimension separately (each has its own n);
- perception gap: per dimension, the largest difference between shown organisations.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from keel.assessments.definitions import Definition

OTHERS = "others"  # the key of the pooled group of organisations below the threshold
OTHERS_LABEL = "Other organisations"

# Per dimension, its items as (item key, reverse-scored), worked out once per round.
Plan = list[tuple[str, list[tuple[str, bool]]]]


@dataclass(frozen=True)
class Bands:
    strength: float = 4.0
    watch: float = 3.0
    gap: float = 1.0  # a perception gap this large or larger is flagged

    def of(self, score: float | None) -> str:
        """The band of a score: "strength", "watch" or "concern" ("" for no score)."""
        if score is None:
            return ""
        # Rounded first, so a score shown as 4.00 is never called "watch".
        score = round(score, 2)
        if score >= self.strength:
            return "strength"
        if score >= self.watch:
            return "watch"
        return "concern"


@dataclass(frozen=True)
class Stat:
    mean: float
    sd: float | None  # None for a single response
    n: int


@dataclass
class Group:
    """Scores of one set of responses: the round, one organisation, or the pooled others."""

    key: object
    label: str
    respondents: int
    dimensions: dict[str, Stat] = field(default_factory=dict)  # only the shown ones

    @property
    def overall(self) -> float | None:
        if not self.dimensions:
            return None
        return sum(stat.mean for stat in self.dimensions.values()) / len(self.dimensions)


@dataclass
class RoundScores:
    """Everything a leader may see about one round's answers, anonymity already applied."""

    threshold: int
    respondents: int
    total: Group
    organisations: list[Group]  # shown member organisations, then the pooled others if shown
    gaps: dict[str, float]  # dimension key -> largest difference between shown organisations

    @property
    def overall(self) -> float | None:
        return self.total.overall


def item_value(answer: int | None, reverse: bool) -> float | None:
    """An answer as it counts: None for N/A or blank, 6 − x for a reverse-scored item."""
    if answer is None:
        return None
    return 6 - answer if reverse else answer


def response_dimension_scores(
    definition: Definition, answers: Mapping[str, int | None], plan: Plan | None = None
) -> dict[str, float]:
    """One response's score per dimension, for the dimensions it answered at least half of."""
    scores: dict[str, float] = {}
    for dimension, items in plan or _plan(definition):
        values = [6 - v if reverse else v for key, reverse in items if (v := answers.get(key)) is not None]
        if values and len(values) * 2 >= len(items):
            scores[dimension] = sum(values) / len(values)
    return scores


def _plan(definition: Definition) -> Plan:
    return [
        (dimension.key, [(item.key, item.reverse) for item in definition.items_of(dimension.key)])
        for dimension in definition.dimensions
    ]


def summarise(values: list[float]) -> Stat:
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else None
    return Stat(mean, sd, n)


def round_scores(
    definition: Definition,
    responses: Iterable[tuple[object, Mapping[str, int | None]]],
    threshold: int = 3,
    labels: Mapping[object, str] | None = None,
) -> RoundScores:
    """Score a round from (organisation, answers) pairs, showing no group below `threshold`."""
    threshold = max(1, threshold)
    labels = labels or {}
    per_dimension: dict[str, dict[object, list[float]]] = defaultdict(lambda: defaultdict(list))
    respondents: dict[object, int] = defaultdict(int)
    plan = _plan(definition)  # once per round, not once per response
    for organisation, answers in responses:
        respondents[organisation] += 1
        for dimension, score in response_dimension_scores(definition, answers, plan).items():
            per_dimension[dimension][organisation].append(score)

    total_n = sum(respondents.values())
    total = Group(None, "All respondents", total_n)
    shown_orgs = {org for org, n in respondents.items() if org is not None and n >= threshold}
    shown_orgs = _protect(shown_orgs, respondents, threshold)
    groups = {org: Group(org, labels.get(org, str(org)), respondents[org]) for org in shown_orgs}
    others_n = total_n - sum(respondents[org] for org in shown_orgs)
    others = Group(OTHERS, OTHERS_LABEL, others_n)

    for dimension in (d.key for d in definition.dimensions):
        by_org = per_dimension.get(dimension, {})
        everyone = [score for scores in by_org.values() for score in scores]
        if len(everyone) >= threshold:
            total.dimensions[dimension] = summarise(everyone)
        counts = {org: len(scores) for org, scores in by_org.items()}
        candidates = {org for org in shown_orgs if counts.get(org, 0) >= threshold}
        visible = _protect(candidates, counts, threshold)
        for org in visible:
            groups[org].dimensions[dimension] = summarise(by_org[org])
        rest = [score for org, scores in by_org.items() if org not in visible for score in scores]
        if others_n and len(rest) >= threshold:
            others.dimensions[dimension] = summarise(rest)

    ordered = sorted(groups.values(), key=lambda g: (g.label.casefold(), str(g.key)))
    gaps: dict[str, float] = {}
    for dimension in (d.key for d in definition.dimensions):
        means = [g.dimensions[dimension].mean for g in ordered if dimension in g.dimensions]
        if len(means) >= 2:
            gaps[dimension] = max(means) - min(means)
    if others_n >= threshold:
        ordered.append(others)
    return RoundScores(threshold, total_n, total, ordered, gaps)


def _protect(shown: set[object], counts: Mapping[object, int], threshold: int) -> set[object]:
    """Shrink `shown` until what is left over is empty or itself at least `threshold`.

    Without this, the total minus the shown groups would give away a hidden group's score.
    """
    shown = set(shown)
    while shown:
        rest = sum(n for org, n in counts.items() if org not in shown)
        if rest == 0 or rest >= threshold:
            break
        smallest = min(shown, key=lambda org: (counts[org], str(org)))
        shown.discard(smallest)
    return shown


def change(current: float | None, previous: float | None) -> float | None:
    """The change between two scores, where both exist."""
    if current is None or previous is None:
        return None
    return current - previous


def stats_data(scores: RoundScores) -> dict[str, object]:
    """The round's whole-round scores as JSON-friendly data (kept on the round for fast lists)."""
    return {
        "respondents": scores.respondents,
        "threshold": scores.threshold,
        "overall": scores.overall,
        "dimensions": {key: [s.mean, s.sd, s.n] for key, s in scores.total.dimensions.items()},
    }
