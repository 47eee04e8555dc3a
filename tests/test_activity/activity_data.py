"""A partnership with a little of every kind of activity, written through the services.

Shared by the timeline, partnership-page, audit and browser tests. Dates are relative to today,
since the services refuse dates in the future.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from keel.activity import services as activity
from keel.outcomes import services as outcomes
from keel.register import services as register


@dataclass
class Busy:
    partnership: object
    age: object  # Age UK Northshire: rated 4, the lead's organisation
    mind: object  # Northshire Mind: rated 2 (so an action), contacted by call
    trust: object  # Northshire Teaching Hospitals: never rated, sends apologies
    lead: object
    priya: object
    indicator: object
    today: dt.date


def days(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def busy_partnership(actor, lead_email: str = "eddie@example.org", name: str = "Frailty alliance") -> Busy:
    """Three members; two meetings; a call; two referrals (one served in 6 days, one overdue);
    ratings of 4 and 2; an indicator measured twice; and two key-person changes."""
    age = register.save_organisation(actor, {"name": f"Age UK Northshire ({name})"})
    mind = register.save_organisation(actor, {"name": f"Northshire Mind ({name})"})
    trust = register.save_organisation(actor, {"name": f"Northshire Teaching Hospitals ({name})"})
    lead = register.save_person(actor, {"name": "Sam Patel", "organisation": age, "email": lead_email})
    jo = register.save_person(actor, {"name": "Jo Bloggs", "organisation": age})
    priya = register.save_person(actor, {"name": "Priya Shah", "organisation": mind})
    partnership = register.save_partnership(
        actor, {"name": name, "status": "active", "lead": lead}, organisations=[age, mind, trust]
    )
    member = partnership.members.get(organisation=age)
    register.change_member(actor, member, {"contact": lead})
    register.change_member(actor, member, {"contact": jo})

    activity.save_meeting(
        actor,
        partnership,
        {"date": days(40)},
        {age: ("attended", "Sam"), mind: ("attended", "Priya"), trust: ("apologies", "")},
    )
    activity.save_meeting(
        actor,
        partnership,
        {"date": days(10), "decisions": "Share the waiting list weekly."},
        {age: ("attended", "Jo"), mind: ("attended", ""), trust: ("absent", "")},
    )
    activity.log_contact(
        actor,
        partnership,
        {"date": days(5), "channel": "call", "person": priya, "summary": "Their eligibility criteria"},
    )
    activity.save_referral(
        actor,
        partnership,
        {
            "from_organisation": age,
            "to_organisation": mind,
            "date": days(20),
            "client_reference": "C-1042",
            "outcome": "received",
            "service_date": days(14),
        },
    )
    activity.save_referral(
        actor,
        partnership,
        {
            "from_organisation": mind,
            "to_organisation": trust,
            "date": days(30),
            "client_reference": "C-2001",
            "follow_up_due": days(16),
        },
    )
    activity.rate(actor, partnership, age, 4, date=days(3))
    activity.rate(actor, partnership, mind, 2, date=days(2))
    indicator = outcomes.save_indicator(
        actor,
        partnership,
        {
            "name": "People housed",
            "unit": "people",
            "baseline": 10,
            "baseline_date": days(400),
            "target": 50,
            "target_date": days(-300),
        },
    )
    outcomes.record_measurement(actor, indicator, days(60), 30)
    outcomes.record_measurement(actor, indicator, days(1), 42)
    return Busy(partnership, age, mind, trust, lead, priya, indicator, timezone.localdate())
