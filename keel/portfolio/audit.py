"""The portfolio audit: every partnership of a workspace, as plain data, a table or CSV.

`audit_rows` reads the partnerships once, in a fixed number of queries whatever their number,
into plain dicts shaped as the JSON schema `keel.audit/1` (docs/audit.md). The table and the
CSV are drawn from those dicts through `COLUMNS`, so a later issue adds a column by adding a key
to `_row` and a `Column` here; the JSON gains the key on its own. The schema is a contract:
keys are only ever added within keel.audit/1, never renamed or removed.

Health comes from `keel.assessments.queries.latest_health`: the newest round with responses of
every partnership in one query, from the rounds' kept whole-round scores, with the workspace's
anonymity threshold applied (no score from fewer respondents than the threshold).

Activity (communication, attendance, referrals, outcome indicators, and each member's latest
rating and the three conditions of a 5 as they hold today) comes from
`keel.portfolio.summary.audit_activity`, which reads the whole workspace in a fixed number of
queries through the same grouped reads as the partnership page.

Decisions (cost and value, conflicts, events, the next review, lapsed terms, Keel's
recommendation and the last decision a person made at a review) come from
`keel.decisions.evidence.advise`, which reads the whole workspace in a fixed number of queries and
runs the recommendation engine on each partnership, and one query for the latest reviews.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from keel.assessments.definitions import parse_definition
from keel.assessments.queries import Health, latest_health
from keel.assessments.services import BUILTIN_DIR
from keel.common.spreadsheets import neutralise
from keel.common.text import add_months, describe_months
from keel.core.models import Workspace
from keel.core.tenancy import workspace_scope
from keel.decisions.evidence import Advice, advise
from keel.decisions.models import Decision, Review
from keel.decisions.money import return_on, two_places
from keel.decisions.rules import reasons_data
from keel.portfolio.summary import audit_activity
from keel.register.models import (
    ALIGNMENT_LABELS,
    Basis,
    Formality,
    Partnership,
    PartnershipMember,
    PriorityAlignment,
    Status,
    Tier,
)

SCHEMA = "keel.audit/1"
FORMATS = ["table", "json", "csv"]


@dataclass(slots=True)
class PartnershipRow:
    """What the audit reads of a partnership: plain values, not a model instance (5,000 of them)."""

    pk: int
    name: str
    status: str
    tier: str
    basis: str
    formality: str
    archived: bool
    lead: dict | None
    start_date: dt.date | None
    planned_end: dt.date | None
    review_every_months: int | None
    contact_every_days: int


@dataclass(slots=True)
class MemberRow:
    partnership_id: int
    organisation_id: int
    organisation: str
    role: str
    contact_id: int | None
    contact: dict | None
    since: dt.date | None
    until: dt.date | None


def _person_of(name: str | None, email: str | None) -> dict | None:
    return None if name is None else {"name": name, "email": email or ""}


def audit_partnerships(
    include_archived: bool = False,
) -> list[tuple[PartnershipRow, list[MemberRow], list[tuple[str, int]]]]:
    """Each partnership with its members and its (priority, alignment) pairs: three queries, however
    many there are, read as plain values.

    Members and alignments are read for the whole workspace and grouped here, rather than
    prefetched, which would send every partnership's id back to the database in IN lists.
    """
    partnerships = Partnership.objects.order_by("name_key", "pk")
    if not include_archived:
        partnerships = partnerships.filter(archived_at__isnull=True)
    members: dict[int, list[MemberRow]] = defaultdict(list)
    alignments: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for pid, org_id, org, role, contact_id, name, email, since, until in PartnershipMember.objects.order_by(
        "organisation__name_key", "pk"
    ).values_list(
        "partnership_id", "organisation_id", "organisation__name", "role", "contact_id", "contact__name",
        "contact__email", "since", "until",
    ):  # fmt: skip
        members[pid].append(MemberRow(pid, org_id, org, role, contact_id, _person_of(name, email), since, until))
    for pid, priority, score in PriorityAlignment.objects.order_by("priority__name_key", "pk").values_list(
        "partnership_id", "priority__name", "score"
    ):
        alignments[pid].append((priority, score))
    found = []
    for pk, name, status, tier, basis, formality, archived_at, lead, email, start, end, every, contact in (
        partnerships.values_list(
            "pk", "name", "status", "tier", "basis", "formality", "archived_at", "lead__name", "lead__email",
            "start_date", "planned_end", "review_every_months", "contact_every_days",
        )
    ):  # fmt: skip
        partnership = PartnershipRow(
            pk, name, status, tier, basis, formality, archived_at is not None, _person_of(lead, email),
            start, end, every, contact,
        )  # fmt: skip
        found.append((partnership, members[pk], alignments[pk]))
    return found


def _iso(date) -> str | None:
    return date.isoformat() if date else None


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _health(health: Health | None) -> dict:
    """The health keys of a row: the latest round with responses, or nulls when there is none."""
    if health is None:
        return {
            "health_score": None,
            "health_band": None,
            "health_responses": None,
            "health_round_date": None,
            "health_dimensions": {},
        }
    return {
        "health_score": _score(health.overall),
        "health_band": health.band or None,
        "health_responses": health.respondents,
        "health_round_date": _iso(health.date),
        "health_dimensions": {key: _score(health.dimensions[key]) for key in _in_order(health.dimensions)},
    }


def _money(value: Decimal | Fraction | None) -> str | None:
    """Money and returns in the JSON: exact decimal text with two places ("1234.50"), or None."""
    return None if value is None else str(two_places(value))


DECISION_LABELS = dict(Decision.choices)


def latest_decisions(partnership_ids=None) -> dict[int, dict]:
    """The last decision a person recorded at a review of each partnership: one query.

    The newest review is picked in the database once per partnership, through the index on
    partnership and date, so the reasons of older reviews are never read."""
    newest = Review.objects.filter(partnership_id=OuterRef("partnership_id")).order_by("-held_on", "-pk").values("pk")
    reviews = Review.objects.filter(pk=Subquery(newest[:1])).order_by()
    if partnership_ids is not None:
        reviews = reviews.filter(partnership_id__in=list(partnership_ids))
    return {
        pk: {
            "decision": decision,
            "label": DECISION_LABELS.get(decision, decision),
            "date": held_on.isoformat(),
            "reasons": reasons,
            "reviewer": reviewer,
        }
        for pk, decision, held_on, reasons, reviewer in reviews.values_list(
            "partnership_id", "decision", "held_on", "reasons", "reviewer_name"
        )
    }


def _recommendation(advice: Advice) -> dict:
    recommendation = advice.recommendation
    return {"code": str(recommendation.code), "label": recommendation.label, "reasons": reasons_data(recommendation)}


def decision_keys(advice: Advice | None, alignments: list, last_decision: dict | None, today: dt.date) -> dict:
    """The decisions keys of a row: cost and value, conflicts, events, review, recommendation, last decision.

    Unknown is None throughout: no cost recorded is a null cost, not a cost of 0."""
    scores = [score for _, score in alignments]
    keys: dict[str, object] = {
        "annual_cost": None,
        "annual_value": None,
        "net": None,
        "return": None,
        "cost_year": None,
        "strategic_alignment": max(scores) if scores else None,
        "open_conflicts": None,
        "events_last_12_months": None,
        "next_review": None,
        "review_overdue": None,
        "next_review_why": None,
        "terms_lapsed": None,
        "recommendation": None,
        "last_decision": last_decision,
    }
    if advice is None:
        return keys
    evidence, review = advice.evidence, advice.review
    cost, value = evidence.annual_cost, evidence.annual_value
    since = add_months(today, -12)
    keys.update(
        {
            "annual_cost": _money(cost),
            "annual_value": _money(value),
            "net": _money(value - cost) if cost is not None and value is not None else None,
            "return": _money(return_on(cost, value)),
            "cost_year": evidence.cost_year,
            "open_conflicts": sum(1 for conflict in evidence.conflicts if conflict.outcome == "open"),
            "events_last_12_months": sum(1 for event in evidence.events if since < event.date <= today),
            "next_review": _iso(review.due),
            "review_overdue": review.overdue if review.due else None,
            "next_review_why": review.why or None,
            "terms_lapsed": advice.lapsed or None,
            "recommendation": _recommendation(advice),
        }
    )
    return keys


def _row(
    partnership: PartnershipRow,
    members: list[MemberRow],
    alignments: list[tuple[str, int]],
    health: Health | None = None,
    activity: dict | None = None,
    decisions: dict | None = None,
) -> dict:
    """One partnership as plain data: the JSON schema's `partnerships[]` item."""
    activity = dict(activity or {})
    by_member = activity.pop("members", {})
    return {
        "id": partnership.pk,
        "name": partnership.name,
        "status": partnership.status,
        "tier": partnership.tier,
        "basis": partnership.basis,
        "formality": partnership.formality,
        "archived": partnership.archived,
        "members": [
            {
                "organisation": member.organisation,
                "organisation_id": member.organisation_id,
                "role": member.role,
                "single_point_of_contact": member.contact,
                "since": _iso(member.since),
                "until": _iso(member.until),
                **by_member.get(member.organisation_id, {}),
            }
            for member in members
        ],
        "lead": partnership.lead,
        "start_date": _iso(partnership.start_date),
        "planned_end": _iso(partnership.planned_end),
        "review_every_months": partnership.review_every_months,
        "review_cadence": describe_months(partnership.review_every_months) or None,
        "strategic_priorities": [{"name": name, "alignment": score} for name, score in alignments],
        **_health(health),
        **activity,
        **(decisions or {}),
    }


def audit_rows(workspace: Workspace, include_archived: bool = False, today: dt.date | None = None) -> list[dict]:
    """Every partnership of `workspace` (archived ones only when asked), by name."""
    today = today or timezone.localdate()
    with workspace_scope(workspace):
        health = latest_health()  # every partnership's, in one query
        partnerships = audit_partnerships(include_archived)
        activity = audit_activity([(p, members) for p, members, _ in partnerships], today)
        advice = advise(today, include_archived=include_archived)
        decided = latest_decisions()
        return [
            _row(
                partnership,
                members,
                alignments,
                health.get(partnership.pk),
                activity.get(partnership.pk),
                decision_keys(advice.get(partnership.pk), alignments, decided.get(partnership.pk), today),
            )
            for partnership, members, alignments in partnerships
        ]


def audit_document(workspace: Workspace, include_archived: bool = False) -> dict:
    """The audit as the `keel.audit/1` JSON document."""
    return {
        "schema": SCHEMA,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "workspace": {"slug": workspace.slug, "name": workspace.name},
        "partnerships": audit_rows(workspace, include_archived),
    }


def render_json(document: dict) -> str:
    """The document indented, with each partnership on one line of its own.

    Readable and quick: indenting every level would run json's pure-Python encoder, seconds for
    5,000 partnerships; one line per partnership is written by its C encoder."""
    lines = [f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in document.items()]
    lines.pop()  # the partnerships, written below
    rows = ",\n".join(f"    {json.dumps(row, ensure_ascii=False)}" for row in document["partnerships"])
    lines.append('  "partnerships": [\n' + rows + "\n  ]" if rows else '  "partnerships": []')
    return "{\n" + "\n".join(lines) + "\n}\n"


# ---------------------------------------------------------------- columns for the table and CSV


@dataclass(frozen=True)
class Column:
    """One column of the table and the CSV: its CSV header, its table heading, its text."""

    key: str
    heading: str
    text: Callable[[dict], str]
    width: int  # the most characters a table cell shows before "…"; the CSV is never cut
    optional: bool = False  # left out of the table when every cell is empty (the CSV keeps it)


def _label(choices, key: str) -> Callable[[dict], str]:
    labels = dict(choices.choices)
    return lambda row: labels.get(row[key], row[key] or "")


def members_text(row: dict) -> str:
    """'Org A (contact: Jane Smith); Org B (no contact)'."""
    parts = []
    for member in row["members"]:
        contact = member["single_point_of_contact"]
        parts.append(f"{member['organisation']} ({'contact: ' + contact['name'] if contact else 'no contact'})")
    return "; ".join(parts)


def priorities_text(row: dict) -> str:
    """'Independence at home (strongly); Best start in life (not at all)'."""
    return "; ".join(
        f"{p['name']} ({ALIGNMENT_LABELS.get(p['alignment'], str(p['alignment'])).lower()})"
        for p in row["strategic_priorities"]
    )


COLUMNS = [
    Column("id", "ID", lambda row: str(row["id"]), 8),
    Column("name", "Partnership", lambda row: row["name"], 40),
    Column("status", "Status", _label(Status, "status"), 12),
    Column("tier", "Tier", _label(Tier, "tier"), 23),
    Column("basis", "Basis", _label(Basis, "basis"), 21),
    Column("formality", "Formality", _label(Formality, "formality"), 9),
    Column("archived", "Archived", lambda row: "yes" if row["archived"] else "", 8, optional=True),
    Column("members", "Members and single points of contact", members_text, 60),
    Column("lead", "Lead", lambda row: row["lead"]["name"] if row["lead"] else "", 24),
    Column("start_date", "Start", lambda row: row["start_date"] or "", 10),
    Column("planned_end", "Planned end", lambda row: row["planned_end"] or "", 11),
    Column("review_cadence", "Review", lambda row: row["review_cadence"] or "", 14),
    Column("strategic_priorities", "Strategic priorities", priorities_text, 50),
    Column("health_score", "Health", lambda row: _number(row["health_score"]), 6, optional=True),
    Column("health_band", "Band", lambda row: row["health_band"] or "", 8, optional=True),
    Column("health_responses", "Responses", lambda row: _number(row["health_responses"]), 9, optional=True),
    Column("health_round_date", "Health round", lambda row: row["health_round_date"] or "", 12, optional=True),
]

# Activity: communication, attendance, referrals, outcomes, and each member's rating. Computed
# facts like the health scores: an import of the audit's CSV reads them as nothing to import.
ACTIVITY_COLUMNS = [
    Column("last_contact_date", "Last contact", lambda row: row["last_contact_date"] or "", 12, optional=True),
    Column("days_since_last_contact", "Days since", lambda row: _number(row["days_since_last_contact"]), 10, True),
    Column("regular_communication", "Regular contact", lambda row: _yes(row["regular_communication"]), 15),
    Column("contact_every_days", "Every (days)", lambda row: _number(row["contact_every_days"]), 12),
    Column("attendance_rate", "Attendance", lambda row: _percent(row["attendance_rate"]), 10, optional=True),
    Column("referrals_made", "Referrals", lambda row: _number(row["referrals_made"]), 9),
    Column("referral_completion_rate", "Completed", lambda row: _percent(row["referral_completion_rate"]), 9, True),
    Column("overdue_follow_ups", "Overdue follow-ups", lambda row: _number(row["overdue_follow_ups"]), 18),
    Column("referral_pathway_documented", "Pathway", lambda row: _yes(row["referral_pathway_documented"]), 7),
    Column("outcome_indicators_on_track", "Outcomes on track", lambda row: _outcomes(row, "on_track"), 17, True),
    Column("outcome_indicators_total", "Outcome indicators", lambda row: _outcomes(row, "total"), 18, True),
    Column("member_ratings", "Member ratings and conditions", lambda row: member_ratings_text(row), 60),
]
COLUMNS += ACTIVITY_COLUMNS
# `contact_every_days` is a setting of the partnership, which an import reads back; the rest are not.
ACTIVITY_FACTS = [column.key for column in ACTIVITY_COLUMNS if column.key != "contact_every_days"]


def _text(key: str) -> Callable[[dict], str]:
    return lambda row: _number(row[key])


def _part(key: str, part: str) -> Callable[[dict], str]:
    return lambda row: str(row[key][part]) if row[key] else ""


def reasons_text(row: dict) -> str:
    """The recommendation's reasons in words, in the order the rules fired."""
    recommendation = row["recommendation"]
    return "; ".join(reason["text"] for reason in recommendation["reasons"]) if recommendation else ""


# Decisions: cost and value, conflicts, events, the next review, the recommendation and the last
# decision. All computed or recorded elsewhere: an import of the audit's CSV reads none of them.
DECISION_COLUMNS = [
    Column("annual_cost", "Annual cost", _text("annual_cost"), 11, optional=True),
    Column("annual_value", "Annual value", _text("annual_value"), 12, optional=True),
    Column("net", "Net", _text("net"), 11, optional=True),
    Column("return", "Return", _text("return"), 6, optional=True),
    Column("cost_year", "Year", _text("cost_year"), 4, optional=True),
    Column("strategic_alignment", "Alignment", _text("strategic_alignment"), 9),
    Column("open_conflicts", "Open conflicts", _text("open_conflicts"), 14),
    Column("events_last_12_months", "Events (12 months)", _text("events_last_12_months"), 18),
    Column("next_review", "Next review", lambda row: row["next_review"] or "", 11),
    Column("review_overdue", "Overdue", lambda row: _maybe(row["review_overdue"]), 7),
    Column("next_review_why", "Why then", lambda row: row["next_review_why"] or "", 40, optional=True),
    Column("terms_lapsed", "Terms lapsed", lambda row: row["terms_lapsed"] or "", 40, optional=True),
    Column("recommendation", "Recommendation", _part("recommendation", "label"), 27),
    Column("recommendation_reasons", "Why", reasons_text, 60),
    Column("last_decision", "Last decision", _part("last_decision", "label"), 27, optional=True),
    Column("last_decision_date", "Decided on", _part("last_decision", "date"), 10, optional=True),
    Column("last_decision_reasons", "Reasons given", _part("last_decision", "reasons"), 60, optional=True),
]
COLUMNS += DECISION_COLUMNS
DECISION_FACTS = [column.key for column in DECISION_COLUMNS]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _maybe(value: bool | None) -> str:
    """yes, no, or empty when not known."""
    return "" if value is None else _yes(value)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _outcomes(row: dict, key: str) -> str:
    """An outcome count, or empty for a partnership with no outcome indicators."""
    return str(row[f"outcome_indicators_{key}"]) if row["outcome_indicators_total"] else ""


CONDITION_WORDS = {
    "single_point_of_contact": "contact",
    "regular_communication": "communication",
    "working_referral_system": "referrals",
}


def member_ratings_text(row: dict) -> str:
    """'Age UK 4 (contact yes, communication no, referrals yes); Mind not rated (…)': each member's
    latest rating and the three conditions of a 5 as they hold today."""
    parts = []
    for member in row["members"]:
        rating = member.get("latest_rating")
        held = ", ".join(f"{word} {_yes(member['conditions'][key])}" for key, word in CONDITION_WORDS.items())
        parts.append(f"{member['organisation']} {rating['score'] if rating else 'not rated'} ({held})")
    return "; ".join(parts)


def _number(value) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def dimensions_text(row: dict) -> str:
    """'shared-purpose 3.80; trust 4.25': the table's one column of dimension scores."""
    return "; ".join(f"{key} {score:.2f}" for key, score in row["health_dimensions"].items())


# The table has one compact column of dimension scores: ten more columns would not fit a terminal.
TABLE_COLUMNS = [*COLUMNS, Column("health_dimensions", "Dimension scores", dimensions_text, 60, optional=True)]


@cache
def health_check_dimensions() -> tuple[str, ...]:
    """The dimension keys of Keel's own health check, read from its definition file."""
    text = (BUILTIN_DIR / "keel-health-check.yaml").read_text(encoding="utf-8")
    return tuple(d.key for d in parse_definition(text).dimensions)


def _in_order(keys) -> list[str]:
    """Dimension keys in the order of Keel's health check, then any others A–Z.

    Kept scores come back from PostgreSQL's jsonb with their keys in its own order, so the
    order is set here, the same on every database.
    """
    known = {key: i for i, key in enumerate(health_check_dimensions())}
    return sorted(keys, key=lambda key: (known.get(key, len(known)), key))


def csv_columns(rows: list[dict]) -> list[Column]:
    """COLUMNS, then one `health_<key>` column per dimension: the health check's, then any other
    instrument's found in the rows, A–Z."""
    keys = _in_order(set(health_check_dimensions()) | {key for row in rows for key in row["health_dimensions"]})
    taken = {column.key for column in COLUMNS}

    def column(key: str) -> Column:
        name = f"health_{key}" if f"health_{key}" not in taken else f"health_dimension_{key}"
        return Column(name, key, lambda row: _number(row["health_dimensions"].get(key)), 6)

    return [*COLUMNS, *(column(key) for key in keys)]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _fit(text: str, width: int) -> str:
    # Control characters would move the terminal's cursor or colour it: never print them raw.
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(rows: list[dict], columns: list[Column] = TABLE_COLUMNS) -> str:
    """Fixed-width columns, each as wide as its longest cell up to its width; longer text ends in '…'."""
    if not rows:
        return "No partnerships.\n"
    columns = [c for c in columns if not c.optional or any(c.text(row) for row in rows)]
    cells = [[_fit(column.text(row), column.width) for column in columns] for row in rows]
    widths = [
        max(len(_fit(column.heading, column.width)), *(len(line[i]) for line in cells))
        for i, column in enumerate(columns)
    ]

    def line(values) -> str:
        return "  ".join(value.ljust(width) for value, width in zip(values, widths, strict=True)).rstrip()

    headings = [_fit(column.heading, column.width) for column in columns]
    lines = [line(headings), line("-" * width for width in widths), *(line(values) for values in cells)]
    lines.append(f"{len(rows)} partnership{'' if len(rows) == 1 else 's'}")
    return "\n".join(lines) + "\n"


def render_csv(rows: list[dict], columns: list[Column] | None = None) -> str:
    """One row per partnership, under a header of the columns' keys, with formulas neutralised."""
    columns = columns or csv_columns(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.key for column in columns])
    for row in rows:
        writer.writerow([cell(column.text(row)) for column in columns])
    return out.getvalue()


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def cell(text: str) -> str:
    """A spreadsheet cell's text with formulas neutralised; a plain number, even a negative net
    such as -250.00, is left as it is, so spreadsheets read it as a number."""
    return text if _NUMBER.fullmatch(text) else neutralise(text)
