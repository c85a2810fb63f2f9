"""Every write of routing (分流): route a conversation to an agent or queue it, drain the
queue, end and transfer conversations, set an agent's presence, automatic away.

Concurrency (many conversations arriving at once, agents changing status):

- a conversation's row is locked (waiting) by whoever routes, ends or transfers it, so
  one conversation is handled by one transaction at a time; the partial unique
  constraint ``assignment_one_active`` backs this up in the database;
- an agent's ``AgentRouting`` row is locked before their load is read and raised, so no
  agent goes over their cap. The candidate pick skips rows another transaction holds
  (PostgreSQL ``SKIP LOCKED``): routing never waits for an agent, and whoever holds an
  agent row never waits for a conversation, so the lock order cannot cycle; where two
  agent rows are locked (a transfer) they are locked in primary-key order;
- the queue is drained in small transactions, one assignment each, skipping entries
  and conversations another worker holds.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.conversations.models import Conversation, Stage
from kefu.conversations.services import conversation_agent_set, conversation_end_set
from kefu.core.errors import ValidationError
from kefu.presence.models import PresenceStatus
from kefu.presence.services import agent_status_record
from kefu.routing.choices import AssignmentEnd, AssignmentReason
from kefu.routing.models import AgentRouting, Assignment, QueueEntry, RoutingSettings, SkillGroup, SkillGroupMember
from kefu.routing.selectors import (
    agent_cap,
    groups_with_waiting,
    queue_position,
    routing_settings_for,
    shop_in_service_hours,
    skill_group_for,
)

AUTO_AWAY_NOTE = "auto away"


@dataclass
class RoutingResult:
    """What happened to a conversation: assigned (``assignment``) or waiting (``entry``,
    ``position``); ``off_hours`` with the message to show the customer."""

    assignment: Assignment | None = None
    entry: QueueEntry | None = None
    position: int | None = None
    off_hours: bool = False
    message: str = ""

    @property
    def assigned(self) -> bool:
        return self.assignment is not None


def _skip_locked() -> dict:
    return {"skip_locked": True} if connection.features.has_select_for_update_skip_locked else {}


def _lock_conversation(pk: int, *, skip: bool = False) -> Conversation | None:
    query = Conversation.objects.select_for_update(of=("self",), **(_skip_locked() if skip else {}))
    return query.select_related("shop", "customer").filter(pk=pk).first()


def _active_assignment(conversation_id: int) -> Assignment | None:
    return Assignment.objects.filter(conversation_id=conversation_id, ended_at__isnull=True).first()


def agent_routing_row(agent) -> AgentRouting:
    """The agent's routing row, created (offline) the first time it is needed."""
    row, _created = AgentRouting.objects.get_or_create(agent=agent, defaults={"shop_id": agent.shop_id})
    return row


def _lock_rows(agent_ids) -> dict[int, AgentRouting]:
    rows = (AgentRouting.objects.select_for_update(of=("self",)).select_related("agent")
            .filter(agent_id__in=agent_ids).order_by("pk"))
    return {row.agent_id: row for row in rows}


def _priority(conversation: Conversation, group: SkillGroup, settings: RoutingSettings) -> int:
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


def _member_caps(group: SkillGroup) -> Subquery:
    return Subquery(SkillGroupMember.objects.filter(group=group, agent_id=OuterRef("agent_id")).values("max_concurrent")[:1])


def _pick_agent(group: SkillGroup, settings: RoutingSettings, *, now: datetime) -> tuple[AgentRouting, int] | None:
    """Lock and return an online member of the group under their cap, by the group's
    strategy, with their cap; None when nobody is free. Rows other transactions hold are
    skipped; the locked row is re-checked (it is the latest committed version)."""
    candidates = (
        AgentRouting.objects.filter(
            Exists(SkillGroupMember.objects.filter(group=group, agent_id=OuterRef("agent_id"))),
            status=PresenceStatus.ONLINE, agent__active=True,
        )
        .annotate(cap=Coalesce(_member_caps(group), F("max_concurrent"), settings.default_max_concurrent))
        .filter(active_chats__lt=F("cap"))
    )
    if group.strategy == "round_robin":
        order = [F("last_assigned_at").asc(nulls_first=True), "pk"]
    else:
        order = ["active_chats", F("last_assigned_at").asc(nulls_first=True), "pk"]
    tried: set[int] = set()
    for _attempt in range(5):
        row = (candidates.exclude(pk__in=tried).order_by(*order).select_related("agent")
               .select_for_update(of=("self",), **_skip_locked()).first())
        if row is None:
            return None
        if row.status == PresenceStatus.ONLINE and row.active_chats < row.cap:
            return row, row.cap
        tried.add(row.pk)
    return None


def _assign(conversation: Conversation, row: AgentRouting, *, group, reason: str, now: datetime,
            enqueued_at: datetime | None = None, actor=None, queued: bool = True) -> Assignment:
    """Write the assignment and raise the agent's load; the caller holds both locks."""
    wait = max(0, int((now - enqueued_at).total_seconds())) if enqueued_at else 0
    assignment = Assignment.objects.create(
        conversation=conversation, shop_id=conversation.shop_id, agent_id=row.agent_id, group=group,
        customer_ext=conversation.customer_ext, reason=reason, assigned_at=now, wait_seconds=wait, actor=actor,
    )
    AgentRouting.objects.filter(pk=row.pk).update(active_chats=F("active_chats") + 1, last_assigned_at=now)
    row.active_chats += 1
    if queued:
        QueueEntry.objects.filter(conversation_id=conversation.pk).delete()
    conversation_agent_set(conversation=conversation, agent=row.agent)
    return assignment


def _release(assignment: Assignment, *, now: datetime, end_reason: str) -> None:
    """End an assignment and lower the agent's load; the caller holds the conversation."""
    Assignment.objects.filter(pk=assignment.pk).update(ended_at=now, end_reason=end_reason)
    assignment.ended_at, assignment.end_reason = now, end_reason
    _lock_rows([assignment.agent_id])
    AgentRouting.objects.filter(pk=assignment.agent_id).update(active_chats=Greatest(F("active_chats") - 1, 0))


def _enqueue(conversation: Conversation, group: SkillGroup, *, priority: int, now: datetime,
             off_hours: bool = False, transfer: bool = False) -> QueueEntry:
    entry, created = QueueEntry.objects.get_or_create(
        conversation=conversation,
        defaults={"shop_id": conversation.shop_id, "group": group, "priority": priority, "enqueued_at": now,
                  "group_entered_at": now, "off_hours": off_hours, "transfer": transfer},
    )
    if not created and entry.group_id != group.pk:
        entry.group, entry.group_entered_at, entry.priority, entry.transfer = group, now, priority, transfer
        entry.save(update_fields=["group", "group_entered_at", "priority", "transfer"])
    return entry


def _sticky_agent(conversation: Conversation, group: SkillGroup, settings: RoutingSettings, *, now: datetime):
    """The returning customer's last agent, locked, if online and under their cap."""
    if not settings.sticky_enabled or not conversation.customer_ext:
        return None
    last = (
        Assignment.objects.filter(
            shop_id=conversation.shop_id, customer_ext=conversation.customer_ext,
            assigned_at__gte=now - timedelta(hours=settings.sticky_window_hours),
        ).exclude(conversation_id=conversation.pk).order_by("-assigned_at", "-id").first()
    )
    if last is None:
        return None
    row = _lock_rows([last.agent_id]).get(last.agent_id)
    if row is None or row.status != PresenceStatus.ONLINE or not row.agent.active:
        return None
    member = SkillGroupMember.objects.filter(group=group, agent_id=row.agent_id).first()
    if row.active_chats >= agent_cap(row, settings, member.max_concurrent if member else None):
        return None
    return row


def route_conversation(conversation: Conversation, *, group: SkillGroup | None = None,
                       now: datetime | None = None) -> RoutingResult:
    """Assign the conversation to an agent, or queue it and tell its position.

    The group comes from the conversation (tags, VIP, stage) unless given. A returning
    customer goes back to their last agent when that agent is online and under their cap;
    else the group's strategy picks among its online members under their cap — unless
    conversations of at least the same priority are already waiting, which go first.
    Off hours the conversation waits and the customer gets the off-hours message.
    Routing a conversation already assigned returns that assignment."""
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _lock_conversation(conversation.pk)
        if conversation is None:
            raise ValidationError(_("This conversation no longer exists."), code="not_found")
        if conversation.ended_at is not None:
            raise ValidationError(_("This conversation has ended."), code="conversation_ended")
        active = _active_assignment(conversation.pk)
        if active is not None:
            return RoutingResult(assignment=active)
        entry = QueueEntry.objects.filter(conversation_id=conversation.pk).select_related("group").first()
        group = group or (entry.group if entry else None) or skill_group_for(conversation)
        if group is None:
            raise ValidationError(_("No skill group of this shop takes this conversation."), code="no_skill_group")
        settings = routing_settings_for(conversation.shop)
        priority = entry.priority if entry else _priority(conversation, group, settings)
        if not shop_in_service_hours(conversation.shop, now):
            entry = _enqueue(conversation, group, priority=priority, now=now, off_hours=True)
            return RoutingResult(entry=entry, position=queue_position(entry), off_hours=True,
                                 message=settings.off_hours_message)
        if entry is None:
            row = _sticky_agent(conversation, group, settings, now=now)
            if row is not None:
                return RoutingResult(assignment=_assign(conversation, row, group=group, reason=AssignmentReason.STICKY,
                                                        now=now, queued=False))
        ahead = QueueEntry.objects.filter(group=group, priority__gte=priority).exclude(conversation_id=conversation.pk)
        if not ahead.exists():
            picked = _pick_agent(group, settings, now=now)
            if picked is not None:
                reason = AssignmentReason.OVERFLOW if entry and entry.overflowed else AssignmentReason.ROUTED
                return RoutingResult(assignment=_assign(
                    conversation, picked[0], group=group, reason=reason, now=now,
                    enqueued_at=entry.enqueued_at if entry else None, queued=entry is not None))
        entry = entry or _enqueue(conversation, group, priority=priority, now=now)
    # Others wait ahead of it, or nobody is free: let the queue move, then report.
    _drain_group(group, now=now)
    active = _active_assignment(conversation.pk)
    if active is not None:
        return RoutingResult(assignment=active)
    entry = QueueEntry.objects.filter(conversation_id=conversation.pk).first()
    return RoutingResult(entry=entry, position=queue_position(entry) if entry else None)


def _drain_group(group: SkillGroup, *, now: datetime) -> int:
    """Assign the group's waiting conversations, best first, while its agents have room."""
    if not shop_in_service_hours(group.shop, now):
        return 0
    settings = routing_settings_for(group.shop)
    assigned, skipped = 0, set()
    while True:
        with transaction.atomic():
            entry = (QueueEntry.objects.filter(group=group).exclude(pk__in=skipped)
                     .order_by("-priority", "enqueued_at", "id").select_for_update(**_skip_locked()).first())
            if entry is None:
                return assigned
            conversation = _lock_conversation(entry.conversation_id, skip=True)
            if conversation is None:  # someone else is handling it right now
                skipped.add(entry.pk)
                continue
            if conversation.ended_at is not None or _active_assignment(conversation.pk) is not None:
                entry.delete()
                continue
            picked = _pick_agent(group, settings, now=now)
            if picked is None:
                return assigned
            reason = (AssignmentReason.TRANSFER if entry.transfer
                      else AssignmentReason.OVERFLOW if entry.overflowed else AssignmentReason.ROUTED)
            _assign(conversation, picked[0], group=group, reason=reason, now=now, enqueued_at=entry.enqueued_at)
            assigned += 1


def queue_overflow(*, now: datetime, shop_id: int | None = None) -> int:
    """Move conversations that waited longer than their group allows to its overflow group."""
    entries = QueueEntry.objects.filter(group__overflow_group__isnull=False, group__overflow_after_seconds__isnull=False,
                                        off_hours=False).select_related("group")
    if shop_id is not None:
        entries = entries.filter(shop_id=shop_id)
    moved = 0
    for entry in entries:
        group = entry.group
        if entry.group_entered_at + timedelta(seconds=group.overflow_after_seconds) > now:
            continue
        # Conditional: a worker that already moved or assigned it wins.
        moved += QueueEntry.objects.filter(pk=entry.pk, group_id=group.pk).update(
            group_id=group.overflow_group_id, group_entered_at=now, overflowed=True
        )
    return moved


def queue_drain(now: datetime | None = None, *, shop_id: int | None = None, group_ids=None) -> dict:
    """Overflow long waits, then assign waiting conversations wherever agents have room.
    Off-hours arrivals are served once the shop's service hours begin."""
    now = now or timezone.now()
    moved = queue_overflow(now=now, shop_id=shop_id)
    ids = groups_with_waiting(shop_id=shop_id) if group_ids is None else group_ids
    assigned = 0
    for group in SkillGroup.objects.filter(pk__in=ids).select_related("shop").order_by("pk"):
        if shop_in_service_hours(group.shop, now):
            QueueEntry.objects.filter(group=group, off_hours=True).update(off_hours=False)
        assigned += _drain_group(group, now=now)
    return {"overflowed": moved, "assigned": assigned}


def conversation_end(conversation: Conversation, *, now: datetime | None = None) -> Assignment | None:
    """The conversation ended: its agent's load goes down, it leaves the queue, and the
    freed room goes to whoever waits. Safe to call twice."""
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _lock_conversation(conversation.pk)
        if conversation is None:
            return None
        active = _active_assignment(conversation.pk)
        if active is not None:
            _release(active, now=now, end_reason=AssignmentEnd.ENDED)
        QueueEntry.objects.filter(conversation_id=conversation.pk).delete()
        conversation_end_set(conversation=conversation, at=now)
    if active is not None:
        queue_drain(now, group_ids=_member_group_ids(active.agent_id))
    return active


def conversation_transfer(conversation: Conversation, *, to_agent=None, to_group: SkillGroup | None = None,
                          actor=None, now: datetime | None = None) -> RoutingResult:
    """Hand the conversation to another agent (who must be present and under their cap)
    or another skill group (routed there, queued if nobody is free). The previous
    assignment stays in the history, ended as *transferred*."""
    if (to_agent is None) == (to_group is None):
        raise ValidationError(_("Transfer to an agent or to a group."), code="transfer_target")
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _lock_conversation(conversation.pk)
        if conversation is None or conversation.ended_at is not None:
            raise ValidationError(_("This conversation has ended."), code="conversation_ended")
        active = _active_assignment(conversation.pk)
        if to_group is not None and to_group.shop_id != conversation.shop_id:
            raise ValidationError(_("That group belongs to another shop."), code="other_shop")
        if to_agent is not None:
            if to_agent.shop_id not in (None, conversation.shop_id):
                raise ValidationError(_("That agent serves another shop."), code="other_shop")
            if active is not None and active.agent_id == to_agent.pk:
                raise ValidationError(_("The conversation is already with this agent."), code="same_agent")
            agent_routing_row(to_agent)
            rows = _lock_rows({to_agent.pk} | ({active.agent_id} if active else set()))
            row = rows[to_agent.pk]
            settings = routing_settings_for(conversation.shop)
            if row.status == PresenceStatus.OFFLINE:
                raise ValidationError(_("That agent is offline."), code="agent_offline")
            if row.active_chats >= agent_cap(row, settings):
                raise ValidationError(_("That agent has no room for another chat."), code="agent_full")
            if active is not None:
                _release(active, now=now, end_reason=AssignmentEnd.TRANSFERRED)
            group = active.group if active else None
            return RoutingResult(assignment=_assign(conversation, row, group=group, reason=AssignmentReason.TRANSFER,
                                                    now=now, actor=actor))
        if active is not None:
            _release(active, now=now, end_reason=AssignmentEnd.TRANSFERRED)
        settings = routing_settings_for(conversation.shop)
        entry = _enqueue(conversation, to_group, priority=_priority(conversation, to_group, settings), now=now,
                         transfer=True)
    queue_drain(now, group_ids=[to_group.pk] + (_member_group_ids(active.agent_id) if active else []))
    assignment = _active_assignment(conversation.pk)
    if assignment is not None:
        return RoutingResult(assignment=assignment)
    entry = QueueEntry.objects.filter(conversation_id=conversation.pk).first()
    return RoutingResult(entry=entry, position=queue_position(entry) if entry else None)


def _member_group_ids(agent_id: int) -> list[int]:
    return list(SkillGroupMember.objects.filter(agent_id=agent_id).order_by("group_id").values_list("group_id", flat=True))


def agent_status_set(agent, status: str, *, at: datetime | None = None, note: str = "", drain: bool = True):
    """Set the agent's presence: recorded as an agent_status event (the importer's record
    type) and mirrored on their routing row. Coming online lets the queue move to them.
    Chats they already have stay theirs whatever the status."""
    if status not in PresenceStatus.values:
        raise ValidationError(_("Unknown status."), code="bad_status")
    at = at or timezone.now()
    with transaction.atomic():
        agent_routing_row(agent)
        row = _lock_rows([agent.pk])[agent.pk]
        changed = row.status != status
        if changed:
            agent_status_record(agent=agent, status=status, at=at, note=note)
        AgentRouting.objects.filter(pk=row.pk).update(
            status=status, status_since=at if changed else Coalesce(F("status_since"), at), last_activity_at=at,
            shop_id=agent.shop_id,
        )
        row.refresh_from_db()
    if drain and changed and status == PresenceStatus.ONLINE:
        queue_drain(at, group_ids=_member_group_ids(agent.pk))
    return row


def agent_activity_touch(agent, *, at: datetime | None = None) -> None:
    """The agent did something (replied, opened a chat): postpones automatic away."""
    AgentRouting.objects.filter(pk=agent.pk).update(last_activity_at=at or timezone.now())


def agent_cap_set(agent, *, max_concurrent: int | None) -> AgentRouting:
    """Set the agent's own concurrency cap (None: the shop's default)."""
    row = agent_routing_row(agent)
    AgentRouting.objects.filter(pk=row.pk).update(max_concurrent=max_concurrent)
    row.max_concurrent = max_concurrent
    return row


def presence_auto_away(now: datetime | None = None) -> int:
    """Online agents with no activity for their shop's ``auto_away_minutes`` become away."""
    now = now or timezone.now()
    count = 0
    rows = AgentRouting.objects.filter(status=PresenceStatus.ONLINE).select_related("agent", "shop__routing_settings")
    for row in rows:
        settings = getattr(row.shop, "routing_settings", None) if row.shop_id else None
        minutes = (settings or RoutingSettings()).auto_away_minutes
        if not minutes:
            continue
        if row.last_activity_at is not None and row.last_activity_at > now - timedelta(minutes=minutes):
            continue
        with transaction.atomic():
            locked = _lock_rows([row.pk]).get(row.pk)
            idle = locked.last_activity_at is None or locked.last_activity_at <= now - timedelta(minutes=minutes)
            if locked.status != PresenceStatus.ONLINE or not idle:
                continue
        agent_status_set(row.agent, PresenceStatus.AWAY, at=now, note=AUTO_AWAY_NOTE)
        count += 1
    return count


def routing_tick(now: datetime | None = None) -> dict:
    """Periodic: automatic away, overflow, and the queue moved where agents have room."""
    now = now or timezone.now()
    return {"away": presence_auto_away(now), **queue_drain(now)}


# ---- configuration -------------------------------------------------------------------


def skill_group_create(*, shop, key: str, name: str, members=(), **fields) -> SkillGroup:
    """A skill group with its members (agents, or (agent, cap) pairs)."""
    with transaction.atomic():
        group = SkillGroup.objects.create(shop=shop, key=key, name=name, **fields)
        for member in members:
            agent, cap = member if isinstance(member, tuple) else (member, None)
            skill_group_member_set(group=group, agent=agent, max_concurrent=cap)
    return group


def skill_group_member_set(*, group: SkillGroup, agent, max_concurrent: int | None = None) -> SkillGroupMember:
    agent_routing_row(agent)
    member, _created = SkillGroupMember.objects.update_or_create(
        group=group, agent=agent, defaults={"max_concurrent": max_concurrent}
    )
    return member


def routing_settings_update(*, shop, **changes) -> RoutingSettings:
    unknown = set(changes) - {f.name for f in RoutingSettings._meta.fields} - {"id", "shop"}
    if unknown:
        raise ValidationError(_("Unknown routing setting."), code="unknown_setting", detail={"fields": sorted(unknown)})
    settings, _created = RoutingSettings.objects.update_or_create(shop=shop, defaults=changes)
    return settings
