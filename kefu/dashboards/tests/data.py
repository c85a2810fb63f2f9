"""A small service day in the events.md format, imported through intake, for the metric
pages' tests: two shops, three agents in two teams in the first, one in the second.

In the first shop's day (every time is ``start + n·unit``):

- 小美 (a1, 售前一组) answers v1 after 1 unit; v2, v3 (a bot reply only) and v4 (an
  automatic reply only) are assigned to her and unanswered: her 未回复 is 3;
- 小丽 (a2, 售前一组) answers v5 after 5 units: the slowest;
- 阿强 (a3, 售后组) answers the after-sale conversation v6 after a third of a unit;
- v7 has no agent and no reply: the shop's 未回复 is 4;
- c1 orders after v1 (credited to 小美, paid ¥199), c8 orders without asking (silent,
  ¥88); o1 gets a 1★ review and a refund.

The second shop's day has one unanswered conversation of its own agent b1."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def base_records() -> list[dict]:
    return [
        {"type": "shop", "id": "s1", "name": "棉舍旗舰店", "platform": "tmall"},
        {"type": "shop", "id": "s2", "name": "二号店", "platform": "jd"},
        {"type": "agent", "id": "a1", "name": "小美", "shop_id": "s1", "team": "售前一组"},
        {"type": "agent", "id": "a2", "name": "小丽", "shop_id": "s1", "team": "售前一组"},
        {"type": "agent", "id": "a3", "name": "阿强", "shop_id": "s1", "team": "售后组"},
        {"type": "agent", "id": "b1", "name": "阿乙", "shop_id": "s2", "team": "二号店组"},
    ]


def day_records(*, start: datetime, unit: timedelta, tag: str) -> list[dict]:
    """One service day of the module docstring; ``tag`` keeps ids unique across days."""

    def at(units: float) -> str:
        return (start + unit * units).isoformat()

    records: list[dict] = []

    def conversation(n, customer, *, agent=None, stage="presale", shop="s1", began=0.0):
        cid = f"{tag}-{customer}"
        records.append({"type": "customer", "id": cid, "shop_id": shop, "nick": f"tb_{tag}_{customer}"})
        record = {"type": "conversation", "id": f"{tag}-v{n}", "shop_id": shop, "customer_id": cid,
                  "started_at": at(began), "stage": stage}
        if agent:
            record["assigned_agent_id"] = agent
        records.append(record)
        return f"{tag}-v{n}"

    def message(n, conversation_id, units, sender="customer", agent=None, **extra):
        record = {"type": "message", "id": f"{tag}-m{n}", "conversation_id": conversation_id, "sent_at": at(units),
                  "sender": sender, "text": "在吗？" if sender == "customer" else "亲，在的", **extra}
        if agent:
            record["agent_id"] = agent
        records.append(record)

    v1 = conversation(1, "c1", agent="a1", began=1)
    message(1, v1, 1)
    message(2, v1, 2, "agent", "a1")
    for n, customer in ((2, "c2"), (3, "c3"), (4, "c4")):
        v = conversation(n, customer, agent="a1", began=3 + n)
        message(10 + n, v, 3 + n)
    message(20, f"{tag}-v3", 7.5, "bot")
    message(21, f"{tag}-v4", 8.5, "agent", "a1", is_auto=True)
    v5 = conversation(5, "c5", agent="a2", began=10)
    message(30, v5, 10)
    message(31, v5, 15, "agent", "a2")
    v6 = conversation(6, "c6", agent="a3", stage="aftersale", began=12)
    message(40, v6, 12)
    message(41, v6, 12 + 1 / 3, "agent", "a3")
    v7 = conversation(7, "c7", began=14)
    message(50, v7, 14)
    records.append({"type": "customer", "id": f"{tag}-c8", "shop_id": "s1"})
    records += [
        {"type": "order", "id": f"{tag}-o1", "shop_id": "s1", "customer_id": f"{tag}-c1", "created_at": at(3),
         "paid_at": at(3.5), "amount": "199.00"},
        {"type": "order", "id": f"{tag}-o2", "shop_id": "s1", "customer_id": f"{tag}-c8", "created_at": at(4),
         "paid_at": at(4.5), "amount": "88.00"},
        {"type": "review", "id": f"{tag}-r1", "shop_id": "s1", "order_id": f"{tag}-o1", "rating": 1,
         "created_at": at(16), "text": "质量一般"},
        {"type": "aftersale", "id": f"{tag}-as1", "shop_id": "s1", "order_id": f"{tag}-o1", "kind": "refund",
         "opened_at": at(16), "status": "completed", "closed_at": at(17), "reason": "不想要了"},
    ]
    w = conversation(8, "c9", agent="b1", shop="s2", began=2)
    message(60, w, 2)
    return records


def import_records(records: list[dict]) -> None:
    """Import through intake, then bring the metric rollups up to date (in production a
    background task does it after every import)."""
    from kefu.intake.services import events_import
    from kefu.metrics.rollups import rollups_refresh

    _run, summary = events_import(records=enumerate(records, 1))
    assert summary.rejected == []
    rollups_refresh()


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def today_and_last_week() -> datetime:
    """The day of the module docstring today so far and on the same weekday last week,
    squeezed between local midnight and now (whatever the time of day it runs at). Returns now."""
    now = timezone.now()
    midnight = local_midnight(timezone.localtime(now, SHANGHAI).date())
    unit = min(timedelta(minutes=1), (now - midnight) / 40)
    records = base_records()
    records += day_records(start=midnight + unit, unit=unit, tag="t")
    records += day_records(start=midnight - timedelta(days=7) + unit, unit=unit, tag="w")
    import_records(records)
    return now


def past_day_import() -> date:
    """The day of the module docstring 9 days ago, 10:00 onwards, a minute a unit."""
    day = timezone.localdate() - timedelta(days=9)
    import_records(base_records() + day_records(start=local_midnight(day) + timedelta(hours=10),
                                                unit=timedelta(minutes=1), tag="p"))
    return day
