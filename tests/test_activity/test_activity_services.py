"""The activity services, called directly: meetings, contacts, the rating rule with its action, key-person changes."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keel.actions.models import Action
from keel.activity import services
from keel.activity.models import Attendance, Contact, Meeting, RelationshipRating
from keel.common.text import add_months
from keel.core.models import ChangeRecord
from keel.core.services import ServiceError
from keel.register import services as register
from keel.register.models import KeyPersonChange, ProcessKind

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def alliance(scope_a, actor, make_partnership):
    """A partnership of two organisations, each with a person; the first is its single point of contact."""
    partnership = make_partnership("Frailty alliance", contact_every_days=30)
    first, second = partnership.members.select_related("organisation").order_by("organisation__name_key")
    jo = register.save_person(actor, {"name": "Jo Bloggs", "organisation": first.organisation})
    sam = register.save_person(actor, {"name": "Sam Patel", "organisation": second.organisation})
    register.change_member(actor, first, {"contact": jo})
    return {
        "partnership": partnership,
        "first": first,
        "second": second,
        "org": first.organisation,
        "other": second.organisation,
        "jo": jo,
        "sam": sam,
    }


@pytest.fixture
def outsider_org(actor, scope_a):
    return register.save_organisation(actor, {"name": "Not a member"})


# ------------------------------------------------------------------ meetings


def test_a_meeting_is_saved_with_its_attendance(actor, alliance):
    meeting = services.save_meeting(
        actor,
        alliance["partnership"],
        {"date": days_ago(2), "kind": "steering_group", "agenda": "1. Winter plan"},
        {alliance["org"]: ("attended", "  Jo   Bloggs "), alliance["other"]: ("apologies", "")},
    )
    rows = {a.organisation: (a.status, a.who) for a in meeting.attendance.all()}
    assert rows == {alliance["org"]: ("attended", "Jo Bloggs"), alliance["other"]: ("apologies", "")}
    assert meeting.get_kind_display() == "Steering group or board"


def test_attendance_of_an_organisation_that_is_not_a_member_is_refused(actor, alliance, outsider_org):
    with pytest.raises(ServiceError, match="Not a member is not a member of Frailty alliance"):
        services.save_meeting(actor, alliance["partnership"], {"date": TODAY}, {outsider_org: ("attended", "")})
    assert not Meeting.objects.exists()


def test_a_meeting_in_the_future_is_refused(actor, alliance):
    tomorrow = TODAY + dt.timedelta(days=1)
    with pytest.raises(ServiceError, match=f"{tomorrow:%d/%m/%Y}, is in the future"):
        services.save_meeting(actor, alliance["partnership"], {"date": tomorrow}, {})
    assert not Meeting.objects.exists()


def test_an_unknown_attendance_status_is_refused(actor, alliance):
    with pytest.raises(ServiceError, match="attended, sent apologies or absent"):
        services.save_meeting(actor, alliance["partnership"], {"date": TODAY}, {alliance["org"]: ("late", "")})


def test_changing_a_meeting_changes_the_attendance_it_is_given_and_keeps_the_rest(actor, alliance):
    partnership, org, other = alliance["partnership"], alliance["org"], alliance["other"]
    meeting = services.save_meeting(
        actor, partnership, {"date": days_ago(3)}, {org: ("attended", "Jo"), other: ("attended", "Sam")}
    )
    services.save_meeting(actor, partnership, {"notes": "Moved online"}, {org: ("absent", "")}, meeting)
    meeting.refresh_from_db()
    assert meeting.notes == "Moved online"
    found = {(a.organisation, a.status, a.who) for a in Attendance.objects.filter(meeting=meeting)}
    assert found == {(org, "absent", ""), (other, "attended", "Sam")}
    change = ChangeRecord.objects.filter(action="meeting.changed").get()
    assert change.changes["notes"] == ["", "Moved online"]
    assert "Absent" in change.changes["attendance"][1]


def test_an_organisation_that_left_keeps_its_attendance_when_an_old_meeting_is_edited(actor, alliance):
    from keel.register import services as register

    partnership, org, other = alliance["partnership"], alliance["org"], alliance["other"]
    meeting = services.save_meeting(actor, partnership, {"date": days_ago(30)}, {org: ("attended", "Jo")})
    register.add_member(actor, partnership, {"organisation": register.save_organisation(actor, {"name": "Extra"})})
    register.remove_member(actor, partnership.members.get(organisation=org))
    services.save_meeting(actor, partnership, {"notes": "Minutes added"}, {org: ("attended", "Jo Bloggs")}, meeting)
    assert Attendance.objects.get(meeting=meeting, organisation=org).who == "Jo Bloggs"
    assert other.pk not in set(Attendance.objects.values_list("organisation", flat=True))


def test_deleting_a_meeting_deletes_its_attendance_and_records_it(actor, alliance):
    meeting = services.save_meeting(
        actor, alliance["partnership"], {"date": TODAY}, {alliance["org"]: ("attended", "")}
    )
    services.delete_meeting(actor, meeting)
    assert not Meeting.objects.exists() and not Attendance.objects.exists()
    assert ChangeRecord.objects.filter(action="meeting.deleted").count() == 1


# ------------------------------------------------------------------ contacts


def test_a_person_at_another_organisation_is_refused(actor, alliance):
    with pytest.raises(ServiceError, match=f"Sam Patel works at {alliance['other']}, not {alliance['org']}"):
        services.log_contact(
            actor, alliance["partnership"], {"date": TODAY, "organisation": alliance["org"], "person": alliance["sam"]}
        )
    assert not Contact.objects.exists()


def test_a_person_without_an_organisation_brings_their_own(actor, alliance):
    contact = services.log_contact(actor, alliance["partnership"], {"date": TODAY, "person": alliance["sam"]})
    assert contact.organisation == alliance["other"]


def test_a_contact_with_the_partnership_as_a_whole_needs_no_organisation(actor, alliance):
    contact = services.log_contact(actor, alliance["partnership"], {"channel": "email", "summary": "Newsletter"})
    assert contact.organisation is None and contact.date == TODAY


def test_a_contact_with_an_organisation_that_is_not_a_member_is_refused(actor, alliance, outsider_org):
    with pytest.raises(ServiceError, match="is not a member"):
        services.log_contact(actor, alliance["partnership"], {"date": TODAY, "organisation": outsider_org})


def test_a_contact_in_the_future_is_refused(actor, alliance):
    with pytest.raises(ServiceError, match="in the future"):
        services.log_contact(actor, alliance["partnership"], {"date": TODAY + dt.timedelta(days=1)})


# ------------------------------------------------------------------ the three conditions of a 5


def all_three(actor, alliance, referral_days_ago=10):
    """Make the three conditions hold for the first organisation: named contact, recent contact, a referral."""
    services.log_contact(actor, alliance["partnership"], {"date": days_ago(5), "organisation": alliance["org"]})
    services.save_referral(
        actor,
        alliance["partnership"],
        {
            "from_organisation": alliance["other"],
            "to_organisation": alliance["org"],
            "date": days_ago(referral_days_ago),
            "client_reference": "C-1042",
        },
    )


def test_a_five_is_given_when_all_three_hold_through_a_recent_referral(actor, alliance):
    all_three(actor, alliance)
    rating = services.rate(actor, alliance["partnership"], alliance["org"], 5)
    assert rating.score == 5
    assert rating.conditions == {"contact": True, "communication": True, "referrals": True}
    assert not Action.objects.exists()


def test_a_five_is_given_when_all_three_hold_through_a_documented_pathway(actor, alliance):
    services.log_contact(actor, alliance["partnership"], {"date": TODAY, "organisation": alliance["org"]})
    register.add_process(
        actor,
        alliance["partnership"],
        {"title": "Pathway", "kind": ProcessKind.REFERRAL_PATHWAY, "link": "https://example.org/pathway"},
    )
    assert services.rate(actor, alliance["partnership"], alliance["org"], 5).score == 5


def test_a_five_is_refused_without_a_named_contact(actor, alliance):
    services.log_contact(actor, alliance["partnership"], {"date": TODAY, "organisation": alliance["other"]})
    services.save_referral(
        actor,
        alliance["partnership"],
        {
            "from_organisation": alliance["org"],
            "to_organisation": alliance["other"],
            "date": TODAY,
            "client_reference": "C-7",
        },
    )
    with pytest.raises(ServiceError) as refused:
        services.rate(actor, alliance["partnership"], alliance["other"], 5)
    message = str(refused.value)
    assert "a named single point of contact is missing" in message
    assert f"name a single point of contact for {alliance['other']}" in message
    assert "regular communication" not in message and "referral system" not in message
    assert not RelationshipRating.objects.exists()


def test_a_five_is_refused_without_a_contact_in_the_cadence(actor, alliance):
    all_three(actor, alliance)
    Contact.objects.update(date=days_ago(31))  # the cadence is 30 days
    with pytest.raises(ServiceError) as refused:
        services.rate(actor, alliance["partnership"], alliance["org"], 5)
    message = str(refused.value)
    assert "regular communication is missing" in message
    assert "the partnership's cadence is 30 days" in message
    assert not RelationshipRating.objects.exists()


def test_a_contact_on_the_last_day_of_the_cadence_still_counts(actor, alliance):
    all_three(actor, alliance)
    Contact.objects.update(date=days_ago(30))
    assert services.rate(actor, alliance["partnership"], alliance["org"], 5).score == 5


def test_a_five_is_refused_without_a_pathway_or_a_referral_in_90_days(actor, alliance):
    all_three(actor, alliance, referral_days_ago=91)
    with pytest.raises(ServiceError) as refused:
        services.rate(actor, alliance["partnership"], alliance["org"], 5)
    message = str(refused.value)
    assert "a working referral system is missing" in message
    assert "document a referral pathway, or log a referral" in message


def test_a_five_lists_every_missing_condition(actor, alliance):
    with pytest.raises(ServiceError, match="regular communication and a working referral system are missing"):
        services.rate(actor, alliance["partnership"], alliance["org"], 5)


def test_a_meeting_the_organisation_attended_counts_as_contact(actor, alliance):
    partnership, org = alliance["partnership"], alliance["org"]
    services.save_meeting(actor, partnership, {"date": days_ago(3)}, {org: ("attended", "Jo")})
    assert services.conditions_for(partnership, org, TODAY).communication


def test_a_meeting_the_organisation_missed_does_not_count_as_contact(actor, alliance):
    partnership, org = alliance["partnership"], alliance["org"]
    services.save_meeting(actor, partnership, {"date": days_ago(3)}, {org: ("apologies", "")})
    assert not services.conditions_for(partnership, org, TODAY).communication


def test_only_members_are_rated(actor, alliance, outsider_org):
    with pytest.raises(ServiceError, match="only members are rated"):
        services.rate(actor, alliance["partnership"], outsider_org, 3)


# ------------------------------------------------------------------ low ratings create an action


def test_a_two_creates_one_action_owned_by_the_lead_due_in_a_month(actor, alliance):
    partnership = alliance["partnership"]
    register.save_partnership(actor, {"lead": alliance["jo"]}, partnership)
    rating = services.rate(actor, partnership, alliance["other"], 2, note="Slow to answer")
    action = Action.objects.get()
    assert action.title == f"Strengthen the relationship with {alliance['other']}"
    assert action.owner == alliance["jo"]
    assert action.due == add_months(TODAY, 1)
    assert action.partnership == partnership
    assert (action.source, action.source_id) == ("rating", rating.pk)
    assert action.step_list == [
        "Start a regular dialogue",
        "Learn their eligibility requirements",
        "Visit in person",
        "Ask how they measure success",
    ]
    assert "rated 2 out of 5" in action.notes and "no lead" not in action.notes


def test_a_one_with_no_lead_creates_an_action_with_no_owner_and_says_so(actor, alliance):
    services.rate(actor, alliance["partnership"], alliance["other"], 1)
    action = Action.objects.get()
    assert action.owner is None
    assert "The partnership has no lead: choose an owner." in action.notes


def test_a_three_creates_no_action(actor, alliance):
    services.rate(actor, alliance["partnership"], alliance["other"], 3)
    assert not Action.objects.exists()


def test_a_rating_keeps_who_rated_and_the_conditions_then(actor, alliance, admin):
    rating = services.rate(actor, alliance["partnership"], alliance["org"], 4, date=days_ago(1), note=" Good ")
    assert (rating.rated_by, rating.rater, rating.note, rating.date) == (admin, admin.username, "Good", days_ago(1))
    assert rating.conditions == {"contact": True, "communication": False, "referrals": False}


@pytest.mark.parametrize("score", [0, 6])
def test_a_score_outside_one_to_five_is_refused(actor, alliance, score):
    with pytest.raises(ServiceError, match="rated from 1 to 5"):
        services.rate(actor, alliance["partnership"], alliance["org"], score)


def test_a_rating_in_the_future_is_refused(actor, alliance):
    with pytest.raises(ServiceError, match="in the future"):
        services.rate(actor, alliance["partnership"], alliance["org"], 3, date=TODAY + dt.timedelta(days=1))


# ------------------------------------------------------------------ the audit trail


def test_every_write_records_a_change(actor, alliance):
    partnership, org = alliance["partnership"], alliance["org"]
    before = ChangeRecord.objects.count()
    meeting = services.save_meeting(actor, partnership, {"date": TODAY}, {org: ("attended", "")})
    services.save_meeting(actor, partnership, {"agenda": "Budget"}, {org: ("attended", "")}, meeting)
    contact = services.log_contact(actor, partnership, {"date": TODAY, "organisation": org})
    services.delete_contact(actor, contact)
    services.rate(actor, partnership, org, 2)
    services.delete_meeting(actor, meeting)
    actions = list(ChangeRecord.objects.order_by("id").values_list("action", flat=True)[before:])
    assert actions == [
        "meeting.created",
        "meeting.changed",
        "contact.logged",
        "contact.deleted",
        "rating.given",
        "action.created",
        "meeting.deleted",
    ]
    assert all(c.actor == actor.user for c in ChangeRecord.objects.order_by("id")[before:])


def test_saving_a_meeting_unchanged_records_nothing(actor, alliance):
    partnership, org = alliance["partnership"], alliance["org"]
    meeting = services.save_meeting(actor, partnership, {"date": TODAY}, {org: ("attended", "Jo")})
    count = ChangeRecord.objects.count()
    services.save_meeting(actor, partnership, {"date": TODAY}, {org: ("attended", "Jo")}, meeting)
    assert ChangeRecord.objects.count() == count


# ------------------------------------------------------------------ key-person changes


def test_a_new_single_point_of_contact_is_a_key_person_change(actor, alliance):
    # The fixture named Jo as the first organisation's contact: the first change, from nobody.
    first = KeyPersonChange.objects.get()
    assert (first.organisation, first.before, first.after, first.date) == (alliance["org"], "", "Jo Bloggs", TODAY)
    nia = register.save_person(actor, {"name": "Nia Evans", "organisation": alliance["org"]})
    register.change_member(actor, alliance["first"], {"contact": nia})
    latest = KeyPersonChange.objects.order_by("-pk").first()
    assert (latest.partnership, latest.before, latest.after) == (alliance["partnership"], "Jo Bloggs", "Nia Evans")
    assert str(latest) == f"Nia Evans replaced Jo Bloggs as single point of contact for {alliance['org']}"
    assert ChangeRecord.objects.filter(action="partnership.contact_changed").count() == 2


def test_removing_the_single_point_of_contact_is_a_key_person_change(actor, alliance):
    register.change_member(actor, alliance["first"], {"contact": None})
    latest = KeyPersonChange.objects.order_by("-pk").first()
    assert (latest.before, latest.after) == ("Jo Bloggs", "")


def test_other_member_changes_are_not_key_person_changes(actor, alliance):
    register.change_member(actor, alliance["first"], {"role": "host", "contact": alliance["jo"]})
    assert KeyPersonChange.objects.count() == 1  # only the fixture's
    assert ChangeRecord.objects.filter(action="partnership.member_changed").count() == 1


def test_a_referral_with_an_organisation_that_has_left_can_still_be_given_its_outcome(actor, alliance):
    from keel.activity.models import Referral
    from keel.register import services as register

    partnership, org, other = alliance["partnership"], alliance["org"], alliance["other"]
    referral = services.save_referral(
        actor,
        partnership,
        {"from_organisation": org, "to_organisation": other, "date": days_ago(20), "client_reference": "C-77"},
    )
    register.add_member(actor, partnership, {"organisation": register.save_organisation(actor, {"name": "Extra"})})
    register.remove_member(actor, partnership.members.get(organisation=other))
    services.save_referral(actor, partnership, {"outcome": "received", "service_date": days_ago(5)}, referral)
    assert Referral.objects.get().outcome == "received"
    with pytest.raises(ServiceError, match="is not a member"):
        services.save_referral(
            actor,
            partnership,
            {"from_organisation": org, "to_organisation": other, "date": days_ago(2), "client_reference": "C-78"},
        )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 60),
            st.integers(0, 30),
            st.sampled_from(["", "received", "declined", "not_eligible", "lost", "unknown"]),
        ),
        max_size=12,
    )
)
def test_the_audit_counts_referrals_in_the_database_as_the_rule_does(actor, alliance, referrals):
    from keel.activity import queries, rules
    from keel.activity.models import Referral

    partnership, org, other = alliance["partnership"], alliance["org"], alliance["other"]
    Referral.objects.all().delete()
    for n, (age, follow_up, outcome) in enumerate(referrals):
        date = days_ago(age)
        services.save_referral(
            actor,
            partnership,
            {
                "from_organisation": org,
                "to_organisation": other,
                "date": date,
                "client_reference": f"C-{n}",
                "follow_up_due": date + dt.timedelta(days=follow_up),
                "outcome": outcome,
            },
        )
    facts = [f for *_, f in queries.referral_facts([partnership.pk])]
    expected = rules.referral_figures(facts, TODAY)
    counted = queries.referral_counts_by_partnership(TODAY).get(partnership.pk)
    if not referrals:
        assert counted is None
    else:
        found = (counted.made, counted.received, counted.decided, counted.overdue, counted.awaiting)
        assert found == (expected.made, expected.received, expected.decided, expected.overdue, expected.awaiting)
        assert counted.completion_rate == expected.completion_rate
