"""Assessment history for the demo workspace: rounds of Keel's health check, with answers.

`build_demo` calls `build_history` after the register, before the activity demo. Like the
register's demo it plans first, from its own `random.Random` seeded from the demo's seed, then
writes: the same seed gives the same history. Dates are counted from the demo's reference date.

Each assessed partnership has a story (strong, improving, declining, watch, concern, or a
perception gap) that sets its "true health" per dimension in each round. An answer is that
health plus the respondent's organisation's offset, plus their own, plus noise, rounded and
clipped to 1–5; a reverse-scored item stores 6 − that. A few answers are "not applicable",
a few dimensions are left half-answered, and some organisations have fewer respondents than
the anonymity threshold, so every scoring rule has something to show.

Small demo: about 20 partnerships with 2–3 rounds over two years, made by
`services.create_round` (each with its change record); a few have their latest round open
now, with invitees still to answer. `submit_response` only takes answers to an open round,
so every response is bulk-inserted, as an import is, and `services.refresh_summary` then
scores its round. Large demo (about 200,000 responses): rounds and the open rounds'
invitations are bulk-inserted, a few hundred rounds at a time, each round scored in Python
before it is inserted; its responses go in as plain rows (see `keel.portfolio.demo.bulk`).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Q

from keel.assessments import scoring, services
from keel.assessments.models import AssessmentRound, Invitation, Response
from keel.core.changelog import Actor
from keel.core.tenancy import current_workspace
from keel.portfolio.demo.bulk import BulkWriter, Progress
from keel.register.models import Partnership, PartnershipMember, Person, Status

# story: (health in the first round, change per round, how much lower one organisation sees it)
STORIES = {
    "strong": (4.4, 0.05, 0.0),
    "improving": (2.6, 0.65, 0.0),
    "declining": (4.3, -0.6, 0.0),
    "watch": (3.5, 0.0, 0.0),
    "concern": (2.5, -0.1, 0.0),
    "gap": (3.9, -0.05, 1.3),
}
SMALL_STORIES = ["gap"] * 4 + ["improving"] * 4 + ["declining"] * 4 + ["strong"] * 3 + ["watch"] * 3 + ["concern"] * 2
SMALL_OPEN = {"improving", "declining", "watch", "strong"}  # the first of each has its latest round open now
LARGE_WEIGHTS = {"strong": 25, "improving": 15, "declining": 15, "watch": 25, "concern": 10, "gap": 10}
LARGE_OPEN = 0.1  # share of the large demo's partnerships whose latest round is open now
HALF_ANSWERED = 0.04  # chance that a response leaves one dimension mostly blank
BATCH = 2000


def _noise() -> list[float | None]:
    """What one answer strays from the respondent's view; None (4 in 100) is "not applicable".

    Drawn from this fixed table rather than from rng.gauss for each of the large demo's five
    million answers: one `rng.choices` per response makes their answers twice as fast.
    """
    rng = random.Random(0)
    return [None] * 40 + [rng.gauss(0, 0.6) for _ in range(960)]


NOISE = _noise()
COMMENTS = {
    "works": [
        "Monthly meetings are well attended and the actions are followed up.",
        "The shared referral form has cut out a lot of back and forth between teams.",
        "Frontline staff now know each other by name, and it shows.",
        "Honest conversations at the steering group, even when the news is bad.",
        "The voluntary sector partners are close to residents in a way we could not be alone.",
        "Joint visits with the district nurses help us spot problems earlier.",
        "One named contact in each organisation saves everyone time.",
        "We signed the data sharing agreement early, so information moves quickly.",
        "Everyone agrees the aim is to keep people well at home and out of hospital.",
        "The coordinator keeps us on track and chases actions politely.",
    ],
    "does-not-work": [
        "Decisions are sometimes taken at the ICB before partners have been asked.",
        "Too many meetings for too little action.",
        "We still cannot see each other's records, so referrals are chased by phone.",
        "The same two organisations do most of the work.",
        "Papers arrive the night before, so nobody has time to read them.",
        "Staff turnover means we keep starting relationships again from scratch.",
        "The smaller charities feel like guests rather than partners.",
        "Funding is agreed a year at a time, which makes planning almost impossible.",
        "We hear about changes to services by chance, often from patients.",
        "Winter pressures push partnership work to the bottom of the list.",
    ],
    "would-help": [
        "A shared action log that everyone can see.",
        "Fewer, shorter meetings that end with a clear decision.",
        "Joint training for frontline staff from all the partners.",
        "A three-year funding agreement instead of yearly bids.",
        "An agreed way to raise concerns before they turn into disputes.",
        "Access to a shared care record for the people we both support.",
        "Taking turns to chair, so it is not always the NHS in the chair.",
        "A simple quarterly summary of referrals and what came of them.",
        "Paying the voluntary sector for the time they give to meetings.",
        "Protected time for managers to take part.",
    ],
}
COMMENT_CHANCE = {"small": 0.3, "large": 0.05}


def build_history(actor: Actor, size: str, seed: int, reference: dt.date, progress: Progress, done: int = 0) -> dict:
    """Write the current workspace's assessment history; returns counts for the demo's summary.

    `done` is what the demo has already reported to `progress`, so one bar runs to the end.
    """
    instrument = services.health_check()
    rng = random.Random(f"keel-demo-assessments-{seed}")
    rounds = _plan_rounds(rng, size, reference, _candidates(reference), len(instrument.spec.dimensions))
    total = done + sum(_rows(r) for r in rounds)
    write = _write_with_services if size == "small" else _write_in_bulk
    write(actor, instrument, rng, rounds, lambda n: progress(n, total, "assessment rounds"), COMMENT_CHANCE[size])
    return {"rounds": len(rounds), "responses": sum(len(r["respondents"]) for r in rounds)}


def _rows(plan: dict) -> int:
    return 1 + len(plan["invitees"]) * plan["invitations"] + len(plan["respondents"])


# ---------------------------------------------------------------- planning


def _candidates(reference: dt.date) -> list[dict]:
    """Going partnerships that have run for over a year, with the people of their members."""
    partnerships = Partnership.objects.filter(
        status__in=[Status.ACTIVE, Status.UNDER_REVIEW, Status.DISSOLVING],
        start_date__lte=_month(reference, -13),
        archived_at__isnull=True,
    ).order_by("pk")
    people = defaultdict(list)
    for pk, organisation in (
        Person.objects.filter(archived_at__isnull=True).order_by("pk").values_list("pk", "organisation_id")
    ):
        people[organisation].append(pk)
    members = defaultdict(list)
    current = PartnershipMember.objects.filter(Q(until__isnull=True) | Q(until__gte=reference)).order_by("pk")
    for partnership, organisation in current.values_list("partnership_id", "organisation_id"):
        members[partnership].append(organisation)
    return [
        {"pk": p.pk, "start": p.start_date, "people": {org: people[org] for org in members[p.pk] if people[org]}}
        for p in partnerships.only("pk", "start_date")
        if len(members[p.pk]) >= 2
    ]


def _month(reference: dt.date, months: int, day: int = 1) -> dt.date:
    month = reference.month - 1 + months
    return dt.date(reference.year + month // 12, month % 12 + 1, day)


def _plan_rounds(rng, size: str, reference: dt.date, candidates: list[dict], dimensions: int) -> list[dict]:
    """Which partnerships get rounds, when, whom they invite, and who answers: no answers yet."""
    if size == "small":
        # Perception gaps need two organisations with enough respondents to be shown.
        roomy = [c for c in candidates if sum(len(p) >= 3 for p in c["people"].values()) >= 2]
        gaps = rng.sample(roomy, SMALL_STORIES.count("gap"))
        others = rng.sample([c for c in candidates if c not in gaps], len(SMALL_STORIES) - len(gaps))
        chosen = list(zip(gaps + others, SMALL_STORIES, strict=True))
        opened = {next(c["pk"] for c, s in chosen if s == story) for story in SMALL_OPEN}
    else:
        stories = rng.choices(list(LARGE_WEIGHTS), list(LARGE_WEIGHTS.values()), k=len(candidates))
        chosen = list(zip(candidates, stories, strict=True))
        opened = {c["pk"] for c in candidates if rng.random() < LARGE_OPEN}
    rounds = []
    for candidate, story in chosen:
        is_open = candidate["pk"] in opened
        three = size == "small" and candidate["start"] <= _month(reference, -24) and rng.random() < 0.7
        months = ([-rng.randint(22, 24)] if three else []) + [
            -rng.randint(11, 13),
            0 if is_open else -rng.randint(2, 3),
        ]
        offsets = _offsets(rng, candidate, story, dimensions)
        for index, month in enumerate(months):
            rounds.append(_plan_round(rng, candidate, story, offsets, index, month, reference))
            # Invitation rows for the large demo's 7,000 rounds would double what it writes, and
            # only an open round needs them (for its response rate and reminders).
            rounds[-1]["invitations"] = size == "small" or month == 0
    return rounds


def _offsets(rng: random.Random, candidate: dict, story: str, dimensions: int) -> dict:
    """What stays the same across a partnership's rounds: its dimensions' and organisations' leanings."""
    organisations = {org: rng.gauss(0, 0.15) for org in candidate["people"]}
    if gap := STORIES[story][2]:
        roomy = [org for org, people in candidate["people"].items() if len(people) >= 3] or list(organisations)
        organisations[rng.choice(roomy)] -= gap
    return {"dimensions": [rng.gauss(0, 0.3) for _ in range(dimensions)], "organisations": organisations}


def _plan_round(rng, candidate: dict, story: str, offsets: dict, index: int, month: int, reference) -> dict:
    if month == 0:  # open now: from a little before the reference date to a fortnight after its month
        opens_on, closes_on = reference - dt.timedelta(days=10), _month(reference, 1, 15)
        answered_by, rate = reference - dt.timedelta(days=1), rng.uniform(0.35, 0.5)
    else:
        opens_on = _month(reference, month, rng.randint(1, 8))
        closes_on = answered_by = opens_on + dt.timedelta(days=rng.choice([21, 28]))
        rate = rng.uniform(0.5, 0.85)
    invitees = [(person, org) for org, people in candidate["people"].items() for person in people]
    respondents = [i for i in range(len(invitees)) if rng.random() < rate]
    if story == "gap" and month != 0:
        # Everyone answers at organisations big enough to be shown; at the small ones nobody
        # does, so that no protection has to hide a shown organisation.
        respondents = [i for i, (_, org) in enumerate(invitees) if len(candidate["people"][org]) >= 3]
    if len(respondents) < 4:
        respondents = sorted(rng.sample(range(len(invitees)), min(len(invitees), 4)))
    answering = set(respondents)
    waiting = [i for i in range(len(invitees)) if i not in answering]
    start, change, _ = STORIES[story]
    return {
        "partnership": candidate["pk"],
        "opens_on": opens_on,
        "closes_on": closes_on,
        "answered_by": answered_by,
        "health": start + change * index,
        "offsets": offsets,
        "invitees": invitees,
        "respondents": respondents,
        # In an open round, a few who have not sent their answers yet have started a draft.
        "drafts": rng.sample(waiting, min(len(waiting), 2)) if month == 0 else [],
    }


# ---------------------------------------------------------------- answers


def _answers(rng: random.Random, plan: list, level: dict, half: bool) -> dict:
    """One respondent's answers: their level per dimension, plus noise, rounded into 1–5."""
    answers: dict[str, int | None] = {}
    for (key, dimension, reverse), noise in zip(plan, rng.choices(NOISE, k=len(plan)), strict=True):
        if noise is None:
            answers[key] = None
            continue
        value = int(level[dimension] + noise + 0.5)
        value = 1 if value < 1 else 5 if value > 5 else value
        answers[key] = 6 - value if reverse else value
    if half:  # left all but one statement of a dimension blank
        dimension = rng.choice(list(level))
        for key in [k for k, d, _ in plan if d == dimension][1:]:
            answers[key] = None
    return answers


def _responses(rng: random.Random, spec, plan: dict, chance: float) -> Iterator[tuple[int, dict, dict]]:
    """(invitee index, answers, comments) for each respondent of a planned round."""
    items = [(item.key, item.dimension, item.reverse) for item in spec.items]
    dimensions = [d.key for d in spec.dimensions]
    base = {d: plan["health"] + plan["offsets"]["dimensions"][i] for i, d in enumerate(dimensions)}
    for index in plan["respondents"]:
        lean = plan["offsets"]["organisations"][plan["invitees"][index][1]] + rng.gauss(0, 0.3)
        level = {d: value + lean for d, value in base.items()}
        answers = _answers(rng, items, level, rng.random() < HALF_ANSWERED)
        comments = {key: rng.choice(texts) for key, texts in COMMENTS.items() if rng.random() < chance}
        yield index, answers, comments


def _sent_at(rng: random.Random, plan: dict) -> dt.datetime:
    # In UTC: the demo's times of day need not be exact, and UTC is stored without conversion.
    days = (plan["answered_by"] - plan["opens_on"]).days
    day = plan["opens_on"] + dt.timedelta(days=rng.randint(0, days))
    return dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=dt.UTC)


# ---------------------------------------------------------------- writing


def _write_with_services(actor, instrument, rng, rounds: list[dict], step, chance: float) -> None:
    """Rounds through `create_round`; their responses inserted, then scored by `refresh_summary`."""
    people = Person.objects.in_bulk([person for plan in rounds for person, _ in plan["invitees"]])
    partnerships = Partnership.objects.in_bulk([plan["partnership"] for plan in rounds])
    for plan in rounds:
        invitees = [people[person] for person, _ in plan["invitees"]]
        round_, _ = services.create_round(
            actor,
            partnerships[plan["partnership"]],
            instrument,
            plan["opens_on"],
            plan["closes_on"],
            invitees=invitees,
            check_dates=False,
        )
        sent = dt.datetime.combine(plan["opens_on"], dt.time(9), tzinfo=dt.UTC)
        round_.invitations.update(sent_at=sent)
        invitation_of = dict(round_.invitations.values_list("person_id", "pk"))
        responses = [
            Response(
                round=round_,
                invitation_id=invitation_of[invitees[index].pk],
                organisation_id=invitees[index].organisation_id,
                answers=answers,
                comments=comments,
                submitted_at=_sent_at(rng, plan),
            )
            for index, answers, comments in _responses(rng, instrument.spec, plan, chance)
        ]
        for index in plan["drafts"]:
            started = {item.key: rng.randint(2, 4) for item in instrument.spec.items[: rng.randint(3, 12)]}
            responses.append(
                Response(
                    round=round_,
                    invitation_id=invitation_of[invitees[index].pk],
                    organisation_id=invitees[index].organisation_id,
                    draft_answers=started,
                )
            )
        Response.objects.bulk_create(responses)
        services.refresh_summary(round_)
        step(_rows(plan))


def _write_in_bulk(actor, instrument, rng, rounds: list[dict], step, chance: float) -> None:
    """Everything bulk-inserted, a few hundred rounds at a time; scores computed in Python."""
    spec, threshold = instrument.spec, current_workspace().anonymity_threshold
    writer = BulkWriter()  # progress is told by the round, through `step`
    start = 0
    while start < len(rounds):
        end, rows = start, 0
        while end < len(rounds) and rows < BATCH * 5:
            rows += _rows(rounds[end])
            end += 1
        _write_batch(writer, instrument, spec, threshold, rng, rounds[start:end], chance)
        step(rows)
        start = end


def _write_batch(writer: BulkWriter, instrument, spec, threshold: int, rng, plans: list[dict], chance: float) -> None:
    answered = [list(_responses(rng, spec, plan, chance)) for plan in plans]
    objects = []
    for plan, responses in zip(plans, answered, strict=True):
        scores = scoring.round_scores(spec, [(plan["invitees"][i][1], a) for i, a, _ in responses], threshold)
        objects.append(
            AssessmentRound(
                partnership_id=plan["partnership"],
                instrument=instrument,
                opens_on=plan["opens_on"],
                closes_on=plan["closes_on"],
                summary=scoring.stats_data(scores),
                response_count=scores.respondents,
            )
        )
    writer.create(AssessmentRound, objects, "assessment rounds", report=False)
    invitations = {}
    for round_, plan in zip(objects, plans, strict=True):
        if plan["invitations"]:
            sent = dt.datetime.combine(plan["opens_on"], dt.time(9), tzinfo=dt.UTC)
            invitations[round_] = [
                Invitation(round=round_, person_id=person, organisation_id=org, sent_at=sent)
                for person, org in plan["invitees"]
            ]
    writer.create(Invitation, [i for row in invitations.values() for i in row], "invitations", report=False)
    # Sent responses as plain rows: bulk_create would spend most of the large demo's time
    # preparing each of their values one by one.
    source, rows = Response.Source.LINK.value, []
    for round_, plan, answers in zip(objects, plans, answered, strict=True):
        invited = invitations.get(round_)
        rows += [
            (
                round_.pk,
                invited[index].pk if invited else None,
                plan["invitees"][index][1],
                source,
                json.dumps(values),
                json.dumps(comments),
                "{}",
                "{}",
                "",
                False,
                writer.timestamp(_sent_at(rng, plan)),
                writer.now,
            )
            for index, values, comments in answers
        ]
    writer.insert(Response, RESPONSE_COLUMNS, rows, "responses", report=False)


RESPONSE_COLUMNS = (
    "round_id",
    "invitation_id",
    "organisation_id",
    "source",
    "answers",
    "comments",
    "draft_answers",
    "draft_comments",
    "draft_browser",
    "entered_via_handover",
    "submitted_at",
    "updated_at",
)
