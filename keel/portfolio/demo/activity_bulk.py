"""The large demo's activity and outcomes, written as plain rows for benchmarks.

About 120,000 meetings with their attendance, 200,000 contacts, 500,000 referrals, 20,000
relationship ratings (with the actions the low ones create) and 360,000 measurements of about
12,000 indicators, spread over the large demo's partnerships by how busy each is and how long
it has run (at most three years back). One record at a time through the
services would take hours, so like the assessments' large demo this skips the audit trail: the
rows go in as plain rows through `keel.portfolio.demo.bulk`, naming every column, and the
demo's single `workspace.demo_loaded` change record counts them. The rules still hold where
the pages rely on them: a 5 only for a partner with a named single point of contact and all
three conditions recorded, every date in the past, referrals only between members.

On PostgreSQL about half the time goes on checking the rows' foreign keys when the demo's
transaction commits (Django's foreign keys are deferred); checking them as each COPY ends
instead (SET CONSTRAINTS ALL IMMEDIATE) was no faster.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable

from keel.actions.models import Action, ActionStatus, Source
from keel.activity import rules
from keel.activity.models import Attendance, Contact, Meeting, Referral, RelationshipRating
from keel.common.text import add_months, name_key
from keel.outcomes import rules as outcome_rules
from keel.outcomes.models import Indicator, Measurement
from keel.portfolio.demo import activity_data as words
from keel.portfolio.demo.activity_data import GOING, MEETING_KINDS, OUTCOME_WEIGHTS, OUTCOMES
from keel.portfolio.demo.bulk import BulkWriter, Progress
from keel.register.models import Organisation, Partnership, PartnershipMember, Status, Tier

TARGETS = {"meetings": 120_000, "contacts": 200_000, "referrals": 500_000, "ratings": 20_000, "measurements": 360_000}
YEARS = 3
BUSY = [0.3, 0.6, 1, 1, 1, 1.5, 2, 4]  # how busy a partnership is, relative to the others
REFERRING = {Tier.STRATEGIC: 0.1, Tier.OPERATIONAL: 1.5, Tier.RELATIONSHIP: 1.0}
SCORES = {1: 2, 2: 6, 3: 28, 4: 42, 5: 22}  # weights of the ratings given
STATUS_WEIGHTS = {"attended": 16, "apologies": 3, "absent": 1}


def write_bulk(rng: random.Random, end: dt.date, progress: Progress, done: int) -> dict:
    """Plan and insert the large demo's activity in the current workspace; returns the counts."""
    partnerships = _partnerships(rng, end)
    for kind in ("meetings", "contacts", "referrals"):
        weights = [p["busy"] * p["days"] * (REFERRING[p["tier"]] if kind == "referrals" else 1) for p in partnerships]
        for p, n in zip(partnerships, allocate(TARGETS[kind], weights), strict=True):
            p[kind] = n
    members = [(p, m) for p in partnerships for m in p["members"]]
    for (_, m), n in zip(members, allocate(TARGETS["ratings"], [p["days"] for p, _ in members]), strict=True):
        m["ratings"] = n
    meetings = [(p, _day(rng, p)) for p in partnerships for _ in range(p["meetings"])]
    meetings.sort(key=lambda pd: (pd[0]["pk"], pd[1]))
    attendance = sum(len(_current(p["members"], day)) for p, day in meetings)
    indicators = _plan_indicators(rng, [p for p in partnerships if p["going"]], end)
    total = done + sum(TARGETS.values()) + attendance + len(indicators)
    writer = BulkWriter(progress, total)

    now = writer.now
    meeting_ids = writer.insert(Meeting, MEETING_COLUMNS, _meeting_rows(rng, meetings, now), "meetings", ids=True)
    writer.insert(Attendance, ATTENDANCE_COLUMNS, _attendance_rows(rng, meetings, meeting_ids), "attendance")
    writer.insert(Contact, CONTACT_COLUMNS, _contact_rows(rng, partnerships, now), "contacts")
    writer.insert(Referral, REFERRAL_COLUMNS, _referral_rows(rng, partnerships, end, now), "referrals")
    ratings = list(_ratings(rng, partnerships, now))
    rating_ids = writer.insert(RelationshipRating, RATING_COLUMNS, [r[0] for r in ratings], "ratings", ids=True)
    actions = _action_rows(ratings, rating_ids, end, now)
    writer.insert(Action, ACTION_COLUMNS, actions, "actions", report=False)
    rows = [(*i["row"], i.get("if_off_track", ""), now) for i in indicators]
    indicator_ids = writer.insert(Indicator, INDICATOR_COLUMNS, rows, "indicators", ids=True)
    measured = _measurement_rows(rng, indicators, indicator_ids, now)
    writer.insert(Measurement, MEASUREMENT_COLUMNS, measured, "measurements")
    return {
        "meetings": len(meetings),
        "contacts": TARGETS["contacts"],
        "referrals": TARGETS["referrals"],
        "ratings": len(ratings),
        "actions": len(actions),
        "indicators": len(indicators),
        "measurements": TARGETS["measurements"],
    }


def allocate(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, in whole numbers that add up to it exactly."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


# ---------------------------------------------------------------- planning


def _partnerships(rng: random.Random, end: dt.date) -> list[dict]:
    members: dict[int, list[dict]] = {}
    rows = PartnershipMember.objects.order_by("pk").values_list(
        "partnership_id", "organisation_id", "contact_id", "contact__name", "since", "until"
    )
    for pid, org, contact, name, since, until in rows:
        members.setdefault(pid, []).append(
            {
                "organisation": org,
                "contact": contact,
                "name": name or "",
                "since": since.toordinal() if since else 0,
                "until": until.toordinal() if until else 10**7,
            }
        )
    found = []
    earliest = end - dt.timedelta(days=365 * YEARS)
    partnerships = Partnership.objects.filter(status__in=[*GOING, Status.ENDED], start_date__isnull=False)
    values = partnerships.order_by("pk").values_list("pk", "status", "tier", "lead_id", "start_date", "planned_end")
    for pk, status, tier, lead, started, planned_end in values:
        if started is None:  # excluded by the query; here for the type checker
            continue
        going = status in GOING
        stop = end if going else min(end, (planned_end or end) - dt.timedelta(days=1))
        start = max(started, earliest)
        if len(members.get(pk, [])) < 2 or (stop - start).days < 30:
            continue
        found.append(
            {
                "pk": pk,
                "tier": tier,
                "lead": lead,
                "going": going,
                "start": start.toordinal(),
                "stop": stop.toordinal(),
                "days": (stop - start).days,
                "members": members[pk],
                "busy": rng.choice(BUSY),
            }
        )
    return found


def _day(rng: random.Random, p: dict) -> int:
    return p["start"] + int(rng.random() * (p["days"] + 1))


def _current(members: list[dict], day: int) -> list[dict]:
    """The members on `day`; all of them if fewer than two were (a referral needs two)."""
    current = [m for m in members if m["since"] <= day <= m["until"]]
    return current if len(current) >= 2 else members


def _plan_indicators(rng: random.Random, partnerships: list[dict], end: dt.date) -> list[dict]:
    """Two to five indicators for each going partnership, and how many measurements each has."""
    pool = [row for rows in words.INDICATORS.values() for row in rows] + words.PROCESS_INDICATORS
    indicators = []
    for p in partnerships:
        start = dt.date.fromordinal(p["start"]).replace(day=1)
        months = max(1, (end.year - start.year) * 12 + end.month - start.month)
        for name, kind, unit, direction, baseline, target, _ in rng.sample(pool, rng.randint(2, 5)):
            factor = rng.uniform(0.9, 1.1)
            indicators.append(
                {
                    "partnership": p["pk"],
                    "months": months,
                    "start": start,
                    "stop": dt.date.fromordinal(p["stop"]),
                    "plan": outcome_rules.Plan(
                        direction,
                        round(baseline * factor),
                        start,
                        round(target * factor),
                        add_months(start, rng.choice([24, 36, 48, 60])),
                    ),
                    "unit": unit,
                    "values": (name, name_key(name), kind, unit, direction),
                }
            )
    counts = allocate(TARGETS["measurements"], [i["months"] for i in indicators])
    for indicator, n in zip(indicators, counts, strict=True):
        plan = indicator["plan"]
        indicator["count"] = n
        indicator["row"] = (
            indicator["partnership"],
            *indicator["values"],
            plan.baseline,
            plan.baseline_date,
            plan.target,
            plan.target_date,
            "",
        )  # and the time it was created, added when it is written
    return indicators


# ---------------------------------------------------------------- rows


def _agendas(rng: random.Random) -> list[str]:
    agendas = []
    for _ in range(300):
        items = [*words.AGENDA_OPENING, *rng.sample(words.AGENDA_ITEMS, rng.randint(2, 4)), words.AGENDA_CLOSING]
        agendas.append("\n".join(f"{i}. {item}" for i, item in enumerate(items, 1)))
    return agendas


MEETING_COLUMNS = ("partnership_id", "date", "kind", "agenda", "notes", "decisions", "created_at")


def _meeting_rows(rng: random.Random, meetings: list, now: dt.datetime) -> Iterable[tuple]:
    agendas, notes, decisions = _agendas(rng), words.NOTES, words.DECISIONS
    for p, day in meetings:
        kind = rng.choice(MEETING_KINDS[p["tier"]])
        yield (
            p["pk"],
            dt.date.fromordinal(day),
            kind,
            rng.choice(agendas),
            rng.choice(notes),
            rng.choice(decisions),
            now,
        )


ATTENDANCE_COLUMNS = ("meeting_id", "organisation_id", "status", "who")


def _attendance_rows(rng: random.Random, meetings: list, ids: list[int]) -> Iterable[tuple]:
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    for (p, day), meeting in zip(meetings, ids, strict=True):
        present = _current(p["members"], day)
        for m, status in zip(present, rng.choices(statuses, weights, k=len(present)), strict=True):
            yield (meeting, m["organisation"], status, m["name"] if status == "attended" else "")


CONTACT_COLUMNS = ("partnership_id", "date", "channel", "organisation_id", "person_id", "summary", "created_at")


def _contact_rows(rng: random.Random, partnerships: list[dict], now: dt.datetime) -> Iterable[tuple]:
    channels, weights = list(words.CHANNEL_WEIGHTS), list(words.CHANNEL_WEIGHTS.values())
    for p in partnerships:
        for channel in rng.choices(channels, weights, k=p["contacts"]):
            day = _day(rng, p)
            m = rng.choice(_current(p["members"], day))
            summary = rng.choice(words.CONTACT_SUMMARIES[channel])
            yield (p["pk"], dt.date.fromordinal(day), channel, m["organisation"], m["contact"], summary, now)


REFERRAL_COLUMNS = (
    "partnership_id",
    "from_organisation_id",
    "to_organisation_id",
    "date",
    "client_reference",
    "handoff_to_id",
    "follow_up_due",
    "outcome",
    "service_date",
    "note",
    "created_at",
)


def _referral_rows(rng: random.Random, partnerships: list[dict], end: dt.date, now: dt.datetime) -> Iterable[tuple]:
    last = end.toordinal()
    steady, struggling = OUTCOME_WEIGHTS["steady"], OUTCOME_WEIGHTS["follow-up"]
    notes = {outcome: texts for outcome, texts in words.REFERRAL_NOTES.items()}
    for p in partnerships:
        # One in ten partnerships struggles to follow its referrals up.
        weights = struggling if p["busy"] == BUSY[0] else steady
        for outcome in rng.choices(OUTCOMES, weights, k=p["referrals"]):
            day = _day(rng, p)
            source, to = rng.sample(_current(p["members"], day), 2)
            due = day + 14
            if due >= last:
                outcome = "received" if rng.random() < 0.3 else ""
            served = min(last, day + 1 + int(rng.random() * 20)) if outcome == "received" else None
            yield (
                p["pk"],
                source["organisation"],
                to["organisation"],
                dt.date.fromordinal(day),
                f"NS-{int(rng.random() * 1_000_000):06d}",
                to["contact"] if rng.random() < 0.6 else None,
                dt.date.fromordinal(due),
                outcome,
                dt.date.fromordinal(served) if served else None,
                rng.choice(notes[outcome]) if outcome and rng.random() < 0.3 else "",
                now,
            )


RATING_COLUMNS = (
    "partnership_id",
    "organisation_id",
    "score",
    "date",
    "rated_by_id",
    "rater",
    "note",
    "conditions",
    "created_at",
)


def _ratings(rng: random.Random, partnerships: list[dict], now) -> Iterable[tuple[tuple, dict]]:
    """(row, partnership) for each rating; a 5 only where there is a named single point of contact."""
    scores, weights = list(SCORES), list(SCORES.values())
    for p in partnerships:
        for m in p["members"]:
            for score in rng.choices(scores, weights, k=m["ratings"]):
                if score == 5 and not m["contact"]:
                    score = 4
                held = {"contact": bool(m["contact"]), "communication": True, "referrals": True}
                if score < 5:
                    held.update(communication=rng.random() < 0.7, referrals=rng.random() < 0.6)
                note = rng.choice(words.RATING_NOTES[max(2, score)]) if rng.random() < 0.3 else ""
                day = dt.date.fromordinal(_day(rng, p))
                row = (p["pk"], m["organisation"], score, day, None, "demo", note, json.dumps(held), now)
                yield row, p


ACTION_COLUMNS = (
    "title",
    "partnership_id",
    "owner_id",
    "due",
    "status",
    "source",
    "source_id",
    "steps",
    "notes",
    "done_at",
    "created_at",
    "updated_at",
)


def _action_rows(ratings: list, ids: list[int], end: dt.date, now: dt.datetime) -> list[tuple]:
    """The action each rating of 1 or 2 creates, as the rating service would: older ones done."""
    names = dict(Organisation.objects.values_list("pk", "name"))
    steps = "\n".join(rules.STRENGTHEN_STEPS)
    rows = []
    for (row, p), pk in zip(ratings, ids, strict=True):
        pid, organisation, score, day = row[:4]
        if not rules.creates_action(score):
            continue
        due = add_months(day, 1)
        done = due < end - dt.timedelta(days=30)
        rows.append(
            (
                f"Strengthen the relationship with {names[organisation]}",
                pid,
                p["lead"],
                due,
                ActionStatus.DONE.value if done else ActionStatus.OPEN.value,
                Source.RATING.value,
                pk,
                steps,
                f"{names[organisation]} was rated {score} out of 5 on {day:%d/%m/%Y}.",
                due - dt.timedelta(days=3) if done else None,
                now,
                now,
            )
        )
    return rows


INDICATOR_COLUMNS = (
    "partnership_id",
    "name",
    "name_key",
    "kind",
    "unit",
    "direction",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "description",
    "if_off_track",
    "created_at",
)
MEASUREMENT_COLUMNS = ("indicator_id", "period", "value", "note", "created_at")


def _measurement_rows(rng: random.Random, indicators: list[dict], ids: list[int], now) -> Iterable[tuple]:
    """Each indicator's last `count` month ends (or days, when it has more than one a month)."""
    for indicator, pk in zip(indicators, ids, strict=True):
        n = indicator["count"]
        if not n:
            continue
        periods = _periods(indicator["start"], indicator["stop"], n)
        plan, unit = indicator["plan"], indicator["unit"]
        baseline, target = float(plan.baseline), float(plan.target)
        scale = abs(target - baseline) or abs(baseline) or 1
        drift = rng.uniform(-0.4, 0.25) * scale  # where it ends, relative to its line
        for i, period in enumerate(periods):
            line = outcome_rules.expected(plan, period)
            value = line + drift * (i + 1) / n + rng.gauss(0, 0.04) * scale
            value = max(0.0, min(100.0, value) if unit == "%" else value)
            yield (pk, period, round(value, 1), "", now)


def _periods(start: dt.date, stop: dt.date, n: int) -> list[dt.date]:
    month_ends, day = [], start
    while (month_end := add_months(day, 1) - dt.timedelta(days=1)) <= stop:
        month_ends.append(month_end)
        day = add_months(day, 1)
    if n <= len(month_ends):
        return month_ends[-n:]
    span = max(n, (stop - start).days)
    return [stop - dt.timedelta(days=span * i // n) for i in reversed(range(n))]
