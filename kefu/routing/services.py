"""Every write of routing (分流): route a conversation to an agent or queue it (one at a
time or a batch), drain the queue, end, transfer and manually assign conversations, set an
agent's presence (going offline hands their chats back to the queue), automatic away.

Concurrency (many conversations arriving at once, agents changing status):

- a conversation's row is locked (waiting) by whoever routes, ends, transfers, assigns or
  requeues it, so one conversation is handled by one transaction at a time; the partial
  unique constraint ``assignment_one_active`` backs this up in the database;
- an agent's ``AgentRouting`` row is locked before their load is read and raised, so no
  agent goes over their cap; the load is raised by a conditional update
  (``active_chats < cap``) as a second guard. The candidate pick skips rows another
  transaction holds (PostgreSQL ``SKIP LOCKED``): routing never waits for an agent, and
  whoever holds an agent row never waits for a conversation, so the lock order cannot
  cycle; where two agent rows are locked (a transfer) they are locked in primary-key order;
- the queue is drained in small transactions, one assignment each, skipping entries
  and conversations another worker holds;
- an agent going offline commits their status first (nobody picks them after that), then
  requeues their chats one transaction each, conversation lock first.

The row-level steps live in ``kefu.routing.engine``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.conversations.models import Conversation
from kefu.conversations.services import conversation_agent_set, conversation_end_set
from kefu.core.errors import ValidationError
from kefu.presence.models import PresenceStatus
from kefu.presence.services import agent_status_record
from kefu.routing import engine
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


def agent_routing_row(agent) -> AgentRouting:
    """The agent's routing row, created (offline) the first time it is needed."""
    row, _created = AgentRouting.objects.get_or_create(agent=agent, defaults={"shop_id": agent.shop_id})
    return row


class _ShopGroups:
    """The skill groups of each shop, read once per call (a batch reads each shop's once)."""

    def __init__(self):
        self._groups: dict[int, list[SkillGroup]] = {}

    def for_conversation(self, conversation: Conversation) -> SkillGroup | None:
        if conversation.shop_id not in self._groups:
            self._groups[conversation.shop_id] = list(
                SkillGroup.objects.filter(shop_id=conversation.shop_id).order_by("key"))
        return skill_group_for(conversation, groups=self._groups[conversation.shop_id])


def route_conversation(conversation: Conversation, *, group: SkillGroup | None = None,
                       now: datetime | None = None) -> RoutingResult:
    """Assign the conversation to an agent, or queue it and tell its position.

    The group comes from the conversation (tags, VIP, stage) unless given. A returning
    customer goes back to their last agent when that agent is online and under their cap;
    else the group's strategy picks among its online members under their cap — unless
    conversations of at least the same priority are already waiting, which go first.
    Off hours the conversation waits and the customer gets the off-hours message.
    Routing a conversation already assigned returns that assignment."""
    return _route(conversation, group=group, now=now or timezone.now(), groups=_ShopGroups())


def route_conversations(conversations, *, now: datetime | None = None) -> list[RoutingResult]:
    """Route many new conversations (in order), each exactly as ``route_conversation``
    would, in its own short transaction (so locks are held as briefly as for one); the
    shops' skill groups are read once for the batch. One result per conversation."""
    groups = _ShopGroups()
    return [_route(conversation, group=None, now=now or timezone.now(), groups=groups)
            for conversation in conversations]


def _route(conversation: Conversation, *, group: SkillGroup | None, now: datetime,
           groups: _ShopGroups) -> RoutingResult:
    with transaction.atomic():
        conversation = engine.lock_conversation(conversation.pk, returning_customer=True)
        if conversation is None:
            raise ValidationError(_("This conversation no longer exists."), code="not_found")
        if conversation.ended_at is not None:
            raise ValidationError(_("This conversation has ended."), code="conversation_ended")
        active = engine.active_assignment(conversation)
        if active is not None:
            return RoutingResult(assignment=active)
        entry = engine.queue_entry(conversation)
        group = group or (entry.group if entry else None) or groups.for_conversation(conversation)
        if group is None:
            raise ValidationError(_("No skill group of this shop takes this conversation."), code="no_skill_group")
        settings = routing_settings_for(conversation.shop)
        priority = entry.priority if entry else engine.priority_of(conversation, group, settings)
        if not shop_in_service_hours(conversation.shop, now):
            entry = engine.enqueue(conversation, group, priority=priority, now=now, off_hours=True)
            return RoutingResult(entry=entry, position=queue_position(entry), off_hours=True,
                                 message=settings.off_hours_message)
        if entry is None:
            row = engine.sticky_agent(conversation, group, settings, now=now)
            if row is not None:
                return RoutingResult(assignment=engine.assign(conversation, row, group=group, now=now, cap=row.cap,
                                                              reason=AssignmentReason.STICKY))
        # Nobody is picked while others of at least the same priority wait: they go first.
        row = engine.pick_agent(group, settings, behind=(priority, conversation.pk))
        if row is not None:
            reason = AssignmentReason.OVERFLOW if entry and entry.overflowed else AssignmentReason.ROUTED
            return RoutingResult(assignment=engine.assign(conversation, row, group=group, reason=reason, now=now,
                                                          entry=entry, cap=row.cap))
        entry = entry or engine.enqueue(conversation, group, priority=priority, now=now)
    # Others wait ahead of it, or nobody is free: let the queue move, then report.
    return _drained_result(conversation.pk, [group.pk], now=now)


def _drained_result(conversation_id: int, group_ids: list[int], *, now: datetime) -> RoutingResult:
    queue_drain(now, group_ids=group_ids)
    active = Assignment.objects.filter(conversation_id=conversation_id, ended_at__isnull=True).first()
    if active is not None:
        return RoutingResult(assignment=active)
    entry = QueueEntry.objects.filter(conversation_id=conversation_id).first()
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
                     .order_by("-priority", "enqueued_at", "id").select_for_update(**engine.skip_locked()).first())
            if entry is None:
                return assigned
            conversation = engine.lock_conversation(entry.conversation_id, skip=True)
            if conversation is None:  # someone else is handling it right now
                skipped.add(entry.pk)
                continue
            if conversation.ended_at is not None or conversation.routing_active_id is not None:
                entry.delete()
                continue
            row = engine.pick_agent(group, settings)
            if row is None:
                return assigned
            engine.assign(conversation, row, group=group, reason=engine.waiting_reason(entry), now=now, entry=entry,
                          cap=row.cap)
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
    ids = groups_with_waiting(shop_id=shop_id, group_ids=group_ids)
    assigned = 0
    for group in (SkillGroup.objects.filter(pk__in=ids).select_related("shop", "shop__routing_settings")
                  .order_by("pk")):
        if shop_in_service_hours(group.shop, now):
            QueueEntry.objects.filter(group=group, off_hours=True).update(off_hours=False)
        assigned += _drain_group(group, now=now)
    return {"overflowed": moved, "assigned": assigned}


def conversation_end(conversation: Conversation, *, now: datetime | None = None) -> Assignment | None:
    """The conversation ended: its agent's load goes down, it leaves the queue, and the
    freed room goes to whoever waits. Safe to call twice."""
    now = now or timezone.now()
    with transaction.atomic():
        conversation = engine.lock_conversation(conversation.pk)
        if conversation is None:
            return None
        active = engine.active_assignment(conversation)
        if active is not None:
            engine.release(active, now=now, end_reason=AssignmentEnd.ENDED)
        if conversation.routing_entry_id is not None:
            QueueEntry.objects.filter(pk=conversation.routing_entry_id).delete()
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
        conversation = engine.lock_conversation(conversation.pk)
        if conversation is None or conversation.ended_at is not None:
            raise ValidationError(_("This conversation has ended."), code="conversation_ended")
        active = engine.active_assignment(conversation)
        if to_group is not None and to_group.shop_id != conversation.shop_id:
            raise ValidationError(_("That group belongs to another shop."), code="other_shop")
        settings = routing_settings_for(conversation.shop)
        if to_agent is not None:
            if to_agent.shop_id not in (None, conversation.shop_id):
                raise ValidationError(_("That agent serves another shop."), code="other_shop")
            if active is not None and active.agent_id == to_agent.pk:
                raise ValidationError(_("The conversation is already with this agent."), code="same_agent")
            agent_routing_row(to_agent)
            rows = engine.lock_rows({to_agent.pk} | ({active.agent_id} if active else set()))
            row = rows[to_agent.pk]
            if row.status == PresenceStatus.OFFLINE:
                raise ValidationError(_("That agent is offline."), code="agent_offline")
            cap = agent_cap(row, settings)
            if row.active_chats >= cap:
                raise ValidationError(_("That agent has no room for another chat."), code="agent_full")
            if active is not None:
                engine.release(active, now=now, end_reason=AssignmentEnd.TRANSFERRED)
            group = active.group if active else None
            return RoutingResult(assignment=engine.assign(conversation, row, group=group, now=now, actor=actor,
                                                          reason=AssignmentReason.TRANSFER, cap=cap))
        if active is not None:
            engine.release(active, now=now, end_reason=AssignmentEnd.TRANSFERRED)
        engine.enqueue(conversation, to_group, priority=engine.priority_of(conversation, to_group, settings), now=now,
                       transfer=True)
    return _drained_result(conversation.pk, [to_group.pk] + (_member_group_ids(active.agent_id) if active else []),
                           now=now)


def conversation_assign(conversation: Conversation, *, agent, actor, force: bool = False,
                        now: datetime | None = None) -> Assignment:
    """A supervisor hands a waiting (queued or not yet routed) conversation to the agent
    they choose. The agent must serve the shop, be active and not offline, and be under
    their cap in the conversation's group — unless ``force``, which lets a supervisor go
    over it on purpose. Recorded with reason *manual* and the supervisor as actor."""
    now = now or timezone.now()
    if not agent.active:
        raise ValidationError(_("That agent is deactivated."), code="agent_inactive")
    with transaction.atomic():
        conversation = engine.lock_conversation(conversation.pk)
        if conversation is None or conversation.ended_at is not None:
            raise ValidationError(_("This conversation has ended."), code="conversation_ended")
        if agent.shop_id not in (None, conversation.shop_id):
            raise ValidationError(_("That agent serves another shop."), code="other_shop")
        if conversation.routing_active_id is not None:
            raise ValidationError(_("This conversation already has an agent; transfer it instead."),
                                  code="already_assigned")
        entry = engine.queue_entry(conversation)
        group = entry.group if entry else skill_group_for(conversation)
        settings = routing_settings_for(conversation.shop)
        agent_routing_row(agent)
        row = engine.lock_agent_with_cap(agent.pk, group, settings, available=False)
        if row.status == PresenceStatus.OFFLINE:
            raise ValidationError(_("That agent is offline."), code="agent_offline")
        if row.active_chats >= row.cap and not force:
            raise ValidationError(_("That agent has no room for another chat."), code="agent_full")
        return engine.assign(conversation, row, group=group, reason=AssignmentReason.MANUAL, now=now, entry=entry,
                             actor=actor, cap=None if force else row.cap)


def _member_group_ids(agent_id: int) -> list[int]:
    return list(SkillGroupMember.objects.filter(agent_id=agent_id).order_by("group_id").values_list("group_id", flat=True))


def agent_status_set(agent, status: str, *, at: datetime | None = None, note: str = "", drain: bool = True):
    """Set the agent's presence: recorded as an agent_status event (the importer's record
    type) and mirrored on their routing row. Coming online lets the queue move to them.
    Chats they already have stay theirs whatever the status — except going offline:
    then their open chats go back to the front of their groups' queues (the assignments
    end as *agent offline*) and, with ``drain``, to the other agents who have room."""
    if status not in PresenceStatus.values:
        raise ValidationError(_("Unknown status."), code="bad_status")
    at = at or timezone.now()
    with transaction.atomic():
        agent_routing_row(agent)
        row = engine.lock_rows([agent.pk])[agent.pk]
        changed = row.status != status
        if changed:
            agent_status_record(agent=agent, status=status, at=at, note=note)
        AgentRouting.objects.filter(pk=row.pk).update(
            status=status, status_since=at if changed else Coalesce(F("status_since"), at), last_activity_at=at,
            shop_id=agent.shop_id,
        )
        row.refresh_from_db()
    if status == PresenceStatus.OFFLINE:
        group_ids = _requeue_agent_chats(agent.pk, now=at)
        if drain and group_ids:
            queue_drain(at, group_ids=group_ids)
        row.refresh_from_db()
    if drain and changed and status == PresenceStatus.ONLINE:
        queue_drain(at, group_ids=_member_group_ids(agent.pk))
    return row


def _requeue_agent_chats(agent_id: int, *, now: datetime) -> list[int]:
    """Hand an offline agent's open chats back to the queue, each at the front of its
    group; the groups they went to. One transaction per chat, conversation locked first;
    the latest chat is requeued first so that the oldest ends up served first."""
    open_chats = (Assignment.objects.filter(agent_id=agent_id, ended_at__isnull=True)
                  .order_by("-assigned_at", "-id").values_list("conversation_id", flat=True))
    group_ids: list[int] = []
    groups = _ShopGroups()
    for conversation_id in list(open_chats):
        with transaction.atomic():
            conversation = engine.lock_conversation(conversation_id)
            active = engine.active_assignment(conversation) if conversation is not None else None
            if active is None or active.agent_id != agent_id or conversation.ended_at is not None:
                continue  # ended, transferred or requeued meanwhile
            row = engine.lock_rows([agent_id]).get(agent_id)  # conversation, then agent: the usual order
            if row is None or row.status != PresenceStatus.OFFLINE:
                continue  # back online meanwhile: the chat stays theirs
            group = active.group or groups.for_conversation(conversation)
            engine.release(active, now=now, end_reason=AssignmentEnd.AGENT_OFFLINE)
            conversation_agent_set(conversation=conversation, agent=None)
            if group is None:  # no group takes it any more: it waits for a supervisor's manual assignment
                continue
            settings = routing_settings_for(conversation.shop)
            priority, enqueued_at = engine.queue_front(group, engine.priority_of(conversation, group, settings), now)
            engine.enqueue(conversation, group, priority=priority, now=now, enqueued_at=enqueued_at)
            if group.pk not in group_ids:
                group_ids.append(group.pk)
    return group_ids


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
            locked = engine.lock_rows([row.pk]).get(row.pk)
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


def skill_group_save(*, shop, actor, group: SkillGroup | None = None, members=(), request=None,
                     **fields) -> SkillGroup:
    """Create or change a skill group and set its members exactly to ``members`` (agents,
    or (agent, cap) pairs); audited."""
    from kefu.core.audit import audit_record

    with transaction.atomic():
        if group is None:
            group = SkillGroup.objects.create(shop=shop, **fields)
            action = "routing.group_create"
        else:
            for name, value in fields.items():
                setattr(group, name, value)
            group.save()
            action = "routing.group_update"
        wanted = {}
        for member in members:
            agent, cap = member if isinstance(member, tuple) else (member, None)
            wanted[agent.pk] = (agent, cap)
        SkillGroupMember.objects.filter(group=group).exclude(agent_id__in=wanted).delete()
        for agent, cap in wanted.values():
            skill_group_member_set(group=group, agent=agent, max_concurrent=cap)
        audit_record(actor=actor, action=action, target=group, request=request,
                     detail={"fields": {k: str(v) for k, v in fields.items()}, "members": sorted(wanted)})
    return group


def skill_group_delete(*, group: SkillGroup, actor, request=None) -> None:
    """Remove a skill group; its waiting conversations go back to routing's choice."""
    from kefu.core.audit import audit_record

    with transaction.atomic():
        audit_record(actor=actor, action="routing.group_delete", target=group, request=request,
                     detail={"key": group.key, "name": group.name})
        QueueEntry.objects.filter(group=group).delete()
        group.delete()
