"""A small service day in the events.md format, imported through intake, rolled up and
inspected by the real rules (spec/qa.md), for the review journeys.

Yesterday in 棉舍旗舰店 (s1):

- j1, 小美 (a1): "L码有货，加我微信发你实拍图" — steering off the platform (critical: the
  conversation is flagged) and no greeting in the first reply;
- j2, 小美: "这是全网最好的面料，绝对不起球" — absolute claims;
- j3, 小丽 (a2): a clean exchange with greeting and closing;
- j4, 小丽: "百分百纯棉，质量绝对没问题" (absolute claims), and "嗯嗯" is no closing.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def records(day) -> list[dict]:
    start = datetime.combine(day, time(10, 0), tzinfo=SHANGHAI)

    def at(seconds: int) -> str:
        return (start + timedelta(seconds=seconds)).isoformat()

    out = [
        {"type": "shop", "id": "s1", "name": "棉舍旗舰店", "platform": "tmall"},
        {"type": "agent", "id": "a1", "name": "小美", "shop_id": "s1", "team": "售前一组"},
        {"type": "agent", "id": "a2", "name": "小丽", "shop_id": "s1", "team": "售前一组"},
    ]

    def conversation(cid, agent, began, lines):
        out.append({"type": "customer", "id": f"c-{cid}", "shop_id": "s1", "nick": f"tb_{cid}"})
        out.append({"type": "conversation", "id": cid, "shop_id": "s1", "customer_id": f"c-{cid}",
                    "started_at": at(began), "assigned_agent_id": agent, "ended_at": at(began + 600)})
        for n, (offset, sender, text) in enumerate(lines, 1):
            record = {"type": "message", "id": f"{cid}-m{n}", "conversation_id": cid, "sent_at": at(began + offset),
                      "sender": sender, "text": text}
            if sender == "agent":
                record["agent_id"] = agent
            out.append(record)

    conversation("j1", "a1", 0, [
        (0, "customer", "在吗？这件毛衣有L码吗"),
        (40, "agent", "L码有货，加我微信发你实拍图"),
        (90, "customer", "好的"),
        (120, "agent", "还有什么可以帮您的吗？"),
    ])
    conversation("j2", "a1", 1200, [
        (0, "customer", "这个会起球吗"),
        (30, "agent", "亲，您好，这是全网最好的面料，绝对不起球"),
        (80, "customer", "好的"),
        (100, "agent", "感谢光临，祝您生活愉快"),
    ])
    conversation("j3", "a2", 2400, [
        (0, "customer", "什么时候发货"),
        (20, "agent", "亲，您好，今天下单今天发货哦"),
        (60, "customer", "好的"),
        (80, "agent", "感谢您的支持，再见"),
    ])
    conversation("j4", "a2", 3600, [
        (0, "customer", "质量怎么样"),
        (30, "agent", "亲，您好，百分百纯棉，质量绝对没问题"),
        (70, "customer", "好的"),
        (90, "agent", "嗯嗯"),
    ])
    return out


def inspected_day():
    """Import yesterday's conversations, roll them up and inspect them; returns the day."""
    from kefu.conversations.models import Conversation
    from kefu.intake.services import events_import
    from kefu.metrics.rollups import rollups_refresh
    from kefu.qa.inspector import inspect_conversations

    day = timezone.localdate() - timedelta(days=1)
    _run, summary = events_import(records=enumerate(records(day), 1))
    assert summary.rejected == []
    rollups_refresh()
    inspect_conversations(Conversation.objects.values_list("pk", flat=True))
    return day
