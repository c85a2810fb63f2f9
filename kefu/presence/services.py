"""Writes of presence made inside Kefu (an agent setting their status, automatic away):
the same ``agent_status`` records the importer writes (events.md), so online hours and
adherence read one timeline whatever its source."""

import uuid

from django.utils import timezone

from kefu.presence.models import AgentStatus, PresenceStatus


def agent_status_record(*, agent, status: str, at, note: str = "") -> AgentStatus:
    """Append a status change to the agent's timeline. The id is Kefu's own (``kefu-…``),
    so it never collides with a source system's ids in the same shop."""
    PresenceStatus(status)  # ValueError for an unknown status
    now = timezone.now()
    return AgentStatus.objects.create(
        ext_id=f"kefu-{uuid.uuid4().hex}", src_hash="", imported_at=now, updated_at=now,
        shop_id=agent.shop_id, agent=agent, at=at, status=status, note=note[:200],
    )
