"""Every page of the register and the workspace, as an admin sees it, checked with axe-core."""

import pytest
from axe import check_accessibility
from django.urls import reverse

from keel.core.audit import Actor
from keel.core.tenancy import workspace_scope
from keel.register import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def records(workspace_a):
    actor = Actor(via="test")
    with workspace_scope(workspace_a):
        mind = services.save_organisation(actor, {"name": "Northshire Mind", "sector": "Charity", "identifier": "1"})
        trust = services.save_organisation(actor, {"name": "Northshire Teaching Hospitals", "sector": "NHS trust"})
        priya = services.save_person(actor, {"name": "Priya Shah", "organisation": mind, "level": "executive"})
        priority = services.save_priority(actor, {"name": "Healthy ageing"})
        partnership = services.save_partnership(
            actor, {"name": "Frailty alliance", "status": "active", "lead": priya}, organisations=[mind, trust]
        )
        services.set_alignment(actor, partnership, priority, 3)
        services.add_process(
            actor, partnership, {"title": "Terms", "kind": "terms_of_reference", "link": "https://example.org/t"}
        )
    return {"partnership": partnership, "organisation": mind, "person": priya, "priority": priority}


PAGES = [
    ("register:partnerships", None),
    ("register:partnership", "partnership"),
    ("register:partnership_create", None),
    ("register:partnership_edit", "partnership"),
    ("register:member_add", "partnership"),
    ("register:process_add", "partnership"),
    ("register:organisations", None),
    ("register:organisation", "organisation"),
    ("register:organisation_create", None),
    ("register:organisation_edit", "organisation"),
    ("register:people", None),
    ("register:person", "person"),
    ("register:person_create", None),
    ("register:person_edit", "person"),
    ("register:priorities", None),
    ("register:priority_create", None),
    ("register:priority_edit", "priority"),
    ("register:import", None),
    ("members", None),
    ("workspace_settings", None),
    ("workspace_history", None),
]


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_every_page_meets_wcag_aa(page, login, admin, workspace_a, records, width, height):
    page.set_viewport_size({"width": width, "height": height})
    login(admin)
    check_accessibility(page)
    for name, record in PAGES:
        kwargs = {"ws": workspace_a.slug}
        if record:
            kwargs["pk"] = records[record].pk
        response = page.goto(reverse(name, kwargs=kwargs))
        assert response.status == 200, name
        check_accessibility(page)
    for path in [reverse("workspaces"), reverse("password_change"), "/no-such-page/"]:
        page.goto(path)
        check_accessibility(page)


def test_forms_with_errors_stay_accessible(page, login, admin, workspace_a, records):
    login(admin)
    check_accessibility(page)
    page.goto(reverse("register:organisation_create", kwargs={"ws": workspace_a.slug}))
    check_accessibility(page)
    page.get_by_label("Name").fill("northshire MIND")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".errors")
    check_accessibility(page)
