"""Properties of scoring over many generated instruments, answers and organisations (hypothesis)."""

import math
import random
from collections import defaultdict
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from keel.assessments.definitions import Definition, Dimension, Item
from keel.assessments.scoring import OTHERS, response_dimension_scores, round_scores

POINTS = st.integers(min_value=1, max_value=5)


@st.composite
def definitions(draw, max_dimensions=4, max_items=4) -> Definition:
    """An instrument of 1–4 dimensions with 1–4 items each, some reverse-scored."""
    dimensions, items = [], []
    for d in range(draw(st.integers(1, max_dimensions))):
        dimensions.append(Dimension(f"d{d}", f"Dimension {d}"))
        for i in range(draw(st.integers(1, max_items))):
            items.append(Item(f"d{d}-i{i}", f"Statement {d}.{i}", f"d{d}", reverse=draw(st.booleans())))
    return Definition(id="generated", title="Generated", dimensions=tuple(dimensions), items=tuple(items))


def answer_sets(definition: Definition):
    """Answers to some of the items: each given 1–5, given as N/A (None), or left out."""
    return st.fixed_dictionaries({}, optional={item.key: st.one_of(st.none(), POINTS) for item in definition.items})


@st.composite
def rounds(draw):
    """An instrument, and responses from organisations of very different sizes (None: no organisation)."""
    definition = draw(definitions())
    organisations = draw(st.lists(st.sampled_from(["x", "y", "z", "w", "v", None]), min_size=0, max_size=25))
    responses = [(org, draw(answer_sets(definition))) for org in organisations]
    return definition, responses


def all_stats(scores):
    for group in [scores.total, *scores.organisations]:
        yield group, group.dimensions


@given(rounds(), st.integers(1, 6))
def test_every_score_is_within_one_and_five(round_, threshold):
    definition, responses = round_
    for _, answers in responses:
        assert all(1 <= s <= 5 for s in response_dimension_scores(definition, answers).values())
    scores = round_scores(definition, responses, threshold)
    for group, dimensions in all_stats(scores):
        for stat in dimensions.values():
            assert 1 - 1e-9 <= stat.mean <= 5 + 1e-9
            assert stat.sd is None or 0 <= stat.sd <= 2 * math.sqrt(2) + 1e-9
        assert group.overall is None or 1 - 1e-9 <= group.overall <= 5 + 1e-9
    assert all(0 <= gap <= 4 + 1e-9 for gap in scores.gaps.values())


@given(st.data())
def test_not_applicable_answers_never_change_a_score(data):
    definition = data.draw(definitions())
    answers = data.draw(answer_sets(definition))
    unanswered = [item.key for item in definition.items if item.key not in answers]
    marked = data.draw(st.lists(st.sampled_from(unanswered), unique=True)) if unanswered else []
    with_na = {**answers, **dict.fromkeys(marked)}
    assert response_dimension_scores(definition, with_na) == response_dimension_scores(definition, answers)
    organisations = data.draw(st.lists(st.sampled_from(["x", "y"]), min_size=1, max_size=8))
    before = round_scores(definition, [(org, answers) for org in organisations], 1)
    after = round_scores(definition, [(org, with_na) for org in organisations], 1)
    assert after == before


@given(st.data())
def test_flipping_a_reverse_items_answer_is_the_same_as_toggling_its_flag(data):
    definition = data.draw(definitions())
    answers = data.draw(answer_sets(definition))
    item = data.draw(st.sampled_from(definition.items))
    toggled = replace(
        definition,
        items=tuple(replace(i, reverse=not i.reverse) if i.key == item.key else i for i in definition.items),
    )
    flipped = dict(answers)
    if flipped.get(item.key) is not None:
        flipped[item.key] = 6 - flipped[item.key]
    expected = response_dimension_scores(definition, answers)
    got = response_dimension_scores(toggled, flipped)
    assert got.keys() == expected.keys()
    assert all(math.isclose(got[key], expected[key]) for key in expected)


@given(st.data())
def test_a_dimension_counts_exactly_when_half_its_items_are_answered(data):
    definition = data.draw(definitions(max_items=6))
    answers = data.draw(answer_sets(definition))
    scores = response_dimension_scores(definition, answers)
    for dimension in definition.dimensions:
        items = definition.items_of(dimension.key)
        values = [6 - answers[i.key] if i.reverse else answers[i.key] for i in items if answers.get(i.key) is not None]
        if values and 2 * len(values) >= len(items):
            assert math.isclose(scores[dimension.key], sum(values) / len(values))
        else:
            assert dimension.key not in scores


@settings(max_examples=300)
@given(rounds(), st.integers(1, 6))
def test_the_anonymity_threshold_never_reveals_a_smaller_group(round_, threshold):
    definition, responses = round_
    scores = round_scores(definition, responses, threshold)
    shown = [g for g in scores.organisations if g.key != OTHERS]
    others = next((g for g in scores.organisations if g.key == OTHERS), None)

    # No group is shown, and no dimension scored, for fewer respondents than the threshold.
    for group in scores.organisations:
        assert group.respondents >= threshold
        assert group.key is not None
    for _, dimensions in all_stats(scores):
        assert all(stat.n >= threshold for stat in dimensions.values())

    # Subtracting the shown organisations from the total leaves nobody, or a group at least as
    # large as the threshold, which is the one shown as "other organisations". (With no
    # organisation shown, what is left is everyone: the total, scored only from the threshold up.)
    remainder = scores.respondents - sum(g.respondents for g in shown)
    if shown:
        assert remainder == 0 or remainder >= threshold
    assert (others.respondents if others else 0) == (remainder if remainder >= threshold else 0)
    for key, total in scores.total.dimensions.items():
        left = total.n - sum(g.dimensions[key].n for g in shown if key in g.dimensions)
        assert left == 0 or left >= threshold
        if others and key in others.dimensions:
            assert others.dimensions[key].n == left
    for group in shown:
        assert group.dimensions.keys() <= scores.total.dimensions.keys()

    # A perception gap compares shown organisations only.
    for key, gap in scores.gaps.items():
        means = [g.dimensions[key].mean for g in shown if key in g.dimensions]
        assert len(means) >= 2 and math.isclose(gap, max(means) - min(means))


def plain_recount(definition: Definition, responses):
    """The rules written out the long way, independently of keel.assessments.scoring."""
    per_dimension = defaultdict(list)
    for _, answers in responses:
        for dimension in definition.dimensions:
            items = [i for i in definition.items if i.dimension == dimension.key]
            values = []
            for item in items:
                value = answers.get(item.key)
                if value is not None:
                    values.append(6 - value if item.reverse else value)
            if len(values) >= len(items) / 2 and values:
                per_dimension[dimension.key].append(sum(values) / len(values))
    result = {}
    for key, values in per_dimension.items():
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
        result[key] = (mean, sd, len(values))
    return result


def test_a_round_of_1000_responses_to_30_items_is_scored_correctly():
    rng = random.Random(30)
    dimensions = tuple(Dimension(f"d{d}", f"Dimension {d}") for d in range(10))
    items = tuple(Item(f"i{n}", f"Statement {n}", f"d{n % 10}", reverse=n % 7 == 0) for n in range(30))
    definition = Definition(id="thirty", title="Thirty items", dimensions=dimensions, items=items)
    responses = []
    for n in range(1000):
        answers = {item.key: None if rng.random() < 0.1 else rng.randint(1, 5) for item in items}
        responses.append((f"org-{n % 7}", answers))
    scores = round_scores(definition, responses, threshold=3)
    expected = plain_recount(definition, responses)
    assert scores.respondents == 1000
    assert scores.total.dimensions.keys() == expected.keys()
    for key, (mean, sd, n) in expected.items():
        stat = scores.total.dimensions[key]
        assert stat.n == n and math.isclose(stat.mean, mean) and math.isclose(stat.sd, sd)
    assert math.isclose(scores.overall, sum(m for m, _, _ in expected.values()) / len(expected))
    for group in scores.organisations:  # every organisation has 142 or 143: all shown, none pooled
        own = plain_recount(definition, [r for r in responses if r[0] == group.key])
        assert all(math.isclose(group.dimensions[key].mean, own[key][0]) for key in own)
    assert len(scores.organisations) == 7
