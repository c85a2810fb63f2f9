"""SentimentModel and the word-list fallback, on a few reviews written for the tests."""

import pytest

from kefu.text.sentiment import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    SentimentModel,
    complaint_words_score,
    rating_label,
    train_from_ratings,
)

GOOD = [
    "东西很好，非常满意",
    "质量不错，推荐购买",
    "物流很快，包装完好",
    "很喜欢，下次还来",
    "性价比高，好评",
    "客服态度很好，耐心解答",
    "味道很好吃，分量足",
    "衣服很漂亮，尺码合适",
    "发货速度快，值得购买",
    "正品，用着很舒服",
    "宝贝收到了，超级满意",
    "非常好用，五星好评",
]
BAD = [
    "质量太差了，要退货",
    "物流太慢，等了一个星期",
    "客服态度差，不理人",
    "东西是坏的，要求退款",
    "假货，再也不买了",
    "味道难吃，凉了",
    "衣服掉色严重，很失望",
    "发错货了还不处理",
    "包装破损，差评",
    "用了两天就坏了",
    "太垃圾了，骗子商家",
    "收到发霉了，恶心",
]


@pytest.fixture(scope="module")
def model():
    return SentimentModel(min_df=1).fit(GOOD + BAD, [POSITIVE] * len(GOOD) + [NEGATIVE] * len(BAD))


def test_the_model_scores_a_complaint_above_praise(model):
    bad, good = model.score(["质量太差，要退款", "很满意，好评"])

    assert bad > 0.5 > good


def test_predict_gives_labels(model):
    assert model.predict(["质量太差，差评", "非常满意，好评"]) == [NEGATIVE, POSITIVE]


def test_an_unsure_text_is_neutral(model):
    model.neutral_margin = 0.5  # every probability is within 0.5 of 0.5

    try:
        assert model.predict(["几号发货"]) == [NEUTRAL]
    finally:
        model.neutral_margin = 0.15


def test_no_texts_no_predictions(model):
    assert model.predict([]) == [] and model.predict_proba([]) == []


def test_save_and_load_round_trip(model, tmp_path):
    path = tmp_path / "sentiment.joblib"
    model.save(path)

    loaded = SentimentModel.load(path)

    assert loaded.predict_proba(["物流太慢"]) == model.predict_proba(["物流太慢"])


def test_load_refuses_a_file_that_is_not_a_model(tmp_path):
    import joblib

    path = tmp_path / "other.joblib"
    joblib.dump({"something": 1}, path)

    with pytest.raises(ValueError, match="not a Kefu sentiment model"):
        SentimentModel.load(path)


def test_an_untrained_model_refuses_to_predict():
    with pytest.raises(RuntimeError, match="not trained"):
        SentimentModel().predict(["好"])


def test_training_needs_both_classes():
    with pytest.raises(ValueError, match="both positive and negative"):
        SentimentModel().fit(GOOD, [POSITIVE] * len(GOOD))


def test_training_refuses_unknown_labels():
    with pytest.raises(ValueError, match="unknown labels"):
        SentimentModel().fit(["好", "差"], ["good", "bad"])


@pytest.mark.parametrize(
    ("stars", "label"),
    [(1, NEGATIVE), (2, NEGATIVE), (3, NEUTRAL), (4, POSITIVE), (5, POSITIVE)],
)
def test_rating_label(stars, label):
    assert rating_label(stars) == label


def test_rating_label_refuses_out_of_range():
    with pytest.raises(ValueError):
        rating_label(0)


def test_train_from_ratings_drops_three_stars_and_empty_texts():
    pairs = [(t, 5) for t in GOOD] + [(t, 1) for t in BAD] + [("还行吧", 3), ("", 1)]

    model = train_from_ratings(pairs, min_df=1)

    assert model.classes == (NEGATIVE, POSITIVE)


def test_train_from_ratings_can_keep_neutral():
    neutral = ["还行吧，一般般", "中规中矩", "凑合能用", "普普通通"]
    pairs = [(t, 5) for t in GOOD] + [(t, 1) for t in BAD] + [(t, 3) for t in neutral]

    model = train_from_ratings(pairs, keep_neutral=True, min_df=1)

    assert model.classes == (NEGATIVE, NEUTRAL, POSITIVE)
    assert set(model.predict(["中规中矩，一般般"])) <= {NEGATIVE, NEUTRAL, POSITIVE}


@pytest.mark.parametrize(
    "text", ["物流太慢了", "我要投诉", "不新鲜", "非常不满意", "等了好久还没到"]
)
def test_fallback_scores_complaints_negative(text):
    assert complaint_words_score(text) > 0.5


@pytest.mark.parametrize("text", ["东西不错，很满意", "好的谢谢", "一点也不慢", "没问题"])
def test_fallback_scores_praise_and_thanks_not_negative(text):
    assert complaint_words_score(text) < 0.5


def test_fallback_without_any_clue_is_undecided():
    assert complaint_words_score("几号发货") == 0.5
