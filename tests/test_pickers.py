"""Choosing a person by typing, as the partnership forms do."""

import pytest
from django import forms
from django.urls import reverse

from keel.register import services
from keel.register.pickers import PersonField

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(scope_a, actor):
    mind = services.save_organisation(actor, {"name": "Northshire Mind"})
    trust = services.save_organisation(actor, {"name": "Northshire Teaching Hospitals"})
    return {
        "jo_mind": services.save_person(
            actor, {"name": "Jo Smith", "organisation": mind, "email": "jo@mind.example.org"}
        ),
        "jo_trust": services.save_person(actor, {"name": "Jo Smith", "organisation": trust}),
        "priya": services.save_person(
            actor, {"name": "Priya Shah", "organisation": trust, "email": "priya@nt.example.org"}
        ),
    }


@pytest.mark.parametrize(
    "typed,who",
    [
        ("Priya Shah", "priya"),
        ("  priya   SHAH ", "priya"),
        ("PRIYA@nt.example.org", "priya"),
        ("Jo Smith (Northshire Mind)", "jo_mind"),
        ("jo smith (northshire teaching hospitals)", "jo_trust"),
        ("jo@mind.example.org", "jo_mind"),
    ],
)
def test_a_person_is_found_by_name_email_or_name_and_organisation(people, typed, who):
    assert PersonField().clean(typed) == people[who]


def test_an_ambiguous_name_asks_for_the_organisation_or_email(people):
    with pytest.raises(forms.ValidationError, match="Several people match 'Jo Smith'.*Northshire Mind"):
        PersonField().clean("Jo Smith")


def test_an_unknown_person_says_where_to_add_them(people):
    with pytest.raises(forms.ValidationError, match="add them under People first"):
        PersonField().clean("Nobody Known")


def test_blank_is_no_one_unless_required(people):
    assert PersonField(required=False).clean("  ") is None
    with pytest.raises(forms.ValidationError):
        PersonField(required=True).clean("")


def test_the_field_shows_a_person_as_name_and_organisation(people):
    field = PersonField()
    assert field.prepare_value(people["priya"]) == "Priya Shah (Northshire Teaching Hospitals)"
    assert field.prepare_value(people["priya"].pk) == "Priya Shah (Northshire Teaching Hospitals)"


def test_suggestions_match_as_you_type(client, workspace_a, viewer, people):
    client.force_login(viewer)
    url = reverse("register:people_suggest", kwargs={"ws": workspace_a.slug})
    page = client.get(url, {"field": "lead", "lead": "smi"}).content.decode()
    assert page.count("<option") == 2 and 'value="Jo Smith (Northshire Mind)"' in page
    page = client.get(url, {"field": "lead", "lead": "teaching"}).content.decode()
    assert page.count("<option") == 2
    organisation = people["jo_mind"].organisation_id
    page = client.get(url, {"field": "contact", "contact": "jo", "organisation": organisation}).content.decode()
    assert page.count("<option") == 1


def test_the_partnership_form_takes_a_typed_lead(client, workspace_a, editor, people, actor):
    partnership = services.save_partnership(actor, {"name": "Idea", "status": "proposed"})
    client.force_login(editor)
    field_url = reverse(
        "register:partnership_field", kwargs={"ws": workspace_a.slug, "pk": partnership.pk, "field": "lead"}
    )
    refused = client.post(field_url, {"lead": "Jo Smith"}).content.decode()
    assert "Several people match" in refused
    client.post(field_url, {"lead": "jo@mind.example.org"})
    partnership.refresh_from_db()
    assert partnership.lead == people["jo_mind"]
    editor_html = client.get(field_url).content.decode()
    assert 'value="Jo Smith (Northshire Mind)"' in editor_html and "<datalist" in editor_html


def test_the_list_filters_by_a_typed_lead(client, workspace_a, viewer, people, actor):
    for name, lead in [("A", people["priya"]), ("B", people["jo_mind"]), ("C", people["jo_trust"]), ("D", None)]:
        services.save_partnership(actor, {"name": name, "status": "proposed", "lead": lead})
    client.force_login(viewer)
    base = reverse("portfolio:partnerships", kwargs={"ws": workspace_a.slug})
    assert "1 partnership" in client.get(base, {"lead": "Priya Shah (Northshire Teaching Hospitals)"}).content.decode()
    assert "1 partnership" in client.get(base, {"lead": "PRIYA@nt.example.org"}).content.decode()
    assert "2 partnerships" in client.get(base, {"lead": "jo smith"}).content.decode()
    assert "2 partnerships" in client.get(base, {"lead": "Smi"}).content.decode()
    assert "0 partnerships" in client.get(base, {"lead": "nobody"}).content.decode()


def test_organisations_are_found_by_name_forgivingly_and_unknown_ones_named(people, actor):
    from keel.register.pickers import OrganisationField, PartnersField

    mind = people["jo_mind"].organisation
    trust = people["priya"].organisation
    assert OrganisationField().clean(" northshire   MIND ") == mind
    assert PartnersField().clean(["Northshire Mind", "", "northshire mind", "Northshire Teaching Hospitals"]) == [
        mind,
        trust,
    ]
    with pytest.raises(forms.ValidationError, match="'Nowhere Trust', 'Elsewhere' is in the register"):
        PartnersField().clean(["Northshire Mind", "Nowhere Trust", "Elsewhere"])
    services.archive(actor, mind)
    with pytest.raises(forms.ValidationError, match="No organisation called 'Northshire Mind'"):
        OrganisationField().clean("Northshire Mind")


def test_organisation_suggestions_and_another_partner_input(client, workspace_a, editor, people):
    client.force_login(editor)
    suggest = reverse("register:organisations_suggest", kwargs={"ws": workspace_a.slug})
    page = client.get(suggest, {"field": "partners", "partners": "teach"}).content.decode()
    assert page.count("<option") == 1 and 'value="Northshire Teaching Hospitals"' in page
    more = client.get(reverse("register:partner_input", kwargs={"ws": workspace_a.slug}), {"n": "2"})
    html = more.content.decode()
    assert 'id="id_partners_2"' in html and "Partner 3" in html and "n=3" in html


def test_a_partner_is_added_by_typing_its_name_and_not_twice(client, workspace_a, editor, people, actor):
    mind = people["jo_mind"].organisation
    partnership = services.save_partnership(actor, {"name": "Idea", "status": "proposed"}, organisations=[mind])
    client.force_login(editor)
    url = reverse("register:member_add", kwargs={"ws": workspace_a.slug, "pk": partnership.pk})
    response = client.post(url, {"organisation": "northshire teaching hospitals", "contact": "Priya Shah"})
    assert response.status_code == 302
    assert partnership.members.get(organisation__name="Northshire Teaching Hospitals").contact == people["priya"]
    again = client.post(url, {"organisation": "Northshire Mind"}).content.decode()
    assert "already a member" in again


def test_a_person_is_created_and_edited_with_their_organisation_typed(client, workspace_a, editor, people):
    from keel.register.models import Person

    client.force_login(editor)
    create = reverse("register:person_create", kwargs={"ws": workspace_a.slug})
    response = client.post(create, {"name": "Sam Okafor", "organisation": "northshire mind", "level": "manager"})
    assert response.status_code == 302
    sam = Person.objects.get(name="Sam Okafor")
    assert sam.organisation == people["jo_mind"].organisation
    edit = reverse("register:person_edit", kwargs={"ws": workspace_a.slug, "pk": sam.pk})
    assert 'value="Northshire Mind"' in client.get(edit).content.decode()
    refused = client.post(edit, {"name": "Sam Okafor", "organisation": "Nowhere"}).content.decode()
    assert "No organisation called &#x27;Nowhere&#x27;" in refused
