"""The recommendation engine: plain functions on plain data (DESIGN.md, "Recommendation").

`recommend(evidence, thresholds, today)` gives every partnership exactly one recommendation
with the rules that fired, in order, and the figures behind each. Nothing here touches the
database or a request: `keel.decisions.evidence` gathers `Evidence` for the pages, the audit,
the CLI and the API, and the thresholds come from the workspace's decision settings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from keel.common.text import add_months
from keel.decisions.money import return_on, two_places


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
    measurements: int = 0  # indicators (of any kind) measured at least once
    annual_cost: Decimal | None = None  # of `cost_year`
    annual_value: Decimal | None = None
    cost_year: int | None = None
    conflicts: tuple[ConflictFact, ...] = ()
    events: tuple[EventFact, ...] = ()
    circumstances: frozenset[str] = frozenset()  # dissolve keys a reviewer said apply, at the latest review
    other_circumstances: tuple[str, ...] = ()  # the wording of dissolve items said to apply that have no key
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


@dataclass(frozen=True)
class ReviewDue:
    """When a partnership's next review is due, whether that has passed, and why that date."""

    due: dt.date | None
    overdue: bool
    why: str


# ------------------------------------------------------------------ words and figures

ACTIVE_STATUSES = frozenset({"active", "under_review"})
HEALTHY_BANDS = frozenset({"strength", "watch"})
SERIOUS_EVENTS = {
    "breach_of_trust": "a breach of trust",
    "information_withheld": "information withheld",
    "unilateral_decision": "a unilateral decision",
}
CIRCUMSTANCE_WORDS = {
    IRRECONCILABLE_CONFLICT: "an irreconcilable conflict",
    NO_TRUST: "a complete lack of trust or respect",
    INFORMATION_WITHHELD: "essential information withheld",
    UNILATERAL_DECISIONS: "unilateral decisions by a partner",
    NOT_SERVING_PRIORITIES: "no longer serving our strategic priorities",
    COSTS_MORE_THAN_PRODUCES: "costing more than it produces",
}
BASIS_WORDS = {"statutory": "statutory / mandatory", "funding_condition": "a funding condition"}
APPOINT_THIRD_PARTY = "appoint a neutral third party agreed by all parties"


def day(date: dt.date) -> str:
    return f"{date:%d/%m/%Y}"


def score(value: float) -> Decimal:
    """A health score as shown: two places, halves up (the same rule as money)."""
    return two_places(Decimal(str(value)))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _priorities(count: int) -> str:
    return _plural(count, "strategic priority", "strategic priorities")


def return_of(evidence: Evidence) -> Fraction | None:
    """Value ÷ cost of the partnership's latest year, exact (None when either is not known)."""
    return return_on(evidence.annual_cost, evidence.annual_value)


def _return_figures(evidence: Evidence, ratio: Fraction) -> dict[str, object]:
    return {
        "return": str(two_places(ratio)),
        "annual_cost": str(two_places(evidence.annual_cost or 0)),
        "annual_value": str(two_places(evidence.annual_value or 0)),
        "year": evidence.cost_year,
    }


def _health_figures(evidence: Evidence) -> dict[str, object]:
    if evidence.health_score is None:
        return {"health": None, "band": evidence.health_band}
    return {"health": str(score(evidence.health_score)), "band": evidence.health_band}


def _months_old(start: dt.date, today: dt.date) -> int:
    months = (today.year - start.year) * 12 + today.month - start.month
    return months - 1 if add_months(start, months) > today else months


def is_young(evidence: Evidence, thresholds: Thresholds, today: dt.date) -> bool:
    """Younger than the maturity period; a partnership whose start is not known is not young."""
    start = evidence.start_date
    return start is not None and add_months(start, thresholds.maturity_months) > today


# ------------------------------------------------------------------ lapsed terms and reviews


def lapsed_terms(evidence: Evidence, today: dt.date) -> str | None:
    """An active partnership past its planned end, or whose end condition is recorded as met, in words."""
    if evidence.status not in ACTIVE_STATUSES:
        return None
    found = []
    if evidence.planned_end is not None and evidence.planned_end < today:
        days = (today - evidence.planned_end).days
        found.append(f"Planned end {day(evidence.planned_end)} passed {_plural(days, 'day')} ago")
    if evidence.end_condition_met_on is not None:
        found.append(f"End condition recorded as met on {day(evidence.end_condition_met_on)}")
    return "; ".join(found) or None


def review_due(evidence: Evidence, today: dt.date) -> ReviewDue:
    """The next review: from the latest review's date, else the cadence, brought forward by early-review
    events since the last review and to today when the terms have lapsed."""
    if evidence.status == "proposed":
        return ReviewDue(None, False, "Not started yet: reviews begin once it is active.")
    if evidence.status in ("dissolving", "ended"):
        return ReviewDue(
            None, False, "Being dissolved: no more reviews." if evidence.status == "dissolving" else "Ended."
        )
    due: dt.date | None = None
    why = "No review cadence set."
    every = evidence.review_every_months
    if evidence.next_review_set is not None:
        due = evidence.next_review_set
        held = f" of {day(evidence.last_review)}" if evidence.last_review else ""
        why = f"Set at the review{held}."
    elif every and evidence.last_review is not None:
        due = add_months(evidence.last_review, every)
        why = f"{_plural(every, 'month')} after the last review on {day(evidence.last_review)}."
    elif every and evidence.start_date is not None:
        due = add_months(evidence.start_date, every)
        why = f"{_plural(every, 'month')} after the start on {day(evidence.start_date)}."
    early = [
        event
        for event in evidence.events
        if event.early_review
        and event.date <= today
        and (evidence.last_review is None or event.date > evidence.last_review)
    ]
    if early:
        first = min(early, key=lambda event: event.date)
        if due is None or first.date < due:
            due = first.date
            kind = first.kind.replace("_", " ")
            why = f"Brought forward by an event ({kind}) on {day(first.date)} that calls for an early review."
    lapsed = lapsed_terms(evidence, today)
    if lapsed and (due is None or today < due):
        due, why = today, f"Brought forward to today: {lapsed[0].lower()}{lapsed[1:]}."
    return ReviewDue(due, due is not None and due < today, why)


# ------------------------------------------------------------------ the rules, each one named


def terms_lapsed(evidence: Evidence, today: dt.date) -> Reason | None:
    words = lapsed_terms(evidence, today)
    if words is None:
        return None
    figures: dict[str, object] = {}
    if evidence.planned_end is not None and evidence.planned_end < today:
        figures["planned_end"] = evidence.planned_end.isoformat()
        figures["days_past"] = (today - evidence.planned_end).days
    if evidence.end_condition_met_on is not None:
        figures["end_condition_met_on"] = evidence.end_condition_met_on.isoformat()
    return Reason(
        "terms_lapsed",
        f"{words}: its end terms have lapsed while it is still {evidence.status.replace('_', ' ')}.",
        figures,
    )


def already_ended(evidence: Evidence) -> Reason | None:
    if evidence.status != "ended":
        return None
    return Reason("already_ended", "Ended: what remains is to celebrate what was achieved and keep the relationship.")


def being_dissolved(evidence: Evidence) -> Reason | None:
    if evidence.status != "dissolving":
        return None
    return Reason("being_dissolved", "Being dissolved: see the dissolution through, every step done or waived.")


def purpose_fulfilled(evidence: Evidence) -> Reason | None:
    if evidence.end_condition_met_on is not None:
        return Reason(
            "purpose_fulfilled",
            f"Its end condition was met on {day(evidence.end_condition_met_on)}: its purpose is fulfilled.",
            {"end_condition_met_on": evidence.end_condition_met_on.isoformat()},
        )
    if PURPOSE_FULFILLED in evidence.circumstances:
        return Reason(
            "purpose_fulfilled",
            "The latest review found its purpose fulfilled.",
            {"last_review": _iso(evidence.last_review)},
        )
    return None


def planned_end_with_objectives_met(evidence: Evidence, today: dt.date) -> Reason | None:
    end = evidence.planned_end
    if end is None or end > today or evidence.objectives_met != "yes":
        return None
    return Reason(
        "planned_end_with_objectives_met",
        f"Its planned end, {day(end)}, has been reached and the latest review found its objectives met.",
        {"planned_end": end.isoformat(), "objectives_met": "yes"},
    )


def circumstances_said(evidence: Evidence) -> Reason | None:
    """Dissolve circumstances a reviewer said apply at the latest review (purpose fulfilled is celebrated instead)."""
    if not evidence.circumstances and not evidence.other_circumstances:
        return None
    keys = sorted(
        evidence.circumstances - {PURPOSE_FULFILLED},
        key=lambda key: list(CIRCUMSTANCE_WORDS).index(key) if key in CIRCUMSTANCE_WORDS else len(CIRCUMSTANCE_WORDS),
    )
    words = [CIRCUMSTANCE_WORDS.get(key, key.replace("_", " ")) for key in keys] + list(evidence.other_circumstances)
    if not words:
        return None
    said = f" on {day(evidence.last_review)}" if evidence.last_review else ""
    return Reason(
        "circumstances_said",
        f"The latest review{said} found a circumstance that calls for dissolving: {_join(words)}.",
        {"circumstances": words},
    )


def irreconcilable_conflict(evidence: Evidence, thresholds: Thresholds, today: dt.date) -> Reason | None:
    """A conflict open longer than the workspace allows, or closed unresolved within the events window."""
    if not evidence.conflicts:
        return None
    since = add_months(today, -thresholds.event_months)
    long_open = [
        c for c in evidence.conflicts if c.outcome == "open" and (today - c.raised_on).days > thresholds.conflict_days
    ]
    unresolved = [
        c for c in evidence.conflicts if c.outcome == "not_resolved" and (c.closed_on or c.raised_on) >= since
    ]
    if not long_open and not unresolved:
        return None
    words = []
    figures: dict[str, object] = {"conflict_days": thresholds.conflict_days}
    if long_open:
        oldest = min(long_open, key=lambda c: c.raised_on)
        days = (today - oldest.raised_on).days
        words.append(
            f"a conflict raised on {day(oldest.raised_on)} has been open {_plural(days, 'day')} "
            f"(more than {thresholds.conflict_days})"
        )
        figures["days_open"] = days
        figures["open_conflicts"] = len(long_open)
    if unresolved:
        words.append(
            f"{_plural(len(unresolved), 'conflict')} could not be resolved "
            f"in the last {_plural(thresholds.event_months, 'month')}"
        )
        figures["not_resolved"] = len(unresolved)
    text = "An irreconcilable conflict: " + _join(words) + "."
    return Reason("irreconcilable_conflict", text, figures)


def serious_event(evidence: Evidence, thresholds: Thresholds, today: dt.date) -> Reason | None:
    """A high-severity breach of trust, withheld information or unilateral decision within the events window."""
    if not evidence.events:
        return None
    since = add_months(today, -thresholds.event_months)
    found = sorted(
        (e for e in evidence.events if e.kind in SERIOUS_EVENTS and e.severity == "high" and since <= e.date <= today),
        key=lambda e: e.date,
    )
    if not found:
        return None
    words = [f"{SERIOUS_EVENTS[e.kind]} on {day(e.date)}" for e in found]
    return Reason(
        "serious_event",
        f"Serious {'events' if len(found) > 1 else 'event'} in the last "
        f"{_plural(thresholds.event_months, 'month')}: {_join(words)}.",
        {"events": [{"kind": e.kind, "date": e.date.isoformat(), "severity": e.severity} for e in found]},
    )


def costs_more_without_improving(evidence: Evidence, thresholds: Thresholds) -> Reason | None:
    """Return below the dissolve threshold, health in concern, and no improvement since the previous round."""
    ratio = return_of(evidence)
    current, previous = evidence.health_score, evidence.previous_health_score
    if ratio is None or ratio >= Fraction(thresholds.dissolve_return) or evidence.health_band != "concern":
        return None
    if current is None or (previous is not None and current > previous):
        return None
    trend = (
        "with no earlier round to show an improvement"
        if previous is None
        else f"with no improvement since the previous round ({score(previous)})"
    )
    figures = {**_return_figures(evidence, ratio), "dissolve_return": str(two_places(thresholds.dissolve_return))}
    figures |= {**_health_figures(evidence), "previous_health": None if previous is None else str(score(previous))}
    return Reason(
        "costs_more_without_improving",
        f"Costs more than it produces: return {two_places(ratio)}, below {two_places(thresholds.dissolve_return)}; "
        f"and health is in concern ({score(current)}) {trend}.",
        figures,
    )


def needs_time_to_mature(evidence: Evidence, thresholds: Thresholds, today: dt.date) -> Reason | None:
    """A young partnership is not dissolved on scores or return alone (7b)."""
    if evidence.start_date is None or not is_young(evidence, thresholds, today):
        return None
    months = _months_old(evidence.start_date, today)
    return Reason(
        "needs_time_to_mature",
        f"Not recommended for dissolution on scores and return alone: it started {_plural(months, 'month')} ago, "
        f"and partnerships need time to mature ({_plural(thresholds.maturity_months, 'month')}).",
        {
            "months_old": months,
            "maturity_months": thresholds.maturity_months,
            "start_date": evidence.start_date.isoformat(),
        },
    )


def mandatory_basis(evidence: Evidence) -> Reason | None:
    """A statutory or funding-condition partnership cannot simply be dissolved: bring a neutral third party."""
    if evidence.basis not in MANDATORY_BASES:
        return None
    basis = BASIS_WORDS.get(evidence.basis, evidence.basis)
    if evidence.coordinator:
        step = f"ask {evidence.coordinator}, its independent coordinator, to act as the neutral third party"
    else:
        step = APPOINT_THIRD_PARTY
    return Reason(
        "mandatory_basis",
        f"Its basis is {basis}, so it cannot simply be dissolved: mediate instead — {step}.",
        {"basis": evidence.basis, "neutral_third_party": evidence.coordinator or None},
    )


def health_in_concern(evidence: Evidence) -> Reason | None:
    if evidence.health_band != "concern" or evidence.health_score is None:
        return None
    return Reason(
        "health_in_concern", f"Health is in concern ({score(evidence.health_score)}).", _health_figures(evidence)
    )


def low_rating(evidence: Evidence) -> Reason | None:
    rating = evidence.lowest_rating
    if rating is None or not 1 <= rating <= 2:
        return None
    return Reason("low_rating", f"A partner relationship is rated {rating} out of 5.", {"lowest_rating": rating})


def missing_end_terms(evidence: Evidence) -> Reason | None:
    missing = []
    if evidence.planned_end is None and not evidence.end_condition.strip():
        missing.append("a planned end or an end condition")
    if not evidence.review_every_months:
        missing.append("a review cadence")
    if not evidence.conflict_process:
        missing.append("a conflict resolution process")
    if not missing:
        return None
    return Reason("missing_end_terms", f"Its end terms are not all set: agree {_join(missing)}.", {"missing": missing})


def fundamentals_in_concern(evidence: Evidence) -> Reason | None:
    found = [words for key, words in FUNDAMENTALS.items() if evidence.fundamentals.get(key) == "concern"]
    if not found:
        return None
    return Reason(
        "fundamentals_in_concern",
        f"{'A fundamental is' if len(found) == 1 else 'Fundamentals are'} in concern: {_join(found)}.",
        {"fundamentals": found},
    )


def keep_conditions_not_met(evidence: Evidence) -> Reason | None:
    if not evidence.keep_not_met:
        return None
    return Reason(
        "keep_conditions_not_met",
        f"The latest review found keep conditions not met: {_join([w.rstrip('.') for w in evidence.keep_not_met])}.",
        {"keep_not_met": list(evidence.keep_not_met)},
    )


def strategically_aligned(evidence: Evidence) -> Reason | None:
    """Serves at least one strategic priority; alignment not scored at all counts, and says so."""
    scores = evidence.alignments
    if not scores:
        return Reason(
            "strategically_aligned",
            "Strategic alignment not known yet: improving it is still worth the effort.",
            {"priorities_served": None},
        )
    served = sum(1 for s in scores if s >= 1)
    if not served:
        return None
    return Reason(
        "strategically_aligned",
        f"It serves {served} of {_priorities(len(scores))}, so it is worth improving.",
        {"priorities_served": served, "priorities_scored": len(scores)},
    )


def serves_no_priority(evidence: Evidence) -> Reason | None:
    """Healthy, but alignment 0 for every scored priority: a relationship would do (not already one)."""
    scores = evidence.alignments
    if evidence.health_band not in HEALTHY_BANDS or not scores or any(scores) or evidence.tier == "relationship":
        return None
    health = f" ({score(evidence.health_score)})" if evidence.health_score is not None else ""
    return Reason(
        "serves_no_priority",
        f"Healthy{health}, but it serves none of the {_priorities(len(scores))} "
        "it is scored against: keep the relationship without the cost of a partnership.",
        {**_health_figures(evidence), "priorities_scored": len(scores), "priorities_served": 0},
    )


def worth_investing(evidence: Evidence, thresholds: Thresholds) -> Reason | None:
    """Healthy, aligned, every outcome indicator on track, and a return of at least the invest threshold."""
    ratio = return_of(evidence)
    if evidence.health_band not in HEALTHY_BANDS or not any(s >= 1 for s in evidence.alignments):
        return None
    if evidence.outcomes_total < 1 or evidence.outcomes_on_track != evidence.outcomes_total:
        return None
    if ratio is None or ratio < Fraction(thresholds.invest_return):
        return None
    health = f" ({score(evidence.health_score)})" if evidence.health_score is not None else ""
    return Reason(
        "worth_investing",
        f"Healthy{health}, serving our priorities, {evidence.outcomes_on_track} of "
        f"{_plural(evidence.outcomes_total, 'outcome indicator')} on track, and a return of {two_places(ratio)} "
        f"(at least {two_places(thresholds.invest_return)}).",
        {
            **_health_figures(evidence),
            **_return_figures(evidence, ratio),
            "invest_return": str(two_places(thresholds.invest_return)),
            "outcomes_on_track": evidence.outcomes_on_track,
            "outcomes_total": evidence.outcomes_total,
        },
    )


def not_enough_evidence(evidence: Evidence, thresholds: Thresholds, today: dt.date) -> Reason | None:
    """No assessment within the evidence window and no outcome measurements."""
    since = add_months(today, -thresholds.evidence_months)
    if (evidence.last_assessment is not None and evidence.last_assessment >= since) or evidence.measurements:
        return None
    last = f"the last was on {day(evidence.last_assessment)}" if evidence.last_assessment else "none yet"
    return Reason(
        "not_enough_evidence",
        f"Not enough evidence: no health assessment in the last {_plural(thresholds.evidence_months, 'month')} "
        f"({last}) and no outcome measurements.",
        {
            "last_assessment": _iso(evidence.last_assessment),
            "measurements": 0,
            "evidence_months": thresholds.evidence_months,
        },
    )


def nothing_calls_for_change(evidence: Evidence, noted: bool) -> Reason:
    """Why "keep": either nothing calls for a change, or what fired does not call for one on its own."""
    if noted:
        return Reason(
            "nothing_calls_for_change",
            "None of the points above calls for a change on its own: weigh them at the next review.",
        )
    known = []
    if evidence.health_score is not None:
        known.append(f"health {score(evidence.health_score)} ({evidence.health_band})")
    ratio = return_of(evidence)
    if ratio is not None:
        known.append(f"return {two_places(ratio)}")
    if evidence.outcomes_total:
        known.append(
            f"{evidence.outcomes_on_track} of {_plural(evidence.outcomes_total, 'outcome indicator')} on track"
        )
    figures: dict[str, object] = {
        **_health_figures(evidence),
        "return": None if ratio is None else str(two_places(ratio)),
    }
    return Reason(
        "nothing_calls_for_change",
        "Nothing calls for a change" + (f": {'; '.join(known)}." if known else "."),
        figures,
    )


def _iso(date: dt.date | None) -> str | None:
    return None if date is None else date.isoformat()


# ------------------------------------------------------------------ the recommendation


def _fired(*reasons: Reason | None) -> list[Reason]:
    return [reason for reason in reasons if reason is not None]


def recommend(evidence: Evidence, thresholds: Thresholds, today: dt.date) -> Recommendation:
    """Exactly one recommendation, with every rule that fired in order and the figures behind each."""
    noted = _fired(terms_lapsed(evidence, today))

    def give(code: Recommend, *reasons: Reason) -> Recommendation:
        return Recommendation(code, (*noted, *reasons))

    if ended := already_ended(evidence):
        return give(Recommend.CELEBRATE_AND_CLOSE, ended)
    if dissolving := being_dissolved(evidence):
        return give(Recommend.DISSOLVE, dissolving)
    if close := _fired(purpose_fulfilled(evidence), planned_end_with_objectives_met(evidence, today)):
        return give(Recommend.CELEBRATE_AND_CLOSE, *close)
    grounds = _fired(
        circumstances_said(evidence),
        irreconcilable_conflict(evidence, thresholds, today),
        serious_event(evidence, thresholds, today),
    )
    if not grounds and (decline := costs_more_without_improving(evidence, thresholds)):
        young = needs_time_to_mature(evidence, thresholds, today)
        if young:
            noted += [decline, young]
        else:
            grounds = [decline]
    if grounds:
        if mediate := mandatory_basis(evidence):
            return give(Recommend.MEDIATE, *grounds, mediate)
        return give(Recommend.DISSOLVE, *grounds)
    needs = _fired(
        health_in_concern(evidence),
        low_rating(evidence),
        missing_end_terms(evidence),
        fundamentals_in_concern(evidence),
        keep_conditions_not_met(evidence),
    )
    aligned = strategically_aligned(evidence)
    if needs and aligned:
        return give(Recommend.IMPROVE, *needs, aligned)
    noted += needs
    if downgrade := serves_no_priority(evidence):
        return give(Recommend.DOWNGRADE, downgrade)
    if invest := worth_investing(evidence, thresholds):
        return give(Recommend.KEEP_AND_INVEST, invest)
    if measure := not_enough_evidence(evidence, thresholds, today):
        return give(Recommend.MEASURE_FIRST, measure)
    return give(Recommend.KEEP, nothing_calls_for_change(evidence, noted=bool(noted)))


RULES: tuple[Callable[..., Reason | None], ...] = (
    terms_lapsed,
    already_ended,
    being_dissolved,
    purpose_fulfilled,
    planned_end_with_objectives_met,
    circumstances_said,
    irreconcilable_conflict,
    serious_event,
    costs_more_without_improving,
    needs_time_to_mature,
    mandatory_basis,
    health_in_concern,
    low_rating,
    missing_end_terms,
    fundamentals_in_concern,
    keep_conditions_not_met,
    strategically_aligned,
    serves_no_priority,
    worth_investing,
    not_enough_evidence,
)


def reasons_data(recommendation: Recommendation) -> list[dict[str, object]]:
    """The reasons as JSON-plain data: what a review keeps as its snapshot, and what the audit writes."""
    return [{"rule": r.rule, "text": r.text, "figures": r.figures} for r in recommendation.reasons]
