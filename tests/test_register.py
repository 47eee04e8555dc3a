"""The register's rules, through its services and its pages."""

import pytest
from django.core import mail
from django.urls import reverse

from keel.core.models import ChangeRecord
from keel.core.services import ServiceError
from keel.register import services
from keel.register.models import Organisation, Partnership

pytestmark = pytest.mark.django_db


def url(workspace, name, **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


@pytest.fixture
def orgs(scope_a, actor):
    return [
        services.save_organisation(actor, {"name": n, "sector": s})
        for n, s in [
            ("Northshire Mind", "Charity"),
            ("Northshire Teaching Hospitals", "NHS trust"),
            ("Age UK Northshire", "Charity"),
        ]
    ]


def test_a_partnership_needs_two_members_unless_proposed(scope_a, actor, orgs):
    with pytest.raises(ServiceError, match="at least two member organisations"):
        services.save_partnership(actor, {"name": "Solo", "status": "active"}, organisations=orgs[:1])
    assert not Partnership.objects.filter(name="Solo").exists()
    proposed = services.save_partnership(actor, {"name": "Idea", "status": "proposed"})
    with pytest.raises(ServiceError):
        services.save_partnership(actor, {"status": "active"}, proposed)
    proposed.refresh_from_db()
    assert proposed.status == "proposed"


def test_removing_a_member_cannot_leave_an_active_partnership_with_one(scope_a, actor, orgs):
    partnership = services.save_partnership(actor, {"name": "Pair", "status": "active"}, organisations=orgs[:2])
    with pytest.raises(ServiceError):
        services.remove_member(actor, partnership.members.first())
    assert partnership.members.count() == 2


def test_a_contact_must_work_at_the_member_organisation(scope_a, actor, orgs):
    partnership = services.save_partnership(actor, {"name": "Pair", "status": "active"}, organisations=orgs[:2])
    stranger = services.save_person(actor, {"name": "Sam Stranger", "organisation": orgs[2]})
    with pytest.raises(ServiceError, match="must be one of the member organisation's own people"):
        services.change_member(actor, partnership.members.first(), {"contact": stranger})


def test_names_are_unique_per_workspace_whatever_the_case(scope_a, actor, orgs):
    with pytest.raises(ServiceError, match="already"):
        services.save_organisation(actor, {"name": "  northshire   MIND "})


def test_every_write_records_who_what_and_before_after(scope_a, actor, orgs):
    partnership = services.save_partnership(actor, {"name": "Pair", "status": "active"}, organisations=orgs[:2])
    services.save_partnership(actor, {"tier": "strategic"}, partnership)
    actions = list(
        ChangeRecord.objects.filter(object_id=partnership.pk, object_type="partnership").values_list(
            "action", flat=True
        )
    )
    assert (
        actions[0] == "partnership.changed"
        and "partnership.created" in actions
        and "partnership.member_added" in actions
    )
    change = ChangeRecord.objects.filter(action="partnership.changed").first()
    assert change.changes == {"tier": ["Operational partnership", "Strategic partnership"]}
    assert change.actor == actor.user


def test_creating_a_partnership_from_the_page(client, workspace_a, editor, orgs):
    client.force_login(editor)
    response = client.post(
        url(workspace_a, "register:partnership_create"),
        {
            "name": "Discharge to assess",
            "status": "active",
            "tier": "operational",
            "formality": "formal",
            "basis": "voluntary",
            "partners": ["northshire  mind ", "Northshire Teaching Hospitals", ""],
            "review_every_months": "quarterly",
            "start_date": "2025-04-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    partnership = Partnership.objects.get(name="Discharge to assess")
    assert partnership.review_every_months == 3 and partnership.members.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Northshire Mind" in page and "Created" in page and "quarterly" in page


def test_the_form_explains_the_two_partner_rule(client, workspace_a, editor, orgs):
    client.force_login(editor)
    response = client.post(
        url(workspace_a, "register:partnership_create"),
        {
            "name": "Lonely",
            "status": "active",
            "tier": "operational",
            "formality": "formal",
            "basis": "voluntary",
            "partners": [orgs[0].name],
            "review_every_months": "whenever",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least two partner organisations" in page
    assert "is not a review cadence" in page
    assert 'value="Lonely"' in page  # nothing typed is lost


def test_a_partner_of_another_workspace_cannot_be_chosen(client, workspace_a, workspace_b, editor, orgs):
    from keel.core.changelog import Actor
    from keel.core.tenancy import workspace_scope

    with workspace_scope(workspace_b):
        foreign = services.save_organisation(Actor(via="test"), {"name": "Foreign"})
    client.force_login(editor)
    response = client.post(
        url(workspace_a, "register:partnership_create"),
        {
            "name": "Sneaky",
            "status": "active",
            "tier": "operational",
            "formality": "formal",
            "basis": "voluntary",
            "partners": [orgs[0].name, foreign.name],
        },
    )
    assert response.status_code == 200 and "No organisation called &#x27;Foreign&#x27;" in response.content.decode()
    assert not Partnership.all_workspaces.filter(name="Sneaky").exists()


def test_inline_edit_of_status(client, workspace_a, editor, orgs, actor):
    partnership = services.save_partnership(actor, {"name": "Pair", "status": "proposed"}, organisations=orgs[:1])
    client.force_login(editor)
    field_url = url(workspace_a, "register:partnership_field", pk=partnership.pk, field="status")
    editor_html = client.get(field_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<select" in editor_html and 'name="status"' in editor_html
    # A proposed partnership becomes active only by being started (keel.decisions), never from here.
    refused = client.post(field_url, {"status": "active"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Start this partnership" in refused
    refused = client.post(field_url, {"status": "under_review"}, HTTP_HX_REQUEST="true").content.decode()
    assert "at least two member organisations" in refused
    services.add_member(actor, partnership, {"organisation": orgs[1]})
    saved = client.post(field_url, {"status": "under_review"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Under review" in saved and "<select" not in saved
    partnership.refresh_from_db()
    assert partnership.status == "under_review"
    assert (
        client.get(url(workspace_a, "register:partnership_field", pk=partnership.pk, field="name")).status_code == 404
    )


def test_list_filters_search_sort_and_pages(client, workspace_a, viewer, orgs, actor):
    for i in range(30):
        services.save_partnership(
            actor,
            {
                "name": f"P{i:02}",
                "status": "active" if i % 2 else "proposed",
                "tier": "strategic" if i % 3 == 0 else "operational",
            },
            organisations=orgs[:2] if i % 2 else [],
        )
    client.force_login(viewer)
    base = url(workspace_a, "portfolio:partnerships")
    assert "30 partnerships" in client.get(base).content.decode()
    page = client.get(base + "?status=active&tier=strategic").content.decode()
    assert "5 partnerships" in page  # odd multiples of three below 30: 3, 9, 15, 21, 27
    page = client.get(base + "?sector=NHS+trust").content.decode()
    assert "15 partnerships" in page
    page = client.get(base + "?q=Teaching").content.decode()
    assert "15 partnerships" in page
    page = client.get(base + "?sort=-name", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results").content.decode()
    assert page.index("P29") < page.index("P28") and "<html" not in page
    assert "Page 2 of 2" in client.get(base + "?page=2").content.decode()
    assert client.get(base + "?status=nonsense&lead=x&priority=y&page=zz").status_code == 200


def test_archive_hides_and_restore_returns(client, workspace_a, editor, orgs):
    client.force_login(editor)
    client.post(url(workspace_a, "register:organisation_archive", pk=orgs[0].pk))
    listing = client.get(url(workspace_a, "register:organisations")).content.decode()
    assert "Northshire Mind</a>" not in listing
    assert (
        "Northshire Mind</a>" in client.get(url(workspace_a, "register:organisations") + "?archived=1").content.decode()
    )
    client.post(url(workspace_a, "register:organisation_archive", pk=orgs[0].pk), {"restore": "1"})
    assert Organisation.objects.get(pk=orgs[0].pk).archived_at is None


def test_alignment_and_processes(client, workspace_a, editor, orgs, actor):
    partnership = services.save_partnership(actor, {"name": "Pair", "status": "active"}, organisations=orgs[:2])
    priority = services.save_priority(actor, {"name": "Healthy ageing"})
    client.force_login(editor)
    client.post(url(workspace_a, "register:alignment", pk=partnership.pk), {f"p{priority.pk}": "3"})
    assert partnership.alignments.get().score == 3
    client.post(url(workspace_a, "register:alignment", pk=partnership.pk), {f"p{priority.pk}": "9"})
    assert partnership.alignments.get().score == 3
    response = client.post(
        url(workspace_a, "register:process_add", pk=partnership.pk),
        {"title": "ToR", "kind": "terms_of_reference", "link": "https://example.org/tor"},
    )
    assert response.status_code == 302
    refused = client.post(url(workspace_a, "register:process_add", pk=partnership.pk), {"title": "x", "kind": "other"})
    assert "link or upload its file" in refused.content.decode()


def test_admin_adds_a_member_who_gets_an_invitation(client, workspace_a, admin):
    client.force_login(admin)
    response = client.post(
        url(workspace_a, "members"), {"email": "new.person@example.org", "name": "New Person", "role": "editor"}
    )
    assert response.status_code == 302
    assert (
        len(mail.outbox) == 1 and "Northshire ICS" in mail.outbox[0].body and "/accounts/reset/" in mail.outbox[0].body
    )


def test_the_last_admin_cannot_be_demoted(client, workspace_a, admin):
    from keel.core.models import Membership

    client.force_login(admin)
    membership = Membership.objects.get(user=admin)
    response = client.post(url(workspace_a, "membership_role", pk=membership.pk), {"role": "viewer"}, follow=True)
    assert "at least one admin" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_login_password_change_and_reset(client, admin):
    assert admin.password.startswith("argon2")
    response = client.post(reverse("login"), {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 302
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "a much better secret 42",
            "new_password2": "a much better secret 42",
        },
    )
    assert response.status_code == 302
    client.logout()
    client.post(reverse("password_reset"), {"email": "alice@example.org"})
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_switching_workspaces(client, admin, workspace_a, workspace_b):
    from keel.core.changelog import Actor
    from keel.core.services import set_membership

    set_membership(Actor(via="test"), workspace_b, admin, "viewer")
    client.force_login(admin)
    assert client.get(reverse("home"))["Location"] == reverse("workspaces")
    page = client.get(reverse("workspaces")).content.decode()
    assert "Northshire ICS" in page and "Southvale Network" in page
    client.get(url(workspace_b, "portfolio:partnerships"))
    assert client.get(reverse("home"))["Location"] == url(workspace_b, "portfolio:partnerships")


def test_static_files_are_served_without_collectstatic(client):
    for path in ("/static/keel/keel.css", "/static/keel/vendor/htmx-2.0.8.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)


def test_edits_through_a_form_record_the_before_and_after(client, workspace_a, editor, orgs):
    client.force_login(editor)
    client.post(
        url(workspace_a, "register:organisation_edit", pk=orgs[0].pk),
        {"name": "Northshire Mind", "sector": "Mental health"},
    )
    change = ChangeRecord.objects.get(action="organisation.changed")
    assert change.changes == {"sector": ["Charity", "Mental health"]}


def test_an_agreed_process_file_is_uploaded_and_downloaded_only_through_its_workspace(
    client, workspace_a, editor, orgs, actor
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    partnership = services.save_partnership(actor, {"name": "Pair", "status": "active"}, organisations=orgs[:2])
    client.force_login(editor)
    upload = SimpleUploadedFile("terms.txt", b"Our terms of reference")
    response = client.post(
        url(workspace_a, "register:process_add", pk=partnership.pk),
        {"title": "Terms of reference", "kind": "terms_of_reference", "file": upload, "date": "2025-04-01"},
    )
    assert response.status_code == 302
    process = partnership.processes.get()
    download = client.get(url(workspace_a, "register:process_file", pk=partnership.pk, process_pk=process.pk))
    assert b"".join(download.streaming_content) == b"Our terms of reference"
    assert "attachment" in download["Content-Disposition"]


def test_the_reset_link_sets_a_new_password_once(client, admin):
    import re

    from django.contrib.auth import authenticate

    client.post(reverse("password_reset"), {"email": "alice@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new = "a fresh long passphrase 7"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True)
    assert "Your password has been set" in done.content.decode()
    assert authenticate(username="alice", password=new)
    assert "has been used already or has expired" in client.get(link, follow=True).content.decode()


def test_sorting_by_members_counts_every_member_whatever_the_sector_filter(client, workspace_a, viewer, orgs, actor):
    services.save_partnership(actor, {"name": "Three", "status": "active"}, organisations=orgs)
    services.save_partnership(actor, {"name": "Two", "status": "active"}, organisations=orgs[1:])
    client.force_login(viewer)
    base = url(workspace_a, "portfolio:partnerships")
    page = client.get(base, {"sector": "NHS trust", "sort": "-members"}).content.decode()
    assert "2 partnerships" in page and page.index(">Three<") < page.index(">Two<")
    page = client.get(base, {"sector": "NHS trust", "sort": "members", "q": "Northshire"}).content.decode()
    assert "2 partnerships" in page and page.index(">Two<") < page.index(">Three<")


def test_the_workspace_history_links_each_change_to_its_record(client, workspace_a, viewer, orgs):
    client.force_login(viewer)
    page = client.get(url(workspace_a, "workspace_history")).content.decode()
    assert f'href="{url(workspace_a, "register:organisation", pk=orgs[0].pk)}">Northshire Mind</a>' in page


def test_the_end_condition_is_recorded_as_met_from_the_partnership_form(client, editor, scope_a, actor):
    import datetime as dt

    from django.urls import reverse

    from keel.register import services
    from keel.register.models import Partnership

    organisations = [services.save_organisation(actor, {"name": f"Org {i}"}) for i in range(2)]
    partnership = services.save_partnership(
        actor, {"name": "Falls pathway", "status": "active"}, organisations=organisations
    )
    client.force_login(editor)
    url = reverse("register:partnership_edit", kwargs={"ws": scope_a.slug, "pk": partnership.pk})
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    base = {"name": "Falls pathway", "status": "active", "tier": "operational", "formality": "formal"}
    base |= {"basis": "voluntary", "partners": "Org 0\nOrg 1"}
    refused = client.post(url, {**base, "end_condition_met_on": tomorrow.isoformat()})
    assert refused.status_code == 200 and "cannot be met on a day still to come" in refused.content.decode()
    done = client.post(url, {**base, "end_terms": "Ends when the pathway is live", "end_condition_met_on": "1/10/2026"})
    assert done.status_code == 302
    assert Partnership.objects.get(pk=partnership.pk).end_condition_met_on == dt.date(2026, 10, 1)
