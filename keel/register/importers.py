"""Importing the register from spreadsheets: organisations, people and partnerships.

Each kind is a column table and a row function; `importing` runs them. A row is matched to
an existing record by name within the workspace, ignoring case and repeated spaces (people by
e-mail first, then by name at their organisation), and a blank cell leaves a value as it is,
so importing the same file twice changes nothing. Every write goes through the register's
services, so the audit trail records the import like any other change.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Set
from functools import cached_property
from typing import Any

from django.db import models

from keel.common.importing import (
    Column,
    ImportContext,
    Kind,
    Row,
    add_kind,
    choice_column,
    email,
    long_text,
    names,
    one_line,
    plain,
    website,
    words,
)
from keel.common.text import describe_months, name_key, read_cadence, read_contact_cadence, read_date
from keel.register import services
from keel.register.models import (
    ALIGNMENT_LABELS,
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

NEW_ALIGNMENT_SCORE = 2  # "well": the file says a partnership serves a priority, not how strongly
LABELS = {
    "organisation": "Organisations",
    "person": "People",
    "partnership": "Partnerships",
    "priority": "Strategic priorities",
    "partner": "Partners",
    "contact": "Single points of contact",
    "alignment": "Priority alignments",
}


LEVEL_SYNONYMS = {
    **words(Level.EXECUTIVE, "exec, director, executive director, chief executive, board member"),
    **words(Level.SENIOR_MANAGER, "senior, senior management, head of service"),
    **words(Level.MANAGER, "middle manager, team manager, team leader"),
    **words(Level.FRONTLINE, "front line, frontline staff, practitioner"),
}
FORMALITY_SYNONYMS = {**words(Formality.FORMAL, "formalised, formalized"), "not formal": Formality.INFORMAL}
BASIS_SYNONYMS = {
    **words(Basis.STATUTORY, "mandatory, statutory duty, legal duty, required by law"),
    **words(Basis.FUNDING_CONDITION, "grant condition, condition of funding, funding requirement, grant"),
    **words(Basis.CONTRACTUAL, "contract, contracted, commissioned"),
    "optional": Basis.VOLUNTARY,
}
TIER_SYNONYMS = words(Tier.RELATIONSHIP, "relationship only, just a relationship")
STATUS_SYNONYMS = {
    **words(Status.PROPOSED, "planned, proposal, draft"),
    **words(Status.ACTIVE, "live, current, ongoing"),
    **words(Status.UNDER_REVIEW, "in review, being reviewed"),
    **words(Status.DISSOLVING, "closing, winding down"),
    **words(Status.ENDED, "closed, dissolved, finished, completed"),
}
# `keel audit --format csv` writes partners as "Org (contact: Jane Smith)" and priorities as
# "Priority (strongly)"; reading those notes lets its file be imported back unchanged.
CONTACT_NOTE = re.compile(r"\s*\((?:contact:\s*(?P<contact>[^()]+)|no contact)\)$", re.IGNORECASE)
SCORE_NOTE = re.compile(r"\s*\((?P<label>not at all|a little|well|strongly)\)$", re.IGNORECASE)
SCORES = {label.lower(): score for score, label in ALIGNMENT_LABELS.items()}


def partners(value) -> list[tuple[str, str]]:
    """'A (contact: Jane Smith); B' → [('A', 'Jane Smith'), ('B', '')]."""
    found: dict[str, tuple[str, str]] = {}
    for item in names(value):
        match = CONTACT_NOTE.search(item)
        name, contact = (item[: match.start()], (match.group("contact") or "").strip()) if match else (item, "")
        found.setdefault(name_key(name), (name, contact))
    return list(found.values())


def priorities(value) -> list[tuple[str, int | None]]:
    """'A (strongly); B' → [('A', 3), ('B', None)]."""
    found: dict[str, tuple[str, int | None]] = {}
    for item in names(value):
        match = SCORE_NOTE.search(item)
        name, score = (item[: match.start()], SCORES[match.group("label").lower()]) if match else (item, None)
        found.setdefault(name_key(name), (name, score))
    return list(found.values())


DATE = "a date: 2025-03-31 or 31/03/2025 (also 31.03.2025, 31 March 2025, or a date cell)"
EXAMPLE_EMAIL = "sam.patel@northshiremind.org.uk"

ORGANISATION_COLUMNS = (
    Column("name", one_line(200), True, ("organisation name", "organization name"), "text", "Northshire Mind"),
    Column("sector", one_line(100), accepts="text, e.g. NHS, local authority, voluntary", example="Voluntary"),
    Column("type", one_line(100), False, ("organisation type", "organization type"), "text", "Charity"),
    Column(
        "identifier",
        one_line(100),
        False,
        ("ods code", "ods", "code", "charity number", "company number", "registration number"),
        "text, e.g. an NHS ODS code, a charity or company number",
        "1089576",
    ),
    Column(
        "website",
        website,
        False,
        ("url", "web site", "web address", "homepage"),
        "a web address; https:// is added when missing",
        "https://www.northshiremind.org.uk",
    ),
)
PERSON_COLUMNS = (
    Column("name", one_line(200), True, ("full name", "person", "person name", "contact name"), "text", "Sam Patel"),
    Column("email", email, False, ("e mail", "email address", "e mail address"), "an e-mail address", EXAMPLE_EMAIL),
    Column(
        "organisation",
        one_line(200),
        True,
        ("organization", "organisation name", "organization name", "employer"),
        "an organisation's name; created when new",
        "Northshire Mind",
    ),
    Column("role", one_line(200), False, ("job title", "title", "position"), "text: the job title", "Services manager"),
    choice_column("level", Level, LEVEL_SYNONYMS, "manager", ("seniority",)),
)
PARTNERSHIP_COLUMNS = (
    Column("name", one_line(200), True, ("partnership", "partnership name"), "text", "Northshire Dementia Pathway"),
    Column("purpose", long_text, False, ("aim", "goal"), "text", "Joined-up support after a dementia diagnosis"),
    Column(
        "partners",
        partners,
        False,
        ("partner organisations", "partner organizations", "members", "member organisations", "organisations"),
        "organisations' names separated by ';', each created when new; a name may be followed by "
        "(contact: a person's e-mail or name) to make them its single point of contact",
        "Northshire Mind; Northshire Community NHS Trust",
    ),
    choice_column("formality", Formality, FORMALITY_SYNONYMS, "formal"),
    choice_column("basis", Basis, BASIS_SYNONYMS, "funding condition"),
    choice_column("tier", Tier, TIER_SYNONYMS, "strategic"),
    choice_column("status", Status, STATUS_SYNONYMS, "active"),
    Column("start date", read_date, False, ("start", "started", "start on"), DATE, "2024-04-01"),
    Column("planned end", read_date, False, ("end date", "planned end date", "end"), DATE, "31/03/2027"),
    Column(
        "review every",
        read_cadence,
        False,
        ("review cadence", "review frequency", "review"),
        "a cadence: 3 months, monthly, quarterly, every 6 months, annually, 2 years (at most 5 years)",
        "quarterly",
    ),
    Column(
        "contact every",
        read_contact_cadence,
        False,
        ("contact cadence", "contact frequency", "contact every days", "contact at least every"),
        "how often the partners should be in contact, in days: 30, 2 weeks, fortnightly, monthly (default 30)",
        "30",
    ),
    Column(
        "lead",
        one_line(254),
        False,
        ("partnership lead", "lead person", "owner"),
        "a person's e-mail or name (import people first)",
        EXAMPLE_EMAIL,
    ),
    Column(
        "contacts",
        names,
        False,
        ("single points of contact", "single point of contact", "points of contact", "spoc", "spocs", "contact"),
        "people's e-mails or names separated by ';': each becomes the single point of contact of their own "
        "organisation, which must be one of the partners (import people first)",
        EXAMPLE_EMAIL,
    ),
    Column(
        "priorities",
        priorities,
        False,
        ("strategic priorities", "priority"),
        "strategic priorities' names separated by ';', each created when new; a name may be followed by "
        "(not at all), (a little), (well) or (strongly): how well a new alignment serves it, well if not said",
        "Reduce avoidable admissions; Support carers",
    ),
    Column("notes", long_text, False, ("note", "comments", "comment"), "text", ""),
)


class RegisterContext(ImportContext):
    """The workspace's register by name, loaded once (a query per map, not per row)."""

    @cached_property
    def organisations(self) -> dict[str, Organisation]:
        return {o.name_key: o for o in Organisation.objects.all()}

    @cached_property
    def people(self) -> list[Person]:
        return list(Person.objects.select_related("organisation"))

    @cached_property
    def people_by_email(self) -> dict[str, list[Person]]:
        found = defaultdict(list)
        for person in self.people:
            if person.email:
                found[person.email.casefold()].append(person)
        return found

    @cached_property
    def people_by_name(self) -> dict[str, list[Person]]:
        found = defaultdict(list)
        for person in self.people:
            found[person.name_key].append(person)
        return found

    @cached_property
    def priorities(self) -> dict[str, StrategicPriority]:
        return {p.name_key: p for p in StrategicPriority.objects.all()}

    @cached_property
    def partnerships(self) -> dict[str, Partnership]:
        return {p.name_key: p for p in Partnership.objects.all()}

    @cached_property
    def members(self) -> dict[int, dict[int, PartnershipMember]]:
        found: dict[int, dict[int, PartnershipMember]] = defaultdict(dict)
        for member in PartnershipMember.objects.select_related("organisation"):
            found[member.partnership_id][member.organisation_id] = member
        return found

    @cached_property
    def alignments(self) -> set[tuple[int, int]]:
        return set(PriorityAlignment.objects.values_list("partnership_id", "priority_id"))

    def organisation(self, name: str) -> Organisation:
        """The organisation called `name`, created when new."""
        organisation = self.organisations.get(name_key(name))
        if organisation is None:
            organisation = services.save_organisation(self.actor, {"name": name})
            self.put(self.organisations, organisation.name_key, organisation)
            self.count("organisation", "created", f"organisation created: {organisation.name}")
        return organisation

    def priority(self, name: str) -> StrategicPriority:
        """The strategic priority called `name`, created when new."""
        priority = self.priorities.get(name_key(name))
        if priority is None:
            priority = services.save_priority(self.actor, {"name": name})
            self.put(self.priorities, priority.name_key, priority)
            self.count("priority", "created", f"strategic priority created: {priority.name}")
        return priority

    def person(self, row: Row, column: str, ref: str, prefer: Set[str] = frozenset()) -> Person | None:
        """The known person `ref` names, by e-mail or by name; else an error on the row."""
        if "@" in ref:
            found = self.people_by_email.get(ref.casefold(), [])
            missing = f"No one with the e-mail {ref} is in the register: import people first, then this file."
        else:
            found = self.people_by_name.get(name_key(ref), [])
            missing = f"{ref!r} is not a known person: import people first, then this file."
        if len(found) > 1:  # people may share a name; one at a partner is the one meant
            found = [p for p in found if p.organisation.name_key in prefer] or found
        if len(found) == 1:
            return found[0]
        if not found:
            row.error(column, missing)
        else:
            where = ", ".join(sorted(p.organisation.name for p in found))
            row.error(column, f"{len(found)} people match {ref!r} (at {where}): give their e-mail instead.")
        return None


def _changes(obj, values: dict) -> dict:
    """The values that differ from what `obj` holds (foreign keys by id, so without a query)."""
    return {
        key: value
        for key, value in values.items()
        if (getattr(obj, f"{key}_id") != value.pk if isinstance(value, models.Model) else getattr(obj, key) != value)
    }


def _describe(obj, changes: dict) -> list[str]:
    """'status: Proposed → Active' for each change."""
    lines = []
    for key, after in changes.items():
        model_field = obj._meta.get_field(key)
        before = getattr(obj, key)
        if model_field.choices:
            labels = dict(model_field.choices)
            before, after = labels.get(before, before), labels.get(after, after)
        elif key == "review_every_months":
            before, after = describe_months(before), describe_months(after)
        before, after = (plain(v) if v not in (None, "") else "(blank)" for v in (before, after))
        lines.append(f"{model_field.verbose_name}: {before} → {after}")
    return lines


def _save(context: RegisterContext, what: str, obj, values: dict, save):
    """Create `obj` (when it has no pk) or change the values that differ; count what happened."""
    context.outcome.name = str(values.get("name") or obj)
    if obj.pk is None:
        context.outcome.action = "created"
        context.count(what, "created")
        return save(context.actor, values)
    changes = _changes(obj, values)
    if not changes:
        context.count(what, "unchanged")
        return obj
    context.outcome.details.extend(_describe(obj, changes))
    context.outcome.action = "changed"
    context.count(what, "changed")
    return save(context.actor, changes, copy.copy(obj))  # a copy: a failed row leaves the map's object as it was


def import_organisation(context: RegisterContext, row: Row):
    if row.errors:
        return
    values = {key: row.data[key] for key in ("name", "sector", "type", "identifier", "website") if key in row.data}
    existing = context.organisations.get(name_key(values["name"]))
    if existing:
        del values["name"]  # matched by name: "northshire mind" does not rename "Northshire Mind"
    organisation = _save(context, "organisation", existing or Organisation(), values, services.save_organisation)
    context.put(context.organisations, organisation.name_key, organisation)


def import_person(context: RegisterContext, row: Row):
    if row.errors:
        return
    data = row.data
    org_key = name_key(data["organisation"])
    found = context.people_by_email.get(data["email"].casefold(), []) if data.get("email") else []
    if not found:
        # Without an e-mail match, a person is the one of that name at that organisation
        # with no other e-mail on record: two people may share a name.
        found = [
            p
            for p in context.people_by_name.get(name_key(data["name"]), [])
            if p.organisation.name_key == org_key and (not data.get("email") or not p.email)
        ]
    if len(found) > 1:
        column = "email" if data.get("email") else "name"
        row.error(column, f"{len(found)} people in the register match this row: give each of them an e-mail first.")
        return
    person = found[0] if found else None
    values: dict[str, Any] = {key: data[key] for key in ("name", "email", "role", "level") if key in data}
    values["organisation"] = context.organisation(data["organisation"])
    if person and name_key(person.name) == name_key(values["name"]):
        del values["name"]
    if person and "email" in values and values["email"].casefold() == person.email.casefold():
        del values["email"]
    saved = _save(context, "person", person or Person(), values, services.save_person)
    if person is None:
        context.append(context.people_by_name[saved.name_key], saved)
        if saved.email:
            context.append(context.people_by_email[saved.email.casefold()], saved)


PARTNERSHIP_FIELDS = {
    "name": "name",
    "purpose": "purpose",
    "formality": "formality",
    "basis": "basis",
    "tier": "tier",
    "status": "status",
    "start date": "start_date",
    "planned end": "planned_end",
    "review every": "review_every_months",
    "contact every": "contact_every_days",
    "notes": "notes",
}


def import_partnership(context: RegisterContext, row: Row):
    data = row.data
    existing = context.partnerships.get(name_key(data["name"])) if "name" in data else None
    members = context.members.get(existing.pk, {}) if existing else {}
    partner_list = data.get("partners", [])
    partner_keys = {name_key(n) for n, _ in partner_list} | {m.organisation.name_key for m in members.values()}
    lead = context.person(row, "lead", data["lead"]) if "lead" in data else None
    refs: list[tuple[str, str, str | None]] = [("contacts", ref, None) for ref in data.get("contacts", [])]
    refs += [("partners", ref, name_key(name)) for name, ref in partner_list if ref]
    contacts = _check_contacts(context, row, refs, partner_keys)
    _check_partnership(row, existing, partner_keys)
    if row.errors:
        return
    values = {attr: data[column] for column, attr in PARTNERSHIP_FIELDS.items() if column in data}
    if lead:
        values["lead"] = lead
    if existing:
        del values["name"]
    partners = [context.organisation(name) for name, _ in partner_list]
    new_partners = [o for o in partners if o.pk not in members]

    def save(actor, values, partnership=None):
        return services.save_partnership(actor, values, partnership, organisations=new_partners)

    partnership = _save(context, "partnership", existing or Partnership(), values, save)
    if new_partners and partnership is existing:  # only partners to add: its fields are unchanged
        partnership = save(context.actor, {}, copy.copy(existing))
    if partnership is not existing:
        context.put(context.partnerships, partnership.name_key, partnership)
    if new_partners:
        members = {m.organisation_id: m for m in partnership.members.select_related("organisation")}
        context.put(context.members, partnership.pk, members)
        for organisation in new_partners:
            context.count("partner", "added", f"partner added: {organisation.name}")
    _apply_contacts(context, partnership, contacts)
    _apply_priorities(context, partnership, data.get("priorities", []))
    counts = context.outcome.counts
    if context.outcome.action == "unchanged" and any(record != "partnership" for record, _ in counts):
        # Its own fields are as they were, but its partners, contacts or priorities changed.
        context.outcome.action = "changed"
        context.outcome.counts = [("partnership", "changed") if r == "partnership" else (r, a) for r, a in counts]


def _check_partnership(row: Row, existing: Partnership | None, partner_keys: set[str]):
    """What the service would refuse, said against the row's columns."""
    data = row.data
    status = data.get("status") or (existing.status if existing else Status.PROPOSED)
    unread = {error.column for error in row.errors}
    if status != Status.PROPOSED and len(partner_keys) < 2 and not unread & {"name", "partners", "status"}:
        row.error(
            "partners",
            f"A partnership that is {Status(status).label.lower()} needs at least two partner organisations "
            f"(this one has {len(partner_keys)}): list them in partners, separated by ';', "
            "or set its status to proposed.",
        )
    start = data.get("start date") or (existing.start_date if existing else None)
    if data.get("planned end") and start and data["planned end"] < start:
        end = data["planned end"]
        row.error("planned end", f"The planned end, {end:%d/%m/%Y}, is before the start, {start:%d/%m/%Y}.")


def _check_contacts(context: RegisterContext, row: Row, refs: list[tuple], partner_keys: set[str]) -> list[Person]:
    """The people named as single points of contact: each at a partner, one per organisation.

    `refs` are (column, e-mail or name, the key of the partner they are named for, if any).
    """
    contacts: list[Person] = []
    by_organisation: dict[int, Person] = {}
    for column, ref, partner in refs:
        person = context.person(row, column, ref, prefer={partner} if partner else partner_keys)
        if person is None or by_organisation.get(person.organisation_id) == person:
            continue
        organisation = person.organisation
        if partner and organisation.name_key != partner:
            row.error(column, f"{person.name} works at {organisation.name}: they cannot be another partner's contact.")
        elif organisation.name_key not in partner_keys:
            row.error(
                column,
                f"{person.name} works at {organisation.name}, which is not one of this partnership's partners: "
                f"add {organisation.name} to partners, or name someone at a partner.",
            )
        elif organisation.pk in by_organisation:
            row.error(
                column,
                f"{by_organisation[organisation.pk].name} and {person.name} both work at {organisation.name}: "
                "an organisation has one single point of contact in a partnership.",
            )
        else:
            by_organisation[organisation.pk] = person
            contacts.append(person)
    return contacts


def _apply_contacts(context: RegisterContext, partnership: Partnership, contacts: list[Person]):
    members = context.members.get(partnership.pk, {})
    for person in contacts:
        member = members[person.organisation_id]
        if member.contact_id != person.pk:
            changed = services.change_member(context.actor, copy.copy(member), {"contact": person})
            context.put(members, person.organisation_id, changed)
            context.count("contact", "set", f"single point of contact for {person.organisation.name}: {person.name}")


def _apply_priorities(context: RegisterContext, partnership: Partnership, named: list[tuple[str, int | None]]):
    """Align the partnership with each priority named; an existing alignment keeps its score."""
    for name, score in named:
        priority = context.priority(name)
        if (partnership.pk, priority.pk) not in context.alignments:
            score = NEW_ALIGNMENT_SCORE if score is None else score
            services.set_alignment(context.actor, partnership, priority, score)
            context.include(context.alignments, (partnership.pk, priority.pk))
            label = ALIGNMENT_LABELS[score].lower()
            context.count("alignment", "added", f"serves strategic priority {priority.name} ({label})")


def _by_name(data: dict):
    return ("name", name_key(data["name"]), data["name"]) if data.get("name") else None


def _person_identity(data: dict):
    if data.get("email"):
        return ("email", data["email"].casefold(), data["email"])
    if data.get("name") and data.get("organisation"):
        key = (name_key(data["name"]), name_key(data["organisation"]))
        return ("name", key, f"{data['name']} at {data['organisation']}")
    return None


def _kind(name, record, columns, import_row, identity, aliases) -> Kind:
    return Kind(name, record, columns, import_row, identity, RegisterContext, LABELS, aliases)


for kind in (
    _kind(
        "organisations",
        "organisation",
        ORGANISATION_COLUMNS,
        import_organisation,
        _by_name,
        ("organisation", "organization", "organizations", "orgs"),
    ),
    _kind("people", "person", PERSON_COLUMNS, import_person, _person_identity, ("person", "persons")),
    _kind("partnerships", "partnership", PARTNERSHIP_COLUMNS, import_partnership, _by_name, ("partnership",)),
):
    add_kind(kind)
