"""Reads of conversations and messages for pages: which conversations belong to a shop-day,
how many are unanswered, and the annotated lists the pages show.

Definitions follow spec/metrics.md (a conversation belongs to the day of its first
customer message; a human reply is ``sender=agent`` and ``is_auto=False``). These are the
simple counts the home page needs until the metric engine takes over.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from kefu.conversations.models import Conversation, Message, Sender
from kefu.core.periods import shop_days_filter, shop_timezones

HUMAN_REPLY = Q(sender=Sender.AGENT, is_auto=False)


@dataclass(frozen=True)
class ConversationDayCounts:
    conversations: int
    unanswered: int


@dataclass(frozen=True)
class MessageDayCounts:
    total: int
    from_customers: int
    human_replies: int


def _first_customer_message_at():
    return Subquery(
        Message.objects.filter(conversation=OuterRef("pk"), sender=Sender.CUSTOMER)
        .order_by("sent_at")
        .values("sent_at")[:1]
    )


def _has_human_reply():
    return Exists(Message.objects.filter(HUMAN_REPLY, conversation=OuterRef("pk")))


def conversations_of_days(
    *, shop_ids: list[int] | None, first_day: date, days: int = 1, conversations: QuerySet | None = None
) -> QuerySet[Conversation]:
    """Conversations whose first customer message falls within the shop-days, annotated
    with ``first_customer_at`` and ``answered`` (has a human reply)."""
    zones = shop_timezones(shop_ids=shop_ids)
    in_window = Message.objects.filter(
        shop_days_filter(shop_ids=shop_ids, first_day=first_day, days=days, field="sent_at", zones=zones),
        sender=Sender.CUSTOMER,
    )
    conversations = Conversation.objects.all() if conversations is None else conversations
    return (
        conversations.filter(id__in=in_window.values("conversation_id"))
        .annotate(first_customer_at=_first_customer_message_at(), answered=_has_human_reply())
        .filter(
            shop_days_filter(
                shop_ids=shop_ids, first_day=first_day, days=days, field="first_customer_at", zones=zones
            )
        )
    )


def conversation_day_counts(*, shop_ids: list[int] | None, day: date) -> ConversationDayCounts:
    """Conversations of the shop-day and, of those, the ones with no human reply (yet)."""
    totals = conversations_of_days(shop_ids=shop_ids, first_day=day).aggregate(
        conversations=Count("id"), unanswered=Count("id", filter=Q(answered=False))
    )
    return ConversationDayCounts(conversations=totals["conversations"], unanswered=totals["unanswered"])


def message_day_counts(*, shop_ids: list[int] | None, day: date) -> MessageDayCounts:
    """Messages sent during the shop-day: all, from customers, human replies."""
    totals = Message.objects.filter(shop_days_filter(shop_ids=shop_ids, first_day=day, field="sent_at")).aggregate(
        total=Count("id"),
        from_customers=Count("id", filter=Q(sender=Sender.CUSTOMER)),
        human_replies=Count("id", filter=HUMAN_REPLY),
    )
    return MessageDayCounts(**totals)


def conversation_list_annotated(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """What a conversation list shows, in a fixed number of queries whatever its length:
    shop, customer and assigned agent joined; message count, last message time and
    whether a human has replied computed per row."""
    per_conversation = Message.objects.filter(conversation=OuterRef("pk"))
    return conversations.select_related("shop", "customer", "assigned_agent").annotate(
        message_count=Coalesce(
            Subquery(
                per_conversation.order_by().values("conversation").annotate(n=Count("id")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
        last_message_at=Subquery(per_conversation.order_by("-sent_at").values("sent_at")[:1]),
        answered=_has_human_reply(),
    )


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    """A conversation's messages in order (events.md: by ``sent_at``, ties by id)."""
    return conversation.messages.select_related("agent").order_by("sent_at", "ext_id")
