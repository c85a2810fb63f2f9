"""``kefu forecast --shop``: the shop's own conversations counted per interval."""

from datetime import datetime, timedelta, timezone
from io import StringIO

import orjson
import pytest
from django.core.management import CommandError, call_command

from kefu.accounts.tests.factories import AgentFactory
from kefu.core.testing.factories import ConversationFactory, ShopFactory
from kefu.routing.choices import AssignmentReason
from kefu.routing.models import Assignment
from kefu.routing.services import skill_group_create
from kefu.wfm.arrivals import conversation_arrivals
from kefu.wfm.forecast import ForecastInputError

pytestmark = pytest.mark.django_db
CST = timezone(timedelta(hours=8))
# Eight whole days before today (shop time): the command forecasts from now.
DAY0 = datetime.now(CST).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=8)


@pytest.fixture
def shop():
    """Eight days of chats: three at 10:00-10:29 every day, one of them 10 minutes long."""
    shop = ShopFactory(ext_id="tmall-1", timezone="Asia/Shanghai")
    for day in range(8):
        for minute, length in ((0, 600), (5, None), (29, None)):
            started = DAY0 + timedelta(days=day, hours=10, minutes=minute)
            ConversationFactory(
                shop=shop, started_at=started, ended_at=started + timedelta(seconds=length) if length else None
            )
    return shop


def test_conversations_are_counted_per_interval_in_the_shop_timezone(shop):
    until = DAY0 + timedelta(days=8)
    history = conversation_arrivals(shop_ext_id="tmall-1", interval_minutes=30, until=until)
    assert history.tz.utcoffset(None) == timedelta(hours=8)
    assert history.starts[0] == DAY0 + timedelta(hours=10)
    assert history.starts[-1] == until - timedelta(minutes=30)
    by_start = dict(zip(history.starts, history.volume))
    assert by_start[DAY0 + timedelta(days=3, hours=10)] == 3
    assert by_start[DAY0 + timedelta(days=3, hours=10, minutes=30)] == 0
    assert history.volume.sum() == 24
    assert history.aht[0] == 600


def test_skill_group_keeps_its_own_conversations(shop):
    group = skill_group_create(shop=shop, key="vip", name="VIP", members=[])
    agent = AgentFactory(shop=shop)
    chat = shop.conversation_set.order_by("started_at").first()
    Assignment.objects.create(
        conversation=chat, shop=shop, agent=agent, group=group, reason=AssignmentReason.ROUTED, assigned_at=chat.started_at
    )
    history = conversation_arrivals(
        shop_ext_id="tmall-1", interval_minutes=30, skill_group="vip", until=DAY0 + timedelta(days=8)
    )
    assert history.volume.sum() == 1


def test_unknown_shop_and_empty_history_are_errors(shop):
    with pytest.raises(ForecastInputError, match="unknown shop"):
        conversation_arrivals(shop_ext_id="nope", interval_minutes=30)
    with pytest.raises(ForecastInputError, match="no conversations"):
        conversation_arrivals(shop_ext_id="tmall-1", interval_minutes=30, until=DAY0)


def test_command_forecasts_from_the_shop(shop):
    out = StringIO()
    call_command(
        "forecast", "--shop", "tmall-1", "--interval-minutes", "30", "--horizon-days", "1",
        "--backtest-weeks", "0", "--format", "json", stdout=out,
    )
    data = orjson.loads(out.getvalue())
    assert len(data["forecast"]) == 48
    ten = [row for row in data["forecast"] if row["start"].endswith("T10:00:00+08:00")]
    assert ten and ten[0]["volume"] == pytest.approx(3, abs=0.5)
    assert ten[0]["aht"] == 600
    assert data["backtest"] is None


def test_command_skill_group_needs_a_shop(tmp_path):
    with pytest.raises(CommandError, match="--skill-group needs --shop"):
        call_command("forecast", "--history", str(tmp_path / "x.csv"), "--skill-group", "vip")
