"""The recommendation engine: plain functions on plain data (DESIGN.md, "Recommendation").

`recommend(evidence, thresholds, today)` gives every partnership exactly one recommendation
with the rules that fired, in order, and the figures behind each. Nothing here touches the
database or a request: `keel.decisions.evidence` gathers `Evidence` for the pages, the audit,
the CLI and the API, and the thresholds come from the workspace's decision settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Recommend(StrEnum):
    KEEP_AND_INVEST = "keep_and_invest"
    KEEP = "keep"
    IMPROVE = "improve"
    MEDIATE = "mediate"
    DOWNGRADE = "downgrade"
    DISSOLVE = "dissolve"
    CELEBRATE_AND_CLOSE = "celebrate_and_close"
    MEASURE_FIRST = "measure_first"


RECOMMENDATION_LABELS: dict[Recommend, str] = {
    Recommend.KEEP_AND_INVEST: "Keep and invest",
    Recommend.KEEP: "Keep",
    Recommend.IMPROVE: "Improve",
    Recommend.MEDIATE: "Mediate",
    Recommend.DOWNGRADE: "Downgrade to a relationship",
    Recommend.DISSOLVE: "Dissolve respectfully",
    Recommend.CELEBRATE_AND_CLOSE: "Celebrate and close",
    Recommend.MEASURE_FIRST: "Measure first",
}

# The fundamentals of a partnership: dimensions of Keel's health check.
FUNDAMENTALS: dict[str, str] = {
    "shared-purpose": "shared purpose",
    "shared-values": "shared values",
    "agreed-processes": "agreed processes",
    "relationships": "relationships at many levels",
}

# Dissolve circumstances the rules know by key (Criterion.key of the workspace's dissolve checklist).
IRRECONCILABLE_CONFLICT = "irreconcilable_conflict"
NO_TRUST = "no_trust"
INFORMATION_WITHHELD = "information_withheld"
UNILATERAL_DECISIONS = "unilateral_decisions"
PURPOSE_FULFILLED = "purpose_fulfilled"
NOT_SERVING_PRIORITIES = "not_serving_priorities"
COSTS_MORE_THAN_PRODUCES = "costs_more_than_produces"

MANDATORY_BASES = frozenset({"statutory", "funding_condition"})


@dataclass(frozen=True)
class Thresholds:
    """The workspace's settings the rules read."""

    invest_return: Decimal = Decimal("1.50")
    dissolve_return: Decimal = Decimal("1.00")
    maturity_months: int = 12
    conflict_days: int = 90
    evidence_months: int = 12
    event_months: int = 12


@dataclass(frozen=True)
class EventFact:
    kind: str  # decisions.EventKind value
    date: dt.date
    severity: str  # low, medium, high
    early_review: bool


@dataclass(frozen=True)
class ConflictFact:
    raised_on: dt.date
    outcome: str  # open, resolved, not_resolved
    closed_on: dt.date | None = None
    escalated: bool = False


@dataclass(frozen=True)
class Evidence:
    """What Keel knows about one partnership on one day. None always means "not known yet"."""

    partnership_id: int
    name: str
    status: str  # register.Status value
    tier: str
    basis: str
    start_date: dt.date | None = None
    planned_end: dt.date | None = None
    end_condition: str = ""  # the end terms in words
    end_condition_met_on: dt.date | None = None
    review_every_months: int | None = None
    conflict_process: bool = False  # in words on the partnership, or as an agreed process document
    coordinator: str | None = None  # the independent coordinator's name
    # Health: the latest round with a score, the one before it, and the fundamentals' bands.
    health_score: float | None = None
    health_band: str | None = None  # strength, watch, concern
    previous_health_score: float | None = None
    last_assessment: dt.date | None = None
    fundamentals: dict[str, str] = field(default_factory=dict)  # FUNDAMENTALS key -> band
    lowest_rating: int | None = None  # the lowest of the members' latest ratings
    alignments: tuple[int, ...] = ()  # each strategic priority's alignment, 0-3; () not scored
    outcomes_on_track: int = 0
    outcomes_total: int = 0  # outcome indicators with a status
    measurements: int = 0  # measurements of any indicator
    annual_cost: Decimal | None = None  # of `cost_year`
    annual_value: Decimal | None = None
    cost_year: int | None = None
    conflicts: tuple[ConflictFact, ...] = ()
    events: tuple[EventFact, ...] = ()
    circumstances: frozenset[str] = frozenset()  # dissolve keys a reviewer said apply, at the latest review
    keep_not_met: tuple[str, ...] = ()  # keep criteria answered "no" at the latest review (their wording)
    last_review: dt.date | None = None
    next_review_set: dt.date | None = None  # the date the latest review set
    objectives_met: str | None = None  # yes, partly, no at the latest review
    last_decision: str | None = None


@dataclass(frozen=True)
class Reason:
    """One rule that fired: its name, what it says in words, and the figures behind it."""

    rule: str
    text: str
    figures: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    code: Recommend
    reasons: tuple[Reason, ...]

    @property
    def label(self) -> str:
        return RECOMMENDATION_LABELS[self.code]

    @property
    def first_reason(self) -> str:
        return self.reasons[0].text if self.reasons else ""
