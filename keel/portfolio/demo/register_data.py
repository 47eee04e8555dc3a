"""The demo workspace's vocabulary: fictional Northshire's organisations, people and partnerships.

Plain data, kept apart from the code in demo.py that plans and writes it.
"""

from keel.register.models import Basis, Formality, Level, ProcessKind, Status, Tier


def _words(text: str) -> list[str]:
    return text.split()


def _records(text: str) -> list[list[str]]:
    """Blocks of lines: a record starts at the margin and goes on over the indented lines below it."""
    records: list[list[str]] = []
    for line in text.strip("\n").splitlines():
        if line.startswith(" "):
            records[-1].append(line.strip())
        elif line.strip():
            records.append([line.strip()])
    return records


# kind: (sector, type, identifier pattern: R a letter, 9 a digit, anything else kept).
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
SECTORS = sorted({sector for sector, _, _ in KINDS.values()})

# The network itself: kind, name, place ("-" for county-wide), e-mail domain before ".example.org".
NETWORK_ORGANISATIONS = [
    line.split(" | ")
    for line in """
acute | Northshire Teaching Hospitals NHS Foundation Trust | - | northshire-hospitals.nhs
acute | Kingsport and District Hospitals NHS Trust | Kingsport | kingsport-hospitals.nhs
community | Northshire Community Health NHS Trust | - | northshire-community.nhs
mental_health | Northshire and Wyvern Mental Health NHS Foundation Trust | - | nwmh.nhs
ambulance | Northshire Ambulance Service NHS Trust | - | northshire-ambulance.nhs
icb | NHS Northshire Integrated Care Board | - | northshire-icb.nhs
gp | Riverside Medical Practice | Kingsport | riverside-mp.nhs
gp | Castle Street Surgery | Kingsport | castlestreet-surgery.nhs
gp | Millbrook Health Centre | Millbrook | millbrook-hc.nhs
gp | Harbour View Medical Centre | Harbourside | harbourview-mc.nhs
gp | Oakfield Surgery | Wyvern Valley | oakfield-surgery.nhs
gp | The Willows Family Practice | Millbrook | willows-fp.nhs
gp | Station Road Surgery | Harbourside | stationroad-surgery.nhs
gp | Kingsmead Medical Group | Wyvern Valley | kingsmead-mg.nhs
pcn | Northshire Central PCN | Kingsport | central-pcn.nhs
pcn | Kingsport Coastal PCN | Harbourside | coastal-pcn.nhs
pcn | Millbrook and Wyvern Valley PCN | Millbrook | mwv-pcn.nhs
gp_federation | Northshire GP Federation | - | northshire-gpfed.nhs
adult_care | Northshire County Council Adult Social Care | - | northshire-cc.gov
children | Northshire County Council Children's Services | - | northshire-cc.gov
public_health | Northshire County Council Public Health | - | northshire-cc.gov
district | Kingsport City Council Housing Options | Kingsport | kingsport-city.gov
district | Wyvern Valley District Council | Wyvern Valley | wyvernvalley-dc.gov
mind | Northshire Mind | - | northshire-mind
age | Age UK Northshire | - | ageuk-northshire
carers | Northshire Carers Centre | - | northshire-carers
foodbank | Kingsport Foodbank | Kingsport | kingsport-foodbank
hospice | St Aidan's Hospice | - | staidans-hospice
advice | Citizens Advice Northshire | - | ca-northshire
cvs | Northshire Council for Voluntary Service | - | northshire-cvs
healthwatch | Healthwatch Northshire | - | healthwatch-northshire
recovery | Northshire Recovery Partnership | - | northshire-recovery
transport | Wyvern Valley Community Transport | Wyvern Valley | wv-transport
domestic_abuse | Northshire Women's Aid | - | northshire-womensaid
youth | Harbourside Youth Project | Harbourside | harbourside-youth
housing | Northshire Housing Association | - | northshire-housing
housing | Kingsport Homes | Kingsport | kingsport-homes
hostel | Harbour House Hostels | Harbourside | harbourhouse
police | Northshire Constabulary | - | northshire.police
pcc | Office of the Northshire Police and Crime Commissioner | - | northshire-pcc
fire | Northshire Fire and Rescue Service | - | northshire-fire
college | Northshire College | - | northshire-college.ac
""".strip().splitlines()
]
SMALL_PLACES = ["Kingsport", "Millbrook", "Harbourside", "Wyvern Valley"]

# For the large demo: more places (start + end), and local organisations in them.
PLACE_STARTS = _words(
    "Ash Bar Beck Black Bram Brook Burn Castle Chester Clay Cold Crow Elm Fair Fern Glen Green Hart Hazel High "
    "Holm Kings Lang Lark Marsh Mill Moor Nether Oak Pen Red Rye Salt Shaw Stan Stone Thorn Wal West Whit Wick"
)
PLACE_ENDS = _words("bury by combe dale field ford gate ham holme hurst ley mouth stead thorpe ton well wick worth")
LOCAL_ORGANISATIONS = [
    line.split(" | ")
    for line in """
gp | {place} Medical Practice
gp | {place} Surgery
gp | {place} Health Centre
gp | {place} Family Practice
pcn | {place} PCN
community | {place} Community Hospital
district | {place} Town Council
foodbank | {place} Foodbank
carers | {place} Carers Group
age | Age Concern {place}
mind | {place} Wellbeing Hub
advice | {place} Advice Centre
cvs | {place} Community Association
transport | {place} Community Transport
youth | {place} Youth Project
hospice | {place} Hospice at Home
housing | {place} Community Housing
police | {place} Neighbourhood Policing Team
fire | {place} Fire Station
""".strip().splitlines()
]

FIRST_NAMES = _words(
    "Aisha Alan Amelia Amir Angela Anita Ben Bethan Carol Chloe Chris Claire Daniel David Deborah Dylan Eleanor "
    "Emma Fatima Fiona Gareth Grace Hannah Harpreet Helen Ian Imran Isla James Jasmine Joanne John Karen Kwame "
    "Laura Leanne Liam Lucy Mark Martin Megan Michael Mohammed Naomi Nia Oliver Olivia Paul Priya Rachel Rhys "
    "Richard Ruth Sam Sarah Sean Sophie Stephen Tariq Tom Zainab"
)
SURNAMES = _words(
    "Adams Ahmed Ali Armstrong Bailey Baker Begum Bennett Brown Campbell Carter Chapman Clarke Cooper Davies "
    "Edwards Evans Fletcher Foster Gray Green Hall Harris Hughes Hussain Jackson James Jones Kaur Kelly Khan King "
    "Lewis Lloyd Marshall Martin Mensah Mitchell Morgan Murphy Nowak Okafor Owen Parker Patel Phillips Price "
    "Reid Richards Roberts Robinson Shah Singh Smith Taylor Thomas Thompson Turner Walker Ward Watson White "
    "Williams Wilson Wood Wright Young"
)

# Job titles by level (executive | senior manager | manager | frontline), for a sector or, where
# a kind of organisation has its own, for that kind.
JOB_TITLES = {
    key: [titles.split(", ") for titles in rest.split(" | ")]
    for key, rest in (
        line.split(": ", 1)
        for line in """
NHS trust: Chief Executive, Director of Nursing | Head of Patient Flow, Associate Director of Operations \
| Ward Manager, Discharge Team Manager | Discharge Coordinator, Community Nurse, Occupational Therapist
Ambulance: Chief Executive, Director of Operations | Head of Clinical Operations | Clinical Team Leader \
| Paramedic, Emergency Care Assistant, Clinical Navigator
NHS commissioner: Chief Executive, Director of Place | Head of Commissioning \
| Commissioning Manager, Programme Manager | Project Officer
Primary care: Managing Partner, Clinical Director | Operations Director | Practice Manager \
| Care Coordinator, Practice Nurse
Local authority: Director of Adult Social Services | Head of Commissioning | Team Manager | Social Worker
Voluntary and community: Chief Executive, Chief Officer | Head of Services, Partnerships Lead \
| Service Manager, Volunteer Manager | Support Worker, Advice Worker, Peer Support Worker
Housing: Chief Executive, Director of Housing | Head of Supported Housing | Housing Manager, Hostel Manager \
| Tenancy Support Officer, Resettlement Worker
Police: Assistant Chief Constable, Chief Superintendent | Superintendent, Head of Safeguarding \
| Inspector, Partnership Manager | Sergeant, Police Constable, PCSO
Fire and rescue: Chief Fire Officer | Head of Prevention, Group Manager | Station Manager, Community Safety Manager \
| Safe and Well Adviser, Firefighter
Education: Principal | Head of Student Services | Safeguarding Manager | Student Wellbeing Adviser
adult_care: Director of Adult Social Services | Head of Adult Social Care Commissioning, Principal Social Worker \
| Team Manager, Hospital Social Work Manager | Social Worker, Reablement Worker, Occupational Therapist
children: Director of Children's Services | Head of Early Help, Principal Social Worker \
| Team Manager, Safeguarding Manager | Children's Social Worker, Family Support Worker
public_health: Director of Public Health | Consultant in Public Health | Public Health Programme Manager \
| Health Improvement Practitioner
district: Chief Executive, Director of Communities | Head of Housing Options | Housing Options Manager \
| Housing Officer, Homelessness Prevention Officer
gp: GP Partner, Managing Partner | Lead Nurse Practitioner | Practice Manager \
| Practice Nurse, Healthcare Assistant, Care Coordinator
pcn: Clinical Director | PCN Operations Director | PCN Manager \
| Social Prescribing Link Worker, Care Coordinator, Health and Wellbeing Coach
pcc: Police and Crime Commissioner | Head of Commissioning | Commissioning Manager | Policy Officer
hospice: Chief Executive, Director of Care | Head of Community Services | Clinical Nurse Manager \
| Hospice at Home Nurse, Family Support Worker
""".strip().splitlines()
    )
}
LEVELS = [Level.EXECUTIVE, Level.SENIOR_MANAGER, Level.MANAGER, Level.FRONTLINE]
LEVEL_WEIGHTS = [1, 2, 3, 4]

# key, name, description.
PRIORITIES = [
    ("inequalities", "Reduce health inequalities", "Close the gap in healthy life expectancy between neighbourhoods."),
    ("prevention", "Prevention and healthy lives", "Help people stay well: smoking, weight, activity, loneliness."),
    ("independence", "Independence at home", "People live safely and independently at home for as long as they can."),
    ("urgent_care", "Timely urgent care and discharge", "No one waits in hospital once they are well enough to leave."),
    ("mental_health", "Mental health and wellbeing", "Early help, crisis support and recovery close to home."),
    ("children", "Best start in life", "Children and young people are safe, healthy and ready for school."),
    ("homes", "Safe, warm and secure homes", "Nobody is discharged to the street; homes are warm and safe."),
]

# Partnerships: name; purpose; "tier basis formality | member kinds, lead first | priorities served |
# statuses it may have" (no statuses: any). Network ones exist once, local ones once per {place}.
NETWORK_PARTNERSHIPS = _records("""
Northshire Health and Wellbeing Board
  Statutory board that sets the joint local health and wellbeing strategy.
  strategic statutory formal | adult_care children public_health icb healthwatch acute police \
| inequalities prevention | active
Northshire Safeguarding Children Partnership
  The three safeguarding partners' joint arrangements to keep children safe.
  strategic statutory formal | children icb police college youth | children | active
Northshire Safeguarding Adults Board
  Statutory board assuring that adults at risk of abuse or neglect are safeguarded.
  strategic statutory formal | adult_care icb police acute mental_health housing | independence | active under_review
Northshire Better Care Fund
  Pooled budget for integrated health and care: a condition of NHS funding.
  strategic funding_condition formal | adult_care icb district community | independence urgent_care | active
Northshire Integrated Care Partnership
  Statutory joint committee of the integrated care board and the county council.
  strategic statutory formal | icb adult_care public_health cvs healthwatch | inequalities | active
Northshire Community Safety Partnership
  Reduce crime, disorder and reoffending across the county.
  strategic statutory formal | police district fire pcc recovery domestic_abuse | homes | active under_review
Northshire Mental Health Crisis Alliance
  Round-the-clock crisis support, without police cells or a wait in A&E.
  strategic voluntary formal | mental_health ambulance police mind acute | mental_health urgent_care \
| active under_review
Northshire Urgent and Emergency Care Board
  Flow through urgent care, from the first 111 call to discharge home.
  strategic voluntary formal | acute ambulance community icb gp_federation | urgent_care | active
Northshire VCSE Alliance
  The voice of voluntary, community and social enterprise groups in the care system.
  strategic voluntary informal | cvs mind age carers foodbank hospice icb | inequalities prevention | active proposed
Northshire Combating Drugs Partnership
  Local delivery of the national drug strategy, a condition of its grant.
  strategic funding_condition formal | public_health recovery police mental_health pcc | prevention | active
Northshire Integrated Community Equipment Service
  Joint contract for the equipment that keeps people safe at home.
  operational contractual formal | adult_care community icb | independence | active under_review dissolving
Northshire Homes for Health Pilot
  Housing workers on the wards, funded for two years.
  operational funding_condition formal | acute housing hostel district | homes | ended dissolving
""")
LOCAL_PARTNERSHIPS = _records("""
{place} Frailty Multidisciplinary Team
  Weekly MDT for older people at risk of a hospital admission.
  operational voluntary formal | pcn community adult_care age mental_health | independence urgent_care
{place} Hospital Discharge Partnership
  Home on the day people are medically fit, with care in place.
  operational funding_condition formal | acute community adult_care age carers transport | urgent_care independence
{place} Social Prescribing Network
  Link workers connect patients with community groups and support.
  operational contractual formal | pcn cvs mind age foodbank carers advice | prevention inequalities
{place} Homelessness Hospital In-reach
  Nobody leaves hospital to the street: housing workers on the wards.
  operational funding_condition formal | acute district hostel mental_health recovery | homes urgent_care
{place} Children and Young People's Mental Health Partnership
  Early help for young people's mental health in schools and the community.
  operational voluntary formal | mental_health children youth college mind | children mental_health
{place} Carers Support Partnership
  Carers identified, assessed and given breaks.
  operational contractual formal | adult_care carers pcn age | independence
{place} Food Poverty Network
  Foodbanks, advice and housing providers sharing referrals.
  relationship voluntary informal | foodbank advice housing cvs | inequalities
{place} Falls Prevention Pathway
  People who fall are seen at home by a response team instead of going to A&E.
  operational voluntary formal | ambulance community fire age pcn | independence urgent_care
{place} Warm Homes Referral Link
  Fire service safe and well visits refer cold homes for help.
  relationship voluntary informal | fire age housing advice | homes prevention
{place} Domestic Abuse Health Advocacy
  Independent advocates in the emergency department and GP surgeries.
  operational contractual formal | domestic_abuse acute police pcn | homes mental_health
{place} End of Life Care Network
  People die where they choose, with their carers supported.
  operational voluntary informal | hospice pcn community acute carers | independence
{place} Community Mental Health Hub
  Mental health, primary care and voluntary support under one roof.
  operational contractual formal | mental_health pcn mind recovery housing | mental_health
{place} Neighbourhood Health Team
  Joined-up neighbourhood care planned around the local population.
  strategic voluntary formal | pcn community adult_care mental_health cvs | inequalities independence
{place} High Intensity Users Service
  Coaching for the people who call 999 or come to A&E most often.
  operational contractual formal | acute ambulance mind pcn | urgent_care mental_health
{place} Volunteer Patient Transport Scheme
  Volunteer drivers take people to outpatient appointments.
  relationship voluntary informal | transport acute pcn | inequalities
{place} Healthy Schools Programme
  Healthy eating, activity and wellbeing in local schools.
  operational funding_condition formal | public_health children youth | children prevention
{place} Dementia Friendly Community
  Shops, services and neighbours who understand dementia.
  relationship voluntary informal | age pcn adult_care police | independence
{place} Street Triage Scheme
  Mental health nurses alongside police officers on call-outs.
  operational contractual formal | police mental_health ambulance | mental_health
{place} Welfare Advice in GP Surgeries
  Debt and benefits advice in the surgery waiting room.
  operational funding_condition formal | advice pcn gp | inequalities
""")
STATUS_WEIGHTS = {
    Status.PROPOSED: 2,
    Status.ACTIVE: 10,
    Status.UNDER_REVIEW: 3,
    Status.DISSOLVING: 1,
    Status.ENDED: 2,
}
REVIEW_MONTHS = {
    Tier.STRATEGIC: [6, 12, 12, None],
    Tier.OPERATIONAL: [3, 3, 6, 12, None],
    Tier.RELATIONSHIP: [12, 24, None, None],
}
MEMBER_ROLES = ["member", "member", "delivery partner", "referrer"]
COMMISSIONERS = {"icb", "adult_care", "children", "public_health", "district", "pcc"}
PROCESS_TITLES = {
    ProcessKind.TERMS_OF_REFERENCE: "Terms of reference",
    ProcessKind.DATA_SHARING: "Data sharing agreement",
    ProcessKind.REFERRAL_PATHWAY: "Referral pathway",
    ProcessKind.CONFLICT_RESOLUTION: "Conflict resolution process",
}


def _template(record: list[str]) -> dict:
    name, purpose, spec = record
    kinds_of, kinds, serves, *statuses = spec.split(" | ")
    tier, basis, formality = kinds_of.split()
    unknown = [kind for kind in kinds.split() if kind not in KINDS]
    if unknown:
        raise ValueError(f"Unknown organisation kinds {unknown} in the demo partnership {name!r}.")
    return {
        "name": name,
        "purpose": purpose,
        "tier": Tier(tier),
        "basis": Basis(basis),
        "formality": Formality(formality),
        "kinds": kinds.split(),
        "serves": serves.split(),
        "statuses": [Status(s) for s in (statuses[0].split() if statuses else [])],
    }


NETWORK_TEMPLATES = [_template(record) for record in NETWORK_PARTNERSHIPS]
LOCAL_TEMPLATES = [_template(record) for record in LOCAL_PARTNERSHIPS]
