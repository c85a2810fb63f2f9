"""Reads of routing: a shop's settings, which skill group a conversation belongs to, the
queue with positions and waits, each agent's status, load and cap."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from kefu.accounts.permissions import scope_to_shops
from kefu.conversations.models import Stage
from kefu.metrics.shop_settings import in_service_hours, service_hours_parse
from kefu.routing.models import DEFAULT_MAX_CONCURRENT, AgentRouting, QueueEntry, RoutingSettings, SkillGroup


def routing_settings_for(shop) -> RoutingSettings:
    """The shop's settings row, or an unsaved one with the defaults."""
    if shop is None:
        return RoutingSettings()
    if type(shop).routing_settings.related.is_cached(shop):  # fetched with the shop (select_related)
        return getattr(shop, "routing_settings", None) or RoutingSettings(shop=shop)
    found = RoutingSettings.objects.filter(shop_id=shop.pk).first()
    return found or RoutingSettings(shop=shop)


def shop_in_service_hours(shop, at: datetime) -> bool:
    from zoneinfo import ZoneInfo

    hours = service_hours_parse(shop.service_hours or "00:00-24:00")
    return in_service_hours(at.astimezone(ZoneInfo(shop.timezone or "Asia/Shanghai")).time(), hours)


def skill_group_for(conversation, *, groups: list[SkillGroup] | None = None) -> SkillGroup | None:
    """The most specific group of the conversation's shop that takes it: one for the
    customer's tags, else a VIP group for a VIP customer, else the group of its stage,
    else a group for every stage. None when the shop has no group that fits."""
    if groups is None:
        groups = list(SkillGroup.objects.filter(shop_id=conversation.shop_id).order_by("key"))
    customer = conversation.customer
    tags = set(conversation.tags or []) | set((customer.tags if customer else None) or [])
    vip = bool(customer and customer.vip_level)
    stage = conversation.stage or Stage.PRESALE

    def stage_fits(group):
        return not group.stage or group.stage == stage

    for fits in (
        lambda g: bool(tags & set(g.customer_tags or [])) and stage_fits(g),
        lambda g: vip and g.for_vip and not g.customer_tags and stage_fits(g),
        lambda g: not g.for_vip and not g.customer_tags and g.stage == stage,
        lambda g: not g.for_vip and not g.customer_tags and not g.stage,
    ):
        for group in groups:
            if fits(group):
                return group
    return None


def agent_cap(row: AgentRouting, settings: RoutingSettings, member_cap: int | None = None) -> int:
    """The agent's concurrency cap: the group member's override, else their own, else the shop's."""
    for cap in (member_cap, row.max_concurrent, settings.default_max_concurrent):
        if cap is not None:
            return cap
    return DEFAULT_MAX_CONCURRENT


def queue_position(entry: QueueEntry) -> int:
    """1 for the next conversation the group serves."""
    ahead = QueueEntry.objects.filter(group_id=entry.group_id).filter(
        Q(priority__gt=entry.priority)
        | Q(priority=entry.priority, enqueued_at__lt=entry.enqueued_at)
        | Q(priority=entry.priority, enqueued_at=entry.enqueued_at, pk__lt=entry.pk)
    )
    return ahead.count() + 1


@dataclass
class QueueRow:
    entry: QueueEntry
    position: int
    wait_seconds: int


@dataclass
class QueueSummary:
    rows: list[QueueRow]
    longest_wait_seconds: int


def queue_entries(*, user=None, shop_ids=None) -> QuerySet[QueueEntry]:
    entries = QueueEntry.objects.select_related("group", "conversation", "shop")
    if user is not None:
        entries = scope_to_shops(entries, user)
    if shop_ids is not None:
        entries = entries.filter(shop_id__in=shop_ids)
    return entries.order_by("shop_id", "group_id", "-priority", "enqueued_at", "id")


def queue_summary(entries: QuerySet[QueueEntry], *, now: datetime | None = None) -> QueueSummary:
    """The waiting conversations with their position in their group, and the longest wait.
    Positions are counted in Python over the ordered list: one query whatever the length."""
    now = now or timezone.now()
    rows, seen = [], {}
    for entry in entries:
        seen[entry.group_id] = seen.get(entry.group_id, 0) + 1
        rows.append(QueueRow(entry, seen[entry.group_id], max(0, int((now - entry.enqueued_at).total_seconds()))))
    return QueueSummary(rows, max((r.wait_seconds for r in rows), default=0))


def agent_routing_rows(*, user=None, shop_ids=None) -> QuerySet[AgentRouting]:
    """Agents' routing state (status, load, cap) — those serving every shop included."""
    rows = AgentRouting.objects.select_related("agent", "shop", "shop__routing_settings")
    if user is not None:
        rows = scope_to_shops(rows, user, shared_null=True)
    if shop_ids is not None:
        rows = rows.filter(Q(shop_id__in=shop_ids) | Q(shop__isnull=True))
    return rows.order_by("agent__name", "agent_id")


def effective_cap(row: AgentRouting) -> int:
    settings = getattr(row.shop, "routing_settings", None) if row.shop_id else None
    return agent_cap(row, settings or RoutingSettings())


def group_queue_counts(group_ids) -> dict[int, dict]:
    """Waiting count and oldest arrival per group (for monitors)."""
    found = (QueueEntry.objects.filter(group_id__in=group_ids).values("group_id")
             .annotate(waiting=Count("id"), oldest=Min("enqueued_at")))
    return {row["group_id"]: row for row in found}


def groups_with_waiting(*, shop_id: int | None = None, group_ids=None) -> list[int]:
    """The groups (of the shop, among ``group_ids``) where somebody waits."""
    groups = SkillGroup.objects.filter(Exists(QueueEntry.objects.filter(group_id=OuterRef("pk"))))
    if shop_id is not None:
        groups = groups.filter(shop_id=shop_id)
    if group_ids is not None:
        groups = groups.filter(pk__in=list(group_ids))
    return list(groups.order_by("pk").values_list("pk", flat=True))

