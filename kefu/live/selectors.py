"""Reads of the live chat: a customer's open conversation and history, an agent's
conversations, what a message looks like on the wire."""

from datetime import datetime

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from kefu.conversations.models import Conversation, Message, Sender
from kefu.live.models import LiveState, WidgetSettings, Whisper
from kefu.routing.models import Assignment, QueueEntry
from kefu.shops.models import Shop

CHANNEL = "kefu_live"  # Conversation.channel of the conversations the widget starts
HISTORY_LIMIT = 200


def widget_settings_for(shop: Shop) -> WidgetSettings:
    settings, _created = WidgetSettings.objects.get_or_create(shop=shop)
    return settings


def conversation_open_for(*, shop: Shop, customer_ext: str) -> Conversation | None:
    """The customer's live conversation that has not ended, if any."""
    return (Conversation.objects.filter(shop=shop, customer_ext=customer_ext, channel=CHANNEL, ended_at__isnull=True)
            .order_by("-started_at", "-id").first())


def customer_history(*, shop: Shop, customer_ext: str, limit: int = HISTORY_LIMIT) -> list[Message]:
    """The customer's last messages with the shop over the live channel, oldest first
    (what they find when they come back)."""
    rows = (Message.objects.filter(shop=shop, conversation__customer_ext=customer_ext, conversation__channel=CHANNEL)
            .select_related("agent").order_by("-sent_at", "-ext_id")[:limit])
    return list(reversed(rows))


def message_dict(message: Message) -> dict:
    """A message as the pages receive it. Text stays text: pages put it in the document
    with ``textContent``, never as markup."""
    return {
        "id": message.ext_id,
        "conversation": message.conversation_id,
        "sender": message.sender,
        "text": message.text,
        "attachments": [a for a in message.attachments or [] if isinstance(a, str)],
        "sent_at": message.sent_at.isoformat(),
        "agent": (message.agent.name if message.agent_id and message.agent else "") if message.sender == Sender.AGENT
        else "",
    }


def whisper_dict(whisper: Whisper) -> dict:
    author = whisper.author
    return {
        "id": whisper.pk,
        "conversation": whisper.conversation_id,
        "text": whisper.text,
        "author": (getattr(author, "display_name", "") or author.get_username()) if author else "",
        "created_at": whisper.created_at.isoformat(),
    }


def conversation_messages(conversation: Conversation) -> list[Message]:
    return list(conversation.messages.select_related("agent").order_by("sent_at", "ext_id"))


def conversation_whispers(conversation: Conversation) -> QuerySet[Whisper]:
    return conversation.whispers.select_related("author")


def live_state(conversation: Conversation) -> LiveState:
    state, _created = LiveState.objects.get_or_create(conversation=conversation)
    return state


def agent_conversations(agent, *, ended_since: datetime | None = None) -> dict[str, list[Conversation]]:
    """The agent's conversations: ``active`` (assigned now), ``waiting`` (assigned now, the
    customer's last message unanswered) and ``ended`` (today's, by the agent)."""
    ended_since = ended_since or timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    active_ids = Assignment.objects.filter(agent=agent, ended_at__isnull=True).values("conversation_id")
    current = list(
        Conversation.objects.filter(pk__in=active_ids).select_related("customer")
        .annotate(last_customer=Max("messages__sent_at", filter=Q(messages__sender=Sender.CUSTOMER)),
                  last_agent=Max("messages__sent_at", filter=Q(messages__sender=Sender.AGENT, messages__is_auto=False)))
        .order_by("started_at", "id")
    )
    waiting = [c for c in current if c.last_customer and (c.last_agent is None or c.last_agent < c.last_customer)]
    active = [c for c in current if c not in waiting]
    ended = list(
        Conversation.objects.filter(assigned_agent=agent, ended_at__gte=ended_since).select_related("customer")
        .order_by("-ended_at", "-id")[:50]
    )
    return {"waiting": waiting, "active": active, "ended": ended}


def queue_position_for(conversation: Conversation) -> int | None:
    from kefu.routing.selectors import queue_position

    entry = QueueEntry.objects.filter(conversation=conversation).first()
    return queue_position(entry) if entry else None


def active_agent_id(conversation: Conversation) -> int | None:
    return (Assignment.objects.filter(conversation=conversation, ended_at__isnull=True)
            .values_list("agent_id", flat=True).first())
