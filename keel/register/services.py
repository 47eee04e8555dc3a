"""Writes to the register. Every one runs in a transaction and writes the audit trail.

Views, the importer, the demo and the CLI call these; none of them saves a register model
directly.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from keel.common.text import name_key
from keel.core.changelog import Actor, diff, record, snapshot
from keel.core.services import ServiceError
from keel.register.models import (
    AgreedProcess,
    KeyPersonChange,
    Organisation,
    Partnership,
    PartnershipMember,
    Person,
    PriorityAlignment,
    Status,
    StrategicPriority,
)

FIELDS = {
    Organisation: ["name", "sector", "type", "identifier", "website"],
    Person: ["name", "email", "organisation", "role", "level"],
    StrategicPriority: ["name", "description"],
    Partnership: [
        "name",
        "purpose",
        "formality",
        "basis",
        "tier",
        "status",
        "start_date",
        "planned_end",
        "end_terms",
        "end_condition_met_on",
        "conflict_process",
        "review_every_months",
        "contact_every_days",
        "lead",
        "coordinator",
        "notes",
    ],
    PartnershipMember: [
        "organisation",
        "role",
        "contact",
        "since",
        "until",
        "eligibility_known",
        "eligibility",
        "success_measures",
        "last_visit",
        "co_located",
    ],
    AgreedProcess: ["title", "kind", "link", "file", "date"],
}

MIN_MEMBERS_MESSAGE = (
    "A partnership needs at least two member organisations unless it is still proposed: "
    "add partners, or set its status to proposed."
)


def _save(actor: Actor, obj, values: dict, kind: str):
    """Create or update `obj` with `values`, recording what changed. Returns (obj, changes)."""
    fields = FIELDS[type(obj)]
    creating = obj.pk is None
    # From the database, not from `obj`: a ModelForm has already set the new values on it.
    before = {} if creating else snapshot(type(obj).objects.get(pk=obj.pk), fields)
    for key, value in values.items():
        if key not in fields:
            raise ServiceError(f"{key} is not a field of {kind}.")
        setattr(obj, key, value)
    _check_unique_name(obj, kind)
    obj.full_clean(exclude=["workspace", "partnership", "organisation", "contact", "lead", "coordinator"])
    obj.save()
    changes = diff(before, snapshot(obj, fields))
    if creating:
        record(actor, f"{kind}.created", obj, changes)
    elif changes:
        record(actor, f"{kind}.changed", obj, changes)
    return obj, changes


def _check_unique_name(obj, kind: str):
    if not hasattr(obj, "name_key") or type(obj) is Person:
        return
    same = type(obj).objects.filter(name_key=name_key(obj.name)).exclude(pk=obj.pk)
    if same.exists():
        raise ServiceError(f"There is already a {kind} called {same.first().name!r} in this workspace.")


@transaction.atomic
def save_organisation(actor: Actor, values: dict, organisation: Organisation | None = None) -> Organisation:
    """Create or change an organisation."""
    return _save(actor, organisation or Organisation(), values, "organisation")[0]


@transaction.atomic
def save_person(actor: Actor, values: dict, person: Person | None = None) -> Person:
    """Create or change a person."""
    return _save(actor, person or Person(), values, "person")[0]


@transaction.atomic
def save_priority(actor: Actor, values: dict, priority: StrategicPriority | None = None) -> StrategicPriority:
    """Create or change a strategic priority."""
    return _save(actor, priority or StrategicPriority(), values, "priority")[0]


@transaction.atomic
def save_partnership(
    actor: Actor,
    values: dict,
    partnership: Partnership | None = None,
    organisations: list[Organisation] | None = None,
) -> Partnership:
    """Create or change a partnership; `organisations`, when given, are added as members."""
    creating = partnership is None or partnership.pk is None
    partnership, _ = _save(actor, partnership or Partnership(), values, "partnership")
    members = (
        set() if creating or not organisations else set(partnership.members.values_list("organisation", flat=True))
    )
    for organisation in organisations or []:
        if organisation.pk not in members:
            _add_member(actor, partnership, {"organisation": organisation})
            members.add(organisation.pk)
    check_members(partnership)
    return partnership


def check_members(partnership: Partnership) -> None:
    if partnership.status != Status.PROPOSED and partnership.members.count() < 2:
        raise ServiceError(MIN_MEMBERS_MESSAGE)


def _check_contact(member: PartnershipMember):
    contact = member.contact
    if contact is not None and contact.organisation_id != member.organisation_id:
        raise ServiceError(
            f"{contact} works at {contact.organisation}, not {member.organisation}: "
            "a single point of contact must be one of the member organisation's own people."
        )


@transaction.atomic
def add_member(actor: Actor, partnership: Partnership, values: dict) -> PartnershipMember:
    """Add an organisation to a partnership."""
    if partnership.members.filter(organisation=values["organisation"]).exists():
        raise ServiceError(f"{values['organisation']} is already a member of this partnership.")
    return _add_member(actor, partnership, values)


def _add_member(actor: Actor, partnership: Partnership, values: dict) -> PartnershipMember:
    organisation = values["organisation"]
    member = PartnershipMember(partnership=partnership, **values)
    _check_contact(member)
    member.full_clean(exclude=["workspace", "partnership", "organisation", "contact"])
    member.save()
    record(
        actor,
        "partnership.member_added",
        partnership,
        diff({}, snapshot(member, FIELDS[PartnershipMember])),
        note=str(organisation),
    )
    return member


@transaction.atomic
def change_member(actor: Actor, member: PartnershipMember, values: dict) -> PartnershipMember:
    """Change a member's role, single point of contact or dates."""
    before = snapshot(PartnershipMember.objects.get(pk=member.pk), FIELDS[PartnershipMember])
    for key, value in values.items():
        setattr(member, key, value)
    _check_contact(member)
    member.full_clean(exclude=["workspace", "partnership", "organisation", "contact"])
    member.save()
    changes = diff(before, snapshot(member, FIELDS[PartnershipMember]))
    if changes:
        action = "partnership.contact_changed" if "contact" in changes else "partnership.member_changed"
        record(actor, action, member.partnership, changes, note=str(member.organisation))
    if "contact" in changes:
        was, now = changes["contact"]
        KeyPersonChange.objects.create(
            partnership=member.partnership,
            organisation=member.organisation,
            before=was or "",
            after=now or "",
            date=timezone.localdate(),
        )
    return member


@transaction.atomic
def remove_member(actor: Actor, member: PartnershipMember) -> None:
    """Take an organisation out of a partnership (refused if that leaves fewer than two)."""
    partnership = member.partnership
    member.delete()
    check_members(partnership)
    record(actor, "partnership.member_removed", partnership, {"organisation": [str(member.organisation), None]})


@transaction.atomic
def set_alignment(actor: Actor, partnership: Partnership, priority: StrategicPriority, score: int | None):
    """Rate how well a partnership serves a priority (0–3); None removes the rating."""
    existing = partnership.alignments.filter(priority=priority).first()
    before = existing.score if existing else None
    if score is None:
        if existing:
            existing.delete()
    else:
        if not 0 <= int(score) <= 3:
            raise ServiceError("Alignment is rated from 0 (not at all) to 3 (strongly).")
        if existing:
            existing.score = int(score)
            existing.save()
        else:
            PriorityAlignment.objects.create(partnership=partnership, priority=priority, score=int(score))
    if before != score:
        record(actor, "partnership.alignment_changed", partnership, {str(priority): [before, score]})


@transaction.atomic
def add_process(actor: Actor, partnership: Partnership, values: dict) -> AgreedProcess:
    """Attach an agreed-process document (a link or an uploaded file)."""
    if not values.get("link") and not values.get("file"):
        raise ServiceError("Give the document a link or upload its file.")
    process = AgreedProcess(partnership=partnership, **values)
    process.full_clean(exclude=["workspace", "partnership"])
    process.save()
    record(
        actor,
        "partnership.process_added",
        partnership,
        diff({}, snapshot(process, FIELDS[AgreedProcess])),
        note=process.title,
    )
    return process


@transaction.atomic
def remove_process(actor: Actor, process: AgreedProcess) -> None:
    partnership = process.partnership
    process.delete()
    record(actor, "partnership.process_removed", partnership, {"title": [process.title, None]})


@transaction.atomic
def archive(actor: Actor, obj, restore: bool = False):
    """Archive (or restore) a register record: hidden from lists, kept with its history."""
    kind = obj._meta.model_name
    if restore:
        obj.archived_at = None
    elif obj.archived_at is None:
        obj.archived_at = timezone.now()
    else:
        return obj
    obj.save(update_fields=["archived_at"])
    record(actor, f"{kind}.{'restored' if restore else 'archived'}", obj)
    return obj
