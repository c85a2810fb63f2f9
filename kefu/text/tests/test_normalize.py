"""Normalisation: what evasions fold into, and the way back to the original text."""

import pytest

from kefu.text.normalize import normalize, normalize_map


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("V 信", "v信"),
        ("ＶＸ", "vx"),
        ("加-V", "加v"),
        ("微.信", "微信"),
        ("微👌信", "微信"),
        ("微\u200d信", "微信"),
        ("Ｑ Ｑ号：１２３", "qq号123"),
        ("１００％", "100%"),
        ("＋Ｖ", "+v"),
        ("WeChat", "wechat"),
        ("①", "1"),
    ],
)
def test_normalize_folds_width_case_and_symbols(text, expected):
    assert normalize(text) == expected


def test_normalize_keeps_chinese_text_unchanged():
    assert normalize("您好请问有什么可以帮您") == "您好请问有什么可以帮您"


def test_positions_lead_back_to_the_original_characters():
    norm = normalize_map("加 Ｖ-信！")

    assert norm.text == "加v信"
    assert norm.positions == (0, 2, 4)
    assert norm.span(1, 3) == (2, 5)
    assert norm.original[slice(*norm.span(1, 3))] == "Ｖ-信"


def test_clause_breaks_are_counted_but_not_kept():
    norm = normalize_map("加我微信，支付更方便")

    assert norm.text == "加我微信支付更方便"
    assert norm.same_clause(0, 4)
    assert not norm.same_clause(2, 6)


def test_a_full_stop_is_not_a_clause_break():
    # "微.信" is an evasion far more often than a sentence end.
    assert normalize_map("微.信").same_clause(0, 2)


def test_empty_text():
    norm = normalize_map("")

    assert (norm.text, norm.positions) == ("", ())
