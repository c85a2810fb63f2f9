"""How each record type of events.md maps onto Kefu's models.

A handler says which model a type fills, which reference decides the record's shop
(its *owner*: the shop itself, or the conversation of a message, or the agent of a
status change), how the clean fields become model fields, and which other references
are kept as source ids and linked to rows when those arrive.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from kefu.accounts.models import Agent
from kefu.commerce.models import AfterSale, AfterSaleStatus, LogisticsEvent, Order, Review
from kefu.conversations.models import Conversation, Message, Stage
from kefu.customers.models import Customer
from kefu.presence.models import AgentStatus
from kefu.shops.models import Shop


@dataclass(frozen=True)
class Ref:
    """A reference kept as a source id in ``<fk>_ext`` and linked to ``<fk>`` when it resolves."""

    fk: str  # the model's ForeignKey field name, e.g. "customer"
    source: str  # the record's field, e.g. "customer_id"
    target: str  # the referenced record type, e.g. "customer"


@dataclass(frozen=True)
class Handler:
    type: str
    model: type[models.Model]
    owner: str | None  # "shop", "conversation", "agent", or None for the shop record itself
    owner_required: bool
    refs: tuple[Ref, ...] = ()
    # field name on the model -> (record field, default when absent)
    fields: dict[str, tuple[str, Any]] = field(default_factory=dict)

    def values(self, clean: dict) -> dict:
        values = {}
        for name, (source, default) in self.fields.items():
            value = clean.get(source)
            if value is None:
                value = default() if callable(default) else default
            values[name] = value
        return values


def _list() -> list:
    return []


HANDLERS: dict[str, Handler] = {
    h.type: h
    for h in (
        Handler(
            "shop",
            Shop,
            owner=None,
            owner_required=False,
            fields={
                "name": ("name", ""),
                "platform": ("platform", ""),
                "timezone": ("timezone", "Asia/Shanghai"),
                "service_hours": ("service_hours", "00:00-24:00"),
            },
        ),
        Handler(
            "agent",
            Agent,
            owner="shop",
            owner_required=False,
            fields={
                "name": ("name", ""),
                "skills": ("skills", _list),
                "hired_on": ("hired_on", None),
                "active": ("active", True),
            },
        ),
        Handler(
            "customer",
            Customer,
            owner="shop",
            owner_required=True,
            fields={
                "nick": ("nick", ""),
                "vip_level": ("vip_level", ""),
                "tags": ("tags", _list),
                "phone": ("phone", ""),
                # the lookup hash of the same number (the field hashes it on the way in)
                "phone_hash": ("phone", ""),
                "address": ("address", ""),
                "marketing_consent": ("marketing_consent", False),
            },
        ),
        Handler(
            "conversation",
            Conversation,
            owner="shop",
            owner_required=True,
            refs=(
                Ref("customer", "customer_id", "customer"),
                Ref("order", "order_id", "order"),
                Ref("assigned_agent", "assigned_agent_id", "agent"),
            ),
            fields={
                "started_at": ("started_at", None),
                "ended_at": ("ended_at", None),
                "channel": ("channel", ""),
                "stage": ("stage", None),
                "rating": ("rating", None),
                "rated_at": ("rated_at", None),
                "tags": ("tags", _list),
            },
        ),
        Handler(
            "message",
            Message,
            owner="conversation",
            owner_required=True,
            refs=(Ref("agent", "agent_id", "agent"),),
            fields={
                "sent_at": ("sent_at", None),
                "sender": ("sender", ""),
                "is_auto": ("is_auto", False),
                "text": ("text", ""),
                "attachments": ("attachments", _list),
            },
        ),
        Handler(
            "order",
            Order,
            owner="shop",
            owner_required=True,
            refs=(Ref("customer", "customer_id", "customer"),),
            fields={
                "created_at": ("created_at", None),
                "paid_at": ("paid_at", None),
                "amount": ("amount", None),
                "status": ("status", ""),
                "items": ("items", _list),
            },
        ),
        Handler(
            "aftersale",
            AfterSale,
            owner="shop",
            owner_required=True,
            refs=(Ref("order", "order_id", "order"),),
            fields={
                "kind": ("kind", ""),
                "opened_at": ("opened_at", None),
                "reason": ("reason", ""),
                "status": ("status", AfterSaleStatus.OPEN),
                "closed_at": ("closed_at", None),
                "amount": ("amount", None),
                "platform_intervened": ("platform_intervened", False),
                "judged_against_seller": ("judged_against_seller", False),
            },
        ),
        Handler(
            "review",
            Review,
            owner="shop",
            owner_required=True,
            refs=(Ref("order", "order_id", "order"), Ref("customer", "customer_id", "customer")),
            fields={
                "rating": ("rating", None),
                "created_at": ("created_at", None),
                "sku": ("sku", ""),
                "text": ("text", ""),
                "reply_text": ("reply_text", ""),
                "replied_at": ("replied_at", None),
            },
        ),
        Handler(
            "logistics",
            LogisticsEvent,
            owner="shop",
            owner_required=True,
            refs=(Ref("order", "order_id", "order"),),
            fields={
                "at": ("at", None),
                "status": ("status", ""),
                "carrier": ("carrier", ""),
                "tracking_no": ("tracking_no", ""),
                "detail": ("detail", ""),
            },
        ),
        Handler(
            "agent_status",
            AgentStatus,
            owner="agent",
            owner_required=True,
            fields={"at": ("at", None), "status": ("status", ""), "note": ("note", "")},
        ),
    )
}

# Owners first: a chunk's shops before its customers, conversations before their messages.
TYPE_ORDER = ("shop", "agent", "customer", "order", "conversation", "message", "aftersale", "review", "logistics", "agent_status")
MODEL_OF_TYPE = {name: handler.model for name, handler in HANDLERS.items()}


def default_stage(clean: dict) -> str:
    """events.md: a conversation without a stage is aftersale when it names an order."""
    return clean.get("stage") or (Stage.AFTERSALE if clean.get("order_id") else Stage.PRESALE)
