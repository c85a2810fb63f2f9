"""SentimentModel accuracy on real labelled reviews (a fixed 80/20 split, read in place).

The full figures, baselines included, are in docs/text-accuracy.md; here only floors.
The product-review model trains on a 15,000-review sample of its 80 % to keep the test
short (the full 37,632 reach 0.935).
"""

import random

import pytest
from sklearn.metrics import accuracy_score

from kefu.text.sentiment import SentimentModel, complaint_words_score
from kefu.text.tests.datasets import split_reviews


def _binary(scores):
    return ["negative" if s > 0.5 else "positive" for s in scores]


@pytest.fixture(scope="module")
def waimai():
    return split_reviews("waimai_10k")


@pytest.fixture(scope="module")
def shopping():
    train_x, train_y, test_x, test_y = split_reviews("online_shopping_10_cats")
    sample = random.Random(0).sample(range(len(train_x)), 15_000)
    return [train_x[i] for i in sample], [train_y[i] for i in sample], test_x, test_y


def test_food_delivery_reviews(waimai):
    train_x, train_y, test_x, test_y = waimai

    model = SentimentModel().fit(train_x, train_y)

    assert accuracy_score(test_y, _binary(model.score(test_x))) >= 0.86


def test_product_reviews(shopping):
    train_x, train_y, test_x, test_y = shopping

    model = SentimentModel().fit(train_x, train_y)

    assert accuracy_score(test_y, _binary(model.score(test_x))) >= 0.91


def test_the_fallback_beats_the_majority_class(waimai):
    _, _, test_x, test_y = waimai
    majority = max(set(test_y), key=test_y.count)

    fallback = accuracy_score(test_y, _binary([complaint_words_score(t) for t in test_x]))

    assert fallback > test_y.count(majority) / len(test_y)
