"""What the live pages hear: events pushed over the channel layer after the write commits.

Groups:
- ``live-c-<conversation>``: the customer's widget (messages, the agent typing, read
  marks, ended, rating invitation, queue position);
- ``live-s-<conversation>``: staff watching that conversation (the same, plus whispers and
  the customer typing);
- ``live-a-<agent>``: an agent's workspace (their list of conversations changed);
- ``live-m-<shop>``: the shop's live monitors (anything changed)."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def customer_group(conversation_id: int) -> str:
    return f"live-c-{conversation_id}"


def staff_group(conversation_id: int) -> str:
    return f"live-s-{conversation_id}"


def agent_group(agent_id: int) -> str:
    return f"live-a-{agent_id}"


def monitor_group(shop_id: int) -> str:
    return f"live-m-{shop_id}"


def _send_now(groups: list[str], event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "live.event", "event": event}
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # a push that fails must not undo the write; pages also poll
            log.exception("live event to %s not sent", group)


def send(groups, event: dict) -> None:
    """Push ``event`` to ``groups`` once the current transaction commits."""
    groups = [g for g in groups if g]
    if groups:
        transaction.on_commit(lambda: _send_now(groups, event))
