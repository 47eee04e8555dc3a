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
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.utils import timezone

from keel.assessments.definitions import parse_definition
from keel.assessments.queries import Health, latest_health
from keel.assessments.services import BUILTIN_DIR
from keel.common.spreadsheets import neutralise
from keel.core.models import Workspace
from keel.core.tenancy import workspace_scope
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


def audit_partnerships(include_archived: bool = False) -> list[tuple[Partnership, list, list]]:
    """Each partnership with its members and alignments: three queries, however many there are.

    Members and alignments are read for the whole workspace and grouped here, rather than
    prefetched, which would send every partnership's id back to the database in IN lists.
    """
    partnerships = Partnership.objects.select_related("lead").order_by("name_key", "pk")
    if not include_archived:
        partnerships = partnerships.filter(archived_at__isnull=True)
    members, alignments = defaultdict(list), defaultdict(list)
    for member in PartnershipMember.objects.select_related("organisation", "contact").order_by(
        "organisation__name_key", "pk"
    ):
        members[member.partnership_id].append(member)
    for alignment in PriorityAlignment.objects.select_related("priority").order_by("priority__name_key", "pk"):
        alignments[alignment.partnership_id].append(alignment)
    return [(p, members[p.pk], alignments[p.pk]) for p in partnerships]


def _iso(date) -> str | None:
    return date.isoformat() if date else None


def _person(person) -> dict | None:
    return {"name": person.name, "email": person.email} if person else None


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


def _row(
    partnership: Partnership,
    members: list,
    alignments: list,
    health: Health | None = None,
    activity: dict | None = None,
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
        "archived": partnership.archived_at is not None,
        "members": [
            {
                "organisation": member.organisation.name,
                "organisation_id": member.organisation_id,
                "role": member.role,
                "single_point_of_contact": _person(member.contact),
                "since": _iso(member.since),
                "until": _iso(member.until),
                **by_member.get(member.organisation_id, {}),
            }
            for member in members
        ],
        "lead": _person(partnership.lead),
        "start_date": _iso(partnership.start_date),
        "planned_end": _iso(partnership.planned_end),
        "review_every_months": partnership.review_every_months,
        "review_cadence": partnership.review_cadence or None,
        "strategic_priorities": [
            {"name": alignment.priority.name, "alignment": alignment.score} for alignment in alignments
        ],
        **_health(health),
        **activity,
    }


def audit_rows(workspace: Workspace, include_archived: bool = False) -> list[dict]:
    """Every partnership of `workspace` (archived ones only when asked), by name."""
    with workspace_scope(workspace):
        health = latest_health()  # every partnership's, in one query
        partnerships = audit_partnerships(include_archived)
        activity = audit_activity([(p, members) for p, members, _ in partnerships], timezone.localdate())
        return [_row(*found, health.get(found[0].pk), activity.get(found[0].pk)) for found in partnerships]


def audit_document(workspace: Workspace, include_archived: bool = False) -> dict:
    """The audit as the `keel.audit/1` JSON document."""
    return {
        "schema": SCHEMA,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "workspace": {"slug": workspace.slug, "name": workspace.name},
        "partnerships": audit_rows(workspace, include_archived),
    }


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


def _yes(value: bool) -> str:
    return "yes" if value else "no"


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
        writer.writerow([neutralise(column.text(row)) for column in columns])
    return out.getvalue()
