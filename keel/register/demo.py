"""The demo workspace: a believable, reproducible integrated-care network in fictional Northshire.

`build_demo("small")` writes about 40 organisations, 150 people and 60 partnerships through
the register's services, so every record has its change history like one typed in by hand.
`build_demo("large")` writes about 2,000 organisations, 20,000 people and 5,000 partnerships
for benchmarks; one record at a time through the services would take many minutes, so it
bulk-inserts inside one transaction and writes a single summary change record
(`workspace.demo_loaded`, with the counts) instead of one per record.

The data is planned first as plain dicts from `random.Random(seed)`, then written, so the
same seed gives the same data. Dates are counted in months from a reference date, by
default the first day of the current month: an "active" partnership then always looks
current, and the data is identical for a given seed within a month. Pass `reference_date`
to pin it completely. Every name is fictional; web and e-mail addresses are under
example.org, which is reserved for examples.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.utils.text import slugify

from keel.core.audit import Actor
from keel.core.models import ChangeRecord, Workspace
from keel.core.services import create_workspace
from keel.core.tenancy import workspace_scope
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
    ProcessKind,
    Status,
    StrategicPriority,
    Tier,
)
from keel.register.text import name_key

SIZES = {
    "small": {"organisations": 40, "people": 150, "partnerships": 60},
    "large": {"organisations": 2000, "people": 20000, "partnerships": 5000},
}
DEFAULT_NAMES = {"small": "Northshire Integrated Care Partnership (demo)", "large": "Large demo"}
ACTOR = Actor(via="demo")
BATCH = 1000

# Progress reports: progress(rows_just_written, total_rows, what).
Progress = Callable[[int, int, str], None]

# kind: (sector, type, identifier pattern). Patterns: R=letter, 9=digit, other characters kept.
KINDS = {
    "acute": ("NHS trust", "Acute trust", "RR9"),
    "community": ("NHS trust", "Community trust", "RR9"),
    "mental_health": ("NHS trust", "Mental health trust", "RR9"),
    "ambulance": ("Ambulance", "Ambulance trust", "RR9"),
    "icb": ("NHS commissioner", "Integrated care board", "QR9"),
    "gp": ("Primary care", "GP practice", "N99999"),
    "pcn": ("Primary care", "Primary care network", "U99999"),
    "gp_federation": ("Primary care", "GP federation", "Y99999"),
    "adult_care": ("Local authority", "Adult social care", "E10000999"),
    "children": ("Local authority", "Children's services", "E10000999"),
    "public_health": ("Local authority", "Public health", "E10000999"),
    "district": ("Local authority", "District council", "E07000999"),
    "mind": ("Voluntary and community", "Mental health charity", "11999999"),
    "age": ("Voluntary and community", "Older people's charity", "11999999"),
    "carers": ("Voluntary and community", "Carers' organisation", "11999999"),
    "foodbank": ("Voluntary and community", "Foodbank", "11999999"),
    "hospice": ("Voluntary and community", "Hospice", "11999999"),
    "advice": ("Voluntary and community", "Advice service", "11999999"),
    "cvs": ("Voluntary and community", "Infrastructure body", "11999999"),
    "healthwatch": ("Voluntary and community", "Healthwatch", "09999999"),
    "recovery": ("Voluntary and community", "Drug and alcohol service", "11999999"),
    "transport": ("Voluntary and community", "Community transport", "11999999"),
    "domestic_abuse": ("Voluntary and community", "Domestic abuse service", "11999999"),
    "youth": ("Voluntary and community", "Youth charity", "11999999"),
    "housing": ("Housing", "Housing association", "L9999"),
    "hostel": ("Housing", "Supported housing", "L9999"),
    "police": ("Police", "Police force", ""),
    "pcc": ("Police", "Police and crime commissioner", ""),
    "fire": ("Fire and rescue", "Fire and rescue service", ""),
    "college": ("Education", "Further education college", "1000999"),
}

# The network itself: (kind, name, place or "", e-mail domain before ".example.org").
NETWORK_ORGANISATIONS = [
    ("acute", "Northshire Teaching Hospitals NHS Foundation Trust", "", "northshire-hospitals.nhs"),
    ("acute", "Kingsport and District Hospitals NHS Trust", "Kingsport", "kingsport-hospitals.nhs"),
    ("community", "Northshire Community Health NHS Trust", "", "northshire-community.nhs"),
    ("mental_health", "Northshire and Wyvern Mental Health NHS Foundation Trust", "", "nwmh.nhs"),
    ("ambulance", "Northshire Ambulance Service NHS Trust", "", "northshire-ambulance.nhs"),
    ("icb", "NHS Northshire Integrated Care Board", "", "northshire-icb.nhs"),
    ("gp", "Riverside Medical Practice", "Kingsport", "riverside-mp.nhs"),
    ("gp", "Castle Street Surgery", "Kingsport", "castlestreet-surgery.nhs"),
    ("gp", "Millbrook Health Centre", "Millbrook", "millbrook-hc.nhs"),
    ("gp", "Harbour View Medical Centre", "Harbourside", "harbourview-mc.nhs"),
    ("gp", "Oakfield Surgery", "Wyvern Valley", "oakfield-surgery.nhs"),
    ("gp", "The Willows Family Practice", "Millbrook", "willows-fp.nhs"),
    ("gp", "Station Road Surgery", "Harbourside", "stationroad-surgery.nhs"),
    ("gp", "Kingsmead Medical Group", "Wyvern Valley", "kingsmead-mg.nhs"),
    ("pcn", "Northshire Central PCN", "Kingsport", "central-pcn.nhs"),
    ("pcn", "Kingsport Coastal PCN", "Harbourside", "coastal-pcn.nhs"),
    ("pcn", "Millbrook and Wyvern Valley PCN", "Millbrook", "mwv-pcn.nhs"),
    ("gp_federation", "Northshire GP Federation", "", "northshire-gpfed.nhs"),
    ("adult_care", "Northshire County Council Adult Social Care", "", "northshire-cc.gov"),
    ("children", "Northshire County Council Children's Services", "", "northshire-cc.gov"),
    ("public_health", "Northshire County Council Public Health", "", "northshire-cc.gov"),
    ("district", "Kingsport City Council Housing Options", "Kingsport", "kingsport-city.gov"),
    ("district", "Wyvern Valley District Council", "Wyvern Valley", "wyvernvalley-dc.gov"),
    ("mind", "Northshire Mind", "", "northshire-mind"),
    ("age", "Age UK Northshire", "", "ageuk-northshire"),
    ("carers", "Northshire Carers Centre", "", "northshire-carers"),
    ("foodbank", "Kingsport Foodbank", "Kingsport", "kingsport-foodbank"),
    ("hospice", "St Aidan's Hospice", "", "staidans-hospice"),
    ("advice", "Citizens Advice Northshire", "", "ca-northshire"),
    ("cvs", "Northshire Council for Voluntary Service", "", "northshire-cvs"),
    ("healthwatch", "Healthwatch Northshire", "", "healthwatch-northshire"),
    ("recovery", "Northshire Recovery Partnership", "", "northshire-recovery"),
    ("transport", "Wyvern Valley Community Transport", "Wyvern Valley", "wv-transport"),
    ("domestic_abuse", "Northshire Women's Aid", "", "northshire-womensaid"),
    ("youth", "Harbourside Youth Project", "Harbourside", "harbourside-youth"),
    ("housing", "Northshire Housing Association", "", "northshire-housing"),
    ("housing", "Kingsport Homes", "Kingsport", "kingsport-homes"),
    ("hostel", "Harbour House Hostels", "Harbourside", "harbourhouse"),
    ("police", "Northshire Constabulary", "", "northshire.police"),
    ("pcc", "Office of the Northshire Police and Crime Commissioner", "", "northshire-pcc"),
    ("fire", "Northshire Fire and Rescue Service", "", "northshire-fire"),
    ("college", "Northshire College", "", "northshire-college.ac"),
]
SMALL_PLACES = ["Kingsport", "Millbrook", "Harbourside", "Wyvern Valley"]

# For the large demo: more places, and local organisations in them.
PLACE_STARTS = (
    "Ash Bar Beck Black Bram Brook Burn Castle Chester Clay Cold Crow Elm Fair Fern Glen Green Hart Hazel High "
    "Holm Kings Lang Lark Marsh Mill Moor Nether Oak Pen Red Rye Salt Shaw Stan Stone Thorn Wal West Whit Wick"
).split()
PLACE_ENDS = "bury by combe dale field ford gate ham holme hurst ley mouth stead thorpe ton well wick worth".split()
LOCAL_ORGANISATIONS = [
    ("gp", "{place} Medical Practice"),
    ("gp", "{place} Surgery"),
    ("gp", "{place} Health Centre"),
    ("gp", "{place} Family Practice"),
    ("pcn", "{place} PCN"),
    ("community", "{place} Community Hospital"),
    ("district", "{place} Town Council"),
    ("foodbank", "{place} Foodbank"),
    ("carers", "{place} Carers Group"),
    ("age", "Age Concern {place}"),
    ("mind", "{place} Wellbeing Hub"),
    ("advice", "{place} Advice Centre"),
    ("cvs", "{place} Community Association"),
    ("transport", "{place} Community Transport"),
    ("youth", "{place} Youth Project"),
    ("hospice", "{place} Hospice at Home"),
    ("housing", "{place} Community Housing"),
    ("police", "{place} Neighbourhood Policing Team"),
    ("fire", "{place} Fire Station"),
]

FIRST_NAMES = (
    "Aisha Alan Amelia Amir Angela Anita Ben Bethan Carol Chloe Chris Claire Daniel David Deborah Dylan Eleanor "
    "Emma Fatima Fiona Gareth Grace Hannah Harpreet Helen Ian Imran Isla James Jasmine Joanne John Karen Kwame "
    "Laura Leanne Liam Lucy Mark Martin Megan Michael Mohammed Naomi Nia Oliver Olivia Paul Priya Rachel Rhys "
    "Richard Ruth Sam Sarah Sean Sophie Stephen Tariq Tom Zainab"
).split()
SURNAMES = (
    "Adams Ahmed Ali Armstrong Bailey Baker Begum Bennett Brown Campbell Carter Chapman Clarke Cooper Davies "
    "Edwards Evans Fletcher Foster Gray Green Hall Harris Hughes Hussain Jackson James Jones Kaur Kelly Khan King "
    "Lewis Lloyd Marshall Martin Mensah Mitchell Morgan Murphy Nowak Okafor Owen Parker Patel Phillips Price "
    "Reid Richards Roberts Robinson Shah Singh Smith Taylor Thomas Thompson Turner Walker Ward Watson White "
    "Williams Wilson Wood Wright Young"
).split()

# Job titles by sector and level (executive | senior manager | manager | frontline), comma separated.
JOB_TITLES = {
    "NHS trust": (
        "Chief Executive, Chief Operating Officer, Director of Nursing, Director of Strategy and Partnerships",
        "Head of Integrated Discharge, Associate Director of Operations, Head of Patient Flow",
        "Discharge Team Manager, Ward Manager, Service Manager",
        "Discharge Coordinator, Community Nurse, Occupational Therapist, Staff Nurse",
    ),
    "Ambulance": (
        "Chief Executive, Director of Operations",
        "Head of Clinical Operations, Locality Director",
        "Clinical Team Leader, Falls Service Manager",
        "Paramedic, Emergency Care Assistant, Clinical Navigator",
    ),
    "NHS commissioner": (
        "Chief Executive, Director of Place, Chief Medical Officer",
        "Head of Commissioning, Associate Director of Population Health",
        "Commissioning Manager, Programme Manager",
        "Project Officer, Quality Officer",
    ),
    "Primary care": (
        "GP Partner, Clinical Director, Managing Partner",
        "Operations Director, Lead Nurse Practitioner",
        "Practice Manager, PCN Manager",
        "Social Prescribing Link Worker, Care Coordinator, Health and Wellbeing Coach, Practice Nurse",
    ),
    "Local authority": (
        "Director of Adult Social Services, Director of Children's Services, Director of Public Health",
        "Head of Commissioning, Assistant Director of Housing, Principal Social Worker",
        "Team Manager, Housing Options Manager, Public Health Programme Manager",
        "Social Worker, Housing Officer, Reablement Worker, Family Support Worker",
    ),
    "Voluntary and community": (
        "Chief Executive, Chief Officer, Chair of Trustees",
        "Head of Services, Director of Operations, Partnerships Lead",
        "Service Manager, Volunteer Manager, Project Manager",
        "Support Worker, Advice Worker, Volunteer Coordinator, Peer Support Worker",
    ),
    "Housing": (
        "Chief Executive, Director of Housing",
        "Head of Supported Housing, Head of Tenancy Services",
        "Housing Manager, Hostel Manager",
        "Tenancy Support Officer, Resettlement Worker",
    ),
    "Police": (
        "Assistant Chief Constable, Chief Superintendent",
        "Superintendent, Head of Safeguarding",
        "Inspector, Partnership Manager",
        "Sergeant, Police Constable, PCSO",
    ),
    "Fire and rescue": (
        "Chief Fire Officer, Deputy Chief Fire Officer",
        "Head of Prevention, Group Manager",
        "Station Manager, Community Safety Manager",
        "Safe and Well Adviser, Firefighter",
    ),
    "Education": (
        "Principal, Vice Principal",
        "Head of Student Services",
        "Safeguarding Manager",
        "Student Wellbeing Adviser",
    ),
}
LEVELS = [Level.EXECUTIVE, Level.SENIOR_MANAGER, Level.MANAGER, Level.FRONTLINE]
LEVEL_WEIGHTS = [1, 2, 3, 4]

PRIORITIES = [
    ("inequalities", "Reduce health inequalities", "Close the gap in healthy life expectancy between neighbourhoods."),
    ("prevention", "Prevention and healthy lives", "Help people stay well: smoking, weight, activity, loneliness."),
    ("independence", "Independence at home", "People live at home, safely and independently, for as long as they can."),
    ("urgent_care", "Timely urgent care and discharge", "No one waits in hospital once they are well enough to leave."),
    ("mental_health", "Mental health and wellbeing", "Early help, crisis support and recovery close to home."),
    ("children", "Best start in life", "Children and young people are safe, healthy and ready for school."),
    ("homes", "Safe, warm and secure homes", "Nobody is discharged to the street; homes are warm and safe."),
]

# Partnerships: name, purpose, tier, basis, formality, member kinds (lead first), priorities served,
# statuses it may have ("" = any). Network ones exist once; local ones once per place ("{place}").
S, O, R = Tier.STRATEGIC, Tier.OPERATIONAL, Tier.RELATIONSHIP
V, F, ST, C = Basis.VOLUNTARY, Basis.FUNDING_CONDITION, Basis.STATUTORY, Basis.CONTRACTUAL
FO, IN = Formality.FORMAL, Formality.INFORMAL
NETWORK_PARTNERSHIPS = [
    ("Northshire Health and Wellbeing Board", "Statutory board setting the joint local health and wellbeing strategy.",
     S, ST, FO, "adult_care children public_health icb healthwatch acute police", "inequalities prevention", "active"),
    ("Northshire Safeguarding Children Partnership", "The three safeguarding partners' arrangements for children.",
     S, ST, FO, "children icb police college youth", "children", "active"),
    ("Northshire Safeguarding Adults Board", "Statutory board assuring that adults at risk are safeguarded.",
     S, ST, FO, "adult_care icb police acute mental_health housing", "independence", "active under_review"),
    ("Northshire Better Care Fund", "Pooled budget for integrated health and care: a condition of NHS funding.",
     S, F, FO, "adult_care icb district community", "independence urgent_care", "active"),
    ("Northshire Integrated Care Partnership", "Statutory joint committee of the ICB and the county council.",
     S, ST, FO, "icb adult_care public_health cvs healthwatch", "inequalities", "active"),
    ("Northshire Community Safety Partnership", "Reduce crime, disorder and reoffending across the county.",
     S, ST, FO, "police district fire pcc recovery domestic_abuse", "homes", "active under_review"),
    ("Northshire Mental Health Crisis Alliance", "Round-the-clock crisis support without police cells or A&E.",
     S, V, FO, "mental_health ambulance police mind acute", "mental_health urgent_care", "active under_review"),
    ("Northshire Urgent and Emergency Care Board", "Flow through urgent care, from 111 calls to discharge.",
     S, V, FO, "acute ambulance community icb gp_federation", "urgent_care", "active"),
    ("Northshire VCSE Alliance", "The voice of voluntary and community groups in the care system.",
     S, V, IN, "cvs mind age carers foodbank hospice icb", "inequalities prevention", "active proposed"),
    ("Northshire Combating Drugs Partnership", "Local delivery of the national drug strategy: a grant condition.",
     S, F, FO, "public_health recovery police mental_health pcc", "prevention", "active"),
    ("Northshire Integrated Community Equipment Service", "Joint contract for equipment that keeps people at home.",
     O, C, FO, "adult_care community icb", "independence", "active under_review dissolving"),
    ("Northshire Homes for Health Pilot", "Housing workers on the wards, funded for two years.",
     O, F, FO, "acute housing hostel district", "homes", "ended dissolving"),
]
LOCAL_PARTNERSHIPS = [
    ("{place} Frailty Multidisciplinary Team", "Weekly MDT for older people at risk of a hospital admission.",
     O, V, FO, "pcn community adult_care age mental_health", "independence urgent_care", ""),
    ("{place} Hospital Discharge Partnership", "Home on the day people are medically fit, with care in place.",
     O, F, FO, "acute community adult_care age carers transport", "urgent_care independence", ""),
    ("{place} Social Prescribing Network", "Link workers connect patients with community support.",
     O, C, FO, "pcn cvs mind age foodbank carers advice", "prevention inequalities", ""),
    ("{place} Homelessness Hospital In-reach", "Nobody leaves hospital to the street: housing workers on the wards.",
     O, F, FO, "acute district hostel mental_health recovery", "homes urgent_care", ""),
    ("{place} Children and Young People's Mental Health Partnership", "Early help in schools and the community.",
     O, V, FO, "mental_health children youth college mind", "children mental_health", ""),
    ("{place} Carers Support Partnership", "Carers identified, assessed and given breaks.",
     O, C, FO, "adult_care carers pcn age", "independence", ""),
    ("{place} Food Poverty Network", "Foodbanks, advice and housing providers sharing referrals.",
     R, V, IN, "foodbank advice housing cvs", "inequalities", ""),
    ("{place} Falls Prevention Pathway", "Fallers picked up by a response team instead of an ambulance to A&E.",
     O, V, FO, "ambulance community fire age pcn", "independence urgent_care", ""),
    ("{place} Warm Homes Referral Link", "Fire service safe and well visits refer cold homes for help.",
     R, V, IN, "fire age housing advice", "homes prevention", ""),
    ("{place} Domestic Abuse Health Advocacy", "Independent advocates in the emergency department and surgeries.",
     O, C, FO, "domestic_abuse acute police pcn", "homes mental_health", ""),
    ("{place} End of Life Care Network", "People die where they choose, with their carers supported.",
     O, V, IN, "hospice pcn community acute carers", "independence", ""),
    ("{place} Community Mental Health Hub", "Mental health, primary care and voluntary support under one roof.",
     O, C, FO, "mental_health pcn mind recovery housing", "mental_health", ""),
    ("{place} Neighbourhood Health Team", "Joined-up neighbourhood care around the local population.",
     S, V, FO, "pcn community adult_care mental_health cvs", "inequalities independence", ""),
    ("{place} High Intensity Users Service", "Coaching for people who call 999 or attend A&E most often.",
     O, C, FO, "acute ambulance mind pcn", "urgent_care mental_health", ""),
    ("{place} Volunteer Patient Transport Scheme", "Volunteer drivers for outpatient appointments.",
     R, V, IN, "transport acute pcn", "inequalities", ""),
    ("{place} Healthy Schools Programme", "Healthy eating, activity and wellbeing in local schools.",
     O, F, FO, "public_health children youth", "children prevention", ""),
    ("{place} Dementia Friendly Community", "Shops, services and neighbours who understand dementia.",
     R, V, IN, "age pcn adult_care police", "independence", ""),
    ("{place} Street Triage Scheme", "Mental health nurses alongside police officers on call-outs.",
     O, C, FO, "police mental_health ambulance", "mental_health", ""),
    ("{place} Welfare Advice in GP Surgeries", "Debt and benefits advice in the surgery waiting room.",
     O, F, FO, "advice pcn gp", "inequalities", ""),
]
STATUS_WEIGHTS = {
    Status.PROPOSED: 2,
    Status.ACTIVE: 10,
    Status.UNDER_REVIEW: 3,
    Status.DISSOLVING: 1,
    Status.ENDED: 2,
}
REVIEW_MONTHS = {S: [6, 12, 12, None], O: [3, 3, 6, 12, None], R: [12, 24, None, None]}
MEMBER_ROLES = ["member", "member", "delivery partner", "provider", "referrer", "commissioner", "host"]
PROCESS_TITLES = {
    ProcessKind.TERMS_OF_REFERENCE: "Terms of reference",
    ProcessKind.DATA_SHARING: "Data sharing agreement",
    ProcessKind.REFERRAL_PATHWAY: "Referral pathway",
    ProcessKind.CONFLICT_RESOLUTION: "Conflict resolution process",
}


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
    """Create a new demo workspace of `size` ("small" or "large") and return it."""
    if size not in SIZES:
        raise ValueError(f"Unknown demo size {size!r}: choose small or large.")
    reference = reference_date or dt.date.today().replace(day=1)
    plan = plan_demo(size, seed, reference)
    with transaction.atomic():
        workspace = create_workspace(name or DEFAULT_NAMES[size])
        with workspace_scope(workspace):
            counts = (_write_with_services if size == "small" else _write_in_bulk)(plan, progress or _quiet)
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
    return workspace


def _quiet(done: int, total: int, what: str) -> None:
    pass


# ---------------------------------------------------------------- planning (plain data only)


def plan_demo(size: str, seed: int, reference: dt.date) -> dict:
    """The demo's records as plain dicts that refer to each other by list index."""
    rng = random.Random(seed)
    target = SIZES[size]
    organisations = _plan_organisations(rng, target["organisations"], size)
    people = _plan_people(rng, organisations, target["people"])
    keys = [key for key, _, _ in PRIORITIES]
    chosen = sorted(rng.sample(range(len(PRIORITIES)), rng.randint(5, 7)))
    priorities = [{"key": keys[i], "name": PRIORITIES[i][1], "description": PRIORITIES[i][2]} for i in chosen]
    places = sorted({o["place"] for o in organisations if o["place"]}) if size == "large" else SMALL_PLACES
    partnerships = _plan_partnerships(rng, target["partnerships"], places, organisations, people, priorities, reference)
    return {"organisations": organisations, "people": people, "priorities": priorities, "partnerships": partnerships}


def _identifier(rng: random.Random, pattern: str) -> str:
    letters = "ABCDEFGHJKLMNPQRSTVWXY"
    return "".join(
        rng.choice(letters) if c == "R" else str(rng.randrange(10)) if c == "9" else c for c in pattern
    )


def _organisation(rng, kind: str, name: str, place: str, domain: str) -> dict:
    sector, type_, pattern = KINDS[kind]
    domain = f"{domain}.example.org"
    return {
        "kind": kind,
        "place": place,
        "domain": domain,
        "values": {
            "name": name,
            "sector": sector,
            "type": type_,
            "identifier": _identifier(rng, pattern) if pattern else "",
            "website": f"https://www.{domain}/",
        },
    }


def _plan_organisations(rng: random.Random, count: int, size: str) -> list[dict]:
    organisations = [_organisation(rng, *row) for row in NETWORK_ORGANISATIONS]
    if size == "small":
        return organisations
    places = [start + end for start in PLACE_STARTS for end in PLACE_ENDS]
    combos = [(place, kind, pattern) for place in places for kind, pattern in LOCAL_ORGANISATIONS]
    for place, kind, pattern in rng.sample(combos, count - len(organisations)):
        name = pattern.format(place=place)
        organisations.append(_organisation(rng, kind, name, place, slugify(name)))
    return organisations


def _plan_people(rng: random.Random, organisations: list[dict], count: int) -> list[dict]:
    # Every organisation has an executive and one more; the rest go mostly to the big ones.
    per_org = [2] * len(organisations)
    weights = [4 if o["values"]["sector"] in {"NHS trust", "Local authority", "Police"} else 1 for o in organisations]
    for index in rng.choices(range(len(organisations)), weights, k=max(0, count - sum(per_org))):
        per_org[index] += 1
    people, emails = [], set()
    for index, (organisation, n) in enumerate(zip(organisations, per_org, strict=True)):
        titles = JOB_TITLES[organisation["values"]["sector"]]
        for i in range(n):
            level = LEVELS[0] if i == 0 else rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            local, n_same = f"{first}.{last}".lower(), 1
            while f"{local}@{organisation['domain']}" in emails:
                n_same += 1
                local = f"{first}.{last}{n_same}".lower()
            email = f"{local}@{organisation['domain']}"
            emails.add(email)
            role = rng.choice(titles[LEVELS.index(level)].split(", "))
            people.append({"organisation": index, "name": f"{first} {last}", "email": email, "role": role, "level": level})
    return people


def _plan_partnerships(rng, count, places, organisations, people, priorities, reference) -> list[dict]:
    by_kind, by_kind_place = defaultdict(list), defaultdict(list)
    for index, organisation in enumerate(organisations):
        by_kind[organisation["kind"]].append(index)
        by_kind_place[organisation["kind"], organisation["place"]].append(index)
    people_of = defaultdict(list)
    for index, person in enumerate(people):
        people_of[person["organisation"]].append(index)
    priority_of = {p["key"]: i for i, p in enumerate(priorities)}

    rows = [(row, "") for row in NETWORK_PARTNERSHIPS]
    # Every local kind at least once, then a random choice of the other (kind, place) pairs.
    firsts = [(row, rng.choice(places)) for row in LOCAL_PARTNERSHIPS]
    others = [(row, place) for row in LOCAL_PARTNERSHIPS for place in places if (row, place) not in firsts]
    rows += firsts + rng.sample(others, count - len(rows) - len(firsts))
    # Every status at least twice among the local ones; the rest by weight.
    local = len(rows) - len(NETWORK_PARTNERSHIPS)
    statuses = list(Status) * 2
    statuses += rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), k=local - len(statuses))
    rng.shuffle(statuses)
    statuses = [None] * len(NETWORK_PARTNERSHIPS) + statuses

    plans = []
    for (row, place), status in zip(rows, statuses, strict=True):
        name, purpose, tier, basis, formality, kinds, serves, allowed = row
        status = status or rng.choice(allowed.split())
        picked = []
        for kind in kinds.split():
            pool = by_kind_place.get((kind, place)) or by_kind.get(kind) or []
            choices = [i for i in pool if i not in picked]
            if choices:
                picked.append(rng.choice(choices))
        plan = _dates(rng, status, tier, basis, reference)
        plan["values"].update(
            name=name.format(place=place),
            purpose=purpose,
            tier=tier,
            basis=basis,
            formality=formality,
            status=status,
            review_every_months=rng.choice(REVIEW_MONTHS[tier]),
        )
        if len(picked) < 2:
            raise ValueError(f"The demo has too few organisations of the kinds {kinds!r}.")
        n_members = rng.randint(0, 1) if status == Status.PROPOSED else rng.randint(2, len(picked))
        plan["members"] = [
            _member(rng, organisation, i, people_of, plan, status) for i, organisation in enumerate(picked[:n_members])
        ]
        levels = {S: [Level.EXECUTIVE, Level.SENIOR_MANAGER]}.get(tier, [Level.SENIOR_MANAGER, Level.MANAGER])
        plan["lead"] = None if rng.random() < 0.08 else _person(rng, people_of[picked[0]], people, levels)
        plan["coordinator"] = None
        if tier != R and rng.random() < 0.15 and by_kind["cvs"]:
            plan["coordinator"] = _person(rng, people_of[by_kind["cvs"][0]], people, [Level.SENIOR_MANAGER])
        served = [priority_of[key] for key in serves.split() if key in priority_of]
        alignments = {i: rng.randint(2, 3) for i in served}
        for i in rng.sample(range(len(priorities)), rng.randint(0, 2)):
            alignments.setdefault(i, rng.randint(0, 1))
        plan["alignments"] = sorted(alignments.items())
        plan["processes"] = _processes(rng, plan["values"], formality, status)
        plans.append(plan)
    return plans


def _person(rng, candidates: list[int], people: list[dict], levels: list[str]) -> int | None:
    preferred = [i for i in candidates if people[i]["level"] in levels]
    return rng.choice(preferred or candidates) if candidates else None


def _dates(rng, status: str, tier: str, basis: str, ref: dt.date) -> dict:
    """Start, planned end and end terms that make sense for the status, in months around `ref`."""
    start = end = None
    terms = ""
    if status == Status.PROPOSED:
        start = add_months(ref, rng.randint(1, 6)) if rng.random() < 0.7 else None
        end = add_months(start, rng.choice([24, 36])) if start and rng.random() < 0.5 else None
    elif status in (Status.ACTIVE, Status.UNDER_REVIEW):
        start = add_months(ref, -rng.randint(3, 72))
        if basis != ST and rng.random() < 0.55:
            end = add_months(ref, rng.randint(-2 if status == Status.UNDER_REVIEW else 3, 30))
    elif status == Status.DISSOLVING:
        start = add_months(ref, -rng.randint(18, 84))
        end = add_months(ref, rng.randint(1, 4))
    else:
        end = add_months(ref, -rng.randint(1, 24))
        start = add_months(end, -rng.randint(12, 60))
    if basis == ST:
        terms = "Statutory: continues for as long as the duty applies; membership reviewed annually."
    elif end and rng.random() < 0.8:
        terms = rng.choice(
            [
                f"Ends on {end:%d %B %Y} when the funding period closes; open referrals handed over first.",
                f"Fixed term to {end:%B %Y}; a decision to extend is taken at the review six months before.",
                "Ends when its purpose is met; any partner may leave with three months' notice.",
            ]
        )
    elif status in (Status.ACTIVE, Status.UNDER_REVIEW) and rng.random() < 0.4:
        terms = "Open-ended: reviewed against the keep criteria; any partner may leave with six months' notice."
    return {"values": {"start_date": start, "planned_end": end, "end_terms": terms}}


def _member(rng, organisation: int, position: int, people_of, plan: dict, status: str) -> dict:
    start = plan["values"]["start_date"]
    since = start
    if start and position > 1 and rng.random() < 0.2:
        since = add_months(start, rng.randint(1, 12))
    candidates = people_of[organisation]
    return {
        "organisation": organisation,
        "role": "lead partner" if position == 0 else rng.choice(MEMBER_ROLES),
        "contact": rng.choice(candidates) if candidates and rng.random() > 0.15 else None,
        "since": since,
        "until": plan["values"]["planned_end"] if status == Status.ENDED else None,
    }


def _processes(rng, values: dict, formality: str, status: str) -> list[dict]:
    if formality != FO or status == Status.PROPOSED or rng.random() < 0.4:
        return []
    kinds = rng.sample(list(PROCESS_TITLES), rng.randint(1, 3))
    slug = slugify(values["name"])
    return [
        {
            "title": PROCESS_TITLES[kind],
            "kind": kind,
            "link": f"https://docs.example.org/northshire/{slug}/{kind.replace('_', '-')}",
            "date": values["start_date"],
        }
        for kind in sorted(kinds)
    ]


def _total(plan: dict) -> int:
    parts = plan["partnerships"]
    return (
        len(plan["organisations"])
        + len(plan["people"])
        + len(plan["priorities"])
        + sum(1 + len(p["members"]) + len(p["alignments"]) + len(p["processes"]) for p in parts)
    )


# ---------------------------------------------------------------- writing


def _write_with_services(plan: dict, progress: Progress) -> dict:
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
    members = 0
    for row in plan["partnerships"]:
        values = {
            **row["values"],
            "lead": people[row["lead"]] if row["lead"] is not None else None,
            "coordinator": people[row["coordinator"]] if row["coordinator"] is not None else None,
        }
        # Created as proposed, so the members can be added one by one, then given its status.
        status = values.pop("status")
        partnership = services.save_partnership(ACTOR, {**values, "status": Status.PROPOSED})
        for member in row["members"]:
            services.add_member(
                ACTOR,
                partnership,
                {
                    "organisation": organisations[member["organisation"]],
                    "role": member["role"],
                    "contact": people[member["contact"]] if member["contact"] is not None else None,
                    "since": member["since"],
                    "until": member["until"],
                },
            )
            members += 1
        if status != Status.PROPOSED:
            services.save_partnership(ACTOR, {"status": status}, partnership=partnership)
        for priority, score in row["alignments"]:
            services.set_alignment(ACTOR, partnership, priorities[priority], score)
        for process in row["processes"]:
            services.add_process(ACTOR, partnership, process)
        progress(1 + len(row["members"]) + len(row["alignments"]) + len(row["processes"]), total, "partnerships")
    return _counts(plan, members)


def _counts(plan: dict, members: int) -> dict:
    return {
        "organisations": len(plan["organisations"]),
        "people": len(plan["people"]),
        "priorities": len(plan["priorities"]),
        "partnerships": len(plan["partnerships"]),
        "members": members,
    }


def _write_in_bulk(plan: dict, progress: Progress) -> dict:
    """Write the plan with bulk inserts: no per-record history (see the module docstring)."""
    from keel.core.tenancy import current_workspace

    workspace = current_workspace()
    total = _total(plan)

    def insert(model, objects: list, what: str) -> list:
        for start in range(0, len(objects), BATCH):
            batch = objects[start : start + BATCH]
            model.objects.bulk_create(batch, batch_size=BATCH)
            progress(len(batch), total, what)
        return objects

    def named(model, values: dict, **extra):
        return model(workspace=workspace, name_key=name_key(values["name"]), **values, **extra)

    organisations = insert(Organisation, [named(Organisation, r["values"]) for r in plan["organisations"]], "organisations")
    people = insert(
        Person,
        [
            named(Person, {k: r[k] for k in ("name", "email", "role", "level")}, organisation=organisations[r["organisation"]])
            for r in plan["people"]
        ],
        "people",
    )
    priorities = insert(
        StrategicPriority,
        [named(StrategicPriority, {"name": r["name"], "description": r["description"]}) for r in plan["priorities"]],
        "priorities",
    )
    partnerships = insert(
        Partnership,
        [
            named(
                Partnership,
                r["values"],
                lead=people[r["lead"]] if r["lead"] is not None else None,
                coordinator=people[r["coordinator"]] if r["coordinator"] is not None else None,
            )
            for r in plan["partnerships"]
        ],
        "partnerships",
    )
    members, alignments, processes = [], [], []
    for partnership, row in zip(partnerships, plan["partnerships"], strict=True):
        for m in row["members"]:
            members.append(
                PartnershipMember(
                    workspace=workspace,
                    partnership=partnership,
                    organisation=organisations[m["organisation"]],
                    role=m["role"],
                    contact=people[m["contact"]] if m["contact"] is not None else None,
                    since=m["since"],
                    until=m["until"],
                )
            )
        for priority, score in row["alignments"]:
            alignments.append(
                PriorityAlignment(workspace=workspace, partnership=partnership, priority=priorities[priority], score=score)
            )
        for p in row["processes"]:
            processes.append(AgreedProcess(workspace=workspace, partnership=partnership, **p))
    insert(PartnershipMember, members, "members")
    insert(PriorityAlignment, alignments, "alignments")
    insert(AgreedProcess, processes, "agreed processes")
    return _counts(plan, len(members))
