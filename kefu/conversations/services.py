"""Writes to conversations made inside Kefu (routing, the live workspace), as opposed to
the ones intake writes from imported records. Each marks the conversation's metric
rollups stale in the same transaction."""

from django.db import transaction

from kefu.conversations.models import Conversation
from kefu.metrics.models import MarkKind
from kefu.metrics.rollups import marks_add


def conversation_agent_set(*, conversation: Conversation, agent) -> None:
    """Record who serves the conversation now (``assigned_agent``)."""
    with transaction.atomic(savepoint=False):  # part of the caller's transaction when there is one
        Conversation.objects.filter(pk=conversation.pk).update(
            assigned_agent=agent, assigned_agent_ext=agent.ext_id if agent else ""
        )
        marks_add([(MarkKind.CONVERSATION, conversation.shop_id, str(conversation.pk))])
    conversation.assigned_agent = agent
    conversation.assigned_agent_ext = agent.ext_id if agent else ""


def conversation_end_set(*, conversation: Conversation, at) -> None:
    """Record that the conversation ended at ``at`` (kept when it had already ended)."""
    with transaction.atomic(savepoint=False):  # part of the caller's transaction when there is one
        updated = Conversation.objects.filter(pk=conversation.pk, ended_at__isnull=True).update(ended_at=at)
        if updated:
            marks_add([(MarkKind.CONVERSATION, conversation.shop_id, str(conversation.pk))])
            conversation.ended_at = at


def conversation_rating_set(*, conversation: Conversation, rating: int, at) -> None:
    """Record the customer's service rating (1-5) of the conversation."""
    with transaction.atomic(savepoint=False):  # part of the caller's transaction when there is one
        Conversation.objects.filter(pk=conversation.pk).update(rating=rating, rated_at=at)
        marks_add([(MarkKind.CONVERSATION, conversation.shop_id, str(conversation.pk))])
    conversation.rating = rating
    conversation.rated_at = at
