"""Automatic inspection of conversations: each built-in rule of qa.md on violations,
evasions and near misses, the score, the stored findings, ``kefu qa run``."""

import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from kefu.conversations.models import Conversation
from kefu.intake.services import events_import
from kefu.metrics.rollups import rollups_refresh
from kefu.qa.inspector import inspect_conversations
from kefu.qa.models import Finding, FindingStatus, Inspection
from kefu.qa.services import conversations_due, qa_run, qa_tick

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def t(seconds: int) -> str:
    return (datetime(2026, 11, 11, 10, 0, tzinfo=SH) + timedelta(seconds=seconds)).isoformat()


BASE = [
    {"type": "shop", "id": "s1", "name": "旗舰店", "platform": "tmall", "service_hours": "09:00-23:00"},
    {"type": "agent", "id": "a1", "name": "小美", "shop_id": "s1", "team": "售前一组"},
]


def chat(cid: str, *turns, **conversation) -> list[dict]:
    """``turns``: (seconds after 10:00, sender, text); agent turns are a1's."""
    records = [{"type": "conversation", "id": cid, "shop_id": "s1", "customer_id": f"c-{cid}",
                "started_at": t(turns[0][0]), **conversation}]
    for n, (at, sender, text) in enumerate(turns):
        record = {"type": "message", "id": f"{cid}-m{n}", "conversation_id": cid, "sent_at": t(at),
                  "sender": sender, "text": text}
        if sender == "agent":
            record["agent_id"] = "a1"
        records.append(record)
    return records


def inspect(*conversations) -> dict[str, dict]:
    """Import the conversations and inspect them: {conversation id: result as JSON}."""
    events_import(records=enumerate(BASE + [r for c in conversations for r in c], 1))
    rollups_refresh()
    ids = list(Conversation.objects.values_list("pk", flat=True))
    return {r.conversation_ext: r.as_json() for r in inspect_conversations(ids)}


def rules_of(result: dict) -> list[str]:
    return [f["rule"] for f in result["findings"]]


GOOD = [(0, "customer", "在吗？这款有L码吗"), (20, "agent", "亲，您好，L码有货的"), (40, "customer", "好的谢谢"),
        (60, "agent", "感谢您的支持，祝您生活愉快")]


def test_a_good_conversation_is_clean_and_scores_100():
    result = inspect(chat("v1", *GOOD))["v1"]
    assert result == {"conversation_id": "v1", "score": 100, "findings": []}
    assert Inspection.objects.get().score == 100


def test_slow_replies_minor_then_major_above_600_seconds():
    result = inspect(chat("v1", (0, "customer", "在吗"), (200, "agent", "您好，在的"), (300, "customer", "有货吗"),
                          (1000, "agent", "亲，有的，感谢咨询")))["v1"]
    slow = [f for f in result["findings"] if f["rule"] == "slow_reply"]
    assert [f["severity"] for f in slow] == ["minor", "major"]
    assert slow[0]["message_ids"] == ["v1-m0", "v1-m1"] and "200" in slow[0]["evidence"]
    assert result["score"] == 100 - 2 - 10


def test_a_missed_question_but_not_a_last_thank_you():
    missed = inspect(chat("v1", (0, "customer", "在吗"), (10, "agent", "您好"), (30, "customer", "能便宜点吗？")),
                     chat("v2", *GOOD[:3]))
    assert rules_of(missed["v1"]) == ["missed_question"]
    assert missed["v1"]["findings"][0]["message_ids"] == ["v1-m2"]
    assert "missed_question" not in rules_of(missed["v2"])  # "好的谢谢" needs no reply


def test_rude_off_platform_bribery_credentials_and_claims():
    results = inspect(
        chat("rude", (0, "customer", "这个怎么用"), (10, "agent", "您好，说明书上写了，你自己看"),
             (20, "customer", "看不懂"), (30, "agent", "不知道"), (40, "customer", "？"),
             (50, "agent", "我也不知道您是否方便拍个照片，谢谢")),
        chat("off", (0, "customer", "能便宜吗"), (10, "agent", "亲，加V 信聊，私下给您优惠"),
             (20, "customer", "怎么付"), (30, "agent", "您好，支持微信支付和支付宝，感谢")),
        chat("bribe", (0, "customer", "有活动吗"), (10, "agent", "亲，好评返现5元哦"),
             (20, "customer", "还有吗"), (30, "agent", "您好，满300平台自动返现，谢谢")),
        chat("cred", (0, "customer", "收不到货"), (10, "agent", "您好，请把手机验证码发给我"),
             (20, "customer", "安全吗"), (30, "agent", "亲，请勿向任何人透露验证码，谢谢")),
        chat("claim", (0, "customer", "哪个好"), (10, "agent", "您好，这款是全网最好的，绝对不起球"),
             (20, "customer", "尺码呢"), (30, "agent", "亲，您最好先量一下尺寸，谢谢")),
    )
    assert rules_of(results["rude"]) == ["rude_language", "rude_language"]  # "你自己看" and a bare "不知道"
    assert [f["message_ids"] for f in results["rude"]["findings"]] == [["rude-m1"], ["rude-m3"]]
    assert rules_of(results["off"]) == ["off_platform"] and results["off"]["findings"][0]["severity"] == "critical"
    assert results["off"]["score"] == 60
    assert rules_of(results["bribe"]) == ["review_bribery"]
    assert rules_of(results["cred"]) == ["credential_request"]
    assert rules_of(results["claim"]) == ["absolute_claim"] and "最好" in results["claim"]["findings"][0]["evidence"]
    assert Inspection.objects.filter(flagged=True).count() == 3  # critical findings need a human


def test_greeting_and_closing():
    results = inspect(
        chat("v1", (0, "customer", "有货吗"), (10, "agent", "有的"), (20, "customer", "好"),
             (30, "agent", "下单吧")),
        chat("v2", (0, "customer", "有货吗"), (10, "agent", "亲，有的，感谢"), (20, "customer", "好的")),
    )
    assert rules_of(results["v1"]) == ["no_greeting", "no_closing"]
    assert rules_of(results["v2"]) == []  # the customer spoke last: no closing expected


def test_an_unresolved_complaint_unless_apologised_or_an_after_sale_opened():
    complaint = [(0, "customer", "你们发货太慢了，我要投诉"), (10, "agent", "您好，已经在催了")]
    results = inspect(
        chat("v1", *complaint),
        chat("v2", *complaint, (20, "agent", "非常抱歉给您带来不便")),
        chat("v3", *complaint, order_id="o3"),
        [{"type": "order", "id": "o3", "shop_id": "s1", "customer_id": "c-v3", "created_at": t(-86400),
          "amount": "10.00"},
         {"type": "aftersale", "id": "as3", "shop_id": "s1", "order_id": "o3", "kind": "refund",
          "opened_at": t(60)}],
    )
    assert "unresolved_complaint" in rules_of(results["v1"])
    assert "unresolved_complaint" not in rules_of(results["v2"])
    assert "unresolved_complaint" not in rules_of(results["v3"])


def test_reinspection_keeps_the_reviewers_decisions():
    inspect(chat("v1", (0, "customer", "在吗"), (300, "agent", "在的")))
    finding = Finding.objects.get(rule_key="slow_reply")
    finding.status = FindingStatus.CONFIRMED
    finding.save()
    inspect_conversations([finding.inspection.conversation_id])
    assert Finding.objects.get(rule_key="slow_reply").status == FindingStatus.CONFIRMED
    assert Finding.objects.get(rule_key="slow_reply").rule.version == 1


def test_closed_conversations_are_inspected_by_the_tick():
    events_import(records=enumerate(BASE + chat("v1", *GOOD), 1))
    rollups_refresh()
    just_after = datetime(2026, 11, 11, 10, 5, tzinfo=SH)
    assert conversations_due(now=just_after) == []  # still going
    assert qa_tick(now=just_after + timedelta(hours=1)) == 1
    assert Inspection.objects.count() == 1
    assert conversations_due(now=just_after + timedelta(hours=2)) == []


def test_kefu_qa_run_prints_every_conversation_of_the_period():
    events_import(records=enumerate(BASE + chat("v1", *GOOD) + chat("v2", (0, "customer", "在吗")), 1))
    out = io.StringIO()
    call_command("qa", "run", "--from", "2026-11-11", "--to", "2026-11-12", "--format", "json", stdout=out)
    rows = {row["conversation_id"]: row for row in json.loads(out.getvalue())}
    assert set(rows) == {"v1", "v2"}
    assert rows["v1"]["findings"] == [] and rows["v1"]["score"] == 100
    assert rows["v2"]["findings"][0] == {"rule": "missed_question", "severity": "major", "message_ids": ["v2-m0"],
                                         "evidence": rows["v2"]["findings"][0]["evidence"]}
    assert len(qa_run(start=datetime(2026, 11, 12, tzinfo=SH).date(), end=datetime(2026, 11, 13, tzinfo=SH).date())) == 0


def test_the_complaint_model_learns_from_the_shops_reviews(settings, tmp_path):
    import random

    from kefu.qa.training import sentiment_train_from_reviews

    settings.DATA_DIR = tmp_path
    rng = random.Random(1)
    good = ["质量很好，很满意", "物流很快，包装精美", "衣服好看，尺码合适", "客服态度好，推荐购买", "面料舒服，会回购"]
    bad = ["质量太差了，很失望", "等了一个星期还没到，气死了", "衣服起球，做工粗糙", "和描述完全不符，不会再买",
           "客服爱答不理，体验极差"]
    records = [{"type": "order", "id": f"o{i}", "shop_id": "s1", "customer_id": f"c{i}", "created_at": t(-9000),
                "amount": "1.00"} for i in range(300)]
    records += [{"type": "review", "id": f"r{i}", "shop_id": "s1", "order_id": f"o{i}", "created_at": t(-100),
                 "rating": 5 if i % 2 else 1, "text": rng.choice(good if i % 2 else bad)} for i in range(300)]
    events_import(records=enumerate(BASE + records, 1))
    assert sentiment_train_from_reviews()["trained"]
    # No complaint word: only the model can tell this customer is unhappy.
    result = inspect(chat("v1", (0, "customer", "衣服做工粗糙，质量太差了，很失望"), (10, "agent", "您好，亲，我看一下")))
    assert "unresolved_complaint" in rules_of(result["v1"])


def test_the_metric_engine_gives_qa_scores_and_findings_per_100():
    from datetime import date

    from kefu.metrics.engine import metrics_compute

    inspect(chat("v1", *GOOD), chat("v2", (0, "customer", "在吗"), (200, "agent", "您好，在的，谢谢")))
    keys = ["qa_score_avg", "qa_findings_per_100"]
    whole = metrics_compute(start=date(2026, 11, 11), end=date(2026, 11, 12), keys=keys)[0].metrics
    assert whole == {"qa_score_avg": (100 + 98) / 2, "qa_findings_per_100": 50.0}
    [a1] = metrics_compute(start=date(2026, 11, 11), end=date(2026, 11, 12), keys=keys, by="agent")
    assert a1.group == {"agent_id": "a1"} and a1.metrics == whole
    [team] = metrics_compute(start=date(2026, 11, 11), end=date(2026, 11, 12), keys=keys, by="team")
    assert team.metrics == whole
    default = metrics_compute(start=date(2026, 11, 11), end=date(2026, 11, 12))[0].metrics
    assert "qa_score_avg" not in default  # the default set is exactly metrics.md's


def test_reviewers_decisions_on_complaints_are_training_labels():
    from kefu.qa.training import reviewed_complaint_pairs

    inspect(chat("v1", (0, "customer", "太慢了，我要投诉"), (10, "agent", "您好，在查")),
            chat("v2", (0, "customer", "退款到账了吗"), (10, "agent", "您好，到了")))
    assert reviewed_complaint_pairs() == []  # nothing reviewed yet
    Finding.objects.filter(inspection__conversation__ext_id="v1", rule_key="unresolved_complaint").update(
        status=FindingStatus.CONFIRMED)
    Finding.objects.filter(inspection__conversation__ext_id="v2", rule_key="unresolved_complaint").update(
        status=FindingStatus.REJECTED)
    pairs = sorted(reviewed_complaint_pairs(), key=lambda pair: pair[1])
    assert pairs[0] == ("太慢了，我要投诉", 1)
    assert all(stars == 5 for _text, stars in pairs[1:]) and ("退款到账了吗", 5) in pairs
