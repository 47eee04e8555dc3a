"""What leaders see: the Health section of the partnership page, the round results page and the
Health column of the register list, with the anonymity rule holding on every one of them."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from keel.assessments import queries, services

# Keel's health check, by dimension. The round below is scored so that every band shows:
# shared values are a concern, agreed processes watch, the rest strength (or near it).
BASE = {"shared-purpose": 4, "shared-values": 2, "agreed-processes": 3}


def answers(spec, scores=None, default=4):
    """Answers giving each dimension the score asked for (reverse-scored statements flipped)."""
    scores = {**BASE, **(scores or {})}
    out = {}
    for item in spec.items:
        value = scores.get(item.dimension, default)
        out[item.key] = 6 - value if item.reverse else value
    return out


def add_round(actor, partnership, days_ago, responses, title="", open_limit=0):
    """A round opened `days_ago` with `responses`: [(organisation, answers, comments)], imported."""
    opens = dt.date.today() - dt.timedelta(days=days_ago)
    round_, _ = services.create_round(
        actor,
        partnership,
        services.health_check(),
        opens,
        opens + dt.timedelta(days=14),
        title=title,
        open_limit=open_limit,
        check_dates=False,
    )
    rows = [{"organisation_id": org.pk, "answers": a, "comments": c} for org, a, c in responses]
    if rows:
        services.import_responses(actor, round_, rows, "test")
    round_.refresh_from_db()
    return round_


@pytest.fixture
def orgs(partnership_with_people):
    return [m.organisation for m in partnership_with_people.members.select_related("organisation")]


@pytest.fixture
def two_rounds(partnership_with_people, orgs, actor):
    """Last spring everything was 3; now A and B disagree on trust (gap 2.0) and communication (1.0)."""
    spec = services.health_check().spec
    a, b, c = orgs
    everything_3 = answers(spec, dict.fromkeys(BASE, 3), default=3)
    earlier = [(org, everything_3, {}) for org in orgs for _ in range(3)]
    add_round(actor, partnership_with_people, 200, earlier, title="Spring check")
    per_org = {
        a: {"trust": 5, "communication": 4},
        b: {"trust": 3, "communication": 5},
        c: {"trust": 4, "communication": 4},
    }
    comments = iter(
        [
            {"works": "Monthly meetings", "would-help": "A shared inbox"},
            {"works": "Clear leads"},
            {"does-not-work": "Too many e-mails"},
            {"works": "All the trust we built"},
        ]
    )
    latest = [(org, answers(spec, scores), next(comments, {})) for org, scores in per_org.items() for _ in range(3)]
    return add_round(actor, partnership_with_people, 0, latest, title="Autumn check")


def page(client, user, name, **kwargs):
    client.force_login(user)
    response = client.get(reverse(name, kwargs={"ws": "northshire-ics", **kwargs}))
    assert response.status_code == 200
    return response.content.decode()


def section(html, heading, until):
    """The HTML from one heading's text to the next one's."""
    start = html.index(f">{heading}</h3>")
    return html[start : html.index(f">{until}</h3>", start)]


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_results_of_the_latest_round(partnership_with_people, two_rounds, orgs):
    results = queries.partnership_results(partnership_with_people)
    assert results.round == two_rounds and results.respondents == 9
    # (4 + 2 + 3 + 6 × 4 + 4.33) / 10
    assert results.overall == pytest.approx(3.7333, abs=1e-3) and results.band == "watch"
    assert results.change == pytest.approx(0.7333, abs=1e-3) and results.change_words == "up 0.73"
    bands = {row.key: row.band for row in results.dimensions}
    assert (bands["shared-purpose"], bands["shared-values"], bands["agreed-processes"]) == (
        "strength",
        "concern",
        "watch",
    )
    assert [p.round.title for p in results.trend] == ["Spring check", "Autumn check"]
    gaps = {row.key: row for row in results.gaps}
    assert gaps["trust"].gap == pytest.approx(2.0) and gaps["trust"].flagged
    assert gaps["communication"].gap == pytest.approx(1.0) and gaps["communication"].flagged
    assert gaps["respect"].gap == 0 and not gaps["respect"].flagged
    assert results.groups == sorted(o.name for o in orgs)
    assert [(r.invited, r.answered) for r in results.rates] == [(4, 3)] * 3
    assert (results.rate_total.invited, results.rate_total.answered, results.rate_total.percent) == (12, 9, 75)


def test_partnership_page_shows_health_with_bands_trend_gaps_and_rate(
    client, viewer, partnership_with_people, two_rounds
):
    html = page(client, viewer, "portfolio:partnership", pk=partnership_with_people.pk)
    words = text(html)
    assert "Overall score 3.73: watch" in words and "up 0.73 since the previous round" in words
    # The chart's data island, and the same figures as a table next to it.
    assert 'id="health-chart-data"' in html and 'data-chart="health-chart-data"' in html
    assert 'role="img"' in html and "Bar chart of dimension scores" in html
    dimensions = text(section(html, "Scores by dimension", "Trend across rounds"))
    # Dimension, its description, score, band in words, n, SD, change since the previous round.
    assert "Shared purpose We agree on why the partnership exists and what it is for. 4.00 strength 9 0.00 up 1.00" in (
        dimensions
    )
    assert "Shared values We hold similar beliefs about how the work should be done. 2.00 concern 9" in dimensions
    assert "Agreed processes We have written, agreed ways of working together. 3.00 watch 9" in dimensions
    assert "Trust We rely on each other to do what we say. 4.00 strength 9 0.87 up 1.00" in dimensions
    trend = text(section(html, "Trend across rounds", "Perception gaps"))
    assert "Spring check" in trend and "3.00 watch" in trend and "Autumn check shown" in trend
    gaps = text(section(html, "Perception gaps", "Comments"))
    assert re.search(r"Trust 5\.00 3\.00 4\.00 2\.00 Flagged", gaps)
    assert re.search(r"Communication 4\.00 5\.00 4\.00 1\.00 Flagged", gaps)
    assert re.search(r"Respect 4\.00 4\.00 4\.00 0\.00 —", gaps)
    rate = text(section(html, "Response rate", "Assessment rounds"))
    assert "All organisations 12 9 75%" in rate


def test_comments_are_grouped_by_prompt_sorted_and_not_attributed(
    client, viewer, partnership_with_people, two_rounds, orgs
):
    results = queries.partnership_results(partnership_with_people)
    by_prompt = dict(results.comments)
    works = next(v for k, v in by_prompt.items() if "work" in k.lower() and "not" not in k.lower())
    assert works == ["All the trust we built", "Clear leads", "Monthly meetings"]
    html = page(client, viewer, "portfolio:partnership", pk=partnership_with_people.pk)
    comments = section(html, "Comments", "Response rate")
    assert "Too many e-mails" in comments and "A shared inbox" in comments
    for org in orgs:
        assert org.name not in comments
    assert "Person " not in comments and "@example.org" not in comments
    assert not re.search(r"\d{1,2}:\d{2}", comments)  # no time of day, nor any date finer than the round


def test_too_few_responses_show_no_score_and_no_comments(client, viewer, partnership_with_people, orgs, actor):
    spec = services.health_check().spec
    add_round(actor, partnership_with_people, 0, [(orgs[0], answers(spec), {"works": "Secret"})] * 2)
    results = queries.partnership_results(partnership_with_people)
    assert results.overall is None and results.hidden and results.comments == []
    html = page(client, viewer, "portfolio:partnership", pk=partnership_with_people.pk)
    assert "Too few responses to show scores (2; at least 3 needed)" in html
    assert "Secret" not in html and "health-chart-data" not in html


def test_an_organisation_below_the_threshold_is_never_shown_nor_derivable(
    client, viewer, partnership_with_people, orgs, actor
):
    spec = services.health_check().spec
    a, b, c = orgs
    # A and B have three respondents each; C has two, all of whom think trust is 1.
    responses = [(a, answers(spec, {"trust": 4}), {})] * 3 + [(b, answers(spec, {"trust": 4}), {})] * 3
    responses += [(c, answers(spec, {"trust": 1}), {})] * 2
    round_ = add_round(actor, partnership_with_people, 0, responses)
    scores = services.score_round(round_, labels={o.pk: o.name for o in orgs})
    shown = [g for g in scores.organisations if g.key != "others"]
    # C is pooled; and since the pool of C alone (2) would be too small, one of A and B joins it,
    # so that the whole round minus the shown organisation is still 5 people, never C's 2.
    assert c.pk not in [g.key for g in shown] and len(shown) == 1
    assert scores.respondents - sum(g.respondents for g in shown) == 5
    assert all(g.respondents >= 3 for g in scores.organisations)
    html = page(client, viewer, "portfolio:partnership", pk=partnership_with_people.pk)
    gaps = section(html, "Perception gaps", "Comments")
    assert c.name not in gaps and "need at least two member organisations" in gaps
    # Nothing on the page gives C's trust (1.00) or a score from which it follows.
    results = queries.partnership_results(partnership_with_people)
    assert results.groups == [shown[0].label] and results.gaps == []


def test_the_gap_table_leaves_out_an_organisation_with_two_respondents(partnership_with_people, actor):
    from keel.register import services as register

    spec = services.health_check().spec
    orgs = [m.organisation for m in partnership_with_people.members.select_related("organisation")]
    fourth = register.save_organisation(actor, {"name": "Zed Trust"})
    fifth = register.save_organisation(actor, {"name": "Yew Care"})
    responses = [(org, answers(spec), {}) for org in orgs for _ in range(3)]
    responses += [(fourth, answers(spec, {"trust": 1}), {})] * 2 + [(fifth, answers(spec), {})]
    add_round(actor, partnership_with_people, 0, responses)
    results = queries.partnership_results(partnership_with_people)
    assert "Zed Trust" not in results.groups and "Yew Care" not in results.groups
    assert len(results.groups) == 3  # the pool of Zed and Yew has 3 respondents: nothing to protect
    trust = next(row for row in results.gaps if row.key == "trust")
    assert trust.means == [4.0, 4.0, 4.0] and trust.gap == 0


def test_the_register_list_shows_the_health_column(
    client, viewer, partnership_with_people, two_rounds, make_partnership, orgs, actor
):
    make_partnership("Never assessed")
    few = make_partnership("Few answers")
    spec = services.health_check().spec
    add_round(actor, few, 0, [(orgs[0], answers(spec), {})] * 2, open_limit=10)
    html = page(client, viewer, "portfolio:partnerships")
    rows = [text(m) for m in re.findall(r"<tr>.*?</tr>", html, re.S)]
    row = next(r for r in rows if r.startswith(partnership_with_people.name))
    assert row.endswith("3.73 watch")
    assert next(r for r in rows if r.startswith("Never assessed")).endswith("—")
    assert next(r for r in rows if r.startswith("Few answers")).endswith("too few responses")
    assert ">Health</th>" in html


def test_latest_health_takes_the_newest_round_with_responses(partnership_with_people, two_rounds, actor):
    # A newer round with no answers yet does not hide the latest health.
    add_round(actor, partnership_with_people, -3, [])
    health = queries.latest_health([partnership_with_people.pk])[partnership_with_people.pk]
    assert health.round_id == two_rounds.pk and health.respondents == 9 and health.band == "watch"
    assert health.date == two_rounds.opens_on
    assert health.dimensions["trust"] == pytest.approx(4.0)
    assert queries.latest_health([]) == {}


def test_latest_health_is_one_query(partnership_with_people, two_rounds, django_assert_num_queries):
    with django_assert_num_queries(1):
        queries.latest_health()


def test_round_results_page_shows_any_round(client, viewer, partnership_with_people, two_rounds):
    earlier = partnership_with_people.rounds.get(title="Spring check")
    html = page(client, viewer, "assessments:round_results", pk=earlier.pk)
    words = text(html)
    assert "Results of Spring check" in words and "Overall score 3.00: watch" in words
    assert "Spring check shown" in words and "down" not in words
    assert "Start an assessment round" not in html


def test_a_round_without_responses_has_a_results_page(client, viewer, partnership_with_people, actor):
    round_ = add_round(actor, partnership_with_people, 0, [])
    words = text(page(client, viewer, "assessments:round_results", pk=round_.pk))
    assert "No responses yet." in words and "All organisations 12 0 0%" in words


def test_editors_get_the_link_to_start_a_round(client, editor, viewer, partnership_with_people):
    url = reverse("assessments:round_new", kwargs={"ws": "northshire-ics"})
    html = page(client, editor, "portfolio:partnership", pk=partnership_with_people.pk)
    assert f'href="{url}?partnership={partnership_with_people.pk}"' in html
    assert "No assessment round of this partnership has responses yet." in html
    assert "Start an assessment round" not in page(
        client, viewer, "portfolio:partnership", pk=partnership_with_people.pk
    )


def test_a_round_of_another_workspace_is_not_found(client, outsider, two_rounds):
    client.force_login(outsider)
    url = reverse("assessments:round_results", kwargs={"ws": "southvale-network", "pk": two_rounds.pk})
    assert client.get(url).status_code == 404


def test_no_rate_is_given_where_answers_outnumber_invitations(actor, partnership_with_people, client, viewer, scope_a):
    spec = services.health_check().spec
    org = partnership_with_people.members.first().organisation
    add_round(actor, partnership_with_people, 0, [(org, answers(spec), {})] * 6, open_limit=10)
    results = queries.partnership_results(partnership_with_people)
    row = next(rate for rate in results.rates if rate.label == org.name)
    assert (row.invited, row.answered, row.percent) == (4, 6, None)
    assert results.more_answers_than_invitations
    client.force_login(viewer)
    page = client.get(reverse("portfolio:partnership", kwargs={"ws": scope_a.slug, "pk": partnership_with_people.pk}))
    assert "some came through an open link or were imported" in page.content.decode()
