"""The demo workspace: a believable, reproducible integrated-care network in fictional Northshire.

`build_demo("small")` writes about 40 organisations, 150 people and 60 partnerships through
the register's services, so every record has its change history like one typed in by hand.
`build_demo("large")` writes about 2,000 organisations, 20,000 people and 5,000 partnerships
for benchmarks; one record at a time through the services would take many minutes, so it
bulk-inserts inside one transaction and writes a single summary change record
(`workspace.demo_loaded`, with the counts) instead of one per record. The small demo writes
that summary record too, after its per-record history.

The data is planned first as plain dicts from `random.Random(seed)`, then written, so the
same seed gives the same data. Dates are counted in months from a reference date, by
default the first day of the current month: an "active" partnership then always looks
current, and the data is identical for a given seed within a month (a month later the same
seed gives the same records with dates a month on). Pass `reference_date` to pin it
completely. Every name is fictional; web and e-mail addresses are under example.org, which is
reserved for examples.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import connection, transaction
from django.utils.text import slugify

from keel.common.text import name_key
from keel.core.changelog import Actor
from keel.core.models import ChangeRecord, Workspace
from keel.core.services import create_workspace
from keel.core.tenancy import workspace_scope
from keel.portfolio.demo.activity import build_activity
from keel.portfolio.demo.assessments import build_history
from keel.portfolio.demo.bulk import BulkWriter, Progress, quiet
from keel.portfolio.demo.decisions import build_decisions
from keel.portfolio.demo.register_data import (
    COMMISSIONERS,
    FIRST_NAMES,
    JOB_TITLES,
    KINDS,
    LEVEL_WEIGHTS,
    LEVELS,
    LOCAL_ORGANISATIONS,
    LOCAL_TEMPLATES,
    MEMBER_ROLES,
    NETWORK_ORGANISATIONS,
    NETWORK_TEMPLATES,
    PLACE_ENDS,
    PLACE_STARTS,
    PRIORITIES,
    PROCESS_TITLES,
    REVIEW_MONTHS,
    SMALL_PLACES,
    STATUS_WEIGHTS,
    SURNAMES,
)
from keel.register import services
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

SIZES = {
    "small": {"organisations": 40, "people": 150, "partnerships": 60},
    "large": {"organisations": 2000, "people": 20000, "partnerships": 5000},
}
DEFAULT_NAMES = {"small": "Northshire Integrated Care Partnership (demo)", "large": "Large demo"}
ACTOR = Actor(via="demo")


def add_months(date: dt.date, months: int) -> dt.date:
    month = date.month - 1 + months
    return dt.date(date.year + month // 12, month % 12 + 1, min(date.day, 28))


def build_demo(
    size: str = "small",
    seed: int = 1,
    name: str | None = None,
    progress: Progress | None = None,
    reference_date: dt.date | None = None,
) -> Workspace:
    """Create a new demo workspace of `size` ("small" or "large") and return it.

    `progress`, when given, is called as progress(rows_just_written, total_rows, what).
    """
    if size not in SIZES:
        raise ValueError(f"Unknown demo size {size!r}: choose small or large.")
    reference = reference_date or dt.date.today().replace(day=1)
    plan = plan_demo(size, seed, reference)
    with transaction.atomic():
        workspace = create_workspace(ACTOR, name or DEFAULT_NAMES[size])
        with workspace_scope(workspace):
            report = _Reported(progress or quiet)
            write = _write_with_services if size == "small" else _write_in_bulk
            counts = write(workspace, plan, report)
            counts |= build_history(ACTOR, size, seed, reference, report, done=report.done)
            counts |= build_activity(ACTOR, size, seed, reference, report, done=report.done)
            counts |= build_decisions(ACTOR, size, seed, reference, report, done=report.done)
            ChangeRecord.objects.create(
                workspace=workspace,
                via=ACTOR.via,
                action="workspace.demo_loaded",
                object_type="workspace",
                object_id=workspace.pk,
                object_repr=str(workspace)[:300],
                changes={kind: [0, count] for kind, count in counts.items()},
                note=f"{size} demo, seed {seed}, dates from {reference.isoformat()}",
            )
    if size == "large":
        # Fresh statistics for the query planner. Without them PostgreSQL guesses that the
        # 20,000 rows just loaded are a handful, and a filtered partnership list took 360 ms
        # instead of 21 ms until autovacuum came round.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return workspace


class _Reported:
    """Passes progress on, counting the rows reported so far: each part's bar starts from there."""

    def __init__(self, progress: Progress):
        self.progress, self.done = progress, 0

    def __call__(self, rows: int, total: int, what: str) -> None:
        self.done += rows
        self.progress(rows, total, what)


# ---------------------------------------------------------------- planning: plain data only


def plan_demo(size: str, seed: int, reference: dt.date) -> dict:
    """The demo's records as plain dicts that refer to each other by list index."""
    rng = random.Random(seed)
    target = SIZES[size]
    organisations = _plan_organisations(rng, target["organisations"], size)
    people = _plan_people(rng, organisations, target["people"])
    chosen = sorted(rng.sample(range(len(PRIORITIES)), rng.randint(5, 7)))
    priorities = [dict(zip(("key", "name", "description"), PRIORITIES[i], strict=True)) for i in chosen]
    places = SMALL_PLACES if size == "small" else sorted({o["place"] for o in organisations} - {""})
    partnerships = _plan_partnerships(rng, target["partnerships"], places, organisations, people, priorities, reference)
    return {"organisations": organisations, "people": people, "priorities": priorities, "partnerships": partnerships}


def _identifier(rng: random.Random, pattern: str) -> str:
    letters = "ABCDEFGHJKLMNPQRSTVWXY"
    return "".join(rng.choice(letters) if c == "R" else str(rng.randrange(10)) if c == "9" else c for c in pattern)


def _organisation(rng: random.Random, kind: str, name: str, place: str, domain: str) -> dict:
    sector, type_, pattern = KINDS[kind]
    domain = f"{domain}.example.org"
    values = {"name": name, "sector": sector, "type": type_, "identifier": "", "website": f"https://www.{domain}/"}
    if pattern:
        values["identifier"] = _identifier(rng, pattern)
    return {"kind": kind, "place": "" if place == "-" else place, "domain": domain, "values": values}


def _plan_organisations(rng: random.Random, count: int, size: str) -> list[dict]:
    organisations = [_organisation(rng, *row) for row in NETWORK_ORGANISATIONS]
    if size == "small":
        return organisations
    places = [start + end for start in PLACE_STARTS for end in PLACE_ENDS]
    combos = [(kind, pattern.format(place=place), place) for place in places for kind, pattern in LOCAL_ORGANISATIONS]
    for kind, name, place in rng.sample(combos, count - len(organisations)):
        organisations.append(_organisation(rng, kind, name, place, slugify(name)))
    return organisations


def _plan_people(rng: random.Random, organisations: list[dict], count: int) -> list[dict]:
    # Every organisation has an executive and one more; the rest go mostly to the big ones.
    per_org = [2] * len(organisations)
    big = {"NHS trust", "Local authority", "Police"}
    weights = [4 if o["values"]["sector"] in big else 1 for o in organisations]
    for index in rng.choices(range(len(organisations)), weights, k=max(0, count - sum(per_org))):
        per_org[index] += 1
    people, emails = [], set()
    for index, (organisation, n) in enumerate(zip(organisations, per_org, strict=True)):
        titles = JOB_TITLES.get(organisation["kind"]) or JOB_TITLES[organisation["values"]["sector"]]
        for i in range(n):
            level = LEVELS[0] if i == 0 else rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            local, same = f"{first}.{last}".lower(), 1
            while f"{local}@{organisation['domain']}" in emails:
                same += 1
                local = f"{first}.{last}{same}".lower()
            email = f"{local}@{organisation['domain']}"
            emails.add(email)
            role = rng.choice(titles[LEVELS.index(level)])
            people.append(
                {"organisation": index, "name": f"{first} {last}", "email": email, "role": role, "level": level}
            )
    return people


def _statuses(rng: random.Random, count: int) -> list[str]:
    """Every status at least twice, the rest by weight, in random order."""
    statuses: list[str] = [*Status] * 2
    statuses += rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), k=count - len(statuses))
    rng.shuffle(statuses)
    return statuses


def _plan_partnerships(rng, count, places, organisations, people, priorities, reference) -> list[dict]:
    by_kind, by_kind_place, people_of = defaultdict(list), defaultdict(list), defaultdict(list)
    for index, organisation in enumerate(organisations):
        by_kind[organisation["kind"]].append(index)
        by_kind_place[organisation["kind"], organisation["place"]].append(index)
    for index, person in enumerate(people):
        people_of[person["organisation"]].append(index)
    priority_of = {p["key"]: i for i, p in enumerate(priorities)}

    # Every local template at least once, then a random choice of the other (template, place) pairs.
    firsts = [(i, rng.choice(places)) for i in range(len(LOCAL_TEMPLATES))]
    others = [(i, place) for i in range(len(LOCAL_TEMPLATES)) for place in places if (i, place) not in firsts]
    local = firsts + rng.sample(others, count - len(NETWORK_TEMPLATES) - len(firsts))
    rows = [(t, "", rng.choice(t["statuses"])) for t in NETWORK_TEMPLATES]
    rows += [(LOCAL_TEMPLATES[i], place, s) for (i, place), s in zip(local, _statuses(rng, len(local)), strict=True)]

    plans = []
    for template, place, status in rows:
        picked = []
        for kind in template["kinds"]:
            pool = by_kind_place.get((kind, place)) or by_kind[kind]
            if choices := [i for i in pool if i not in picked]:
                picked.append(rng.choice(choices))
        if len(picked) < 2:
            raise ValueError(f"The demo has too few organisations for {template['name']!r}.")
        tier = template["tier"]
        values = {
            "name": template["name"].format(place=place),
            "purpose": template["purpose"],
            "tier": tier,
            "basis": template["basis"],
            "formality": template["formality"],
            "status": status,
            "review_every_months": rng.choice(REVIEW_MONTHS[tier]),
            **_dates(rng, status, template["basis"], reference),
        }
        n = rng.randint(0, 1) if status == Status.PROPOSED else rng.randint(2, len(picked))
        members = [
            _member(rng, org, i, people_of[org], people, values, organisations[org]["kind"])
            for i, org in enumerate(picked[:n])
        ]
        senior: list[str] = (
            [Level.EXECUTIVE, Level.SENIOR_MANAGER] if tier == Tier.STRATEGIC else [Level.SENIOR_MANAGER]
        )
        lead = None if rng.random() < 0.08 else _person(rng, people_of[picked[0]], people, senior)
        coordinator = None
        if tier != Tier.RELATIONSHIP and rng.random() < 0.15:
            coordinator = _person(rng, people_of[by_kind["cvs"][0]], people, [Level.SENIOR_MANAGER])
        alignments = {priority_of[key]: rng.randint(2, 3) for key in template["serves"] if key in priority_of}
        for i in rng.sample(range(len(priorities)), rng.randint(0, 2)):
            alignments.setdefault(i, rng.randint(0, 1))
        plans.append(
            {
                "values": values,
                "lead": lead,
                "coordinator": coordinator,
                "members": members,
                "alignments": sorted(alignments.items()),
                "processes": _processes(rng, values),
            }
        )
    return plans


def _person(rng: random.Random, candidates: list[int], people: list[dict], levels: list[str]) -> int | None:
    preferred = [i for i in candidates if people[i]["level"] in levels]
    return rng.choice(preferred or candidates) if candidates else None


def _dates(rng: random.Random, status: str, basis: str, ref: dt.date) -> dict:
    """Start, planned end and end terms that make sense for the status, in months around `ref`."""
    start = end = None
    if status == Status.PROPOSED:
        start = add_months(ref, rng.randint(1, 6)) if rng.random() < 0.7 else None
        end = add_months(start, rng.choice([24, 36])) if start and rng.random() < 0.5 else None
    elif status in (Status.ACTIVE, Status.UNDER_REVIEW):
        start = add_months(ref, -rng.randint(3, 72))
        if basis != Basis.STATUTORY and rng.random() < 0.55:
            end = add_months(ref, rng.randint(-2 if status == Status.UNDER_REVIEW else 3, 30))
    elif status == Status.DISSOLVING:
        start = add_months(ref, -rng.randint(18, 84))
        end = add_months(ref, rng.randint(1, 4))
    else:
        end = add_months(ref, -rng.randint(1, 24))
        start = add_months(end, -rng.randint(12, 60))
    terms = ""
    if basis == Basis.STATUTORY:
        terms = "Statutory: continues for as long as the duty applies; membership reviewed each year."
    elif end and rng.random() < 0.8:
        terms = rng.choice(
            [
                f"Ends on {end.day} {end:%B %Y} when the funding period closes; open referrals are handed over first.",
                f"Fixed term to {end:%B %Y}; whether to extend is decided at the review six months before.",
                "Ends when its purpose is met; any partner may leave with three months' notice.",
            ]
        )
    elif status in (Status.ACTIVE, Status.UNDER_REVIEW) and rng.random() < 0.4:
        terms = "Open-ended: reviewed against the keep criteria; any partner may leave with six months' notice."
    return {"start_date": start, "planned_end": end, "end_terms": terms}


def _member(rng, organisation: int, position: int, candidates, people, values: dict, kind: str) -> dict:
    start = values["start_date"]
    since = add_months(start, rng.randint(1, 12)) if start and position > 1 and rng.random() < 0.2 else start
    roles = [*MEMBER_ROLES, "commissioner" if kind in COMMISSIONERS else "provider"]
    contact = _person(rng, candidates, people, [Level.MANAGER, Level.SENIOR_MANAGER])
    return {
        "organisation": organisation,
        "role": "lead partner" if position == 0 else rng.choice(roles),
        # Some members have no single point of contact: a gap the relationship rating looks for.
        "contact": contact if rng.random() > 0.15 else None,
        "since": since,
        "until": values["planned_end"] if values["status"] == Status.ENDED else None,
    }


def _processes(rng: random.Random, values: dict) -> list[dict]:
    if values["formality"] != Formality.FORMAL or values["status"] == Status.PROPOSED or rng.random() < 0.4:
        return []
    slug = slugify(values["name"])
    return [
        {
            "title": PROCESS_TITLES[kind],
            "kind": kind,
            "link": f"https://docs.example.org/northshire/{slug}/{kind.replace('_', '-')}",
            "date": values["start_date"],
        }
        for kind in sorted(rng.sample(list(PROCESS_TITLES), rng.randint(1, 3)))
    ]


def _total(plan: dict) -> int:
    rows = len(plan["organisations"]) + len(plan["people"]) + len(plan["priorities"])
    return rows + sum(_rows_of(p) for p in plan["partnerships"])


def _rows_of(partnership: dict) -> int:
    return 1 + len(partnership["members"]) + len(partnership["alignments"]) + len(partnership["processes"])


def _counts(plan: dict) -> dict:
    return {
        "organisations": len(plan["organisations"]),
        "people": len(plan["people"]),
        "priorities": len(plan["priorities"]),
        "partnerships": len(plan["partnerships"]),
        "members": sum(len(p["members"]) for p in plan["partnerships"]),
    }


# ---------------------------------------------------------------- writing


def _write_with_services(workspace: Workspace, plan: dict, progress: Progress) -> dict:
    """Write the plan one record at a time through the services, with the full change history."""
    total = _total(plan)
    organisations = []
    for row in plan["organisations"]:
        organisations.append(services.save_organisation(ACTOR, row["values"]))
        progress(1, total, "organisations")
    people = []
    for row in plan["people"]:
        values = {key: row[key] for key in ("name", "email", "role", "level")}
        people.append(services.save_person(ACTOR, {**values, "organisation": organisations[row["organisation"]]}))
        progress(1, total, "people")
    priorities = []
    for row in plan["priorities"]:
        priorities.append(services.save_priority(ACTOR, {"name": row["name"], "description": row["description"]}))
        progress(1, total, "priorities")

    def person(index):
        return None if index is None else people[index]

    for row in plan["partnerships"]:
        values = {**row["values"], "lead": person(row["lead"]), "coordinator": person(row["coordinator"])}
        # Created as proposed so that its members can be added one by one, then given its status,
        # as a person would enter it.
        status = values.pop("status")
        partnership = services.save_partnership(ACTOR, {**values, "status": Status.PROPOSED})
        for m in row["members"]:
            member = {**m, "organisation": organisations[m["organisation"]], "contact": person(m["contact"])}
            services.add_member(ACTOR, partnership, member)
        if status != Status.PROPOSED:
            services.save_partnership(ACTOR, {"status": status}, partnership=partnership)
        for priority, score in row["alignments"]:
            services.set_alignment(ACTOR, partnership, priorities[priority], score)
        for process in row["processes"]:
            services.add_process(ACTOR, partnership, process)
        progress(_rows_of(row), total, "partnerships")
    return _counts(plan)


def _write_in_bulk(workspace: Workspace, plan: dict, progress: Progress) -> dict:
    """Write the plan with bulk inserts: no change record per row (see the module docstring)."""
    writer = BulkWriter(progress, _total(plan))

    def named(model, values: dict, **related):
        # bulk_create skips save(): the workspace and name_key are set here.
        return model(workspace=workspace, name_key=name_key(values["name"]), **values, **related)

    organisations = writer.create(
        Organisation, [named(Organisation, o["values"]) for o in plan["organisations"]], "organisations"
    )
    people = [
        named(
            Person, {k: p[k] for k in ("name", "email", "role", "level")}, organisation=organisations[p["organisation"]]
        )
        for p in plan["people"]
    ]
    writer.create(Person, people, "people")
    priorities = [named(StrategicPriority, {k: p[k] for k in ("name", "description")}) for p in plan["priorities"]]
    writer.create(StrategicPriority, priorities, "priorities")

    def person(index):
        return None if index is None else people[index]

    partnerships = [
        named(Partnership, p["values"], lead=person(p["lead"]), coordinator=person(p["coordinator"]))
        for p in plan["partnerships"]
    ]
    writer.create(Partnership, partnerships, "partnerships")
    members, alignments, processes = [], [], []
    for partnership, row in zip(partnerships, plan["partnerships"], strict=True):
        owned = {"workspace": workspace, "partnership": partnership}
        for m in row["members"]:
            related = {"organisation": organisations[m["organisation"]], "contact": person(m["contact"])}
            members.append(PartnershipMember(**owned, **{**m, **related}))
        for priority, score in row["alignments"]:
            alignments.append(PriorityAlignment(**owned, priority=priorities[priority], score=score))
        processes += [AgreedProcess(**owned, **process) for process in row["processes"]]
    writer.create(PartnershipMember, members, "members")
    writer.create(PriorityAlignment, alignments, "alignments")
    writer.create(AgreedProcess, processes, "agreed processes")
    return _counts(plan)
