"""Reads of the supervisor's live monitor (实时监控): who is online and how loaded, the
waiting queue, the live conversations that need a look (a customer waiting too long for
a human reply, negative sentiment, a critical QA rule hit as it happens) and today's
figures from the metric engine.

Everything is scoped to the shops whose monitor the user may watch
(``kefu.live.permissions.monitor_shop_ids``). A refresh stays cheap whatever the day:
at most ``LIVE_LIMIT`` of the most recent live conversations are inspected, in one
batch (one message query, one QA pass, one sentiment call)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kefu.conversations.models import Conversation, Message, Sender
from kefu.dashboards.formatting import duration_text, figure_text
from kefu.live.selectors import CHANNEL
from kefu.metrics.definitions import METRIC_BY_KEY, Metric
from kefu.metrics.engine import metrics_compute
from kefu.presence.models import PresenceStatus
from kefu.qa.models import Severity
from kefu.routing.models import AgentRouting, Assignment, QueueEntry, SkillGroup
from kefu.routing.selectors import agent_routing_rows, effective_cap, queue_entries, queue_summary
from kefu.shops.models import Shop

LIVE_LIMIT = 200  # live conversations inspected per refresh, most recent first
QUEUE_SHOWN = 50  # waiting conversations listed (the longest waits); counts cover all
DEFAULT_SLOW_SECONDS = 60  # a customer waiting longer than this for a human reply is flagged
SLOW_SETTING = "response_within_seconds"  # the shop's response threshold (metrics.md), when the shop set one
NEGATIVE_THRESHOLD = 0.8  # as QA's unresolved_complaint rule by default (negative_threshold)
SENTIMENT_MESSAGES = 3  # the customer's last messages whose sentiment is read
FIGURE_KEYS = ("conversations", "first_response_time_avg", "response_within_rate", "reply_rate", "csat",
               "inquiry_conversion_rate")
STATUS_ORDER = {PresenceStatus.ONLINE: 0, PresenceStatus.BUSY: 1, PresenceStatus.AWAY: 2, PresenceStatus.OFFLINE: 3}


@dataclass
class AgentLine:
    agent_id: int
    name: str
    team: str
    status: str
    status_label: str
    since: datetime | None
    active_chats: int
    cap: int
    last_activity: datetime | None

    @property
    def full(self) -> bool:
        return self.active_chats >= self.cap


@dataclass
class GroupLine:
    group: SkillGroup
    waiting: int = 0
    longest_wait_seconds: int = 0

    @property
    def longest_text(self) -> str:
        return duration_text(self.longest_wait_seconds) if self.waiting else "—"


@dataclass
class QueueLine:
    conversation_id: int
    customer: str
    group: str
    position: int
    wait_seconds: int
    off_hours: bool

    @property
    def wait_text(self) -> str:
        return duration_text(self.wait_seconds)


@dataclass
class LiveLine:
    conversation_id: int
    shop_id: int
    customer: str
    agent: str  # empty: waiting in the queue
    group: str
    started_at: datetime
    unanswered_seconds: int | None = None  # the customer's wait for a human reply, None: nothing unanswered
    slow: bool = False
    negative: float | None = None  # the highest negative probability of the customer's last messages
    critical: list[str] = field(default_factory=list)  # names of the critical QA rules hit

    @property
    def unanswered_text(self) -> str:
        return duration_text(self.unanswered_seconds) if self.unanswered_seconds is not None else "—"

    @property
    def negative_percent(self) -> int | None:
        return None if self.negative is None else round(self.negative * 100)

    @property
    def queued(self) -> bool:
        return not self.agent

    @property
    def flagged(self) -> bool:
        return self.slow or self.negative_flag or bool(self.critical)

    @property
    def negative_flag(self) -> bool:
        return self.negative is not None and self.negative >= NEGATIVE_THRESHOLD


@dataclass
class Figure:
    metric: Metric
    value: object

    @property
    def text(self) -> str:
        return figure_text(self.metric, self.value)


@dataclass
class ShopPanel:
    shop: Shop
    slow_seconds: int
    slow_from_shop: bool  # False: the monitor's default (the shop set no response threshold)
    figures: list[Figure]

    @property
    def slow_text(self) -> str:
        return duration_text(self.slow_seconds)


@dataclass
class MonitorSnapshot:
    now: datetime
    shops: list[ShopPanel]
    agents: list[AgentLine]
    offline_count: int
    groups: list[GroupLine]
    queue: list[QueueLine]
    queue_total: int
    longest_wait_seconds: int
    live: list[LiveLine]
    live_total: int
    sentiment_available: bool

    @property
    def longest_text(self) -> str:
        return duration_text(self.longest_wait_seconds) if self.queue_total else "—"

    @property
    def live_limited(self) -> bool:
        return self.live_total > len(self.live)

    @property
    def flagged(self) -> list[LiveLine]:
        return [line for line in self.live if line.flagged]

    @property
    def present_count(self) -> int:
        return len([a for a in self.agents if a.status != PresenceStatus.OFFLINE])


# ---- thresholds -----------------------------------------------------------------------


def slow_threshold(shop: Shop) -> tuple[int, bool]:
    """Seconds a customer may wait for a human reply before the monitor flags it, and
    whether it is the shop's own response threshold (else ``DEFAULT_SLOW_SECONDS``)."""
    stored = (shop.settings or {}).get(SLOW_SETTING)
    try:
        seconds = int(stored) if stored not in (None, "") else None
    except (TypeError, ValueError):
        seconds = None
    if seconds is None or seconds <= 0:
        return DEFAULT_SLOW_SECONDS, False
    return seconds, True


# ---- agents and queue -----------------------------------------------------------------


def monitor_agents(*, shop_ids: list[int]) -> tuple[list[AgentLine], int]:
    """The agents present (online, busy, away) and those offline who still have chats;
    and how many others are offline."""
    rows = agent_routing_rows(shop_ids=shop_ids).select_related("agent__team").filter(agent__active=True)
    lines, offline = [], 0
    for row in rows:
        if row.status == PresenceStatus.OFFLINE and not row.active_chats:
            offline += 1
            continue
        lines.append(AgentLine(
            agent_id=row.agent_id, name=row.agent.name, team=row.agent.team.name if row.agent.team_id else "",
            status=row.status, status_label=row.get_status_display(), since=row.status_since,
            active_chats=row.active_chats, cap=effective_cap(row), last_activity=row.last_activity_at,
        ))
    lines.sort(key=lambda a: (STATUS_ORDER.get(a.status, 9), a.name, a.agent_id))
    return lines, offline


def monitor_queue(*, shop_ids: list[int], now: datetime) -> tuple[list[GroupLine], list[QueueLine], int, int]:
    """Per skill group the waiting count and longest wait; the longest-waiting entries;
    the total waiting and the longest wait of all."""
    summary = queue_summary(queue_entries(shop_ids=shop_ids).select_related("conversation__customer"), now=now)
    groups = {g.pk: GroupLine(g) for g in SkillGroup.objects.filter(shop_id__in=shop_ids).order_by("shop_id", "key")}
    lines = []
    for row in summary.rows:
        entry = row.entry
        group = groups.setdefault(entry.group_id, GroupLine(entry.group))
        group.waiting += 1
        group.longest_wait_seconds = max(group.longest_wait_seconds, row.wait_seconds)
        lines.append(QueueLine(entry.conversation_id, _customer_name(entry.conversation), entry.group.name,
                               row.position, row.wait_seconds, entry.off_hours))
    lines.sort(key=lambda line: (-line.wait_seconds, line.conversation_id))
    return list(groups.values()), lines[:QUEUE_SHOWN], len(lines), summary.longest_wait_seconds


def _customer_name(conversation: Conversation) -> str:
    customer = conversation.customer
    return (customer.nick if customer and customer.nick else "") or conversation.customer_ext


# ---- live conversations -----------------------------------------------------------------


def live_conversations(*, shop_ids: list[int]):
    """The shops' live conversations: not ended, with an agent now or waiting in the queue."""
    active = Assignment.objects.filter(conversation_id=OuterRef("pk"), ended_at__isnull=True)
    queued = QueueEntry.objects.filter(conversation_id=OuterRef("pk"))
    return (Conversation.objects.filter(shop_id__in=shop_ids, channel=CHANNEL, ended_at__isnull=True)
            .filter(Q(Exists(active)) | Q(Exists(queued))))


def monitor_live(*, shop_ids: list[int], now: datetime, thresholds: dict[int, int],
                 inspect: bool = True) -> tuple[list[LiveLine], int, bool]:
    """The most recent live conversations (at most ``LIVE_LIMIT``) with their flags, the
    number of live conversations, and whether a sentiment model was available."""
    found = live_conversations(shop_ids=shop_ids)
    total = found.count()
    conversations = list(found.select_related("customer").order_by("-started_at", "-pk")[:LIVE_LIMIT])
    ids = [c.pk for c in conversations]
    agents = {a.conversation_id: a for a in Assignment.objects.filter(conversation_id__in=ids, ended_at__isnull=True)
              .select_related("agent", "group")}
    entries = {e.conversation_id: e for e in QueueEntry.objects.filter(conversation_id__in=ids).select_related("group")}
    lines = {}
    for c in conversations:
        assignment, entry = agents.get(c.pk), entries.get(c.pk)
        group = (assignment.group if assignment else entry.group if entry else None)
        lines[c.pk] = LiveLine(c.pk, c.shop_id, _customer_name(c), assignment.agent.name if assignment else "",
                               group.name if group else "", c.started_at)
    customer_texts = _unanswered_waits(lines, now=now, thresholds=thresholds)
    sentiment = _sentiment(lines, customer_texts)
    if inspect and ids:
        _critical_hits(lines, ids)
    ordered = sorted(lines.values(), key=lambda line: (not line.flagged, -(line.unanswered_seconds or -1),
                                                        -line.conversation_id))
    return ordered, total, sentiment


def _unanswered_waits(lines: dict[int, LiveLine], *, now: datetime, thresholds: dict[int, int]) -> dict:
    """Set each line's wait: since the customer's first message after the last human
    reply. Returns the customer's last texts per conversation (for sentiment)."""
    texts: dict[int, list[str]] = defaultdict(list)
    waiting_since: dict[int, datetime | None] = {}
    rows = (Message.objects.filter(conversation_id__in=list(lines))
            .order_by("conversation_id", "sent_at", "ext_id")
            .values_list("conversation_id", "sender", "is_auto", "sent_at", "text"))
    for conversation_id, sender, is_auto, sent_at, text in rows.iterator(chunk_size=2000):
        if sender == Sender.AGENT and not is_auto:
            waiting_since[conversation_id] = None
        elif sender == Sender.CUSTOMER:
            if waiting_since.get(conversation_id) is None:
                waiting_since[conversation_id] = sent_at
            if text:
                texts[conversation_id].append(text)
                del texts[conversation_id][:-SENTIMENT_MESSAGES]
    for conversation_id, since in waiting_since.items():
        if since is None:
            continue
        line = lines[conversation_id]
        line.unanswered_seconds = max(0, int((now - since).total_seconds()))
        line.slow = line.unanswered_seconds > thresholds.get(line.shop_id, DEFAULT_SLOW_SECONDS)
    return texts


def _sentiment(lines: dict[int, LiveLine], texts: dict[int, list[str]]) -> bool:
    """The negative probability of the customer's last messages, when the shops' model is
    trained (``kefu.qa.training``); without one, no sentiment flag at all."""
    from kefu.qa.training import sentiment_model_load

    model = sentiment_model_load()
    if model is None:
        return False
    order = [(cid, text) for cid, items in texts.items() for text in items]
    if order:
        scores = model.predict_proba([text for _cid, text in order])
        for (cid, _text), score in zip(order, scores, strict=True):
            line = lines[cid]
            line.negative = score if line.negative is None else max(line.negative, score)
    return True


def _critical_hits(lines: dict[int, LiveLine], ids: list[int]) -> None:
    """QA's rules in force, run now on the live conversations without saving: the
    critical findings (站外交易, 索要敏感信息 ...) as they happen."""
    from kefu.qa.inspector import inspect_conversations

    for result in inspect_conversations(ids, save=False):
        names = [f.rule.name for f in result.findings if f.severity == Severity.CRITICAL]
        if names:
            lines[result.conversation_pk].critical = list(dict.fromkeys(names))


# ---- today's figures --------------------------------------------------------------------


def shop_midnight(shop: Shop, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(shop.timezone or "Asia/Shanghai"))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def today_figures(shop: Shop, *, now: datetime) -> list[Figure]:
    """Today's figures of the shop (its local midnight until now) from the metric engine,
    recomputed at most once per ``KEFU_DASHBOARD_CACHE_SECONDS`` like the dashboard."""
    seconds = getattr(settings, "KEFU_DASHBOARD_CACHE_SECONDS", 0)
    start = shop_midnight(shop, now)
    key = f"kefu:live-monitor:figures:{shop.pk}:{start.date().isoformat()}"
    values = cache.get(key) if seconds else None
    if values is None:
        rows = metrics_compute(start=start, end=now, shops=[shop], keys=list(FIGURE_KEYS), as_of=now)
        values = rows[0].metrics if rows else {}
        if seconds:
            cache.set(key, values, seconds)
    return [Figure(METRIC_BY_KEY[k], values.get(k)) for k in FIGURE_KEYS]


# ---- the whole panel ------------------------------------------------------------------


def monitor_snapshot(*, shop_ids: list[int], now: datetime | None = None, inspect: bool = True) -> MonitorSnapshot:
    """Everything the monitor panel shows for these shops (the caller has scoped them)."""
    now = now or timezone.now()
    shops = list(Shop.objects.filter(pk__in=shop_ids).order_by("name", "pk"))
    panels = []
    for shop in shops:
        seconds, own = slow_threshold(shop)
        panels.append(ShopPanel(shop, seconds, own, today_figures(shop, now=now)))
    agents, offline = monitor_agents(shop_ids=shop_ids)
    groups, queue, queue_total, longest = monitor_queue(shop_ids=shop_ids, now=now)
    live, live_total, sentiment = monitor_live(shop_ids=shop_ids, now=now,
                                               thresholds={p.shop.pk: p.slow_seconds for p in panels}, inspect=inspect)
    return MonitorSnapshot(now, panels, agents, offline, groups, queue, queue_total, longest, live, live_total, sentiment)


# ---- one conversation -----------------------------------------------------------------


def conversation_line(conversation: Conversation, *, now: datetime | None = None) -> LiveLine | None:
    """The monitor's line of one conversation with its flags (None once it is no longer live)."""
    now = now or timezone.now()
    if not live_conversations(shop_ids=[conversation.shop_id]).filter(pk=conversation.pk).exists():
        return None
    assignment = (Assignment.objects.filter(conversation=conversation, ended_at__isnull=True)
                  .select_related("agent", "group").first())
    entry = QueueEntry.objects.filter(conversation=conversation).select_related("group").first()
    group = assignment.group if assignment else entry.group if entry else None
    line = LiveLine(conversation.pk, conversation.shop_id, _customer_name(conversation),
                    assignment.agent.name if assignment else "", group.name if group else "", conversation.started_at)
    lines = {conversation.pk: line}
    texts = _unanswered_waits(lines, now=now, thresholds={conversation.shop_id: slow_threshold(conversation.shop)[0]})
    _sentiment(lines, texts)
    _critical_hits(lines, [conversation.pk])
    return line


def assignment_history(conversation: Conversation) -> list[Assignment]:
    return list(Assignment.objects.filter(conversation=conversation).select_related("agent", "group", "actor")
                .order_by("assigned_at", "id"))


@dataclass
class Targets:
    agents: list[AgentRouting]
    groups: list[SkillGroup]


def reassign_targets(conversation: Conversation) -> Targets:
    """Where a supervisor may reassign the conversation: agents of its shop (or serving
    every shop) who are online with room, other than its agent now; its shop's groups."""
    current = (Assignment.objects.filter(conversation=conversation, ended_at__isnull=True)
               .values_list("agent_id", flat=True).first())
    rows = (agent_routing_rows(shop_ids=[conversation.shop_id]).filter(status=PresenceStatus.ONLINE,
                                                                         agent__active=True)
            .exclude(agent_id=current))
    agents = [row for row in rows if row.active_chats < effective_cap(row)]
    groups = list(SkillGroup.objects.filter(shop_id=conversation.shop_id).order_by("key"))
    return Targets(agents, groups)
