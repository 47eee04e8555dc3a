"""Reads that need care: the register lists with their filters, and the detail pages.

Each returns querysets whose query count does not grow with the data: related rows come
through select_related or one prefetch per relation.
"""

from __future__ import annotations

import re

from django.db.models import Count, Prefetch, Q

from keel.common.text import name_key
from keel.register.models import (
    AgreedProcess,
    Basis,
    Organisation,
    Partnership,
    PartnershipMember,
    Person,
    PriorityAlignment,
    Status,
    StrategicPriority,
    Tier,
)

PARTNERSHIP_SORTS = {
    "name": "name_key",
    "status": "status",
    "tier": "tier",
    "basis": "basis",
    "start": "start_date",
    "end": "planned_end",
    "lead": "lead__name_key",
    "members": "member_count",
}


def members_prefetch():
    return Prefetch(
        "members",
        queryset=PartnershipMember.objects.select_related("organisation", "contact").order_by("organisation__name_key"),
    )


def partnership_list(params) -> tuple:
    """Partnerships filtered and sorted by the list page's parameters; returns (queryset, sort)."""
    qs = Partnership.objects.select_related("lead")
    if params.get("archived") != "1":
        qs = qs.filter(archived_at__isnull=True)
    # Conditions on members and alignments are subqueries, not joins: a join repeats a
    # partnership once per matching member (so needs DISTINCT, slow on PostgreSQL) and
    # would narrow the member count to the matching members.
    if q := (params.get("q") or "").strip():
        with_partner = PartnershipMember.objects.filter(organisation__name__icontains=q).values("partnership")
        qs = qs.filter(Q(name__icontains=q) | Q(purpose__icontains=q) | Q(pk__in=with_partner))
    for field, choices in (("status", Status), ("tier", Tier), ("basis", Basis)):
        if (value := params.get(field)) in choices.values:
            qs = qs.filter(**{field: value})
    if sector := params.get("sector"):
        qs = qs.filter(pk__in=PartnershipMember.objects.filter(organisation__sector=sector).values("partnership"))
    if lead := " ".join((params.get("lead") or "").split()):
        if lead.isdigit():
            qs = qs.filter(lead_id=int(lead))
        elif found := find_people(lead):
            qs = qs.filter(lead__in=found)
        else:  # part of a name: as forgiving as the search box
            qs = qs.filter(lead__name__icontains=lead)
    if (priority := params.get("priority")) and priority.isdigit():
        serving = PriorityAlignment.objects.filter(priority_id=int(priority), score__gte=1).values("partnership")
        qs = qs.filter(pk__in=serving)
    sort = params.get("sort") or "name"
    key = PARTNERSHIP_SORTS.get(sort.lstrip("-"), "name_key")
    if key == "member_count":  # counted only when sorted by it: it costs a grouping of every row
        qs = qs.annotate(member_count=Count("members"))
    descending = sort.startswith("-")
    qs = qs.order_by(f"-{key}" if descending else key, "name_key", "pk")
    return qs.prefetch_related(members_prefetch()), sort if sort.lstrip("-") in PARTNERSHIP_SORTS else "name"


def partnership_detail(pk: int) -> Partnership:
    return (
        Partnership.objects.select_related("lead__organisation", "coordinator__organisation")
        .prefetch_related(
            members_prefetch(),
            Prefetch("alignments", queryset=PriorityAlignment.objects.select_related("priority")),
            Prefetch("processes", queryset=AgreedProcess.objects.all()),
        )
        .get(pk=pk)
    )


def filter_options():
    """The choices offered by the partnership list's filters."""
    sectors = Organisation.objects.exclude(sector="").values_list("sector", flat=True).distinct().order_by("sector")
    priorities = StrategicPriority.objects.filter(archived_at__isnull=True).values_list("pk", "name")
    return {"sectors": list(sectors), "priorities": list(priorities)}


def organisation_list(params):
    qs = Organisation.objects.annotate(partnership_count=Count("memberships", distinct=True))
    if params.get("archived") != "1":
        qs = qs.filter(archived_at__isnull=True)
    if q := (params.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(identifier__icontains=q) | Q(type__icontains=q))
    if sector := params.get("sector"):
        qs = qs.filter(sector=sector)
    sorts = {"name": "name_key", "sector": "sector", "type": "type", "partnerships": "partnership_count"}
    sort = params.get("sort") or "name"
    key = sorts.get(sort.lstrip("-"), "name_key")
    return qs.order_by(f"-{key}" if sort.startswith("-") else key, "name_key", "pk"), sort


def person_list(params):
    qs = Person.objects.select_related("organisation")
    if params.get("archived") != "1":
        qs = qs.filter(archived_at__isnull=True)
    if q := (params.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(organisation__name__icontains=q))
    if level := params.get("level"):
        qs = qs.filter(level=level)
    if (organisation := params.get("organisation")) and organisation.isdigit():
        qs = qs.filter(organisation_id=int(organisation))
    sorts = {"name": "name_key", "organisation": "organisation__name_key", "level": "level", "email": "email"}
    sort = params.get("sort") or "name"
    key = sorts.get(sort.lstrip("-"), "name_key")
    return qs.order_by(f"-{key}" if sort.startswith("-") else key, "name_key", "pk"), sort


# People, found from what someone typed ---------------------------------------------------

SUGGESTIONS = 20
_WITH_ORGANISATION = re.compile(r"(.+?)\s*\(([^()]+)\)")


def label(person: Person) -> str:
    return f"{person.name} ({person.organisation.name})"


def living_people(organisation_id: int | None = None):
    people = Person.objects.filter(archived_at__isnull=True).select_related("organisation")
    return people.filter(organisation_id=organisation_id) if organisation_id else people


def find_people(text: str, organisation_id: int | None = None) -> list[Person]:
    """The people `text` names: by e-mail, by "Name (Organisation)", or by name alone."""
    text = " ".join(text.split())
    people = living_people(organisation_id)
    if "@" in text:
        return list(people.filter(email__iexact=text)[:5])
    if match := _WITH_ORGANISATION.fullmatch(text):
        found = list(people.filter(name_key=name_key(match[1]), organisation__name_key=name_key(match[2]))[:5])
        if found:
            return found
    return list(people.filter(name_key=name_key(text))[:5])


def suggest_people(text: str, organisation_id: int | None = None) -> list[Person]:
    """Up to 20 people whose name, e-mail or organisation contains `text`."""
    text = " ".join(text.split())
    if match := _WITH_ORGANISATION.fullmatch(text):
        text = match[1]
    people = living_people(organisation_id)
    if text:
        people = people.filter(
            Q(name__icontains=text) | Q(email__icontains=text) | Q(organisation__name__icontains=text)
        )
    return list(people.order_by("name_key", "pk")[:SUGGESTIONS])


def suggest_organisations(text: str) -> list[Organisation]:
    """Up to 20 live organisations whose name or identifier contains `text`."""
    text = " ".join(text.split())
    organisations = Organisation.objects.filter(archived_at__isnull=True)
    if text:
        organisations = organisations.filter(Q(name__icontains=text) | Q(identifier__icontains=text))
    return list(organisations.order_by("name_key", "pk")[:SUGGESTIONS])
