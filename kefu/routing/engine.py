"""The row-level steps of routing (分流) that ``kefu.routing.services`` composes: lock a
conversation (with what routing needs to know about it in the same statement), pick and
lock an agent, write an assignment and raise the load, end one and lower it, queue.

Every function here runs inside the caller's transaction and keeps the lock order of the
services' docstring: a conversation first, then agent rows (picked with ``SKIP LOCKED``,
or, when waited for, one at a time or in primary-key order). The hot path of routing a
new conversation is a handful of statements: the conversation locked with its shop, its
shop's settings, its customer, its active assignment, its queue entry and its
returning-customer agent in one query; the candidate agent picked, cap-checked and locked
in one; the assignment inserted; the load raised by a conditional update (the cap guard).
"""

from datetime import datetime

from django.db import connection
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from kefu.conversations.models import Conversation, Stage
from kefu.conversations.services import conversation_agent_set
from kefu.core.errors import ValidationError
from kefu.presence.models import PresenceStatus
from kefu.routing.choices import AssignmentReason
from kefu.routing.models import AgentRouting, Assignment, QueueEntry, RoutingSettings, SkillGroup, SkillGroupMember


def skip_locked() -> dict:
    return {"skip_locked": True} if connection.features.has_select_for_update_skip_locked else {}


def lock_conversation(pk: int, *, skip: bool = False, returning_customer: bool = False) -> Conversation | None:
    """The conversation, locked, with its shop (and the shop's routing settings), its
    customer, and annotated: ``routing_active_id`` (its active assignment), ``routing_entry_id``
    (its queue entry) and, with ``returning_customer``, ``routing_last_agent_id`` /
    ``routing_last_at`` (the customer's latest other assignment in the shop). One query."""
    query = (Conversation.objects.select_for_update(of=("self",), **(skip_locked() if skip else {}))
             .select_related("shop", "shop__routing_settings", "customer")
             .annotate(
                 routing_active_id=Subquery(Assignment.objects.filter(
                     conversation_id=OuterRef("pk"), ended_at__isnull=True).values("pk")[:1]),
                 routing_entry_id=Subquery(QueueEntry.objects.filter(conversation_id=OuterRef("pk")).values("pk")[:1]),
             ))
    if returning_customer:
        last = (Assignment.objects.filter(shop_id=OuterRef("shop_id"), customer_ext=OuterRef("customer_ext"))
                .exclude(conversation_id=OuterRef("pk")).order_by("-assigned_at", "-id"))
        query = query.annotate(routing_last_agent_id=Subquery(last.values("agent_id")[:1]),
                               routing_last_at=Subquery(last.values("assigned_at")[:1]))
    return query.filter(pk=pk).first()


def active_assignment(conversation: Conversation) -> Assignment | None:
    """The active assignment of a conversation locked by ``lock_conversation`` (no query
    when it has none)."""
    if conversation.routing_active_id is None:
        return None
    return Assignment.objects.filter(pk=conversation.routing_active_id).first()


def queue_entry(conversation: Conversation) -> QueueEntry | None:
    if conversation.routing_entry_id is None:
        return None
    return QueueEntry.objects.filter(pk=conversation.routing_entry_id).select_related("group").first()


def lock_rows(agent_ids) -> dict[int, AgentRouting]:
    rows = (AgentRouting.objects.select_for_update(of=("self",)).select_related("agent")
            .filter(agent_id__in=agent_ids).order_by("pk"))
    return {row.agent_id: row for row in rows}


def priority_of(conversation: Conversation, group: SkillGroup, settings: RoutingSettings) -> int:
    priority = group.base_priority
    customer = conversation.customer
    if customer is not None and customer.vip_level:
        priority += settings.vip_priority
    if customer is not None and conversation.stage == Stage.AFTERSALE and _open_complaint(conversation):
        priority += settings.complaint_priority
    return priority


def _open_complaint(conversation: Conversation) -> bool:
    try:
        from kefu.tickets.models import Ticket
        from kefu.tickets.workflows import workflow_for
    except ImportError:  # routing works without the tickets app
        return False
    workflow = workflow_for(shop_id=conversation.shop_id, type="complaint")
    open_statuses = [s for s in workflow.open_statuses() if s not in workflow.resolved]
    return Ticket.objects.filter(
        shop_id=conversation.shop_id, customer_id=conversation.customer_id, type="complaint",
        status__in=open_statuses,
    ).exists()


def _with_cap(rows, group: SkillGroup | None, settings: RoutingSettings):
    """Annotate ``cap``: the member's cap in the group, else the agent's own, else the shop's."""
    caps = [F("max_concurrent"), settings.default_max_concurrent]
    if group is not None:
        member = SkillGroupMember.objects.filter(group=group, agent_id=OuterRef("agent_id"))
        caps.insert(0, Subquery(member.values("max_concurrent")[:1]))
    return rows.annotate(cap=Coalesce(*caps))


def _available(group: SkillGroup | None, settings: RoutingSettings):
    """Online, active agents under their cap (in the group, when one is given)."""
    rows = AgentRouting.objects.filter(status=PresenceStatus.ONLINE, agent__active=True)
    return _with_cap(rows, group, settings).filter(active_chats__lt=F("cap"))


def pick_agent(group: SkillGroup, settings: RoutingSettings, *,
               behind: tuple[int, int] | None = None) -> AgentRouting | None:
    """Lock and return an online member of the group under their cap, by the group's
    strategy (``cap`` annotated); None when nobody is free. One statement: rows other
    transactions hold are skipped, and PostgreSQL re-checks the conditions on the locked,
    latest version of the row. ``behind=(priority, conversation pk)``: nobody is picked
    while another conversation of at least that priority waits in the group (it goes
    first) — the check is part of the same statement."""
    candidates = _available(group, settings).filter(
        Exists(SkillGroupMember.objects.filter(group=group, agent_id=OuterRef("agent_id"))))
    if behind is not None:
        priority, conversation_id = behind
        ahead = QueueEntry.objects.filter(group=group, priority__gte=priority).exclude(conversation_id=conversation_id)
        candidates = candidates.filter(~Exists(ahead))
    if group.strategy == "round_robin":
        order = [F("last_assigned_at").asc(nulls_first=True), "pk"]
    else:
        order = ["active_chats", F("last_assigned_at").asc(nulls_first=True), "pk"]
    query = candidates.order_by(*order).select_related("agent").select_for_update(of=("self",), **skip_locked())
    tried: set[int] = set()
    for _attempt in range(5):
        row = query.exclude(pk__in=tried).first() if tried else query.first()
        if row is None:
            return None
        if row.status == PresenceStatus.ONLINE and row.active_chats < row.cap:
            return row
        tried.add(row.pk)
    return None


def lock_agent_with_cap(agent_id: int, group: SkillGroup | None, settings: RoutingSettings, *,
                        available: bool) -> AgentRouting | None:
    """The agent's row, locked (waiting for it), with ``cap`` annotated; with ``available``
    only when they are online, active and under their cap."""
    rows = (_available(group, settings) if available else _with_cap(AgentRouting.objects.all(), group, settings))
    return rows.filter(pk=agent_id).select_related("agent").select_for_update(of=("self",)).first()


def sticky_agent(conversation: Conversation, group: SkillGroup, settings: RoutingSettings, *,
                 now: datetime) -> AgentRouting | None:
    """The returning customer's last agent (from ``lock_conversation(returning_customer=True)``),
    locked, if online, active and under their cap."""
    from datetime import timedelta

    if not settings.sticky_enabled or not conversation.customer_ext:
        return None
    last_agent_id, last_at = conversation.routing_last_agent_id, conversation.routing_last_at
    # The latest assignment of all is the latest inside the window, when it is inside.
    if last_agent_id is None or last_at < now - timedelta(hours=settings.sticky_window_hours):
        return None
    return lock_agent_with_cap(last_agent_id, group, settings, available=True)


def assign(conversation: Conversation, row: AgentRouting, *, group, reason: str, now: datetime,
           entry: QueueEntry | None = None, actor=None, cap: int | None = None) -> Assignment:
    """Write the assignment, raise the agent's load and take the conversation out of the
    queue; the caller holds both locks. ``cap``: the load is raised only below it (the
    guard of the conditional update; None only for a forced manual assignment)."""
    raised = AgentRouting.objects.filter(pk=row.pk)
    if cap is not None:
        raised = raised.filter(active_chats__lt=cap)
    if not raised.update(active_chats=F("active_chats") + 1, last_assigned_at=now):
        raise ValidationError(_("That agent has no room for another chat."), code="agent_full")
    wait = max(0, int((now - entry.enqueued_at).total_seconds())) if entry is not None else 0
    assignment = Assignment.objects.create(
        conversation=conversation, shop_id=conversation.shop_id, agent=row.agent, group=group,
        customer_ext=conversation.customer_ext, reason=reason, assigned_at=now, wait_seconds=wait, actor=actor,
    )
    row.active_chats += 1
    if entry is not None:
        QueueEntry.objects.filter(pk=entry.pk).delete()
    conversation_agent_set(conversation=conversation, agent=row.agent)
    return assignment


def release(assignment: Assignment, *, now: datetime, end_reason: str) -> None:
    """End an assignment and lower the agent's load; the caller holds the conversation.
    The update locks the agent's row itself."""
    Assignment.objects.filter(pk=assignment.pk).update(ended_at=now, end_reason=end_reason)
    assignment.ended_at, assignment.end_reason = now, end_reason
    AgentRouting.objects.filter(pk=assignment.agent_id).update(active_chats=Greatest(F("active_chats") - 1, 0))


def enqueue(conversation: Conversation, group: SkillGroup, *, priority: int, now: datetime,
            off_hours: bool = False, transfer: bool = False, enqueued_at: datetime | None = None) -> QueueEntry:
    entry, created = QueueEntry.objects.get_or_create(
        conversation=conversation,
        defaults={"shop_id": conversation.shop_id, "group": group, "priority": priority,
                  "enqueued_at": enqueued_at or now, "group_entered_at": now, "off_hours": off_hours,
                  "transfer": transfer},
    )
    if not created and entry.group_id != group.pk:
        entry.group, entry.group_entered_at, entry.priority, entry.transfer = group, now, priority, transfer
        entry.save(update_fields=["group", "group_entered_at", "priority", "transfer"])
    return entry


def queue_front(group: SkillGroup, priority: int, now: datetime) -> tuple[int, datetime]:
    """A (priority, enqueued_at) that serves before everything waiting in the group now:
    the group's top priority (at least ``priority``), an instant before its oldest entry."""
    from datetime import timedelta

    head = QueueEntry.objects.filter(group=group).order_by("-priority", "enqueued_at", "id").first()
    if head is None or head.priority < priority:
        return priority, now
    return head.priority, min(now, head.enqueued_at - timedelta(microseconds=1))


def waiting_reason(entry: QueueEntry) -> str:
    return (AssignmentReason.TRANSFER if entry.transfer
            else AssignmentReason.OVERFLOW if entry.overflowed else AssignmentReason.ROUTED)

