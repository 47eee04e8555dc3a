import pytest
from django.core.files.base import ContentFile


@pytest.fixture
def objects(scope_a, actor, admin, make_partnership):
    """One of each kind of workspace A's records, for the route tests."""
    return one_of_each(actor, admin, make_partnership)


@pytest.fixture
def objects_b(workspace_b, outsider):
    """The same records made in workspace B, for records of A that try to refer to them."""
    from keel.core.changelog import Actor
    from keel.core.tenancy import workspace_scope
    from keel.register import services

    actor = Actor(user=outsider, via="test")

    def make_partnership(name):
        organisations = [services.save_organisation(actor, {"name": f"B organisation {i}"}) for i in range(2)]
        return services.save_partnership(actor, {"name": name, "status": "active"}, organisations=organisations)

    with workspace_scope(workspace_b):
        return one_of_each(actor, outsider, make_partnership)


def one_of_each(actor, user, make_partnership):
    """One of each kind of record, in the current workspace."""
    from keel.core.models import Membership
    from keel.register import services
    from keel.register.models import ProcessKind

    partnership = make_partnership("Frailty alliance")
    member = partnership.members.first()
    person = services.save_person(actor, {"name": "Jo Bloggs", "organisation": member.organisation})
    priority = services.save_priority(actor, {"name": "Healthy ageing"})
    process = services.add_process(
        actor,
        partnership,
        {"title": "Terms", "kind": ProcessKind.TERMS_OF_REFERENCE, "file": ContentFile(b"terms", name="terms.txt")},
    )
    upload = None
    try:
        from keel.common.models import ImportUpload

        upload = ImportUpload.objects.create(kind="organisations", filename="o.csv", content=b"name\nA\n")
    except ImportError:
        pass
    import datetime as dt

    from keel.assessments import services as assessments

    instrument = assessments.health_check()
    today = dt.date.today()
    round_, _ = assessments.create_round(
        actor, partnership, instrument, today, today + dt.timedelta(days=7), invitees=[person], open_limit=5
    )
    from keel.actions.models import Action
    from keel.activity import services as activity
    from keel.outcomes import services as outcomes

    other = partnership.members.exclude(pk=member.pk).first().organisation
    meeting = activity.save_meeting(actor, partnership, {"date": today}, {member.organisation: ("attended", "Jo")})
    contact = activity.log_contact(actor, partnership, {"date": today, "organisation": member.organisation})
    referral = activity.save_referral(
        actor,
        partnership,
        {"from_organisation": member.organisation, "to_organisation": other, "date": today, "client_reference": "C-1"},
    )
    rating = activity.rate(actor, partnership, member.organisation, 2)  # creates an action
    indicator = outcomes.save_indicator(actor, partnership, {"name": "People housed"})
    measurement, _ = outcomes.record_measurement(actor, indicator, today, 12)
    decided = decision_records(partnership, member.organisation, person, user, today)
    return {
        **decided,
        "meeting": meeting,
        "contact": contact,
        "referral": referral,
        "rating": rating,
        "indicator": indicator,
        "measurement": measurement,
        "action": Action.objects.get(),
        "instrument": instrument,
        "round": round_,
        "invitation": round_.invitations.get(),
        "partnership": partnership,
        "member": member,
        "organisation": member.organisation,
        "person": person,
        "priority": priority,
        "process": process,
        "membership": Membership.objects.get(user=user),
        "upload": upload,
    }


def decision_records(partnership, organisation, person, user, today):
    """One of each decisions record, made directly: the route tests need them to exist, nothing more."""
    from keel.decisions import models as d

    review = d.Review.objects.create(
        partnership=partnership, held_on=today, reviewer=user, decision="keep", reasons="Working well"
    )
    dissolution = d.Dissolution.objects.create(partnership=partnership, started_on=today, reason="Purpose met")
    conflict = d.Conflict.objects.create(partnership=partnership, raised_on=today, about="Data sharing")
    start = d.StartDecision.objects.create(partnership=partnership, decided_on=today, reasons="Shared goal")
    criterion = d.Criterion.objects.filter(kind="keep").first()
    from keel.register.models import KeyPersonChange

    change = KeyPersonChange.objects.create(
        partnership=partnership, organisation=organisation, before="Sam Patel", after=person.name, date=today
    )
    return {
        "key_person_change": change,
        "start": start,
        "criterion_answer": d.CriterionAnswer.objects.create(
            partnership=partnership,
            criterion=criterion,
            kind="keep",
            wording=criterion.text,
            answer="yes",
            review=review,
        ),
        "conflict_party": d.ConflictParty.objects.create(conflict=conflict, organisation=organisation),
        "conflict_step": d.ConflictStep.objects.create(conflict=conflict, date=today, description="Met to talk"),
        "criterion": criterion,
        "cost_item": d.CostItem.objects.create(partnership=partnership, year=today.year, kind="money", amount=100),
        "value_item": d.ValueItem.objects.create(partnership=partnership, year=today.year, amount=300, basis="Est."),
        "event": d.Event.objects.create(partnership=partnership, kind="other", date=today, key_person_change=change),
        "conflict": conflict,
        "review": review,
        "dissolution": dissolution,
        "dissolution_step": d.DissolutionStep.objects.create(dissolution=dissolution, wording="Partners told"),
        "letter": d.ClosingLetter.objects.create(dissolution=dissolution, organisation=organisation, body="Thank you"),
    }
