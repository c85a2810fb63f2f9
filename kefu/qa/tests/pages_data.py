"""Two weeks of conversations for the quality-inspection pages' tests, in the events.md
format, imported through intake, rolled up and inspected.

Shop s1 (旗舰店) has 小美 (a1) and 小丽 (a2) in 售前一组 and 阿强 (a3) in 售后组; shop
s2 (二号店) has 阿乙 (b1). Every day ``k`` (1-14 days before ``today``, 10:00 onwards):

- 小美 answers a clean conversation ("您好 … 感谢") and a near miss ("您最好先量一下尺寸",
  not an absolute claim); in the older week she also claims "全网最好的面料" (绝对化,
  minor) and offers "五星好评返现" (critical) every day, in the recent week only the claim,
  on odd days: her score improves week over week;
- 小丽 answers after 11 minutes (slow reply, major) and praises a "顶配版本" (no finding by
  default: the word a test adds); every third day she steers the customer to 微信 (critical);
- 阿强 answers "不知道" on even days (rude, no greeting, no closing);
- 阿乙 in s2 answers a clean conversation daily and "不知道" every fourth day.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.accounts.roles import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYS = 14

CLEAN = "您好，有货的，感谢您的咨询，祝您购物愉快"
NEAR_MISS = "您好，您最好先量一下尺寸，谢谢"
CLAIM = "您好，这是全网最好的面料，谢谢"
BRIBE = "亲，给个五星好评返现5元哦，感谢"
SLOW = "您好，久等了，已为您查询，感谢"
TOP = "您好，这款是顶配版本，谢谢"
OFF_PLATFORM = "亲，加我微信私聊给您优惠，谢谢"
RUDE = "不知道"


def base_records() -> list[dict]:
    return [
        {"type": "shop", "id": "s1", "name": "旗舰店", "platform": "tmall"},
        {"type": "shop", "id": "s2", "name": "二号店", "platform": "jd"},
        {"type": "agent", "id": "a1", "name": "小美", "shop_id": "s1", "team": "售前一组"},
        {"type": "agent", "id": "a2", "name": "小丽", "shop_id": "s1", "team": "售前一组"},
        {"type": "agent", "id": "a3", "name": "阿强", "shop_id": "s1", "team": "售后组"},
        {"type": "agent", "id": "b1", "name": "阿乙", "shop_id": "s2", "team": "二号店组"},
    ]


def day_plan(k: int) -> list[tuple[str, str, str, int]]:
    """(shop, agent, reply, reply delay in seconds) of the conversations ``k`` days ago."""
    plan = [("s1", "a1", CLEAN, 30), ("s1", "a1", NEAR_MISS, 30), ("s1", "a2", SLOW, 660), ("s1", "a2", TOP, 30)]
    if k > 7:
        plan += [("s1", "a1", CLAIM, 30), ("s1", "a1", BRIBE, 30)]
    elif k % 2:
        plan.append(("s1", "a1", CLAIM, 30))
    if k % 3 == 0:
        plan.append(("s1", "a2", OFF_PLATFORM, 30))
    if k % 2 == 0:
        plan.append(("s1", "a3", RUDE, 30))
    plan.append(("s2", "b1", CLEAN, 30))
    if k % 4 == 0:
        plan.append(("s2", "b1", RUDE, 30))
    return plan


def qa_records(today: date) -> list[dict]:
    records = base_records()
    for k in range(1, DAYS + 1):
        start = datetime.combine(today - timedelta(days=k), time(10, 0), tzinfo=SHANGHAI)
        for n, (shop, agent, reply, delay) in enumerate(day_plan(k)):
            tag = f"d{k}-{n}"
            at = start + timedelta(minutes=15 * n)
            records += [
                {"type": "customer", "id": f"c-{tag}", "shop_id": shop, "nick": f"tb_{tag}"},
                {"type": "conversation", "id": f"v-{tag}", "shop_id": shop, "customer_id": f"c-{tag}",
                 "assigned_agent_id": agent, "started_at": at.isoformat(), "stage": "presale"},
                {"type": "message", "id": f"m-{tag}-1", "conversation_id": f"v-{tag}", "sender": "customer",
                 "sent_at": at.isoformat(), "text": "在吗？这件衣服有货吗"},
                {"type": "message", "id": f"m-{tag}-2", "conversation_id": f"v-{tag}", "sender": "agent",
                 "agent_id": agent, "sent_at": (at + timedelta(seconds=delay)).isoformat(), "text": reply},
            ]
    return records


def count_of(reply: str, days: range, shop: str = "s1") -> int:
    """How many conversations of ``days`` (days ago) got ``reply`` in ``shop``."""
    return sum(1 for k in days for s, _a, r, _d in day_plan(k) if r == reply and s == shop)


def local_today() -> date:
    from django.utils import timezone

    return timezone.localtime(timezone.now(), SHANGHAI).date()


def qa_import(today: date | None = None) -> date:
    """Import the fortnight ending yesterday, roll it up and inspect it; returns today."""
    from kefu.intake.services import events_import
    from kefu.metrics.rollups import rollups_refresh
    from kefu.qa.services import qa_run

    today = today or local_today()
    _run, summary = events_import(records=enumerate(qa_records(today), 1))
    assert summary.rejected == []
    rollups_refresh()
    qa_run(start=today - timedelta(days=DAYS), end=today)
    return today


# ---- fixtures (imported by the pages' test modules) ----------------------------------------


@pytest.fixture
def today(db):
    """The fortnight imported and inspected; the shop-local date it ends before."""
    return qa_import()


@pytest.fixture
def s1(today):
    from kefu.shops.models import Shop

    return Shop.objects.get(ext_id="s1")


@pytest.fixture
def s2(today):
    from kefu.shops.models import Shop

    return Shop.objects.get(ext_id="s2")


@pytest.fixture
def boss(make_user, s1):
    """A supervisor of the first shop only."""
    return make_user(Role.SUPERVISOR, username="zhuguan_s1", display_name="王主管", shops=[s1])


@pytest.fixture
def boss_client(client_for, boss):
    return client_for(boss)
