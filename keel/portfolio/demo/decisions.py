"""Decisions for the demo workspace: cost and value, end terms, events, conflicts, reviews, dissolutions.

`build_demo` calls `build_decisions` last, once the register, the assessment history and the
activity are written, because the stories are chosen from what Keel already advises: the
candidates for each are read with `keel.decisions.evidence.advise`, then made true.

Small demo: through the services, so the rules apply and the history shows. Most going
partnerships get agreed end terms, two years of cost and value, and a past review. Then one
story for each recommendation a leader should see at least once:
  - mediate: a statutory (or funding-condition) partnership whose members' dispute over a shared
    budget has run past the workspace's limit for an unresolved conflict;
  - celebrate and close: a partnership whose end condition (its purpose) was met this autumn;
  - dissolve: a costly, silent partnership its last review found costs more than it produces;
  - downgrade: a healthy partnership that serves none of the workspace's priorities any more;
  - keep and invest: a healthy, aligned partnership with outcomes on track and a good return;
  - measure first: a partnership with agreed terms but no assessment and no measurements;
  - improve and keep: the many others, from what is recorded.
Every partnership already dissolving runs a dissolution, some steps done, one waived.

Large demo: cost and value and past reviews written in bulk (no change record per row), so the
audit and the benchmarks read realistic volumes.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from keel.core.changelog import Actor, record
from keel.decisions.evidence import Advice, advise
from keel.decisions.models import (
    Answer,
    ChecklistKind,
    CostItem,
    CostKind,
    Criterion,
    CriterionAnswer,
    Review,
    ValueItem,
)
from keel.decisions.rules import COSTS_MORE_THAN_PRODUCES
from keel.decisions.services import conflicts as conflict_services
from keel.decisions.services import costs, dissolution, events
from keel.decisions.services.criteria import current_checklist
from keel.decisions.services.setup import hourly_rates
from keel.decisions.services.start import EndTerms, start_partnership
from keel.portfolio.demo.bulk import BulkWriter, Progress
from keel.register import services as register
from keel.register.models import Basis, Organisation, Partnership, PartnershipMember, PriorityAlignment, Status, Tier

GOING = (Status.ACTIVE, Status.UNDER_REVIEW)
CONFLICT_PROCESS = (
    "Raised first between the leads within two weeks; if not settled, taken to the partnership board; "
    "if still not settled within six weeks, put to a neutral third party all partners agree on."
)
VALUE_BASES = [
    ("Emergency admissions avoided", "{n} admissions avoided × £2,400 (NHS reference costs, non-elective short stay)"),
    ("Bed days saved", "{n} bed days saved × £350 a day"),
    ("Volunteer hours contributed", "{n} volunteer hours × £12.50 (the ONS replacement-cost rate)"),
    ("GP appointments freed", "{n} appointments × £42"),
    ("Evictions prevented", "{n} evictions prevented × £7,300 (council's average cost of a homeless case)"),
]
HOURS = {"executive": (6, 30), "senior_manager": (20, 90), "manager": (60, 260), "frontline": (80, 400)}
REVIEW_REASONS = [
    "Meets its purpose; partners committed; keep to the current plan.",
    "Working well enough; watch attendance and the referral follow-ups.",
    "Valued by partners; the next review to look again at what it costs.",
]


def build_decisions(actor: Actor, size: str, seed: int, reference: dt.date, progress: Progress, done: int = 0) -> dict:
    """Write the current workspace's decisions; returns counts for the demo's summary."""
    rng = random.Random(f"{seed}-decisions")
    today = timezone.localdate()
    if size != "small":
        return _bulk(rng, today, progress, done)
    partnerships = list(Partnership.objects.select_related("lead").order_by("pk"))
    going = [p for p in partnerships if p.status in (*GOING, Status.DISSOLVING)]
    for partnership in going:
        _terms(actor, rng, partnership)
        _money(actor, rng, partnership, today, factor=rng.uniform(0.9, 2.2))
    for partnership in going:
        if partnership.status in GOING and partnership.review_every_months and rng.random() < 0.65:
            _past_review(actor, rng, partnership, today)
    _events(actor, rng, going, today)
    stories = _stories(actor, rng, today, reference)
    dissolving = [p for p in partnerships if p.status == Status.DISSOLVING]
    for partnership in dissolving:
        _dissolve(actor, rng, partnership, today)
    progress(len(going), done + len(going), "decisions")
    return {"cost and value": len(going), "stories": len(stories), "dissolutions": len(dissolving)}


# ---------------------------------------------------------------- the small demo, through the services


def _terms(actor: Actor, rng: random.Random, partnership: Partnership) -> None:
    """Most established partnerships agreed how to resolve conflicts; statutory ones all did."""
    if partnership.basis == Basis.STATUTORY or rng.random() < 0.85:
        register.save_partnership(actor, {"conflict_process": CONFLICT_PROCESS}, partnership=partnership)


def _money(actor: Actor, rng: random.Random, partnership: Partnership, today: dt.date, factor: float) -> None:
    """Last year's and this year's staff time, money and in-kind, and value at about `factor` times the cost."""
    for year in (today.year - 1, today.year):
        share = 1 if year < today.year else max(today.month, 1) / 12
        cost = Decimal(0)
        for level in rng.sample(list(HOURS), rng.randint(2, 3)):
            low, high = HOURS[level]
            hours = Decimal(round(rng.uniform(low, high) * share))
            if hours:
                costs.save_cost_item(
                    actor,
                    partnership,
                    {"year": year, "kind": CostKind.STAFF_TIME, "level": level, "hours": hours},
                    today.year,
                )
                cost += hours * hourly_rates()[level]
        if rng.random() < 0.4:
            amount = (Decimal(rng.randrange(2, 40) * 1000) * Decimal(str(round(share, 2)))).quantize(Decimal(1))
            values = {"year": year, "kind": CostKind.MONEY, "amount": amount, "description": "Grant to the partnership"}
            costs.save_cost_item(actor, partnership, values, today.year)
            cost += amount
        if rng.random() < 0.5:
            amount = Decimal(rng.randrange(5, 50) * 100)
            values = {"year": year, "kind": CostKind.IN_KIND, "amount": amount, "description": "Meeting rooms and IT"}
            costs.save_cost_item(actor, partnership, values, today.year)
            cost += amount
        _value(actor, rng, partnership, year, cost * Decimal(str(round(factor, 2))), today)


def _value(actor: Actor, rng: random.Random, partnership: Partnership, year: int, amount: Decimal, today: dt.date):
    description, basis = rng.choice(VALUE_BASES)
    unit = Decimal({0: 2400, 1: 350, 2: 12.5, 3: 42, 4: 7300}[VALUE_BASES.index((description, basis))])
    n = max(1, round(amount / unit))
    costs.save_value_item(
        actor,
        partnership,
        {
            "year": year,
            "amount": (unit * n).quantize(Decimal("0.01")),
            "description": description,
            "basis": basis.format(n=n),
            "confidence": rng.choice(["low", "medium", "medium", "high"]),
        },
        today.year,
    )


def _past_review(actor: Actor, rng: random.Random, partnership: Partnership, today: dt.date, **values) -> Review:
    """A review held before today (the review service dates reviews today, so the demo writes the past one)."""
    months = partnership.review_every_months or 12
    held = today - dt.timedelta(days=rng.randint(20, 31 * months + 60))
    review = Review.objects.create(
        partnership=partnership,
        held_on=values.pop("held_on", held),
        reviewer_name="Demo reviewer",
        objectives_met=values.pop("objectives_met", rng.choice(["yes", "partly"])),
        decision=values.pop("decision", "keep"),
        reasons=values.pop("reasons", rng.choice(REVIEW_REASONS)),
        next_review=values.pop("next_review", held + dt.timedelta(days=30 * months)),
        **values,
    )
    answers = [
        CriterionAnswer(
            partnership=partnership,
            criterion=c,
            kind=c.kind,
            key=c.key,
            wording=c.text,
            answer=Answer.YES,
            review=review,
        )
        for c in Criterion.objects.filter(kind=ChecklistKind.KEEP, retired_at__isnull=True)
    ]
    CriterionAnswer.objects.bulk_create(answers)
    record(actor, "review.held", review, {"decision": [None, review.decision]}, note=str(partnership))
    return review


def _events(actor: Actor, rng: random.Random, going: list[Partnership], today: dt.date) -> None:
    funded = [p for p in going if p.basis == Basis.FUNDING_CONDITION and p.status in GOING]
    if funded:
        events.save_event(
            actor,
            rng.choice(funded),
            {
                "kind": "funding_withdrawn",
                "date": today - dt.timedelta(days=21),
                "severity": "high",
                "early_review": True,
                "description": "The national fund behind the grant closes at the end of the financial year.",
            },
            today,
        )
    for kind, severity, text in [
        ("inspection", "medium", "CQC rated the lead provider 'requires improvement' for responsiveness."),
        ("policy_change", "low", "New national guidance on hospital discharge changes who funds the first weeks."),
    ]:
        events.save_event(
            actor,
            rng.choice(going),
            {
                "kind": kind,
                "date": today - dt.timedelta(days=rng.randint(30, 200)),
                "severity": severity,
                "description": text,
            },
            today,
        )


def _pick(advice: dict[int, Advice], taken: set[int], test) -> Partnership | None:
    for pk in sorted(advice):
        if pk not in taken and advice[pk].evidence.status in GOING and test(advice[pk].evidence):
            taken.add(pk)
            return Partnership.objects.select_related("lead").get(pk=pk)
    return None


def _stories(actor: Actor, rng: random.Random, today: dt.date, reference: dt.date) -> list[str]:
    """Make one partnership true to each story, chosen among those it fits best."""
    advice = advise(today)
    taken: set[int] = set()
    told = []
    healthy = ("strength", "watch")
    if p := _pick(advice, taken, lambda e: e.basis in (Basis.STATUTORY, Basis.FUNDING_CONDITION)):
        _mandatory_in_trouble(actor, p, today)
        told.append("mediate")
    if p := _pick(advice, taken, lambda e: e.basis == Basis.VOLUNTARY and e.health_band in healthy):
        register.save_partnership(
            actor,
            {"end_terms": "Ends when the new falls pathway is live in every practice in the county."},
            partnership=p,
        )
        Partnership.objects.filter(pk=p.pk).update(end_condition_met_on=today - dt.timedelta(days=40))
        record(actor, "partnership.end_condition_met", p, {"end_condition_met_on": [None, str(today)]})
        told.append("celebrate")
    if p := _pick(advice, taken, lambda e: e.basis in (Basis.VOLUNTARY, Basis.CONTRACTUAL) and not _young(e, today)):
        _costly_and_silent(actor, rng, p, today)
        told.append("dissolve")
    if p := _pick(
        advice,
        taken,
        lambda e: e.health_band in healthy and e.tier != Tier.RELATIONSHIP and e.basis == Basis.VOLUNTARY,
    ) or _pick(advice, taken, lambda e: e.health_band in healthy and e.tier != Tier.RELATIONSHIP):
        for alignment in PriorityAlignment.objects.filter(partnership=p).select_related("priority"):
            register.set_alignment(actor, p, alignment.priority, 0)
        _complete_terms(actor, p, today)
        told.append("downgrade")
    if p := _pick(
        advice,
        taken,
        lambda e: (
            e.health_band == "strength"
            and e.outcomes_total
            and e.outcomes_on_track == e.outcomes_total
            and (e.lowest_rating or 3) > 2
            and any(a >= 1 for a in e.alignments)
        ),
    ):
        _complete_terms(actor, p, today)
        CostItem.objects.filter(partnership=p).delete()
        ValueItem.objects.filter(partnership=p).delete()
        _money(actor, rng, p, today, factor=2.6)
        told.append("keep and invest")
    if p := Partnership.objects.filter(status=Status.PROPOSED, archived_at__isnull=True).order_by("pk").first():
        _just_started(actor, p, today, start=min(today, reference) - dt.timedelta(days=21))
        told.append("measure first")
    return told


def _just_started(actor: Actor, partnership: Partnership, today: dt.date, start: dt.date) -> None:
    """A proposed partnership started a few weeks ago with its checklist answered and its terms agreed:
    nothing assessed or measured yet."""
    members = {m.organisation_id for m in PartnershipMember.objects.filter(partnership=partnership)}
    for organisation in Organisation.objects.exclude(pk__in=members).order_by("pk")[: max(0, 2 - len(members))]:
        register.add_member(actor, partnership, {"organisation": organisation, "role": "member"})
    answers = [(criterion, Answer.YES, "") for criterion in current_checklist(ChecklistKind.START)]
    terms = EndTerms(
        start_date=start,
        review_every_months=12,
        planned_end=dt.date(today.year + 2, 3, 31),
        conflict_process=CONFLICT_PROCESS,
    )
    reasons = "A shared goal both boards signed up to, and the funding to try it for two years."
    start_partnership(actor, partnership, answers, terms, reasons)


def _young(evidence, today: dt.date) -> bool:
    return evidence.start_date is None or (today - evidence.start_date).days < 400


def _complete_terms(actor: Actor, partnership: Partnership, today: dt.date) -> None:
    """End terms agreed in full: a planned end ahead, a review cadence, a conflict process."""
    values: dict = {"conflict_process": CONFLICT_PROCESS}
    if not partnership.review_every_months:
        values["review_every_months"] = 12
    if not partnership.planned_end or partnership.planned_end <= today:
        values["planned_end"] = dt.date(today.year + 2, 3, 31)
    register.save_partnership(actor, values, partnership=partnership)


def _mandatory_in_trouble(actor: Actor, partnership: Partnership, today: dt.date) -> None:
    """A dispute over a shared budget, raised five months ago and worked through the process without agreement."""
    parties = [m.organisation for m in PartnershipMember.objects.filter(partnership=partnership)[:2]]
    if not parties:
        return
    raised = today - dt.timedelta(days=150)
    conflict = conflict_services.raise_conflict(
        actor,
        partnership,
        {"raised_on": raised, "about": "How the pooled discharge budget is split between the partners this year."},
        parties,
        today,
    )
    conflict_services.add_step(actor, conflict, raised + dt.timedelta(days=12), "Leads met; no agreement.", today)
    conflict_services.add_step(
        actor, conflict, raised + dt.timedelta(days=55), "Taken to the partnership board; deferred twice.", today
    )


def _costly_and_silent(actor: Actor, rng: random.Random, partnership: Partnership, today: dt.date) -> None:
    """Costs well over what it produces; its last review found so, and decided to try once more."""
    CostItem.objects.filter(partnership=partnership).delete()
    ValueItem.objects.filter(partnership=partnership).delete()
    _money(actor, rng, partnership, today, factor=0.35)
    review = _past_review(
        actor,
        rng,
        partnership,
        today,
        held_on=today - dt.timedelta(days=75),
        objectives_met="no",
        decision="improve",
        reasons="Little has come of it this year; one more try with a clearer plan before deciding.",
        next_review=today + dt.timedelta(days=15),
    )
    circumstance = Criterion.objects.filter(kind=ChecklistKind.DISSOLVE, key=COSTS_MORE_THAN_PRODUCES).first()
    if circumstance is not None:
        CriterionAnswer.objects.create(
            partnership=partnership,
            criterion=circumstance,
            kind=circumstance.kind,
            key=circumstance.key,
            wording=circumstance.text,
            answer=Answer.YES,
            review=review,
        )


def _dissolve(actor: Actor, rng: random.Random, partnership: Partnership, today: dt.date) -> None:
    """A dissolution under way: the first steps done, one waived with its reason."""
    ended = dissolution.start_dissolution(
        actor,
        partnership,
        "Its funding ends and the partners agreed the work is better done in the new hubs.",
        today=today,
    )
    steps = list(ended.steps.order_by("position"))
    for step in steps[:3]:
        dissolution.mark_step_done(actor, step, today)
    if len(steps) > 4:
        dissolution.waive_step(actor, steps[3], "No client data was shared under this partnership.")


# ---------------------------------------------------------------- the large demo, in bulk

COST_COLUMNS = ("partnership_id", "year", "kind", "level", "hours", "amount", "description", "created_at")
REVIEW_COLUMNS = (
    "partnership_id",
    "held_on",
    "reviewer_name",
    "objectives_met",
    "objectives_note",
    "decision",
    "reasons",
    "next_review",
    "recommendation",
    "recommendation_reasons",
    "created_at",
)
VALUE_COLUMNS = ("partnership_id", "year", "amount", "description", "basis", "confidence", "created_at")


def _bulk(rng: random.Random, today: dt.date, progress: Progress, done: int) -> dict:
    writer = BulkWriter(progress)
    now = writer.now
    going = list(
        Partnership.objects.filter(status__in=[*GOING, Status.DISSOLVING]).values_list("pk", flat=True).order_by("pk")
    )
    cost_rows: list[tuple[Any, ...]] = []
    value_rows: list[tuple[Any, ...]] = []
    for pk in going:
        if rng.random() < 0.15:
            continue  # no figures yet
        factor = rng.choice([0.4, 0.8, 1.1, 1.4, 1.8, 2.5])
        for year in (today.year - 1, today.year):
            hours = rng.randint(40, 400)
            money = rng.choice([0, 0, 5000, 20000])
            cost_rows.append((pk, year, CostKind.STAFF_TIME, "manager", hours, None, "", now))
            if money:
                cost_rows.append((pk, year, CostKind.MONEY, "", None, money, "Grant", now))
            value = round((hours * 45 + money) * factor, 2)
            description, basis = VALUE_BASES[pk % len(VALUE_BASES)]
            value_rows.append((pk, year, value, description, basis.format(n="some"), "medium", now))
    writer.insert(CostItem, COST_COLUMNS, cost_rows, "costs", report=False)
    writer.insert(ValueItem, VALUE_COLUMNS, value_rows, "values", report=False)
    reviews = []
    for pk, months in Partnership.objects.filter(status__in=GOING, review_every_months__isnull=False).values_list(
        "pk", "review_every_months"
    ):
        if months and rng.random() < 0.6:
            held = today - dt.timedelta(days=rng.randint(20, 31 * months + 60))
            reasons = rng.choice(REVIEW_REASONS)
            next_review = held + dt.timedelta(days=30 * months)
            reviews.append((pk, held, "Demo reviewer", "yes", "", "keep", reasons, next_review, "", "[]", now))
    writer.insert(Review, REVIEW_COLUMNS, reviews, "reviews", report=False)
    progress(len(going), done + len(going), "decisions")
    return {"cost items": len(cost_rows), "value items": len(value_rows), "reviews": len(reviews)}
