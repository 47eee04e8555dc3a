"""Referrals on the web: logging one, the client reference refused when it looks like personal data,
recording the outcome later, and the partnership's referral figures and list."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keel.activity import services
from keel.activity.models import Referral
from keel.core.models import ChangeRecord
from keel.register import services as register
from keel.register.models import ProcessKind

TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def url(workspace, name, **kwargs):
    return reverse(f"activity:{name}", kwargs={"ws": workspace.slug, **kwargs})


@pytest.fixture
def setting(make_partnership, actor):
    """A partnership of a charity and a trust, a person at each, and a third organisation outside it."""
    partnership = make_partnership("Carers pathway", n=2)
    mind, trust = [m.organisation for m in partnership.members.order_by("organisation__name")]
    sam = register.save_person(actor, {"name": "Sam Patel", "organisation": trust, "role": "Navigator"})
    jo = register.save_person(actor, {"name": "Jo Evans", "organisation": mind})
    outsider = register.save_organisation(actor, {"name": "Faraway Council"})
    return {"partnership": partnership, "mind": mind, "trust": trust, "sam": sam, "jo": jo, "outsider": outsider}


def form_data(setting, **changes):
    data = {
        "from_organisation": setting["mind"].pk,
        "to_organisation": setting["trust"].pk,
        "date": days_ago(3).isoformat(),
        "client_reference": "C-1042",
        "handoff_to": setting["sam"].pk,
        "follow_up_due": "",
        "outcome": "",
        "service_date": "",
        "note": "Needs help with carers' allowance",
    }
    return {**data, **changes}


def refer(actor, setting, when, outcome="", served=None, due=None, reference="C-1", pair=("mind", "trust")):
    values = {
        "from_organisation": setting[pair[0]],
        "to_organisation": setting[pair[1]],
        "date": when,
        "client_reference": reference,
        "outcome": outcome,
        "service_date": served,
    }
    if due:
        values["follow_up_due"] = due
    return services.save_referral(actor, setting["partnership"], values)


# Logging a referral -------------------------------------------------------------------


def test_the_form_offers_the_members_and_their_people_grouped(client, workspace_a, editor, setting):
    client.force_login(editor)
    html = client.get(url(workspace_a, "partnership_referral_new", pk=setting["partnership"].pk)).content.decode()
    assert setting["mind"].name in html and setting["trust"].name in html
    assert "Faraway Council" not in html  # not a member
    assert f'<optgroup label="{setting["trust"].name}">' in html
    assert "Sam Patel, Navigator" in html
    assert f'value="{TODAY.isoformat()}"' in html  # the date defaults to today
    assert "never an NHS number, an e-mail address, a phone number or a date of birth" in html


def test_an_editor_logs_a_referral(client, workspace_a, editor, setting):
    client.force_login(editor)
    response = client.post(
        url(workspace_a, "partnership_referral_new", pk=setting["partnership"].pk), form_data(setting)
    )
    assert response.status_code == 302
    assert response["Location"] == url(workspace_a, "partnership_referrals", pk=setting["partnership"].pk)
    referral = Referral.objects.get()
    assert (referral.from_organisation, referral.to_organisation) == (setting["mind"], setting["trust"])
    assert referral.handoff_to == setting["sam"] and referral.client_reference == "C-1042"
    assert referral.follow_up_due == days_ago(3) + dt.timedelta(days=14)  # the service's default
    assert referral.outcome == "" and referral.outcome_label == "Awaiting outcome"
    assert ChangeRecord.objects.filter(action="referral.created").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Referral C-1042 logged" in page


BAD_REFERENCES = [
    ("943 476 5919", "it contains a valid NHS number"),
    ("9434765919", "it contains a valid NHS number"),
    ("jo.bloggs@example.org", "it contains an e-mail address"),
    ("07700 900123", "it looks like a phone number"),
    ("+44 7700 900123", "it looks like a phone number"),
    ("12/03/1984", "it contains a date, which could be a date of birth"),
    ("JB 12 March 1984", "it contains a date, which could be a date of birth"),
    ("", "Give the referral a client reference"),
    ("C-" + "1" * 45, "at most 40 characters"),
]


@pytest.mark.parametrize(("reference", "reason"), BAD_REFERENCES)
def test_a_client_reference_that_looks_like_personal_data_is_refused_next_to_its_field(
    client, workspace_a, editor, setting, reference, reason
):
    client.force_login(editor)
    data = form_data(setting, client_reference=reference)
    response = client.post(url(workspace_a, "partnership_referral_new", pk=setting["partnership"].pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    field_error = re.search(r'<p class="field-error" id="id_client_reference_error">(.*?)</p>', html, re.S)
    assert field_error, "the refusal stands next to the client reference"
    assert reason in field_error.group(1).replace("&#x27;", "'")
    assert not Referral.objects.exists()
    # Everything typed is kept.
    assert "Needs help with carers&#x27; allowance" in html
    assert f'<option value="{setting["sam"].pk}" selected>' in html


def test_a_refusal_of_the_service_shows_on_the_form_and_keeps_what_was_typed(client, workspace_a, editor, setting):
    client.force_login(editor)
    new = url(workspace_a, "partnership_referral_new", pk=setting["partnership"].pk)
    same = form_data(setting, to_organisation=setting["mind"].pk, handoff_to="")
    html = client.post(new, same).content.decode()
    assert "choose two different ones" in html and 'role="alert"' in html
    assert "Needs help with carers&#x27; allowance" in html and 'value="C-1042"' in html
    wrong_person = form_data(setting, handoff_to=setting["jo"].pk)  # Jo works at the referring charity
    html = client.post(new, wrong_person).content.decode().replace("&#x27;", "'")
    assert f"Jo Evans works at {setting['mind'].name}: the warm handoff is to someone at" in html
    future = form_data(setting, date=(TODAY + dt.timedelta(days=2)).isoformat())
    assert "is in the future" in client.post(new, future).content.decode()
    late_service = form_data(setting, outcome="declined", service_date=days_ago(1).isoformat())
    assert "A date of service goes with the outcome" in client.post(new, late_service).content.decode()
    assert not Referral.objects.exists()


def test_an_organisation_outside_the_partnership_cannot_be_chosen(client, workspace_a, editor, setting):
    client.force_login(editor)
    data = form_data(setting, from_organisation=setting["outsider"].pk)
    html = client.post(url(workspace_a, "partnership_referral_new", pk=setting["partnership"].pk), data).content
    assert b"Select a valid choice" in html
    assert not Referral.objects.exists()


def test_the_outcome_is_recorded_later_by_changing_the_referral(client, workspace_a, editor, setting, actor):
    referral = refer(actor, setting, days_ago(20), reference="C-7")
    client.force_login(editor)
    edit = url(workspace_a, "referral_edit", pk=referral.pk)
    page = client.get(edit).content.decode()
    assert "Referral C-7" in page and 'value="C-7"' in page
    data = form_data(
        setting,
        date=days_ago(20).isoformat(),
        client_reference="C-7",
        follow_up_due=referral.follow_up_due.isoformat(),
        outcome="received",
        service_date=days_ago(6).isoformat(),
        handoff_to="",
    )
    response = client.post(edit, data)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == "received" and referral.service_date == days_ago(6)
    change = ChangeRecord.objects.get(action="referral.changed")
    assert change.changes["outcome"] == ["", "Service received"]
    assert "Outcome: Service received." in client.get(response["Location"]).content.decode()


def test_a_viewer_reads_the_referrals_but_cannot_log_one(client, workspace_a, viewer, setting, actor):
    refer(actor, setting, days_ago(2), reference="C-9")
    client.force_login(viewer)
    page = client.get(url(workspace_a, "partnership_referrals", pk=setting["partnership"].pk)).content.decode()
    assert "C-9" in page
    assert "Log a referral" not in page and "Record the outcome" not in page
    new = url(workspace_a, "partnership_referral_new", pk=setting["partnership"].pk)
    assert client.post(new, form_data(setting)).status_code == 403
    assert Referral.objects.count() == 1


# The list page ------------------------------------------------------------------------


def test_the_figures_for_the_partnership_and_each_pair(client, workspace_a, editor, setting, actor):
    # Mind → trust: received after 4 and 10 days, one declined, one overdue, one awaiting.
    refer(actor, setting, days_ago(30), "received", days_ago(26), reference="A1")
    refer(actor, setting, days_ago(40), "received", days_ago(30), reference="A2")
    refer(actor, setting, days_ago(50), "declined", reference="A3")
    refer(actor, setting, days_ago(20), reference="A4", due=days_ago(5))
    refer(actor, setting, days_ago(2), reference="A5")
    # Trust → Mind: one not eligible.
    refer(actor, setting, days_ago(60), "not_eligible", reference="B1", pair=("trust", "mind"))
    client.force_login(editor)
    html = client.get(url(workspace_a, "partnership_referrals", pk=setting["partnership"].pk)).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Referrals made 6" in text
    assert "Completion rate 40% (2 of 5)" in text  # 2 received of 3 decided + 1 overdue + 1 not eligible
    assert "Median days to service 7 days" in text  # median of 4 and 10
    assert "Overdue follow-ups 1" in text and "Awaiting outcome 1" in text
    assert "services received out of the referrals that have an outcome or are overdue for one" in text
    mind, trust = setting["mind"].name, setting["trust"].name
    assert f"{mind} → {trust} 5 50% (2 of 4) 7 1 1" in text
    assert f"{trust} → {mind} 1 0% (0 of 1) — 0 0" in text
    # The overdue one is marked in words; the others show their outcome.
    row = re.search(r"<tr>\s*<td>[^<]*</td>\s*<th scope=\"row\">A4</th>.*?</tr>", html, re.S).group(0)
    assert "Overdue follow-up" in row
    assert "Awaiting outcome" in re.search(r"<th scope=\"row\">A5</th>.*?</tr>", html, re.S).group(0)


def test_no_referrals_yet(client, workspace_a, editor, setting):
    client.force_login(editor)
    html = client.get(url(workspace_a, "partnership_referrals", pk=setting["partnership"].pk)).content.decode()
    assert "No referrals logged yet." in html
    assert "— (no outcome due yet)" in html


def test_whether_a_referral_pathway_is_documented(client, workspace_a, editor, setting, actor):
    client.force_login(editor)
    page = url(workspace_a, "partnership_referrals", pk=setting["partnership"].pk)
    html = client.get(page).content.decode()
    assert "No referral pathway is documented." in html
    partnership_url = reverse("portfolio:partnership", kwargs={"ws": workspace_a.slug, "pk": setting["partnership"].pk})
    assert f'href="{partnership_url}#processes-heading"' in html
    register.add_process(
        actor,
        setting["partnership"],
        {"title": "Carers referral pathway", "kind": ProcessKind.REFERRAL_PATHWAY, "link": "https://example.org/p"},
    )
    html = client.get(page).content.decode()
    assert "No referral pathway is documented." not in html
    assert '<a href="https://example.org/p" rel="noopener noreferrer">Carers referral pathway</a>' in html


def test_the_referrals_filter_by_outcome(client, workspace_a, editor, setting, actor):
    refer(actor, setting, days_ago(30), "received", days_ago(26), reference="GOT-IT")
    refer(actor, setting, days_ago(20), reference="LATE", due=days_ago(5))
    refer(actor, setting, days_ago(2), reference="WAITING")
    refer(actor, setting, days_ago(9), "lost", reference="GONE")
    client.force_login(editor)
    page = url(workspace_a, "partnership_referrals", pk=setting["partnership"].pk)

    def shown(outcome):
        html = client.get(page, {"outcome": outcome}).content.decode()
        return set(re.findall(r'<th scope="row">([A-Z-]+)</th>', html))

    assert shown("") == {"GOT-IT", "LATE", "WAITING", "GONE"}
    assert shown("awaiting") == {"WAITING"}
    assert shown("overdue") == {"LATE"}
    assert shown("received") == {"GOT-IT"}
    assert shown("lost") == {"GONE"}
    assert shown("declined") == set()
    assert shown("nonsense") == {"GOT-IT", "LATE", "WAITING", "GONE"}  # an unknown filter shows all
    assert "No referrals match." in client.get(page, {"outcome": "declined"}).content.decode()


def bulk_referrals(workspace, setting, count):
    Referral.objects.bulk_create(
        Referral(
            workspace=workspace,
            partnership=setting["partnership"],
            from_organisation=setting["mind"] if i % 3 else setting["trust"],
            to_organisation=setting["trust"] if i % 3 else setting["mind"],
            date=days_ago(i % 300 + 1),
            client_reference=f"R-{i:05}",
            handoff_to=setting["sam"] if i % 3 else None,
            follow_up_due=days_ago(i % 300 + 1) + dt.timedelta(days=14),
            outcome=["", "received", "declined", "lost"][i % 4],
            service_date=days_ago(i % 300) if i % 4 == 1 else None,
        )
        for i in range(count)
    )


def test_newest_first_fifty_a_page(client, workspace_a, editor, setting):
    bulk_referrals(workspace_a, setting, 60)
    client.force_login(editor)
    page = url(workspace_a, "partnership_referrals", pk=setting["partnership"].pk)
    first = client.get(page).content.decode()
    references = re.findall(r'<th scope="row">(R-\d+)</th>', first)
    assert len(references) == 50
    dates = list(Referral.objects.filter(client_reference__in=references).values_list("date", flat=True))
    assert max(dates) == days_ago(1)
    assert "Page 1 of 2" in first and "60 referrals" in first
    second = client.get(page, {"page": 2}).content.decode()
    assert len(re.findall(r'<th scope="row">(R-\d+)</th>', second)) == 10


def test_the_list_page_holds_its_query_count_from_5_to_500_referrals(client, workspace_a, editor, setting):
    client.force_login(editor)
    page = url(workspace_a, "partnership_referrals", pk=setting["partnership"].pk)
    client.get(page)  # the session notes the workspace
    counts = []
    for size in (5, 500):
        Referral.objects.all().delete()
        bulk_referrals(workspace_a, setting, size)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page)
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{counts[0]} queries with 5 referrals, {counts[1]} with 500"
    assert counts[0] <= 12
