"""factory_boy factories of the imported records (shops, customers, conversations,
messages, orders, after-sales, reviews, logistics, agent statuses), for every app's tests.

Every factory fills the ``SourceRecord`` bookkeeping (``ext_id``, ``src_hash``,
``imported_at``, ``updated_at``). Agents, teams, users and tokens are in
``kefu.accounts.tests.factories``."""

from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from kefu.commerce.models import AfterSale, AfterSaleKind, LogisticsEvent, LogisticsStatus, Order, Review
from kefu.conversations.models import Conversation, Message, Sender, Stage
from kefu.customers.models import Customer
from kefu.presence.models import AgentStatus, PresenceStatus
from kefu.shops.models import Platform, Shop


class SourceRecordFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    src_hash = "test"
    imported_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class ShopFactory(SourceRecordFactory):
    class Meta:
        model = Shop

    ext_id = factory.Sequence(lambda n: f"shop{n}")
    name = factory.Sequence(lambda n: f"旗舰店{n}")
    platform = Platform.TMALL
    timezone = "Asia/Shanghai"


class CustomerFactory(SourceRecordFactory):
    class Meta:
        model = Customer

    shop = factory.SubFactory(ShopFactory)
    ext_id = factory.Sequence(lambda n: f"c{n}")
    nick = factory.Sequence(lambda n: f"tb_{8800 + n}")
    phone = "13812341234"
    address = "上海市浦东新区张江路88号"


class ConversationFactory(SourceRecordFactory):
    class Meta:
        model = Conversation

    shop = factory.SubFactory(ShopFactory)
    customer = factory.SubFactory(CustomerFactory, shop=factory.SelfAttribute("..shop"))
    customer_ext = factory.LazyAttribute(lambda o: o.customer.ext_id if o.customer else "c-unknown")
    ext_id = factory.Sequence(lambda n: f"v{n}")
    started_at = factory.LazyFunction(timezone.now)
    stage = Stage.PRESALE
    assigned_agent = None
    assigned_agent_ext = factory.LazyAttribute(lambda o: o.assigned_agent.ext_id if o.assigned_agent else "")


class MessageFactory(SourceRecordFactory):
    """A customer message by default; pass ``sender=Sender.AGENT, agent=...`` for a reply."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    shop = factory.LazyAttribute(lambda o: o.conversation.shop)
    ext_id = factory.Sequence(lambda n: f"m{n}")
    sent_at = factory.LazyFunction(timezone.now)
    sender = Sender.CUSTOMER
    agent = None
    agent_ext = factory.LazyAttribute(lambda o: o.agent.ext_id if o.agent else "")
    is_auto = False
    text = "在吗？这款有L码吗"


class OrderFactory(SourceRecordFactory):
    class Meta:
        model = Order

    shop = factory.SubFactory(ShopFactory)
    customer = factory.SubFactory(CustomerFactory, shop=factory.SelfAttribute("..shop"))
    customer_ext = factory.LazyAttribute(lambda o: o.customer.ext_id if o.customer else "c-unknown")
    ext_id = factory.Sequence(lambda n: f"o{n}")
    created_at = factory.LazyFunction(timezone.now)
    amount = Decimal("199.00")


class AfterSaleFactory(SourceRecordFactory):
    class Meta:
        model = AfterSale

    shop = factory.SubFactory(ShopFactory)
    order = factory.SubFactory(OrderFactory, shop=factory.SelfAttribute("..shop"))
    order_ext = factory.LazyAttribute(lambda o: o.order.ext_id if o.order else "o-unknown")
    ext_id = factory.Sequence(lambda n: f"as{n}")
    kind = AfterSaleKind.REFUND
    opened_at = factory.LazyFunction(timezone.now)


class ReviewFactory(SourceRecordFactory):
    class Meta:
        model = Review

    shop = factory.SubFactory(ShopFactory)
    order = factory.SubFactory(OrderFactory, shop=factory.SelfAttribute("..shop"))
    order_ext = factory.LazyAttribute(lambda o: o.order.ext_id if o.order else "o-unknown")
    ext_id = factory.Sequence(lambda n: f"r{n}")
    rating = 5
    created_at = factory.LazyFunction(timezone.now)


class LogisticsEventFactory(SourceRecordFactory):
    class Meta:
        model = LogisticsEvent

    shop = factory.SubFactory(ShopFactory)
    order = factory.SubFactory(OrderFactory, shop=factory.SelfAttribute("..shop"))
    order_ext = factory.LazyAttribute(lambda o: o.order.ext_id if o.order else "o-unknown")
    ext_id = factory.Sequence(lambda n: f"l{n}")
    at = factory.LazyFunction(timezone.now)
    status = LogisticsStatus.IN_TRANSIT


class AgentStatusFactory(SourceRecordFactory):
    class Meta:
        model = AgentStatus

    agent = factory.SubFactory("kefu.accounts.tests.factories.AgentFactory")
    shop = factory.LazyAttribute(lambda o: o.agent.shop)
    ext_id = factory.Sequence(lambda n: f"st{n}")
    at = factory.LazyFunction(timezone.now)
    status = PresenceStatus.ONLINE
