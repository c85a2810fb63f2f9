"""The insight text models on small hand-written examples (the accuracy on real data is
in test_text_accuracy.py and docs/insights-accuracy.md)."""

import pytest

from kefu.insights.text.aspects import AspectExtractor, naive_extract
from kefu.insights.text.csvfiles import read_id_text_csv, read_labelled_csv
from kefu.insights.text.features import normalize_text, prepare_texts
from kefu.insights.text.intents import classify_intents, rule_intent
from kefu.insights.text.models import CategoryModel, IntentModel, SentimentModel, load_model
from kefu.insights.text.pipeline import Insights, texts_classify
from kefu.insights.text.taxonomy import keyword_categories

POSITIVE = ["质量很好，很满意", "物流很快，包装完好", "非常喜欢，还会回购", "性价比高，推荐购买", "客服态度很好"] * 4
NEGATIVE = ["质量太差了，不推荐", "物流太慢，等了一周", "包装破损，很失望", "不好用，退货了", "客服态度差，不理人"] * 4


@pytest.fixture(scope="module")
def sentiment_model():
    texts = POSITIVE + NEGATIVE
    labels = ["positive"] * len(POSITIVE) + ["negative"] * len(NEGATIVE)
    model = SentimentModel()
    model.vectorizer.chars.min_df = model.vectorizer.words.min_df = 1
    return model.fit(prepare_texts(texts), labels)


def test_normalize_text_folds_width_and_case_and_keeps_punctuation():
    assert normalize_text("ＡＢＣ  很好！！") == "abc 很好!!"


def test_sentiment_model_separates_unseen_praise_and_complaint(sentiment_model):
    (pos_label, pos_score), (neg_label, neg_score) = sentiment_model.predict(prepare_texts(["质量很好", "太差了"]))

    assert (pos_label, neg_label) == ("positive", "negative")
    assert pos_score > 0.65 > 0.35 > neg_score


def test_sentiment_model_rejects_unknown_labels():
    with pytest.raises(ValueError, match="unknown sentiment labels"):
        SentimentModel().fit(prepare_texts(["好", "差"]), ["good", "negative"])


def test_sentiment_model_survives_save_and_load(sentiment_model, tmp_path):
    path = sentiment_model.save(tmp_path / "m.joblib")

    assert load_model(path).scores(prepare_texts(["太差了"])) == sentiment_model.scores(prepare_texts(["太差了"]))


def test_load_model_refuses_a_foreign_file(tmp_path):
    import joblib

    joblib.dump({"format": "other"}, tmp_path / "x.joblib")

    with pytest.raises(ValueError, match="not a Kefu insights model"):
        load_model(tmp_path / "x.joblib")


def test_category_model_gives_every_text_at_least_one_category():
    texts = ["物流太慢了", "快递很慢", "包装破了", "盒子压扁了", "价格太贵", "降价了不给价保"] * 3
    labels = [["物流-延迟"], ["物流-延迟"], ["包装"], ["包装"], ["价格/优惠"], ["价格/优惠", "售后流程"]] * 3
    model = CategoryModel()
    model.vectorizer.chars.min_df = model.vectorizer.words.min_df = 1
    model.fit(prepare_texts(texts), labels)

    predicted = model.predict(prepare_texts(["物流好慢", "嗯"]))

    assert predicted[0][0] == "物流-延迟"
    assert len(predicted[1]) >= 1


def test_keyword_categories_match_the_default_taxonomy():
    assert keyword_categories("快递太慢了，包装也破损了") == ["物流-延迟", "物流-破损", "包装"]
    assert keyword_categories("谢谢") == []


def test_aspect_extractor_splits_aspect_opinion_and_category():
    extractor = AspectExtractor().fit([("包装", "太随便了", "包装")])

    found = extractor.extract(normalize_text("包装太随便了，连个包装盒都没有"))

    assert found[0][:3] == ("包装", "太随便了", "包装")


def test_aspect_opinion_before_the_aspect_is_found():
    extractor = AspectExtractor().fit([("味道", "很喜欢", "气味")])

    assert extractor.extract("很喜欢这个味道")[0][:3] == ("味道", "很喜欢", "气味")


def test_naive_baseline_takes_the_rest_of_the_clause():
    assert naive_extract("包装太随便了，还行", {"包装"}) == [("包装", "太随便了")]


def test_intent_rules_pick_the_most_mentioned_intent_and_complaints_win_ties():
    assert rule_intent(["什么时候发货", "今天能发吗 发什么快递"]) == "shipping"
    assert rule_intent(["我要投诉", "退货怎么还没处理"]) == "complaint"
    assert rule_intent(["在吗"]) == "other"


def test_intent_model_overrides_rules_only_when_confident():
    texts = ["能开专票吗", "开发票", "发票抬头", "要退货", "怎么退款", "我要退换"] * 3
    labels = ["invoice"] * 3 + ["return"] * 3
    labels = labels * 3
    model = IntentModel()
    model.vectorizer.chars.min_df = model.vectorizer.words.min_df = 1
    model.fit(prepare_texts(texts), labels)

    result = classify_intents([["开发票"], ["在吗"]], model=model, min_confidence=0.6)

    assert result[0] == ("invoice", "model")
    assert classify_intents([["在吗"]], model=model, min_confidence=1.01) == [("other", "rules")]


def test_texts_classify_without_models_uses_word_lists_and_keywords():
    [result] = texts_classify(["包装太随便了"], insights=Insights())

    assert set(result) == {"sentiment", "score", "categories", "aspects"}
    assert result["categories"] == ["包装"]
    assert result["aspects"][0]["aspect"] == "包装"


def test_texts_classify_uses_the_trained_sentiment_model(sentiment_model):
    results = texts_classify(["物流太慢了", "质量很好"], insights=Insights(sentiment=sentiment_model))

    assert [r["sentiment"] for r in results] == ["negative", "positive"]


def test_labelled_csv_reports_bad_rows_with_line_numbers_and_keeps_good_ones(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("text,label\n很好,1\n,0\n差,maybe\n一般,neutral\n", encoding="utf-8")

    read = read_labelled_csv(path, task="sentiment")

    assert read.rows == [("很好", "positive"), ("一般", "neutral")]
    assert [e.split(": ", 1)[0] for e in read.errors] == [f"{path} line 3", f"{path} line 4"]


def test_category_csv_splits_labels_on_bars(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("text,label\n又慢又破,物流-延迟| 物流-破损\n", encoding="utf-8")

    assert read_labelled_csv(path, task="category").rows == [("又慢又破", ("物流-延迟", "物流-破损"))]


def test_csv_without_the_required_columns_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("id,body\n1,x\n", encoding="utf-8")

    with pytest.raises(ValueError, match="missing column"):
        read_id_text_csv(path)
