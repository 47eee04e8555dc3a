import datetime as dt

import pytest


@pytest.fixture
def partnership_with_people(make_partnership, actor):
    """An active partnership of three organisations with four people at each."""
    from keel.register import services

    partnership = make_partnership(n=3)
    for member in partnership.members.select_related("organisation"):
        for i in range(4):
            services.save_person(
                actor,
                {
                    "name": f"Person {i} of {member.organisation.name}",
                    "email": f"p{i}.{member.organisation.pk}@example.org",
                    "organisation": member.organisation,
                },
            )
    return partnership


@pytest.fixture
def open_round(partnership_with_people, actor):
    """A round of the health check, open today, inviting everyone."""
    from keel.assessments import services

    today = dt.date.today()
    round_, _ = services.create_round(
        actor, partnership_with_people, services.health_check(), today, today + dt.timedelta(days=14)
    )
    return round_


@pytest.fixture
def open_link(partnership_with_people, actor):
    """A round with only an open link, limited to two answers: (round, token)."""
    from keel.assessments import services

    today = dt.date.today()
    round_, token = services.create_round(
        actor,
        partnership_with_people,
        services.health_check(),
        today,
        today + dt.timedelta(days=7),
        invitees=[],
        open_limit=2,
    )
    return round_, token
