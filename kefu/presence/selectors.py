"""Reads of agent presence: who is online now. An agent is in the status of their latest
``agent_status`` record at or before the moment (events.md)."""

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from kefu.accounts.models import Agent
from kefu.presence.models import AgentStatus, PresenceStatus

WORKING_STATUSES = (PresenceStatus.ONLINE, PresenceStatus.BUSY)


def _agents_serving(shop_ids: list[int] | None):
    """Agents of the shops, and those who serve every shop (no shop)."""
    agents = Agent.objects.all()
    if shop_ids is not None:
        agents = agents.filter(Q(shop_id__in=shop_ids) | Q(shop__isnull=True))
    return agents


def agent_list_with_status(*, shop_ids: list[int] | None, at=None):
    """Agents of the shops (and those serving every shop), annotated with ``current_status``
    as of ``at`` (default now): None when they have no status record yet."""
    at = at or timezone.now()
    latest = (
        AgentStatus.objects.filter(agent=OuterRef("pk"), at__lte=at).order_by("-at", "-ext_id").values("status")[:1]
    )
    return _agents_serving(shop_ids).annotate(current_status=Subquery(latest))


def agents_online_count(*, shop_ids: list[int] | None, at=None) -> int:
    """Agents whose current status is online or busy."""
    return agent_list_with_status(shop_ids=shop_ids, at=at).filter(current_status__in=WORKING_STATUSES).count()


def agents_active_count(*, shop_ids: list[int] | None) -> int:
    """Agents marked active (``agent.active``), online or not."""
    return _agents_serving(shop_ids).filter(active=True).count()
