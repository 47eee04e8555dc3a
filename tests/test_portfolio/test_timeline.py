"""A partnership's timeline: order, descriptions, filter, pages, and the page and its htmx list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from test_activity.activity_data import busy_partnership, days

from keel.activity.models import Contact
from keel.outcomes.queries import figure
from keel.portfolio import timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(scope_a, actor):
    return busy_partnership(actor)


def entries(partnership, kinds=None, number=1, can_edit=True):
    return list(timeline.timeline_page(partnership, kinds, number, can_edit=can_edit))


def by_kind_and_date(found) -> dict:
    """{kind + date: the first (newest) entry of that kind that day}."""
    keyed = {}
    for entry in found:
        keyed.setdefault(entry.kind + str(entry.date), entry)
    return keyed


def test_the_timeline_holds_every_kind_newest_first(busy):
    found = entries(busy.partnership)
    assert [(e.kind, e.date) for e in found] == [
        ("key_person", days(0)),
        ("key_person", days(0)),
        ("measurement", days(1)),
        ("rating", days(2)),
        ("rating", days(3)),
        ("contact", days(5)),
        ("meeting", days(10)),
        ("referral", days(20)),
        ("referral", days(30)),
        ("meeting", days(40)),
        ("measurement", days(60)),
    ]
    # Two changes on the same day: the newer record first.
    assert found[0].text.startswith("Jo Bloggs replaced Sam Patel")
    assert found[1].text.startswith("Sam Patel became single point of contact")


def test_each_entry_says_what_happened_in_words(busy):
    texts = by_kind_and_date(entries(busy.partnership))
    age, mind, trust = busy.age.name, busy.mind.name, busy.trust.name
    assert texts[f"meeting{days(40)}"].text == "Partnership meeting — 2 of 3 organisations attended"
    assert texts[f"meeting{days(10)}"].note == "Share the waiting list weekly."
    assert texts[f"contact{days(5)}"].text == f"Call with Priya Shah ({mind})"
    assert texts[f"contact{days(5)}"].note == "Their eligibility criteria"
    assert texts[f"referral{days(20)}"].text == f"Referral C-1042: {age} → {mind} — service received after 6 days"
    assert texts[f"referral{days(30)}"].text == (
        f"Referral C-2001: {mind} → {trust} — follow-up overdue (due {days(16):%d/%m/%Y})"
    )
    assert texts[f"rating{days(2)}"].text == f"{mind} rated 2 by alice"
    assert texts[f"measurement{days(1)}"].text == f"People housed: 42 people ({days(1):%d/%m/%Y})"
    assert texts[f"key_person{days(0)}"].text == f"Jo Bloggs replaced Sam Patel as single point of contact for {age}"


def test_entries_link_to_their_records(busy, scope_a):
    texts = by_kind_and_date(entries(busy.partnership))
    ws, pk = scope_a.slug, busy.partnership.pk
    meeting = texts[f"meeting{days(10)}"]
    assert meeting.url.startswith(f"/w/{ws}/meetings/")
    assert texts[f"measurement{days(1)}"].url == reverse(
        "outcomes:indicator", kwargs={"ws": ws, "pk": busy.indicator.pk}
    )
    assert texts[f"rating{days(2)}"].url == reverse(
        "activity:partnership_rate", kwargs={"ws": ws, "pk": pk, "organisation_pk": busy.mind.pk}
    )
    assert "/referrals/" in texts[f"referral{days(20)}"].url and texts[f"referral{days(20)}"].url.endswith("/edit/")
    assert texts[f"contact{days(5)}"].url == "" and texts[f"key_person{days(0)}"].url == ""


def test_a_viewer_gets_no_links_to_forms(busy, scope_a):
    texts = by_kind_and_date(entries(busy.partnership, can_edit=False))
    assert texts[f"rating{days(2)}"].url == ""
    referrals = reverse("activity:partnership_referrals", kwargs={"ws": scope_a.slug, "pk": busy.partnership.pk})
    assert texts[f"referral{days(20)}"].url == referrals


def test_the_filter_keeps_the_kinds_asked(busy):
    found = entries(busy.partnership, ["referral", "rating"])
    assert [e.kind for e in found] == ["rating", "rating", "referral", "referral"]
    assert [e.kind for e in entries(busy.partnership, ["measurement"])] == ["measurement", "measurement"]


def test_unknown_kinds_are_ignored_and_the_filter_order_is_kept():
    assert timeline.read_kinds(["rating", "nonsense", "meeting", "rating"]) == ["meeting", "rating"]
    assert timeline.read_kinds([]) == []


def test_another_partnerships_records_stay_off_the_timeline(busy, actor):
    other = busy_partnership(actor, lead_email="other@example.org", name="Other alliance")
    mine, theirs = entries(busy.partnership), entries(other.partnership)
    assert len(mine) == len(theirs) == 11
    assert not any("Other alliance" in e.text for e in mine)
    assert {e.url for e in mine if e.url}.isdisjoint(e.url for e in theirs)


def test_pages_of_25_cover_every_entry_once_in_order(busy, scope_a):
    mind = busy.mind
    Contact.objects.bulk_create(
        Contact(partnership=busy.partnership, date=days(100 + i % 7), organisation=mind, summary=f"#{i}")
        for i in range(60)
    )
    pages = [timeline.timeline_page(busy.partnership, None, n) for n in (1, 2, 3)]
    assert [len(page.object_list) for page in pages] == [25, 25, 21]
    assert pages[0].paginator.count == 71 and pages[0].paginator.num_pages == 3
    seen = [(e.kind, e.date, e.text, e.note) for page in pages for e in page]
    assert len(set(seen)) == 71
    assert [date for _, date, _, _ in seen] == sorted((date for _, date, _, _ in seen), reverse=True)
    assert timeline.timeline_page(busy.partnership, None, 99).number == 3  # past the end: the last page
    assert timeline.timeline_page(busy.partnership, None, "x").number == 1


def test_page_addresses_keep_the_filter(busy, scope_a):
    Contact.objects.bulk_create(Contact(partnership=busy.partnership, date=days(100)) for _ in range(30))
    page = timeline.timeline_page(busy.partnership, ["contact", "meeting"], 2)
    base = reverse("portfolio:partnership_timeline", kwargs={"ws": scope_a.slug, "pk": busy.partnership.pk})
    assert page.filtered_url == f"{base}?kind=contact&kind=meeting"
    assert page.newer_url == f"{base}?kind=contact&kind=meeting&page=1"
    assert page.older_url == ""
    assert timeline.timeline_page(busy.partnership, None, 1).older_url == f"{base}?page=2"


def test_an_empty_timeline_says_so(scope_a, make_partnership, client, viewer):
    partnership = make_partnership()
    client.force_login(viewer)
    url = reverse("portfolio:partnership_timeline", kwargs={"ws": scope_a.slug, "pk": partnership.pk})
    assert "Nothing is recorded for this partnership yet" in client.get(url).content.decode()
    assert "Nothing of these kinds" in client.get(url + "?kind=rating").content.decode()


def test_the_timeline_page_has_the_filter_and_pages(busy, scope_a, client, viewer):
    Contact.objects.bulk_create(Contact(partnership=busy.partnership, date=days(100)) for _ in range(30))
    client.force_login(viewer)
    url = reverse("portfolio:partnership_timeline", kwargs={"ws": scope_a.slug, "pk": busy.partnership.pk})
    html = client.get(url + "?kind=contact").content.decode()
    assert "<h1>Timeline of Frailty alliance</h1>" in html
    assert 'id="tl-contact" name="kind" value="contact" checked' in html
    assert 'id="tl-meeting" name="kind" value="meeting">' in html
    assert "1–25 of 31 entries (filtered)" in html
    assert f'href="{url}?kind=contact&amp;page=2"' in html
    assert "hx-get" not in html.split('id="timeline-results"')[1]  # plain links on the full page
    assert "Referral C-1042" not in html


def test_htmx_gets_only_the_list_with_links_that_swap_in_place(busy, scope_a, client, viewer):
    Contact.objects.bulk_create(Contact(partnership=busy.partnership, date=days(100)) for _ in range(30))
    client.force_login(viewer)
    url = reverse("portfolio:partnership_timeline", kwargs={"ws": scope_a.slug, "pk": busy.partnership.pk})
    response = client.get(url + "?page=2", headers={"HX-Request": "true"})
    assert "HX-Request" in response["Vary"]  # a cache keeps the list and the page apart
    html = response.content.decode()
    assert "<html" not in html and "<h1>" not in html
    assert "26–41 of 41 entries" in html
    assert f'href="{url}?page=1" hx-get="{url}?page=1" hx-target="#timeline-results" hx-push-url="false"' in html


def test_amounts_read_as_people_write_them():
    assert figure(Decimal("42.0000"), "people") == "42 people"
    assert figure(Decimal("12.5000"), "%") == "12.5%"
    assert figure(Decimal("1200"), "£") == "£1,200"
    assert figure(Decimal("0.2500")) == "0.25"


def test_referral_states_in_words(busy):
    from keel.activity.models import Referral

    today = dt.date(2026, 5, 1)
    referral = Referral(date=dt.date(2026, 4, 1), follow_up_due=dt.date(2026, 4, 15), outcome="")
    assert timeline.referral_state(referral, today) == "follow-up overdue (due 15/04/2026)"
    assert timeline.referral_state(referral, dt.date(2026, 4, 10)) == "awaiting outcome (follow-up due 15/04/2026)"
    referral.outcome = "received"
    assert timeline.referral_state(referral, today) == "service received"
    referral.service_date = dt.date(2026, 4, 1)
    assert timeline.referral_state(referral, today) == "service received the same day"
    referral.service_date = dt.date(2026, 4, 2)
    assert timeline.referral_state(referral, today) == "service received after 1 day"
    for outcome, words in [("declined", "declined"), ("not_eligible", "not eligible"), ("lost", "lost to follow-up")]:
        referral.outcome = outcome
        assert timeline.referral_state(referral, today) == words
    referral.outcome = "unknown"
    assert timeline.referral_state(referral, today) == "outcome unknown"


def test_an_editor_deletes_a_contact_from_the_timeline_and_a_viewer_cannot(client, editor, viewer, scope_a, actor):

    partnership = busy_partnership(actor).partnership
    contact = Contact.objects.filter(partnership=partnership).first()
    url = reverse("portfolio:partnership", kwargs={"ws": scope_a.slug, "pk": partnership.pk})
    delete = reverse("activity:contact_delete", kwargs={"ws": scope_a.slug, "pk": contact.pk})
    client.force_login(viewer)
    assert delete not in client.get(url).content.decode()
    client.force_login(editor)
    assert delete in client.get(url).content.decode()
    assert client.post(delete).status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
