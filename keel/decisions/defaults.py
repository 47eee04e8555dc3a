"""Keel's own checklists, which every workspace starts with and its admins then edit.

Plain data: (text, key, guidance). A key tells the recommendation rules what a dissolve
circumstance means (`keel.decisions.rules`); items without one are for people to answer.
"""

from keel.decisions import rules

START = [
    ("A shared purpose we can write down in one sentence", "", "Both sides describe the goal the same way."),
    ("Values and ways of working compatible with ours", "", ""),
    ("Serves at least one of our strategic priorities", "", ""),
    ("A named lead and a single point of contact on each side", "", ""),
    ("Enough capacity (time, people, money) on both sides to do the work", "", ""),
    ("A good reputation, and no conflicts of interest we cannot manage", "", ""),
    ("Willing to share the information the work needs, under an agreement", "", ""),
    ("Clear what each partner brings and what each expects to get", "", ""),
]

KEEP = [
    ("The shared purpose still holds and is still needed", "", ""),
    ("The agreed processes are followed", "", ""),
    ("Partners communicate regularly and openly", "", ""),
    ("There is trust and respect between the partners", "", ""),
    ("Information is shared as agreed", "", ""),
    ("Decisions are made together", "", ""),
    ("It produces at least what it costs", "", ""),
    ("It serves our strategic priorities", "", ""),
    ("Outcomes are on track, or there is a credible plan to recover", "", ""),
]

DISSOLVE = [
    (
        "An irreconcilable conflict",
        rules.IRRECONCILABLE_CONFLICT,
        "Counted on its own when a conflict stays unresolved longer than the workspace's setting.",
    ),
    ("A complete lack of trust or respect", rules.NO_TRUST, ""),
    ("Essential information withheld", rules.INFORMATION_WITHHELD, ""),
    ("Unilateral decisions by a partner", rules.UNILATERAL_DECISIONS, ""),
    ("The purpose has been fulfilled", rules.PURPOSE_FULFILLED, "Celebrate and close rather than dissolve."),
    ("No longer serving our strategic priorities", rules.NOT_SERVING_PRIORITIES, ""),
    ("Costing more than it produces", rules.COSTS_MORE_THAN_PRODUCES, ""),
]

ENDING = [
    ("End date agreed with partners", "", ""),
    ("Partners and staff told", "", ""),
    ("Clients and open referrals handed over", "", ""),
    ("Shared data returned, deleted or archived under the data sharing agreement", "", ""),
    ("Final outcome report written", "", ""),
    ("Partners thanked, and what was achieved celebrated", "", ""),
    ("Lessons learned recorded", "", ""),
    ("Resources (time, money) reallocated, and to what", "", ""),
    ("Relationship kept: a keep-in-touch cadence agreed", "", ""),
]

CHECKLISTS = {"start": START, "keep": KEEP, "dissolve": DISSOLVE, "ending": ENDING}
