"""Each scoring rule on a small instrument, against figures worked out by hand."""

import math

import pytest

from keel.assessments.definitions import Definition, Dimension, Item
from keel.assessments.scoring import (
    OTHERS,
    Bands,
    change,
    item_value,
    response_dimension_scores,
    round_scores,
    stats_data,
)

# Dimension "a": three items, the third reverse-scored; "b": two items; "c": four items.
SPEC = Definition(
    id="test",
    title="Test",
    dimensions=(Dimension("a", "A"), Dimension("b", "B"), Dimension("c", "C")),
    items=(
        Item("a1", "A one", "a"),
        Item("a2", "A two", "a"),
        Item("a3", "A three, reversed", "a", reverse=True),
        Item("b1", "B one", "b"),
        Item("b2", "B two", "b"),
        Item("c1", "C one", "c"),
        Item("c2", "C two", "c"),
        Item("c3", "C three", "c"),
        Item("c4", "C four", "c"),
    ),
)


def everywhere(value: int) -> dict:
    """The same answer to every item, so each dimension scores `value` (a3 is stored reversed)."""
    return {item.key: 6 - value if item.reverse else value for item in SPEC.items}


def b_only(value: int) -> dict:
    return {"b1": value, "b2": value}


def approx(value):
    return pytest.approx(value, abs=1e-9)


# ---------------------------------------------------------------- one response


def test_a_reverse_scored_answer_counts_as_six_minus_it():
    assert item_value(1, reverse=True) == 5
    assert item_value(4, reverse=True) == 2
    assert item_value(4, reverse=False) == 4
    assert item_value(None, reverse=True) is None
    # (4 + 2 + (6 − 1)) / 3
    assert response_dimension_scores(SPEC, {"a1": 4, "a2": 2, "a3": 1})["a"] == approx(11 / 3)


def test_not_applicable_answers_are_left_out_of_the_mean():
    # a: (4 + (6 − 2)) / 2, the N/A item ignored rather than counted as 0 or 3
    scores = response_dimension_scores(SPEC, {"a1": 4, "a2": None, "a3": 2, "b1": None, "b2": 5})
    assert scores == {"a": approx(4.0), "b": approx(5.0)}


def test_a_dimension_counts_only_when_at_least_half_its_items_are_answered():
    # c: 2 of 4 answered → counts, (5 + 2) / 2; a: 1 of 3 answered → does not count;
    # b: 1 of 2 answered → counts.
    scores = response_dimension_scores(SPEC, {"c1": 5, "c3": 2, "a1": 5, "a2": None, "b2": 1})
    assert scores == {"c": approx(3.5), "b": approx(1.0)}
    assert response_dimension_scores(SPEC, {"c1": 5, "c2": None, "c3": None, "c4": None}) == {}
    assert response_dimension_scores(SPEC, {}) == {}


# ---------------------------------------------------------------- one round


def test_a_rounds_dimension_score_is_the_mean_of_response_scores_with_n_and_sd():
    responses = [("x", b_only(2)), ("x", b_only(3)), ("x", {"b1": 4, "b2": 5}), ("x", {"c1": 3, "c2": 3})]
    scores = round_scores(SPEC, responses, threshold=3)
    b = scores.total.dimensions["b"]
    # Response scores 2, 3 and 4.5: mean 9.5 / 3; sd from squared deviations 1.3611 + 0.0278 + 1.8611.
    assert (b.mean, b.n) == (approx(19 / 6), 3)
    assert b.sd == approx(math.sqrt((49 / 36 + 1 / 36 + 64 / 36) / 2))
    assert "c" not in scores.total.dimensions  # one response: below the threshold of 3
    assert scores.respondents == 4


def test_the_sd_of_a_single_response_is_none():
    scores = round_scores(SPEC, [("x", everywhere(4))], threshold=1)
    assert scores.total.dimensions["a"].sd is None
    assert scores.total.dimensions["a"].n == 1


def test_overall_is_the_mean_of_the_dimension_scores_not_of_the_answers():
    # a = 4, b = 3, c = 2 for three people: overall (4 + 3 + 2) / 3 = 3, whereas the mean of all
    # nine items would be (3·4 + 2·3 + 4·2) / 9 = 2.89.
    answers = {"a1": 4, "a2": 4, "a3": 2, "b1": 3, "b2": 3, "c1": 2, "c2": 2, "c3": 2, "c4": 2}
    scores = round_scores(SPEC, [("x", answers)] * 3, threshold=3)
    assert scores.overall == approx(3.0)
    assert scores.total.overall == approx(3.0)


def test_no_score_is_given_for_a_round_below_the_threshold():
    scores = round_scores(SPEC, [("x", everywhere(5)), ("y", everywhere(1))], threshold=3)
    assert scores.total.dimensions == {}
    assert scores.overall is None
    assert scores.organisations == []
    assert scores.respondents == 2


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (5.0, "strength"),
        (4.0, "strength"),
        (3.995, "strength"),  # shown as 4.00, so it is not called "watch"
        (3.994, "watch"),
        (3.0, "watch"),
        (2.9999, "watch"),  # shown as 3.00
        (2.994, "concern"),
        (1.0, "concern"),
        (None, ""),
    ],
)
def test_bands_at_their_edges(score, band):
    assert Bands().of(score) == band


def test_bands_follow_the_workspaces_settings():
    bands = Bands(strength=4.5, watch=2.5)
    assert [bands.of(s) for s in (4.5, 4.49, 2.5, 2.49)] == ["strength", "watch", "watch", "concern"]


# ---------------------------------------------------------------- organisations and anonymity


def test_each_organisation_with_enough_respondents_gets_its_own_scores():
    responses = [("x", everywhere(4))] * 3 + [("y", everywhere(2))] * 2 + [("y", everywhere(5))]
    scores = round_scores(SPEC, responses, threshold=3, labels={"x": "Xylo Trust", "y": "Age UK"})
    assert [(g.key, g.label, g.respondents) for g in scores.organisations] == [
        ("y", "Age UK", 3),  # ordered by label
        ("x", "Xylo Trust", 3),
    ]
    age_uk, xylo = scores.organisations
    assert age_uk.dimensions["b"].mean == approx(3.0)  # (2 + 2 + 5) / 3
    assert xylo.overall == approx(4.0)
    assert scores.total.dimensions["b"].mean == approx(3.5)  # (3·4 + 2·2 + 5) / 6


def test_organisations_below_the_threshold_are_pooled_as_other_organisations():
    # x has 3 respondents; y (1) and z (2) are each too few, together 3.
    responses = [("x", everywhere(4))] * 3 + [("y", everywhere(1))] + [("z", everywhere(3))] * 2
    scores = round_scores(SPEC, responses, threshold=3)
    assert [(g.key, g.respondents) for g in scores.organisations] == [("x", 3), (OTHERS, 3)]
    others = scores.organisations[-1]
    assert others.label == "Other organisations"
    assert others.dimensions["a"].mean == approx(7 / 3)  # (1 + 3 + 3) / 3
    assert scores.gaps == {}  # the pooled group is no organisation: no gap is measured against it


def test_respondents_without_an_organisation_are_never_shown_on_their_own():
    scores = round_scores(SPEC, [(None, everywhere(4))] * 5 + [("x", everywhere(2))] * 3, threshold=3)
    assert [(g.key, g.respondents) for g in scores.organisations] == [("x", 3), (OTHERS, 5)]


def test_a_lone_respondent_cannot_be_worked_out_by_subtracting_the_shown_groups():
    # x and y have 3 each, z has 1. Showing x and y would give z's answers away:
    # total·7 − x·3 − y·3 = z. So the smaller of x and y (by key on a tie) joins z as "others".
    responses = [("x", everywhere(4))] * 3 + [("y", everywhere(2))] * 3 + [("z", everywhere(1))]
    scores = round_scores(SPEC, responses, threshold=3)
    assert [(g.key, g.respondents) for g in scores.organisations] == [("y", 3), (OTHERS, 4)]
    assert scores.organisations[-1].dimensions["b"].mean == approx((3 * 4 + 1) / 4)
    total = scores.total.dimensions["b"]
    shown = sum(g.dimensions["b"].n for g in scores.organisations)
    assert shown == total.n == 7
    assert scores.gaps == {}  # one organisation shown: nothing to compare


def test_the_protection_also_holds_for_each_dimension_on_its_own():
    # Everyone at x and y answers; at z three people, of whom one skips dimension b. For b,
    # x and y would then be shown with 3 each beside z's 2 — too few to show, but derivable.
    responses = [("x", everywhere(5))] * 3 + [("y", everywhere(2))] * 3 + [("z", everywhere(3))] * 2
    responses.append(("z", {**everywhere(3), "b1": None, "b2": None}))
    scores = round_scores(SPEC, responses, threshold=3)
    groups = {g.key: g for g in scores.organisations}
    assert set(groups) == {"x", "y", "z"}
    assert {key for key, g in groups.items() if "b" in g.dimensions} == {"y"}  # x joins z's two
    assert scores.gaps["a"] == approx(3.0)  # x 5, z 3, y 2
    assert "b" not in scores.gaps
    assert scores.total.dimensions["b"].n == 8


def test_a_perception_gap_is_the_largest_difference_between_shown_organisations():
    responses = [("x", everywhere(5))] * 3 + [("y", everywhere(4))] * 3 + [("z", b_only(4))] * 3
    responses += [("z", {"b1": 3, "b2": 4})] * 3
    scores = round_scores(SPEC, responses, threshold=3)
    bands = Bands()
    assert scores.gaps["a"] == approx(1.0)  # x 5, y 4
    assert scores.gaps["b"] == approx(1.25)  # x 5, z 3.75
    assert all(scores.gaps[key] >= bands.gap for key in ("a", "b"))  # 1.0 itself is flagged
    responses = [("x", everywhere(4))] * 3 + [("y", {**everywhere(4), "b1": 3})] * 3
    assert round_scores(SPEC, responses, threshold=3).gaps["b"] < bands.gap  # 4 against 3.5


def test_the_threshold_is_at_least_one():
    scores = round_scores(SPEC, [("x", everywhere(3))], threshold=0)
    assert scores.threshold == 1
    assert [g.key for g in scores.organisations] == ["x"]


def test_trend_and_stored_summary():
    assert change(3.5, 3.0) == approx(0.5)
    assert change(3.0, None) is None
    scores = round_scores(SPEC, [("x", everywhere(4))] * 2 + [("x", everywhere(3))], threshold=3)
    data = stats_data(scores)
    assert data["respondents"] == 3 and data["threshold"] == 3
    assert data["overall"] == approx(11 / 3)
    mean, sd, n = data["dimensions"]["a"]
    assert (mean, n) == (approx(11 / 3), 3)
    assert sd == approx(math.sqrt((1 / 9 + 1 / 9 + 4 / 9) / 2))
