"""``kefu insights train`` and ``kefu insights classify`` end to end, in a temporary data
directory."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from kefu.core.testing.factories import ReviewFactory

PRAISE = ["质量很好，很满意", "物流很快，包装完好", "非常喜欢，还会回购", "性价比高，推荐", "客服态度很好"]
COMPLAINTS = ["质量太差了，不推荐", "物流太慢，等了一周", "包装破损，很失望", "不好用，退货了", "客服态度差"]


def _write(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def _train(task, path):
    out, err = io.StringIO(), io.StringIO()
    call_command("insights", "train", "--task", task, "--input", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _classify(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("insights", "classify", "--input", str(path), "--format", "json", stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_train_then_classify_prints_the_documented_json(data_dir, tmp_path):
    rows = [(t, 1) for t in PRAISE * 5] + [(t, 0) for t in COMPLAINTS * 5]
    out, _err = _train("sentiment", _write(tmp_path / "s.csv", ["text", "label"], rows))
    texts = _write(tmp_path / "t.csv", ["id", "text"], [("r1", "包装太随便了，质量太差了"), ("r2", "很满意")])

    result, _err = _classify(texts)

    assert (data_dir / "models" / "insights" / "sentiment.joblib").exists()
    assert "50 texts" in out
    assert [set(item) for item in result] == [{"id", "sentiment", "score", "categories", "aspects"}] * 2
    assert [item["id"] for item in result] == ["r1", "r2"]
    assert [item["sentiment"] for item in result] == ["negative", "positive"]
    assert all(0.0 <= item["score"] <= 1.0 for item in result)
    assert result[0]["aspects"][0] == {"aspect": "包装", "opinion": "太随便", "category": "包装",
                                        "polarity": result[0]["aspects"][0]["polarity"]}
    assert set(result[0]["aspects"][0]) == {"aspect", "opinion", "category", "polarity"}


def test_trained_category_model_replaces_the_keywords(data_dir, tmp_path):
    rows = [("物流太慢了", "物流-延迟"), ("快递好慢", "物流-延迟"), ("价格太贵", "价格/优惠|其他")] * 8
    _train("category", _write(tmp_path / "c.csv", ["text", "label"], rows))

    result, _err = _classify(_write(tmp_path / "t.csv", ["id", "text"], [("1", "物流太慢")]))

    assert result[0]["categories"] == ["物流-延迟"]


def test_bad_training_rows_are_reported_by_line_and_good_rows_kept(data_dir, tmp_path):
    rows = [(t, "positive") for t in PRAISE * 5] + [(t, "negative") for t in COMPLAINTS * 5] + [("嗯", "great"), ("", "1")]

    out, err = _train("sentiment", _write(tmp_path / "s.csv", ["text", "label"], rows))

    assert "s.csv line 52: sentiment label 'great'" in err
    assert "s.csv line 53: empty text" in err
    assert "2 bad row(s) skipped, 50 kept" in err
    assert "50 texts" in out


def test_classify_reports_duplicate_ids_and_keeps_the_rest(data_dir, tmp_path):
    path = _write(tmp_path / "t.csv", ["id", "text"], [("a", "很好"), ("a", "很差"), ("", "x"), ("b", "一般")])

    result, err = _classify(path)

    assert [item["id"] for item in result] == ["a", "b"]
    assert "line 3: id 'a' already on line 2" in err
    assert "line 4: empty id" in err


def test_missing_columns_are_a_clear_error(data_dir, tmp_path):
    path = _write(tmp_path / "t.csv", ["text"], [("很好",)])

    with pytest.raises(CommandError, match="line 1: missing column"):
        _classify(path)


def test_too_few_examples_is_a_clear_error(data_dir, tmp_path):
    path = _write(tmp_path / "s.csv", ["text", "label"], [("很好", 1), ("很差", 0)])

    with pytest.raises(CommandError, match="only 2 labelled texts"):
        _train("sentiment", path)


@pytest.mark.django_db
def test_train_without_input_learns_from_review_ratings_and_corrections(data_dir, shop):
    from kefu.insights.text.training import text_correction_record

    for i, text in enumerate(PRAISE * 3):
        ReviewFactory(shop=shop, rating=5, text=f"{text}{i}")
    for i, text in enumerate(COMPLAINTS * 3):
        ReviewFactory(shop=shop, rating=1, text=f"{text}{i}")
    text_correction_record(shop=shop, task="sentiment", text="发货慢死了", label="negative")
    out = io.StringIO()

    call_command("insights", "train", "--task", "sentiment", stdout=out)

    assert "on 31 texts (negative, positive)" in out.getvalue()


@pytest.mark.django_db
def test_correction_with_an_unknown_intent_is_refused(shop):
    from kefu.insights.text.training import text_correction_record

    with pytest.raises(ValueError, match="unknown intent 'chat'"):
        text_correction_record(shop=shop, task="intent", text="在吗", label="chat")
