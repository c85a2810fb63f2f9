"""A day of a shop's customer service, for the home-page tests and the browser journeys:
conversations today and yesterday (answered, unanswered, answered only by a bot or an
automatic reply, one that crosses midnight), messages, orders, after-sales, reviews and
agent statuses. ``expected_figures`` recomputes the home page's figures from the Python
objects, independently of the selectors under test."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from kefu.accounts.tests.factories import AgentFactory
from kefu.conversations.models import Sender
from kefu.core.testing.factories import (
    AfterSaleFactory,
    AgentStatusFactory,
    ConversationFactory,
    MessageFactory,
    OrderFactory,
    ReviewFactory,
)
from kefu.metrics.rollups import rollups_rebuild
from kefu.presence.models import PresenceStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Scenario:
    shop: object
    today: date
    now: datetime
    agents: list = field(default_factory=list)
    conversations: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    aftersales: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    statuses: list = field(default_factory=list)


def build_scenario(*, shop, agents=(), now: datetime | None = None) -> Scenario:
    """Create the day's records for ``shop``; ``agents`` (created if fewer than 3) answer them."""
    now = now or timezone.now()
    today = now.astimezone(SHANGHAI).date()
    midnight = datetime.combine(today, time.min, tzinfo=SHANGHAI)
    agents = list(agents)
    while len(agents) < 3:
        agents.append(AgentFactory(shop=shop))
    s = Scenario(shop=shop, today=today, now=now, agents=agents)
    a1, a2, a3 = agents[:3]

    def conversation(start, agent=None, **kwargs):
        c = ConversationFactory(shop=shop, started_at=start, assigned_agent=agent, **kwargs)
        s.conversations.append(c)
        return c

    def message(c, at, sender=Sender.CUSTOMER, agent=None, **kwargs):
        m = MessageFactory(conversation=c, sent_at=at, sender=sender, agent=agent, **kwargs)
        s.messages.append(m)
        return m

    # Today.
    answered = conversation(midnight + timedelta(minutes=5), a1)
    message(answered, midnight + timedelta(minutes=5), text="在吗？这款有L码吗")
    message(answered, midnight + timedelta(minutes=6), Sender.AGENT, a1, is_auto=True, text="亲，欢迎光临～")
    message(answered, midnight + timedelta(minutes=7), Sender.AGENT, a1, text="亲，L码有货的")
    at_midnight = conversation(midnight, a2)  # first customer message exactly at 00:00: today
    message(at_midnight, midnight, text="发货了吗")
    message(at_midnight, midnight + timedelta(minutes=2), Sender.AGENT, a2, text="今天下午发出")
    bot_only = conversation(midnight + timedelta(minutes=20), a2)
    message(bot_only, midnight + timedelta(minutes=20), text="退款怎么还没到")
    message(bot_only, midnight + timedelta(minutes=20, seconds=1), Sender.BOT, text="您好，机器人为您服务")
    message(bot_only, midnight + timedelta(minutes=20, seconds=2), Sender.AGENT, a2, is_auto=True, text="稍等")
    no_reply = conversation(midnight + timedelta(minutes=30))
    message(no_reply, midnight + timedelta(minutes=30), text="<script>alert(1)</script>")
    message(no_reply, midnight + timedelta(minutes=31), Sender.SYSTEM, text="客户已离开")
    agent_only = conversation(midnight + timedelta(minutes=40), a3)  # no customer message: not counted
    message(agent_only, midnight + timedelta(minutes=40), Sender.AGENT, a3, text="亲，您的快递到了")

    # Yesterday, one of them answered only after midnight.
    crossing = conversation(midnight - timedelta(minutes=10), a1)
    message(crossing, midnight - timedelta(minutes=10), text="能开发票吗")
    message(crossing, midnight - timedelta(seconds=1), text="在吗")
    message(crossing, midnight + timedelta(minutes=1), Sender.AGENT, a1, text="可以的亲")
    yesterday_noon = conversation(midnight - timedelta(hours=12), a3)
    message(yesterday_noon, midnight - timedelta(hours=12), text="尺码偏大吗")
    message(yesterday_noon, midnight - timedelta(hours=12) + timedelta(minutes=1), Sender.AGENT, a3, text="正常")
    # Started yesterday by the record, but its first customer message is today: today.
    late_customer = conversation(midnight - timedelta(minutes=5), a3)
    message(late_customer, midnight - timedelta(minutes=5), Sender.AGENT, a3, text="亲，有什么可以帮您")
    message(late_customer, midnight + timedelta(minutes=50), text="我想换个颜色")

    # Orders, after-sales, reviews.
    for created, paid, amount in [
        (midnight + timedelta(hours=1), True, "199.00"),
        (midnight + timedelta(hours=2), False, "88.50"),
        (midnight - timedelta(hours=1), True, "50.00"),
    ]:
        s.orders.append(
            OrderFactory(shop=shop, created_at=created, paid_at=created if paid else None, amount=Decimal(amount))
        )
    for opened in (midnight + timedelta(hours=1), midnight - timedelta(hours=3)):
        s.aftersales.append(AfterSaleFactory(shop=shop, order=s.orders[0], opened_at=opened))
    for rating, created in [(1, midnight + timedelta(hours=1)), (2, midnight), (3, midnight), (5, midnight)]:
        s.reviews.append(ReviewFactory(shop=shop, order=s.orders[0], rating=rating, created_at=created))
    s.reviews.append(ReviewFactory(shop=shop, order=s.orders[2], rating=1, created_at=midnight - timedelta(hours=1)))

    # Presence: a1 online, a2 busy (after being away), a3 went offline; a fourth agent
    # has a status in the future only, so is not online now.
    late = AgentFactory(shop=shop)
    s.agents.append(late)
    for agent, status, ago in [
        (a1, PresenceStatus.ONLINE, timedelta(hours=2)),
        (a2, PresenceStatus.AWAY, timedelta(hours=3)),
        (a2, PresenceStatus.BUSY, timedelta(minutes=30)),
        (a3, PresenceStatus.ONLINE, timedelta(hours=4)),
        (a3, PresenceStatus.OFFLINE, timedelta(hours=1)),
        (late, PresenceStatus.ONLINE, -timedelta(hours=1)),
    ]:
        s.statuses.append(AgentStatusFactory(agent=agent, status=status, at=now - ago))
    # Factories write rows directly, past intake: derive the metric rollups the way an
    # import would, so that the engine's figures (the home page's among them) are current.
    rollups_rebuild(shop_ids=[shop.pk])
    return s


def _local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def expected_figures(s: Scenario) -> dict:
    """The home page's figures, recomputed from the objects with plain Python."""

    def first_customer_day(c):
        times = [m.sent_at for m in s.messages if m.conversation_id == c.id and m.sender == Sender.CUSTOMER]
        return _local_date(min(times)) if times else None

    def has_human_reply(c):
        return any(
            m.conversation_id == c.id and m.sender == Sender.AGENT and not m.is_auto for m in s.messages
        )

    yesterday = s.today - timedelta(days=1)
    today_convs = [c for c in s.conversations if first_customer_day(c) == s.today]
    latest = {}
    for st in sorted(s.statuses, key=lambda st: st.at):
        if st.at <= s.now:
            latest[st.agent_id] = st.status
    today_orders = [o for o in s.orders if _local_date(o.created_at) == s.today]
    today_reviews = [r for r in s.reviews if _local_date(r.created_at) == s.today]
    return {
        "conversations_today": len(today_convs),
        "conversations_yesterday": sum(1 for c in s.conversations if first_customer_day(c) == yesterday),
        "unanswered_today": sum(1 for c in today_convs if not has_human_reply(c)),
        "messages_today": sum(1 for m in s.messages if _local_date(m.sent_at) == s.today),
        "orders_today": len(today_orders),
        "order_amount_today": sum((o.amount for o in today_orders), Decimal("0.00")),
        "aftersales_today": sum(1 for a in s.aftersales if _local_date(a.opened_at) == s.today),
        "bad_reviews_today": sum(1 for r in today_reviews if r.rating <= 2),
        "agents_online": sum(1 for status in latest.values() if status in ("online", "busy")),
    }
