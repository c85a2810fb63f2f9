"""How often the suggestions answer real customer questions (JDDC sample, evaluation only).

Labels come from a transparent rule: a customer turn is labelled with a category when it
contains a cue word of exactly one category below (turns matching none or several are left
out). The cue lists are written here, independently of the default scripts' keywords,
though both are common e-commerce words. Reported in docs/text-accuracy.md."""

import json

import pytest

from kefu.scripts import selectors
from kefu.text.tests.datasets import shared_data_dir

pytestmark = pytest.mark.django_db

CUES = {
    "logistics": ["快递", "物流", "发货", "配送", "送到", "到货", "派送"],
    "returns": ["退货", "换货", "退款", "退钱"],
    "order": ["订单", "取消", "地址", "发票"],
    "aftersale": ["维修", "保修", "坏了", "故障", "安装"],
    "product": ["价格", "优惠", "有货", "尺码", "颜色", "型号", "质量"],
    "complaint": ["投诉", "差评", "太差", "生气"],
    "payment": ["付款", "支付", "白条", "分期"],
    "greeting": ["在吗", "你好", "您好"],
    "closing": ["谢谢", "好的", "再见"],
}


def labelled(folder):
    cases = []
    with (folder / "dev_dialogues.jsonl").open(encoding="utf-8") as f:
        for line in f:
            for turn in json.loads(line)["turns"]:
                if turn["role"] != "customer":
                    continue
                hits = [key for key, words in CUES.items() if any(word in turn["text"] for word in words)]
                if len(hits) == 1:
                    cases.append((turn["text"], hits[0]))
    return cases


def test_suggestions_put_the_right_category_in_the_top_3(agent_user, shop):
    cases = labelled(shared_data_dir("jddc_sample"))
    assert len(cases) > 500
    top1 = top3 = 0
    for text, key in cases:
        keys = [s.script.category.key for s in selectors.script_suggest(text, shop=shop, user=agent_user, limit=3)]
        top1 += bool(keys) and keys[0] == key
        top3 += key in keys
    print(f"\nscript suggestions on {len(cases)} JDDC customer turns: top-1 {top1 / len(cases):.3f}, "
          f"top-3 {top3 / len(cases):.3f}")
    assert top3 / len(cases) >= 0.6
