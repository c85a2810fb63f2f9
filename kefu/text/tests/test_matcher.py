"""PhraseMatcher: evasions match, innocent look-alikes do not, evidence quotes the original."""

import pytest

from kefu.text import Match, PhraseMatcher


def test_finds_a_phrase_with_its_original_position():
    matcher = PhraseMatcher(["微信"])

    assert matcher.find("请加我微信哦") == [Match("微信", "微信", 3, 5)]


def test_evidence_quotes_the_original_text_of_an_evasion():
    matcher = PhraseMatcher(["微信"])

    assert matcher.search("加我 Ｖ - 信：abc") == Match("微信", "Ｖ - 信", 3, 8)


@pytest.mark.parametrize(
    "text",
    [
        "加V 信",
        "ＶＸ",
        "vx",
        "wx：abc123",
        "微.信",
        "微 信",
        "威信",
        "薇信",
        "徽信",
        "v芯",
        "微x",
        "weixin：abc",
        "威新",
        "微+信",
        "微信",
    ],
)
def test_wechat_evasions_match(text):
    assert PhraseMatcher(["微信", "vx"]).search(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "为新用户准备了礼品",
        "作为信誉店铺",
        "稍微新一点的批次",
        "这款维生素每天一粒",
        "电视TV信号",
        "卫星电视",
        "微小的色差",
        "vxe-table 组件",
    ],
)
def test_homophones_without_a_known_variant_do_not_match(text):
    assert PhraseMatcher(["微信", "vx"]).search(text) is None


def test_a_single_homophone_counts_in_a_longer_phrase():
    # 验证马: two characters exact, one sounding alike.
    assert PhraseMatcher(["验证码"]).search("验证马发我").matched == "验证马"


def test_a_two_character_phrase_needs_more_than_a_homophone():
    assert PhraseMatcher(["返现"]).search("饭线") is None


def test_traditional_characters_match_even_without_variants():
    assert PhraseMatcher(["验证码"], variants=False).search("驗證碼多少") is not None


def test_variants_can_be_switched_off():
    matcher = PhraseMatcher(["微信"], variants=False)

    assert matcher.search("威信") is None
    assert matcher.search("微 信") is not None


def test_case_and_width_are_folded_for_latin_phrases():
    assert PhraseMatcher(["QQ号"]).search("ｑｑ号 123").matched == "ｑｑ号"


def test_qq_written_as_kou_kou_matches():
    assert PhraseMatcher(["QQ号"]).search("扣扣号发你").matched == "扣扣号"


def test_a_latin_phrase_does_not_match_inside_a_longer_latin_word():
    matcher = PhraseMatcher(["vx"])

    assert matcher.search("vxe") is None
    assert matcher.search("vx：abc").matched == "vx"


def test_a_number_does_not_match_inside_a_longer_number():
    matcher = PhraseMatcher(["100%"])

    assert matcher.search("提升了2100%") is None
    assert matcher.search("100%正品") is not None


def test_one_character_phrases_get_no_look_alikes():
    assert PhraseMatcher(["傻"]).search("沙发") is None


def test_whole_phrases_count_only_as_the_whole_reply():
    matcher = PhraseMatcher([], whole=["不知道"])

    assert matcher.search("不知道。") == Match("不知道", "不知道", 0, 3)
    assert matcher.search("亲，不知道呢") is not None
    assert matcher.search("我也不知道您是否方便") is None


def test_an_exception_covering_the_match_cancels_it():
    matcher = PhraseMatcher(["微信"], exceptions=["微信支付"])

    assert matcher.search("支持微信支付和支付宝") is None
    assert matcher.search("加我微信") is not None


def test_an_exception_also_excuses_a_variant_in_its_place():
    assert PhraseMatcher(["微信"], exceptions=["微信支付"]).search("威信支付") is None


def test_an_exception_does_not_reach_across_a_clause_break():
    matcher = PhraseMatcher(["微信"], exceptions=["微信支付"])

    assert matcher.search("加我微信，支付更方便") is not None


def test_context_words_are_required_nearby():
    matcher = PhraseMatcher(["返现"], context=["好评", "晒图"], context_window=12)

    assert matcher.search("满300平台自动返现") is None
    assert matcher.search("给个好评，返现3元") is not None


def test_context_outside_the_window_does_not_count():
    matcher = PhraseMatcher(["返现"], context=["好评"], context_window=4)

    assert matcher.search("好评对我们很重要，另外满三百返现") is None


def test_a_phrase_containing_a_context_word_needs_no_other():
    matcher = PhraseMatcher(["好评返现"], context=["好评"])

    assert matcher.search("好平返现") is not None


def test_a_negation_just_before_cancels_the_match():
    matcher = PhraseMatcher(["验证码"], negations=["请勿"], negation_window=6)

    assert matcher.search("请勿向任何人透露验证码") is None
    assert matcher.search("验证码发我") is not None


def test_a_negation_right_after_cancels_the_match():
    matcher = PhraseMatcher(["验证码"], negations=["不要"])

    assert matcher.search("验证码不要告诉任何人") is None


def test_a_negation_in_another_clause_does_not_cancel():
    matcher = PhraseMatcher(["验证码"], negations=["不要"])

    assert matcher.search("不要着急，验证码发我") is not None


def test_a_negation_too_far_before_does_not_cancel():
    matcher = PhraseMatcher(["验证码"], negations=["不要"], negation_window=2)

    assert matcher.search("不要担心我们会处理验证码发我") is not None


def test_a_match_inside_a_longer_one_is_reported_once():
    found = PhraseMatcher(["好评返现", "返现"]).find("好评返现5元")

    assert [m.phrase for m in found] == ["好评返现"]


def test_overlapping_matches_keep_the_literal_one():
    found = PhraseMatcher(["加V", "微信"]).find("加微信")

    assert [(m.phrase, m.matched) for m in found] == [("微信", "微信")]


def test_every_occurrence_is_found_in_order():
    found = PhraseMatcher(["滚"]).find("滚，快滚")

    assert [m.start for m in found] == [0, 3]


def test_nothing_is_found_in_empty_or_symbol_only_text():
    matcher = PhraseMatcher(["微信"], whole=["不知道"])

    assert matcher.find("") == []
    assert matcher.find("👌！！") == []


def test_a_phrase_without_letters_or_digits_is_refused():
    with pytest.raises(ValueError, match="no letter or digit"):
        PhraseMatcher(["👌"])
