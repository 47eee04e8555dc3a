"""Activity and outcomes for the demo workspace: a year of meetings, contacts, referrals, ratings,
indicators with measurements, actions and key-person changes.

`build_demo` calls `build_activity` after the assessment history. Like the other demo parts it
plans first, from its own `random.Random` seeded from the demo's seed, then writes: the same seed
gives the same activity on the same day.

Dates. Activity runs up to `end`: the last day of the reference date's month, or today if that
is sooner, because the services refuse meetings, contacts, referrals and ratings in the future.
With the default reference date (the first of this month) `end` is today, so the stories hold
whenever the demo is built: the busy partnerships' last contacts are within their cadence, and
their ratings of 5 pass the rule, which is checked against today. A demo pinned to a reference
date long past gives those partners a 4 instead, since a 5 would (rightly) be refused.

Small demo: everything goes through the services (`save_meeting`, `log_contact`, `save_referral`,
`rate`, `save_indicator`, `record_measurement`, `create_action`, `change_member`, `add_process`),
so the rules apply and every record has its change history. Each going partnership has a story:
  - busy: monthly meetings with good attendance, a contact every one to three weeks, referrals
    both ways mostly seen within days, a documented referral pathway, and recent ratings of 5
    for the partners with a named single point of contact;
  - silent: meetings and contacts stopped four to eight months ago, attendance falling before;
  - follow-up: many referrals whose follow-up date passed with no outcome, several lost to
    follow-up, and a rating of 2 (whose action the rating service creates);
  - steady: the rest, meeting every two or three months, with a contact every month or two.
Busy partnerships are chosen first among those whose health check is strong or improving, silent
ones among those declining, follow-up ones among those of concern. Two partnerships change a
member's single point of contact; the service dates a key-person change today, so the demo then
moves it to a believable past date with a queryset update (the change record keeps its real time).
Actions done also have their done date moved into the past the same way.

Indicators and their measurements are planned in `keel.portfolio.demo.indicators`, the words in
`keel.portfolio.demo.activity_data`. Large demo: see `keel.portfolio.demo.activity_bulk`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from keel.actions.models import Action, ActionStatus, Source
from keel.actions.services import change_action, create_action
from keel.activity import services
from keel.assessments.models import AssessmentRound
from keel.common.text import add_months
from keel.core.changelog import Actor
from keel.outcomes import services as outcomes
from keel.portfolio.demo import activity_data as words
from keel.portfolio.demo import indicators
from keel.portfolio.demo.activity_bulk import write_bulk
from keel.portfolio.demo.activity_data import GOING, MEETING_KINDS, OUTCOME_WEIGHTS, OUTCOMES
from keel.portfolio.demo.bulk import Progress
from keel.portfolio.demo.register_data import PRIORITIES
from keel.register import services as register
from keel.register.models import (
    KeyPersonChange,
    Partnership,
    PartnershipMember,
    Person,
    PriorityAlignment,
    ProcessKind,
    Status,
    Tier,
)

STORY_COUNTS = {"busy": 5, "silent": 3, "follow-up": 3}
# (attended, sent apologies, absent) weights by story.
ATTENDANCE = {"busy": (18, 2, 1), "steady": (15, 4, 2), "follow-up": (13, 4, 3), "silent": (16, 3, 1)}
FADING = [0.7, 0.5, 0.35, 0.2]  # the share attending each of a silent partnership's last four meetings


def build_activity(actor: Actor, size: str, seed: int, reference: dt.date, progress: Progress, done: int = 0) -> dict:
    """Write the current workspace's activity and outcomes; returns counts for the demo's summary.

    `done` is what the demo has already reported to `progress`, so one bar runs to the end.
    """
    rng = random.Random(f"keel-demo-activity-{seed}")
    today = timezone.localdate()
    end = min(today, reference.replace(day=calendar.monthrange(reference.year, reference.month)[1]))
    if size != "small":
        return write_bulk(rng, end, progress, done)
    plans = plan_small(rng, end, fresh=(today - end).days <= 7)
    total = done + sum(_rows(plan) for plan in plans)
    counts: defaultdict[str, int] = defaultdict(int)
    for plan in plans:
        _write_plan(actor, plan, end, counts)
        progress(_rows(plan), total, "activity")
    counts["actions"] = Action.objects.count()  # with those the low ratings created
    return dict(counts)


# ---------------------------------------------------------------- small: reading what is there


def _partnerships(end: dt.date) -> list[dict]:
    """Partnerships that had activity in the year up to `end`, with their members and people."""
    people = defaultdict(list)
    for person in Person.objects.filter(archived_at__isnull=True).order_by("pk"):
        people[person.organisation_id].append(person)
    members = defaultdict(list)
    for member in PartnershipMember.objects.select_related("organisation", "contact").order_by("pk"):
        members[member.partnership_id].append(member)
    aligned = defaultdict(list)
    keys = {name: key for key, name, _ in PRIORITIES}
    for partnership_id, name in (
        PriorityAlignment.objects.filter(score__gte=2).order_by("pk").values_list("partnership_id", "priority__name")
    ):
        aligned[partnership_id].append(keys.get(name))
    found = []
    year_ago = end - dt.timedelta(days=365)
    partnerships = Partnership.objects.filter(Q(status__in=GOING) | Q(status=Status.ENDED), archived_at__isnull=True)
    for partnership in partnerships.select_related("lead").order_by("pk"):
        start = max(partnership.start_date or year_ago, year_ago)
        stop = end
        if partnership.status == Status.ENDED:
            stop = min(end, (partnership.planned_end or end) - dt.timedelta(days=1))
        if len(members[partnership.pk]) < 2 or (stop - start).days < 60:
            continue
        found.append(
            {
                "partnership": partnership,
                "members": members[partnership.pk],
                "people": {m.organisation_id: people[m.organisation_id] for m in members[partnership.pk]},
                "priorities": [k for k in aligned[partnership.pk] if k],
                "start": start,
                "stop": stop,
            }
        )
    return found


def _moods() -> dict[int, str]:
    """What each assessed partnership's health check says: good, falling or poor."""
    overall = defaultdict(list)
    for pid, summary in AssessmentRound.objects.order_by("opens_on", "pk").values_list("partnership_id", "summary"):
        if (summary or {}).get("overall") is not None:
            overall[pid].append(summary["overall"])
    moods = {}
    for pid, scores in overall.items():
        change = scores[-1] - scores[-2] if len(scores) > 1 else 0
        if change <= -0.3:
            moods[pid] = "falling"
        elif scores[-1] < 3.0:
            moods[pid] = "poor"
        elif scores[-1] >= 3.8 or change >= 0.3:
            moods[pid] = "good"
    return moods


def _stories(rng: random.Random, candidates: list[dict], end: dt.date) -> None:
    """Give each going partnership a story, the assessed ones in keeping with their health check."""
    moods = _moods()
    going = [c for c in candidates if c["partnership"].status in GOING]
    prefer = {"busy": "good", "silent": "falling", "follow-up": "poor"}
    for candidate in candidates:
        candidate["story"] = "steady"
    year_ago = end - dt.timedelta(days=365)
    for story, count in STORY_COUNTS.items():
        # Stories need a year to tell, and a 5 needs named single points of contact.
        free = [c for c in going if c["story"] == "steady" and c["start"] <= year_ago]
        free = [c for c in free if story != "busy" or _named(c) >= 2]
        free.sort(key=lambda c: (moods.get(c["partnership"].pk) != prefer[story], rng.random()))
        for candidate in free[:count]:
            candidate["story"] = story


def _named(candidate: dict) -> int:
    return sum(1 for m in candidate["members"] if m.contact_id)


# ---------------------------------------------------------------- small: planning


def plan_small(rng: random.Random, end: dt.date, fresh: bool) -> list[dict]:
    """Each partnership's activity as plain dicts of model objects and values, nothing written."""
    candidates = _partnerships(end)
    if not candidates:
        return []
    _stories(rng, candidates, end)
    numbers = iter(rng.sample(range(100, 10000), 9000))
    for candidate in candidates:
        story = candidate["story"]
        if story == "silent":
            candidate["stop"] = end - dt.timedelta(days=rng.randint(125, 240))
        candidate["change"] = None
        candidate["meetings"] = _meetings(rng, candidate, story)
        candidate["contacts"] = _contacts(rng, candidate, story, end)
        candidate["referrals"] = _referrals(rng, candidate, story, end, numbers)
        candidate["pathway"] = story == "busy"
        candidate["ratings"] = _ratings(rng, candidate, story, end, fresh)
        candidate["indicators"] = (
            indicators.plan(rng, candidate, story, end) if candidate["partnership"].status in GOING else []
        )
    _key_person_changes(rng, candidates, end)
    _actions(rng, candidates, end)
    indicators.finish(rng, candidates, end)
    return candidates


def _between(rng: random.Random, start: dt.date, stop: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (stop - start).days)))


def _second_tuesday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(1 - first.weekday()) % 7 + 7)


def _current(members: list, day: dt.date) -> list:
    return [m for m in members if (m.since is None or m.since <= day) and (m.until is None or m.until >= day)]


def _meetings(rng: random.Random, candidate: dict, story: str) -> list[dict]:
    """Meetings on the second Tuesday of the month: monthly, or every two or three months if steady."""
    partnership = candidate["partnership"]
    every = 1 if story in ("busy", "follow-up", "silent") else rng.choice([2, 2, 3])
    months, day = [], add_months(candidate["stop"], -12).replace(day=1)
    while day <= candidate["stop"]:
        tuesday = _second_tuesday(day.year, day.month)
        if candidate["start"] <= tuesday <= candidate["stop"]:
            months.append(tuesday)
        day = add_months(day, every)
    meetings = []
    for index, date in enumerate(months):
        present = _current(candidate["members"], date)
        statuses = rng.choices(["attended", "apologies", "absent"], ATTENDANCE[story], k=len(present))
        if story == "silent" and (k := index - len(months) + len(FADING)) >= 0:  # falling away before it stopped
            coming = round(len(present) * FADING[k])
            statuses = ["attended"] * coming + rng.choices(["apologies", "absent"], k=len(present) - coming)
            rng.shuffle(statuses)
        attendance = {}
        for member, status in zip(present, statuses, strict=True):
            who = _who(rng, candidate, member) if status == "attended" else ""
            attendance[member.organisation] = (status, who)
        items = rng.sample(words.AGENDA_ITEMS, rng.randint(2, 4))
        agenda = [*words.AGENDA_OPENING, *items, words.AGENDA_CLOSING]
        meetings.append(
            {
                "date": date,
                "kind": rng.choice(MEETING_KINDS[partnership.tier]),
                "agenda": "\n".join(f"{i}. {item}" for i, item in enumerate(agenda, 1)),
                "notes": " ".join(rng.sample(words.NOTES, rng.randint(1, 2))),
                "decisions": rng.choice(words.DECISIONS),
                "attendance": attendance,
                "actions": [],
            }
        )
    return meetings


def _who(rng: random.Random, candidate: dict, member: PartnershipMember) -> str:
    if member.contact and rng.random() < 0.85:
        return member.contact.name
    people = candidate["people"][member.organisation_id]
    return rng.choice(people).name if people else ""


def _contacts(rng: random.Random, candidate: dict, story: str, end: dt.date) -> list[dict]:
    """Contacts every one to three weeks for the busy, further apart for the rest."""
    gaps = {"busy": (7, 21), "follow-up": (21, 45), "silent": (14, 40), "steady": (30, 75)}[story]
    contacts, day = [], candidate["start"] + dt.timedelta(days=rng.randint(0, 20))
    while day <= candidate["stop"]:
        contacts.append(_contact(rng, candidate, day))
        day += dt.timedelta(days=rng.randint(*gaps))
    if story == "busy":  # a recent word with every partner a 5 will be given to
        for member in candidate["members"]:
            if member.contact_id:
                contacts.append(_contact(rng, candidate, end - dt.timedelta(days=rng.randint(0, 14)), member))
    return contacts


def _contact(rng: random.Random, candidate: dict, day: dt.date, member=None) -> dict:
    members = _current(candidate["members"], day) or candidate["members"]
    member = member or rng.choice(members)
    channel = rng.choices(list(words.CHANNEL_WEIGHTS), list(words.CHANNEL_WEIGHTS.values()))[0]
    return {
        "date": day,
        "channel": channel,
        "member": member,
        "summary": rng.choice(words.CONTACT_SUMMARIES[channel]),
    }


def _referrals(rng: random.Random, candidate: dict, story: str, end: dt.date, numbers) -> list[dict]:
    partnership = candidate["partnership"]
    if story == "busy":
        count = rng.randint(14, 20)
    elif story == "follow-up":
        count = rng.randint(16, 22)
    elif partnership.tier == Tier.STRATEGIC:
        count = 0
    else:
        count = rng.randint(0, 5)
    members = candidate["members"]
    # Referrals go mostly one way (to the second member) except in busy partnerships.
    target = members[1]
    referrals = []
    for _ in range(count):
        date = _between(rng, candidate["start"], candidate["stop"] - dt.timedelta(days=2))
        if story == "busy":
            source, to = rng.sample(members, 2)
        else:
            source = rng.choice([m for m in members if m is not target])
            to = target if rng.random() < 0.75 else rng.choice([m for m in members if m is not source])
        due = date + dt.timedelta(days=14)
        outcome = "" if due >= end else rng.choices(OUTCOMES, OUTCOME_WEIGHTS[story])[0]
        if story == "busy" and due >= end and rng.random() < 0.5:
            outcome = "received"
        served = None
        if outcome == "received":
            served = min(end, date + dt.timedelta(days=rng.randint(1, 9 if story == "busy" else 30)))
        referrals.append(
            {
                "from_organisation": source.organisation,
                "to_organisation": to.organisation,
                "date": date,
                "client_reference": f"NS-{next(numbers):04d}",
                "handoff_to": to.contact if story != "follow-up" and rng.random() < 0.7 else None,
                "follow_up_due": due,
                "outcome": outcome,
                "service_date": served,
                "note": rng.choice(words.REFERRAL_NOTES[outcome]) if outcome else "",
            }
        )
    referrals.sort(key=lambda r: r["date"])
    if story == "follow-up":
        _follow_ups_missed(rng, referrals, end)
    return referrals


def _follow_ups_missed(rng: random.Random, referrals: list[dict], end: dt.date) -> None:
    """At least five overdue follow-ups and three lost to follow-up, among the most recent."""
    past = [r for r in referrals if r["follow_up_due"] < end]
    overdue = sum(1 for r in past if not r["outcome"])
    lost = sum(1 for r in past if r["outcome"] == "lost")
    for referral in reversed(past):
        if overdue < 5 and referral["outcome"] not in ("", "lost"):
            referral.update(outcome="", service_date=None, note="")
            overdue += 1
        elif lost < 3 and referral["outcome"] not in ("", "lost"):
            referral.update(outcome="lost", service_date=None, note=rng.choice(words.REFERRAL_NOTES["lost"]))
            lost += 1


def _ratings(rng: random.Random, candidate: dict, story: str, end: dt.date, fresh: bool) -> list[dict]:
    members = candidate["members"]
    earlier = candidate["stop"] - dt.timedelta(days=rng.randint(150, 200))
    ratings = []
    if story == "busy":
        for member in members:
            ratings.append(_rating(rng, member, 4, max(earlier, candidate["start"])))
            top = member.contact_id and fresh
            ratings.append(_rating(rng, member, 5 if top else 4, end - dt.timedelta(days=rng.randint(0, 5))))
    elif story == "follow-up":
        target = members[1]
        ratings.append(_rating(rng, target, 3, max(earlier, candidate["start"])))
        ratings.append(_rating(rng, target, 2, end - dt.timedelta(days=rng.randint(3, 20))))
    elif story == "silent":
        ratings.append(_rating(rng, members[0], 3, candidate["stop"] - dt.timedelta(days=rng.randint(5, 30))))
    else:
        for member in members:
            if rng.random() < 0.25:
                ratings.append(_rating(rng, member, rng.choice([3, 4, 4]), _between(rng, earlier, candidate["stop"])))
    return sorted(ratings, key=lambda r: r["date"])


def _rating(rng: random.Random, member, score: int, date: dt.date) -> dict:
    return {
        "organisation": member.organisation,
        "score": score,
        "date": date,
        "note": rng.choice(words.RATING_NOTES[score]),
    }


def _key_person_changes(rng: random.Random, candidates: list[dict], end: dt.date) -> None:
    """One silent and one steady partnership see a member's single point of contact move on."""
    for story in ("silent", "steady"):
        for candidate in candidates:
            if candidate["story"] != story or candidate["partnership"].status not in GOING:
                continue
            options = [
                (member, person)
                for member in candidate["members"]
                if member.contact_id
                for person in candidate["people"][member.organisation_id]
                if person.pk != member.contact_id
            ]
            if options:
                member, person = rng.choice(options)
                days = rng.randint(10, 40) if story == "silent" else rng.randint(30, 150)
                date = (candidate["stop"] if story == "silent" else end) - dt.timedelta(days=days)
                candidate["change"] = {"member": member, "person": person, "date": date}
                break


def _actions(rng: random.Random, candidates: list[dict], end: dt.date) -> None:
    """Actions agreed at some meetings: the older ones done or overdue, the recent ones still to do."""
    meetings = [
        (c, m)
        for c in candidates
        if c["story"] != "silent"
        for m in c["meetings"]
        if m["date"] >= end - dt.timedelta(days=150)
    ]
    older = [cm for cm in meetings if cm[1]["date"] < end - dt.timedelta(days=60)]
    recent = [cm for cm in meetings if cm[1]["date"] >= end - dt.timedelta(days=30)]
    chosen = rng.sample(older, min(6, len(older))) + rng.sample(recent, min(3, len(recent)))
    titles = iter(rng.sample(words.ACTION_TITLES, len(chosen)))
    for index, (candidate, meeting) in enumerate(chosen):
        members = [m for m in _current(candidate["members"], meeting["date"]) if m.contact_id]
        owner = rng.choice(members).contact if members else candidate["partnership"].lead
        due = meeting["date"] + dt.timedelta(days=rng.choice([14, 21, 28, 42]))
        if due >= end:
            status = rng.choice([ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
        else:
            status = ActionStatus.OPEN if index % 3 == 0 else ActionStatus.DONE  # open and past due: overdue
        done_at = meeting["date"] + dt.timedelta(days=rng.randint(3, (due - meeting["date"]).days))
        title = next(titles)
        meeting["actions"].append({"title": title, "owner": owner, "due": due, "status": status, "done_at": done_at})
        meeting["decisions"] += f"\nAction: {title}" + (f" ({owner.name})." if owner else ".")


# ---------------------------------------------------------------- small: writing


def _rows(plan: dict) -> int:
    return (
        len(plan["meetings"])
        + len(plan["contacts"])
        + len(plan["referrals"])
        + len(plan["ratings"])
        + sum(1 + len(i["measurements"]) for i in plan["indicators"])
        + sum(len(m["actions"]) for m in plan["meetings"])
        + (plan["change"] is not None)
        + plan["pathway"]
    )


def _write_plan(actor: Actor, plan: dict, end: dt.date, counts: dict) -> None:
    partnership = plan["partnership"]
    change = plan["change"]
    for meeting in plan["meetings"]:
        values = {key: meeting[key] for key in ("date", "kind", "agenda", "notes", "decisions")}
        saved = services.save_meeting(actor, partnership, values, meeting["attendance"])
        counts["meetings"] += 1
        for action in meeting["actions"]:
            _write_action(actor, partnership, saved, action)
            counts["actions"] += 1
    for contact in plan["contacts"]:
        member = contact["member"]
        person = member.contact
        if change and member is change["member"] and contact["date"] >= change["date"]:
            person = change["person"]
        values = {key: contact[key] for key in ("date", "channel", "summary")}
        services.log_contact(actor, partnership, {**values, "organisation": member.organisation, "person": person})
        counts["contacts"] += 1
    for referral in plan["referrals"]:
        services.save_referral(actor, partnership, referral)
        counts["referrals"] += 1
    if plan["pathway"] and not partnership.processes.filter(kind=ProcessKind.REFERRAL_PATHWAY).exists():
        register.add_process(
            actor,
            partnership,
            {
                "title": "Referral pathway",
                "kind": ProcessKind.REFERRAL_PATHWAY,
                "link": f"https://docs.example.org/northshire/{slugify(partnership.name)}/referral-pathway",
                "date": plan["start"],
            },
        )
    if change:
        register.change_member(actor, change["member"], {"contact": change["person"]})
        KeyPersonChange.objects.filter(partnership=partnership).update(date=change["date"])
        counts["key_person_changes"] += 1
    for rating in plan["ratings"]:
        services.rate(actor, partnership, **rating)
        counts["ratings"] += 1
    for indicator in plan["indicators"]:
        saved = outcomes.save_indicator(actor, partnership, indicator["values"])
        counts["indicators"] += 1
        for period, value in indicator["measurements"]:
            outcomes.record_measurement(actor, saved, period, value)
            counts["measurements"] += 1


def _write_action(actor: Actor, partnership: Partnership, meeting, action: dict) -> None:
    saved = create_action(
        actor,
        {
            "title": action["title"],
            "partnership": partnership,
            "owner": action["owner"],
            "due": action["due"],
            "source": Source.MEETING,
            "source_id": meeting.pk,
        },
    )
    if action["status"] != ActionStatus.OPEN:
        change_action(actor, saved, {"status": action["status"]})
        if action["status"] == ActionStatus.DONE:
            Action.objects.filter(pk=saved.pk).update(done_at=action["done_at"])
