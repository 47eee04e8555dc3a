"""Reading activity: a fixed number of queries, for one partnership or the whole workspace.

Each function takes `partnerships` (ids) to read only those, or None for every partnership of
the current workspace, and returns plain mappings keyed by partnership id (and organisation id).
The partnership page, the rating service and `keel audit` share them, so they agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Max, OuterRef, Q, Subquery

from keel.activity import rules
from keel.activity.models import Attendance, AttendanceStatus, Contact, Meeting, Referral, RelationshipRating
from keel.register.models import AgreedProcess, PartnershipMember, ProcessKind


def _only(queryset, partnerships: Iterable[int] | None, field: str = "partnership_id"):
    return queryset if partnerships is None else queryset.filter(**{f"{field}__in": list(partnerships)})


def last_contact_by_partnership(partnerships=None) -> dict[int, dt.date]:
    """The latest contact of each partnership: a logged contact or a meeting, whichever is later."""
    latest: dict[int, dt.date] = {}
    for model in (Contact, Meeting):
        rows = _only(model.objects, partnerships).values("partnership_id").annotate(last=Max("date"))
        for row in rows.order_by():
            pid = row["partnership_id"]
            latest[pid] = max(latest.get(pid, row["last"]), row["last"])
    return latest


def last_contact_by_organisation(partnerships=None) -> dict[tuple[int, int], dt.date]:
    """The latest contact with each organisation in each partnership: a contact logged with it, or a
    meeting it attended."""
    latest: dict[tuple[int, int], dt.date] = {}
    contacts = _only(Contact.objects.filter(organisation__isnull=False), partnerships)
    meetings = _only(
        Attendance.objects.filter(status=AttendanceStatus.ATTENDED), partnerships, "meeting__partnership_id"
    )
    rows = [
        *contacts.values_list("partnership_id", "organisation_id").annotate(last=Max("date")).order_by(),
        *meetings.values_list("meeting__partnership_id", "organisation_id")
        .annotate(last=Max("meeting__date"))
        .order_by(),
    ]
    for pid, oid, last in rows:
        latest[pid, oid] = max(latest.get((pid, oid), last), last)
    return latest


def last_referral_by_organisation(partnerships=None) -> dict[tuple[int, int], dt.date]:
    """The latest referral from or to each organisation in each partnership."""
    latest: dict[tuple[int, int], dt.date] = {}
    for side in ("from_organisation_id", "to_organisation_id"):
        rows = _only(Referral.objects, partnerships).values_list("partnership_id", side).annotate(last=Max("date"))
        for pid, oid, last in rows.order_by():
            latest[pid, oid] = max(latest.get((pid, oid), last), last)
    return latest


def documented_pathways(partnerships=None) -> set[int]:
    """The partnerships with a documented referral pathway (an agreed process of that kind)."""
    found = _only(AgreedProcess.objects.filter(kind=ProcessKind.REFERRAL_PATHWAY), partnerships)
    return set(found.order_by().values_list("partnership_id", flat=True).distinct())


def conditions(
    members, cadence: dict[int, int], today: dt.date, partnerships=None
) -> dict[tuple[int, int], rules.Conditions]:
    """The three conditions of a 5 for each member: {(partnership id, organisation id): Conditions}.

    `members` are PartnershipMember rows; `cadence` gives each partnership's contact cadence in days.
    """
    contacts = last_contact_by_organisation(partnerships)
    referrals = last_referral_by_organisation(partnerships)
    pathways = documented_pathways(partnerships)
    return {
        (m.partnership_id, m.organisation_id): rules.rating_conditions(
            contact_named=m.contact_id is not None,
            last_contact=contacts.get((m.partnership_id, m.organisation_id)),
            cadence_days=cadence[m.partnership_id],
            pathway_documented=m.partnership_id in pathways,
            last_referral=referrals.get((m.partnership_id, m.organisation_id)),
            today=today,
        )
        for m in members
    }


def latest_ratings(partnerships=None) -> dict[tuple[int, int], RelationshipRating]:
    """The newest rating of each member organisation in each partnership, in one query.

    The newest is picked in the database once per member (through the index on partnership,
    organisation and date), not by reading every rating nor by comparing each rating with the
    others of its pair, which grows with the square of the ratings."""
    newest = (
        RelationshipRating.objects.filter(
            partnership_id=OuterRef("partnership_id"), organisation_id=OuterRef("organisation_id")
        )
        .order_by("-date", "-pk")
        .values("pk")[:1]
    )
    members = PartnershipMember.objects.order_by()
    if partnerships is not None:
        members = members.filter(partnership_id__in=list(partnerships))
    rows = RelationshipRating.objects.filter(pk__in=members.annotate(newest=Subquery(newest)).values("newest"))
    rows = rows.only("partnership_id", "organisation_id", "score", "date", "rater", "rated_by_id").order_by()
    return {(r.partnership_id, r.organisation_id): r for r in rows}


def attendance(today: dt.date, partnerships=None) -> dict[tuple[int, int], tuple[int, int]]:
    """(attended, meetings recorded) per organisation per partnership over the last 12 months."""
    since = today - dt.timedelta(days=rules.ATTENDANCE_WINDOW_DAYS)
    rows = _only(
        Attendance.objects.filter(meeting__date__gt=since, meeting__date__lte=today),
        partnerships,
        "meeting__partnership_id",
    )
    rows = rows.values_list("meeting__partnership_id", "organisation_id").annotate(
        attended=Count("pk", filter=Q(status=AttendanceStatus.ATTENDED)), total=Count("pk")
    )
    return {(pid, oid): (attended, total) for pid, oid, attended, total in rows.order_by()}


def attendance_by_partnership(today: dt.date, partnerships=None) -> dict[int, float]:
    """Each partnership's attendance rate over the last 12 months: all its members' together."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (pid, _), (attended, total) in attendance(today, partnerships).items():
        totals[pid][0] += attended
        totals[pid][1] += total
    return {pid: attended / total for pid, (attended, total) in totals.items() if total}


def referral_facts(partnerships=None):
    """(partnership id, from id, to id, ReferralFacts) for every referral: plain rows for the rules."""
    rows = _only(Referral.objects, partnerships).values_list(
        "partnership_id",
        "from_organisation_id",
        "to_organisation_id",
        "date",
        "follow_up_due",
        "outcome",
        "service_date",
    )
    for pid, source, target, date, due, outcome, served in rows.order_by().iterator(chunk_size=5000):
        yield pid, source, target, rules.ReferralFacts(date, due, outcome, served)


def referral_figures_by_partnership(today: dt.date, partnerships=None) -> dict[int, rules.ReferralFigures]:
    grouped = defaultdict(list)
    for pid, _, _, facts in referral_facts(partnerships):
        grouped[pid].append(facts)
    return {pid: rules.referral_figures(facts, today) for pid, facts in grouped.items()}


def referral_counts_by_partnership(today: dt.date, partnerships=None) -> dict[int, rules.ReferralFigures]:
    """The same figures as `referral_figures_by_partnership` without the median, counted in the
    database: for the audit of a whole workspace (500,000 referrals) without reading every row.

    The conditions are those of `rules.referral_figures`; a test holds the two equal."""
    no_outcome = Q(outcome="")
    overdue = no_outcome & Q(follow_up_due__lt=today)
    rows = _only(Referral.objects, partnerships).values("partnership_id").order_by()
    rows = rows.annotate(
        made=Count("pk"),
        received=Count("pk", filter=Q(outcome="received")),
        decided=Count("pk", filter=~no_outcome | overdue),
        overdue=Count("pk", filter=overdue),
    )
    return {
        row["partnership_id"]: rules.ReferralFigures(
            row["made"], row["received"], row["decided"], row["overdue"], row["made"] - row["decided"], None
        )
        for row in rows
    }


def referral_figures_by_pair(partnership_id: int, today: dt.date) -> dict[tuple[int, int], rules.ReferralFigures]:
    """One partnership's figures for each (from, to) pair of organisations that has referrals."""
    grouped = defaultdict(list)
    for _, source, target, facts in referral_facts([partnership_id]):
        grouped[source, target].append(facts)
    return {pair: rules.referral_figures(facts, today) for pair, facts in grouped.items()}
