"""Reads for the workspace's side panels: the customer panel (profile, tags, VIP level,
orders with their status and logistics, past conversations, open tickets), the script
panel with variables filled, and who a conversation can be transferred to."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from kefu.accounts.models import Agent
from kefu.commerce.models import LogisticsEvent, Order
from kefu.conversations.models import Conversation, Message, Sender
from kefu.customers.masking import mask_address, mask_phone
from kefu.presence.models import PresenceStatus
from kefu.routing.models import AgentRouting
from kefu.routing.selectors import effective_cap

ORDERS_SHOWN = 10
PAST_SHOWN = 10


@dataclass
class OrderLine:
    order: Order
    logistics: LogisticsEvent | None


@dataclass
class CustomerPanel:
    customer: object | None
    nick: str
    vip_level: str = ""
    tags: list[str] = field(default_factory=list)
    phone: str = ""
    address: str = ""
    orders: list[OrderLine] = field(default_factory=list)
    lifetime_orders: int = 0
    past: list[Conversation] = field(default_factory=list)
    tickets: list = field(default_factory=list)


def customer_panel(conversation: Conversation, *, user) -> CustomerPanel:
    customer = conversation.customer
    if customer is None:
        return CustomerPanel(customer=None, nick=conversation.customer_ext)
    personal = user.has_perm("accounts.view_personal_data")
    orders = list(Order.objects.filter(shop_id=conversation.shop_id, customer=customer)
                  .order_by("-created_at", "-id")[:ORDERS_SHOWN])
    latest: dict[int, LogisticsEvent] = {}
    for event in LogisticsEvent.objects.filter(order__in=orders).order_by("order_id", "-at", "-id"):
        latest.setdefault(event.order_id, event)
    from kefu.tickets.permissions import tickets_visible_to

    tickets = list(tickets_visible_to(user).filter(customer=customer, closed_at__isnull=True)
                   .order_by("-id")[:10])
    past = list(Conversation.objects.filter(shop_id=conversation.shop_id, customer=customer)
                .exclude(pk=conversation.pk).select_related("assigned_agent").order_by("-started_at", "-id")[:PAST_SHOWN])
    return CustomerPanel(
        customer=customer, nick=customer.nick or customer.ext_id, vip_level=customer.vip_level,
        tags=[str(t) for t in customer.tags or []],
        phone=customer.phone if personal else mask_phone(customer.phone),
        address=customer.address if personal else mask_address(customer.address),
        orders=[OrderLine(order, latest.get(order.pk)) for order in orders],
        lifetime_orders=Order.objects.filter(shop_id=conversation.shop_id, customer=customer).count(),
        past=past, tickets=tickets,
    )


def transfer_agents(conversation: Conversation, *, exclude: Agent | None = None) -> QuerySet[Agent]:
    """The shop's agents who are present (not offline) and under their cap."""
    rows = (AgentRouting.objects.filter(Q(agent__shop_id=conversation.shop_id) | Q(agent__shop__isnull=True),
                                        agent__active=True).exclude(status=PresenceStatus.OFFLINE))
    ids = [row.agent_id for row in rows.select_related("agent") if row.active_chats < effective_cap(row)]
    agents = Agent.objects.filter(pk__in=ids).order_by("name")
    return agents.exclude(pk=exclude.pk) if exclude is not None else agents


def render_values(conversation: Conversation, *, user) -> dict[str, str]:
    """The script variables this conversation offers. A live chat names no order, so the
    customer's latest order stands in for ``{订单号}``, ``{物流单号}`` and ``{商品名}``."""
    from kefu.scripts.services import render_context

    values = render_context(conversation, user=user)
    if "订单号" not in values and conversation.customer_id:
        order = (Order.objects.filter(shop_id=conversation.shop_id, customer_id=conversation.customer_id)
                 .order_by("-created_at", "-id").first())
        if order is not None:
            stand_in = Conversation(shop=conversation.shop, customer=conversation.customer, order=order,
                                    order_ext=order.ext_id)
            values = {**render_context(stand_in, user=user), **values}
    return values


@dataclass
class ScriptChoice:
    script: object
    text: str
    missing: list[str]
    score: float | None = None


def _choices(scripts, conversation: Conversation, user, scores=None) -> list[ScriptChoice]:
    from kefu.scripts.selectors import script_text
    from kefu.scripts.services import script_render

    values = render_values(conversation, user=user)
    found = []
    for index, script in enumerate(scripts):
        _title, body, _keywords = script_text(script)
        rendered = script_render(body, values)
        found.append(ScriptChoice(script, rendered.text, rendered.missing, scores[index] if scores else None))
    return found


def script_categories(user, conversation: Conversation):
    from kefu.scripts.selectors import categories_for

    return categories_for(user=user, shop=conversation.shop)


def scripts_found(user, conversation: Conversation, *, search: str = "", category: int | None = None,
                  limit: int = 30) -> list[ScriptChoice]:
    from kefu.scripts.selectors import script_search, scripts_usable

    scripts = script_search(scripts_usable(user=user, shop=conversation.shop), search=search, category=category)
    return _choices(list(scripts.order_by("category__position", "title", "id")[:limit]), conversation, user)


def last_customer_text(conversation: Conversation) -> str:
    return (Message.objects.filter(conversation=conversation, sender=Sender.CUSTOMER).exclude(text="")
            .order_by("-sent_at", "-ext_id").values_list("text", flat=True).first()) or ""


def suggestions(user, conversation: Conversation, *, limit: int = 3) -> tuple[str, list[ScriptChoice]]:
    """The best-matching scripts for the customer's last message (retrieval over the
    script library, ``kefu.scripts.retrieval``)."""
    from kefu.scripts.selectors import script_suggest

    text = last_customer_text(conversation)
    if not text:
        return "", []
    hits = script_suggest(text, shop=conversation.shop, user=user, limit=limit)
    return text, _choices([h.script for h in hits], conversation, user, scores=[h.score for h in hits])
