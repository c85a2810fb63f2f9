"""Precision and recall of the default word lists on the hand-labelled set."""

import collections

import pytest

from kefu.text.lexicon import RULE_WORDS
from kefu.text.tests.evaluation import eval_rows, score_rules


def test_the_labelled_set_has_about_forty_lines_per_rule_with_both_labels():
    counts = collections.Counter((row["rule"], row["label"]) for row in eval_rows())

    for rule in RULE_WORDS:
        assert counts[rule, "1"] >= 15 and counts[rule, "0"] >= 15, rule
        assert counts[rule, "1"] + counts[rule, "0"] >= 40, rule


@pytest.fixture(scope="module")
def scores():
    return score_rules()


@pytest.mark.parametrize("rule", list(RULE_WORDS))
def test_precision_floor(scores, rule):
    # Measured figures are in docs/text-accuracy.md; the floor leaves room for a
    # deliberately hard line or two, not for a regression.
    assert scores[rule].precision >= 0.93, scores[rule].errors


@pytest.mark.parametrize("rule", list(RULE_WORDS))
def test_recall_floor(scores, rule):
    assert scores[rule].recall >= 0.9, scores[rule].errors
