"""The words of the demo's activity: agendas, decisions, contact notes, referral notes, indicators.

Plain data, kept apart from the code in activity.py and activity_bulk.py that plans and writes it. Everything is
fictional and written in the terms a health and care partnership in England would use.
"""

from keel.activity.models import MeetingKind
from keel.register.models import Status, Tier

# The partnerships that meet, refer and are rated: those still going.
GOING = (Status.ACTIVE, Status.UNDER_REVIEW, Status.DISSOLVING)

MEETING_KINDS = {
    Tier.STRATEGIC: [MeetingKind.STEERING, MeetingKind.STEERING, MeetingKind.PARTNERSHIP, MeetingKind.WORKSHOP],
    Tier.OPERATIONAL: [MeetingKind.OPERATIONAL, MeetingKind.OPERATIONAL, MeetingKind.PARTNERSHIP],
    Tier.RELATIONSHIP: [MeetingKind.PARTNERSHIP, MeetingKind.OTHER],
}

# Outcomes of referrals whose follow-up date has passed: weights by story.
OUTCOMES = ["received", "declined", "not_eligible", "lost", "unknown", ""]
OUTCOME_WEIGHTS = {
    "busy": (46, 2, 2, 0, 0, 0),
    "steady": (30, 4, 4, 2, 2, 3),
    "silent": (20, 4, 3, 4, 3, 6),
    "follow-up": (12, 2, 2, 5, 2, 14),
}

# Every agenda opens with these two and closes with the last; two to four others go between.
AGENDA_OPENING = ["Welcome, introductions and apologies", "Minutes and actions from the last meeting"]
AGENDA_CLOSING = "Any other business"
AGENDA_ITEMS = [
    "Discharge to assess: flow figures for the last month",
    "Winter plan: surge capacity and escalation",
    "Referral figures, and referrals stuck between services",
    "Update from the voluntary sector partners",
    "Safeguarding: themes from recent concerns",
    "Data sharing agreement: sign-off by each partner",
    "Workforce: vacancies and joint recruitment",
    "Feedback from people who use the service and their carers",
    "Budget position and the Better Care Fund return",
    "Risk register review",
    "Support for care homes: the enhanced health in care homes offer",
    "Falls response: what the pilot has shown",
    "Housing and homelessness at the point of discharge",
    "Carers' assessments and breaks",
    "Mental health crisis pathway: learning from a recent case",
    "Social prescribing: link worker caseloads",
    "Health inequalities: who is not being reached",
    "Training plan for frontline staff",
    "A leaflet for patients and families",
    "Progress against the partnership's indicators",
    "Review of the terms of reference",
    "Update from Healthwatch",
    "Access to the shared care record",
    "Joint visits: what we learned",
    "Transport to outpatient appointments",
    "Cost of living: demand for foodbanks and advice",
]
NOTES = [
    "Good discussion of the month's figures: partners agreed the picture is improving but fragile.",
    "The housing worker on the wards helped fourteen people this month; partners praised the quick turnaround.",
    "Waits for packages of care remain the main cause of delayed discharges.",
    "Partners raised that referrals sent on Fridays often wait until Tuesday to be picked up.",
    "The voluntary sector partners reported a rise in people asking for help with energy bills.",
    "A case study showed how a warm handoff avoided a second admission.",
    "Staff turnover at two partners has slowed the work; new starters will be introduced next month.",
    "The group heard from a carer about her experience of the discharge process.",
    "Referral numbers are up by a fifth on the same quarter last year.",
    "Partners agreed the pathway works well for most people but not for those without a fixed address.",
    "The ICB confirmed funding to the end of the financial year; a decision on next year is due in January.",
    "Short meeting: several partners sent apologies because of winter pressures.",
    "Useful challenge from Healthwatch on how the partnership hears from people who use its services.",
    "Partners compared eligibility criteria and found two gaps that people fall through.",
    "The falls response team now reaches most calls within two hours.",
    "Discussion of the draft indicators: partners want fewer, clearer measures.",
]
DECISIONS = [
    "Agreed to use the shared referral form from the start of next month.",
    "Agreed that the voluntary sector partners will chair every other meeting.",
    "Agreed to escalate the delays in care packages to the Better Care Fund board.",
    "Agreed the revised terms of reference.",
    "Agreed to meet every month over the winter instead of every two months.",
    "Agreed a named contact in each organisation for urgent referrals.",
    "Agreed to pilot joint visits in one neighbourhood for three months.",
    "Agreed to report referral outcomes at every meeting.",
    "Agreed to ask the ICB for a three-year funding agreement.",
    "Agreed to invite the housing team to join the partnership.",
    "No decisions this time; items carried forward to the next meeting.",
    "Agreed to pause new referrals to the scheme until the waiting list is below fifty.",
    "Agreed the data sharing agreement, subject to sign-off by each partner's information governance lead.",
    "Agreed to run a joint training session for frontline staff in the spring.",
    "Agreed the partnership's indicators and how often each is measured.",
    "Agreed to write to GP practices explaining how to refer.",
]
CONTACT_SUMMARIES = {
    "call": [
        "Call to agree the agenda for the next meeting.",
        "Called to chase three referrals still waiting for an outcome.",
        "Talked through capacity over the bank holiday weekend.",
        "Call about a person who has been referred twice without being seen.",
        "Quick call to check the new referral form is working for their team.",
        "Discussed the figures for the quarterly return.",
        "Call to welcome the new single point of contact and explain the pathway.",
        "Talked about a complaint from a family and how to respond together.",
    ],
    "email": [
        "Shared the updated referral pathway and asked for comments by Friday.",
        "Sent the month's referral figures for checking.",
        "Sent the papers for the next meeting.",
        "Asked for their eligibility criteria to add to the shared directory.",
        "Followed up the actions from the last meeting.",
        "Shared the draft winter plan for comment.",
        "Sent the notes of the joint visit.",
    ],
    "visit": [
        "Visited the team at the hub to meet the new link workers.",
        "Joint visit to a care home to look at the falls response.",
        "Spent a morning on the discharge lounge with the ward team.",
        "Visited the foodbank to see how the advice sessions run.",
        "Shadowed the street triage team for an evening shift.",
    ],
    "meeting": [
        "Coffee with the single point of contact to talk through the concerns raised at the board.",
        "One-to-one about the winter plan and staffing.",
        "Met to plan the joint training session.",
        "Met to review the referrals that missed their follow-up date.",
        "Met to agree the case studies for the annual report.",
    ],
}
CHANNEL_WEIGHTS = {"call": 4, "email": 4, "visit": 1, "meeting": 1}
REFERRAL_NOTES = {
    "received": [
        "Seen at home two days after the referral.",
        "Assessed and started on the programme.",
        "Warm handoff by phone; first appointment offered the same week.",
        "Joint visit with the referrer; support plan agreed.",
        "",
        "",
        "",
    ],
    "declined": ["Decided not to go ahead for now.", "Family arranging support privately.", ""],
    "not_eligible": [
        "Lives outside the service's area; signposted to the local team.",
        "Needs more than the service offers; referred on to the specialist team.",
    ],
    "lost": [
        "Three attempts to contact by phone and letter; no reply.",
        "Moved address; could not be traced.",
        "Did not attend two appointments; case closed.",
    ],
    "unknown": ["The receiving service did not report back.", ""],
}
ACTION_TITLES = [
    "Circulate the revised referral form to all partners",
    "Share the discharge figures by ward before the next meeting",
    "Book the joint training session for frontline staff",
    "Draft a one-page guide to the pathway for GP practices",
    "Ask the ICB for a decision on next year's funding",
    "Update the risk register with the winter pressures",
    "Arrange a visit to the new community hub",
    "Set up a shared inbox for referrals",
    "Agree a named contact for out-of-hours queries",
    "Send the data sharing agreement to the information governance leads",
    "Write to the care homes about the falls response",
    "Collect case studies for the Health and Wellbeing Board report",
    "Review the eligibility criteria with the housing team",
    "Invite Healthwatch to the next meeting",
    "Check how transport is booked with the hospital",
]
RATING_NOTES = {
    5: ["A trusted partner: quick replies, referrals picked up the same week.", "Works with us as one team."],
    4: ["Reliable and easy to reach.", "Good working relationship; a few delays in the summer.", ""],
    3: ["Fine day to day, but we rarely see them at meetings.", "Depends a lot on one person.", ""],
    2: [
        "Referrals go unanswered and we cannot find out what happened to people.",
        "Hard to reach; follow-ups are missed.",
    ],
}

# Indicators by the strategic priority a partnership serves: name, kind, unit, which way is
# better, baseline, target, how often it is measured. Partnerships take theirs from the
# priorities they serve well, and may add one of the process indicators below.
INDICATORS = {
    "urgent_care": [
        ("People medically fit to leave still in hospital", "outcome", "people", "lower", 60, 35, "monthly"),
        ("Discharges on the day people are medically fit", "outcome", "%", "higher", 42, 65, "monthly"),
        ("Emergency admissions of people aged 65 and over", "outcome", "per 1,000", "lower", 250, 220, "quarterly"),
        ("Ambulance conveyances avoided by the response team", "output", "people", "higher", 120, 200, "monthly"),
    ],
    "independence": [
        ("People still at home 91 days after reablement", "outcome", "%", "higher", 76, 86, "quarterly"),
        ("Falls that lead to a hospital admission", "outcome", "per 100,000", "lower", 2200, 1900, "quarterly"),
        ("Care reviews completed within 28 days", "output", "%", "higher", 55, 80, "monthly"),
        ("Equipment delivered within 7 days", "output", "%", "higher", 70, 90, "monthly"),
    ],
    "inequalities": [
        ("Gap in health check uptake, most and least deprived areas", "outcome", "points", "lower", 18, 8, "quarterly"),
        ("People supported from the most deprived neighbourhoods", "output", "people", "higher", 300, 450, "monthly"),
        ("Households helped to claim the benefits they are owed", "output", "households", "higher", 80, 140, "monthly"),
    ],
    "prevention": [
        ("Patients referred to social prescribing link workers", "output", "people", "higher", 150, 260, "monthly"),
        ("People less lonely after 12 weeks", "outcome", "%", "higher", 48, 65, "quarterly"),
        ("Smokers quit at 4 weeks", "outcome", "people", "higher", 90, 140, "quarterly"),
        ("Adults physically active", "outcome", "%", "higher", 61, 67, "quarterly"),
    ],
    "mental_health": [
        ("People seen by the crisis team within 4 hours", "outcome", "%", "higher", 62, 85, "monthly"),
        ("Section 136 detentions in police custody", "outcome", "people", "lower", 40, 10, "quarterly"),
        ("Young people waiting over 18 weeks for support", "outcome", "people", "lower", 180, 90, "monthly"),
        ("People in contact with services in settled homes", "outcome", "%", "higher", 55, 65, "quarterly"),
    ],
    "children": [
        ("Children with a good level of development at age 5", "outcome", "%", "higher", 63, 70, "quarterly"),
        ("Schools with a mental health support team", "output", "schools", "higher", 12, 30, "quarterly"),
        ("Families given early help within 10 days", "output", "%", "higher", 58, 80, "monthly"),
    ],
    "homes": [
        ("People discharged from hospital with no fixed address", "outcome", "people", "lower", 45, 10, "quarterly"),
        ("Safe and well visits completed", "output", "visits", "higher", 400, 600, "monthly"),
        ("Cold homes referred for help with heating", "output", "homes", "higher", 60, 120, "monthly"),
    ],
}
PROCESS_INDICATORS = [
    ("Partners attending partnership meetings", "process", "%", "higher", 65, 85, "quarterly"),
    ("Referrals with an outcome by the follow-up date", "process", "%", "higher", 60, 90, "monthly"),
    ("Actions completed by their due date", "process", "%", "higher", 50, 80, "quarterly"),
]
