"""The metric engine: every key of spec/metrics.md, for any period, shops and grouping,
computed from the rollup facts (kefu.metrics.models) — never from raw messages.

Each metric is assembled from additive *components* (counts and sums) aggregated in
SQL per group; ratios and means are formed last, ``None`` where the denominator is 0.
Where the spec leaves room, docs/metric-interpretations.md says what is computed."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from kefu.accounts.models import Agent, Team
from kefu.metrics.definitions import GROUPINGS, METRIC_BY_KEY, METRIC_KEYS
from kefu.metrics.models import (
    AfterSaleFact,
    AgentConversationFact,
    BurstFact,
    ConversationFact,
    InquiryFact,
    OrderFact,
    ReviewFact,
)
from kefu.metrics.shop_settings import metric_settings_for
from kefu.presence.models import AgentStatus, PresenceStatus
from kefu.shops.models import Shop

CLOSED = ("completed", "rejected")
CENT = Decimal("0.01")
AGENT_GROUPS = ("agent", "team")


@dataclass
class MetricRow:
    group: dict[str, str]
    metrics: dict[str, Any]
    agent: Agent | None = None
    team: Team | None = None
    shop: Shop | None = None

    def as_json(self) -> dict:
        return {
            "group": dict(self.group),
            "metrics": {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in self.metrics.items()},
        }


def rows_as_json(rows: list[MetricRow]) -> list[dict]:
    return [row.as_json() for row in rows]


# ---- the selection ------------------------------------------------------------------


@dataclass
class Selection:
    """What a computation covers: the period, the shops, the grouping, the moment."""

    start: date | datetime
    end: date | datetime
    shops: list[Shop]
    by: str
    as_of: datetime
    agent_ids: list[int] | None = None
    shop_filtered: bool = False
    # Group agent and team rows by day too (the daily rollups, kefu.metrics.levels, are built so).
    split_days: bool = False
    by_days: bool = field(init=False)

    def __post_init__(self):
        self.by_days = not isinstance(self.start, datetime)

    def period(self, day_field: str, time_field: str) -> Q:
        """Items whose belonging day (date periods, shop-local) or moment (time periods) is in the period."""
        if self.by_days:
            return Q(**{f"{day_field}__gte": self.start, f"{day_field}__lt": self.end})
        # The day bounds (a day of slack either way covers every timezone) let the
        # (shop, day) indexes find the rows; the times decide.
        first = self.start.astimezone(UTC).date() - timedelta(days=1)
        last = self.end.astimezone(UTC).date() + timedelta(days=1)
        return Q(**{
            f"{day_field}__gte": first, f"{day_field}__lte": last,
            f"{time_field}__gte": self.start, f"{time_field}__lt": self.end,
        })

    def group_field(self, *, day_field: str = "day", agent_field: str = "agent") -> str | tuple | None:
        """The column a family's items are grouped by (None: one group; a tuple of columns
        when agent or team rows are split by day)."""
        by = self.by
        if by == "none":
            return None
        if by == "shop":
            return "shop_id"
        if by in ("day", "week", "month"):
            return day_field.replace("day", by)
        column = f"{agent_field}_id" if by == "agent" else f"{agent_field}__team_id"
        return (day_field, column) if self.split_days else column

    def threshold_q(self, field_name: str, setting: str) -> Q:
        """``field <= threshold`` with each shop's own threshold."""
        by_value: dict[int, list[int]] = defaultdict(list)
        for shop in self.shops:
            by_value[getattr(metric_settings_for(shop), setting)].append(shop.pk)
        condition = Q(pk__in=[])
        for value, ids in by_value.items():
            condition |= Q(shop_id__in=ids, **{f"{field_name}__lte": value})
        return condition


def _grouped(queryset, group: str | None, aggregates: dict) -> dict:
    """{group value: {component: value}}; the single group is ``None``, a tuple of
    columns gives tuple keys."""
    if not aggregates:
        return {}
    # Aliased: a component may share its name with a column (human_replies ...).
    aliased = {f"x_{name}": expression for name, expression in aggregates.items()}
    if group is None:
        return {None: {name[2:]: value for name, value in queryset.aggregate(**aliased).items()}}
    columns = group if isinstance(group, tuple) else (group,)
    out = {}
    for row in queryset.values(*columns).annotate(**aliased).order_by():
        values = tuple(row.pop(column) for column in columns)
        out[values if isinstance(group, tuple) else values[0]] = {
            name[2:]: component for name, component in row.items()
        }
    return out


def _merge(target: dict, found: dict) -> None:
    for group, values in found.items():
        slot = target.setdefault(group, {})
        for key, value in values.items():
            slot[key] = (slot.get(key) or 0) + (value or 0)


# ---- families of components ---------------------------------------------------------


def _conversation_components(sel: Selection, needed: set[str]) -> dict:
    out: dict = {}
    if sel.by not in AGENT_GROUPS:
        facts = ConversationFact.objects.filter(sel.period("day", "start"), shop_id__in=[s.pk for s in sel.shops])
        group = sel.group_field()
        replied = Q(human_replies__gt=0)
        aggregates = {
            "conversations": Count("pk"),
            "consult_customers": Count("customer_day", distinct=True),
            "served_customers": Count("customer_day", distinct=True, filter=replied),
            "unanswered": Count("pk", filter=Q(human_replies=0)),
            "replied": Count("pk", filter=replied),
            "frt_sum": Sum("first_response", filter=Q(in_hours=True, first_response__isnull=False)),
            "frt_n": Count("pk", filter=Q(in_hours=True, first_response__isnull=False)),
            "sl_num": Count("pk", filter=Q(in_hours=True) & sel.threshold_q("first_response", "service_level_seconds")),
            "sl_den": Count("pk", filter=Q(in_hours=True)),
            "human_replies": Sum("human_replies"),
            "customer_messages": Sum("customer_messages"),
            "duration_sum": Sum("duration"),
            "fcr_num": Count("pk", filter=Q(fcr=True)),
            "rated": Count("pk", filter=Q(rating__isnull=False)),
            "satisfied": Count("pk", filter=Q(rating__gte=4)),
            "rating_den": Count("pk", filter=replied),
        }
        _merge(out, _grouped(facts, group, aggregates))
        return out

    # Per agent / per team (metrics.md "Per agent").
    period_q = sel.period("day", "start")
    shop_ids = [s.pk for s in sel.shops]

    def scoped(queryset, agent_field):
        queryset = queryset.filter(period_q, shop_id__in=shop_ids, **{f"{agent_field}__isnull": False})
        if sel.agent_ids is not None:
            queryset = queryset.filter(**{f"{agent_field}_id__in": sel.agent_ids})
        if sel.by == "team":
            queryset = queryset.filter(**{f"{agent_field}__team__isnull": False})
        return queryset

    # Received conversations: every agent who sent a human reply (each once per team).
    received = scoped(AgentConversationFact.objects.filter(received=True), "agent")
    if sel.by == "agent":
        _merge(out, _grouped(received, sel.group_field(), {
            "conversations": Count("pk"),
            "consult_customers": Count("fact__customer_day", distinct=True),
            "duration_sum": Sum("fact__duration"),
            "fcr_num": Count("pk", filter=Q(fact__fcr=True)),
        }))
    else:
        _merge(out, _team_received(received, split_days=sel.split_days))
    for values in out.values():
        values["served_customers"] = values.get("consult_customers", 0)
        values["replied"] = values.get("conversations", 0)
    # Human replies over the customer messages of attributed bursts.
    _merge(out, _grouped(scoped(AgentConversationFact.objects.all(), "agent"), sel.group_field(), {
        "human_replies": Sum("human_replies"),
        "customer_messages": Sum("attributed_customer_messages"),
    }))
    # Unanswered conversations: those assigned to the agent.
    _merge(out, _grouped(scoped(ConversationFact.objects.filter(human_replies=0), "assigned_agent"),
                         sel.group_field(agent_field="assigned_agent"), {"unanswered": Count("pk")}))
    # First response: the conversations whose first response the agent sent ...
    first = scoped(ConversationFact.objects.filter(in_hours=True, first_response__isnull=False), "first_responder")
    _merge(out, _grouped(first, sel.group_field(agent_field="first_responder"), {
        "frt_sum": Sum("first_response"),
        "frt_n": Count("pk"),
        "sl_num": Count("pk", filter=sel.threshold_q("first_response", "service_level_seconds")),
        "sl_den": Count("pk"),
    }))
    # ... plus, for the service level, the unanswered in-hours ones assigned to the agent.
    waiting = scoped(ConversationFact.objects.filter(in_hours=True, first_response__isnull=True), "assigned_agent")
    _merge(out, _grouped(waiting, sel.group_field(agent_field="assigned_agent"), {"sl_den": Count("pk")}))
    # Ratings follow the last replier.
    rated = scoped(ConversationFact.objects.filter(human_replies__gt=0), "last_replier")
    _merge(out, _grouped(rated, sel.group_field(agent_field="last_replier"), {
        "rated": Count("pk", filter=Q(rating__isnull=False)),
        "satisfied": Count("pk", filter=Q(rating__gte=4)),
        "rating_den": Count("pk"),
    }))
    return out


def _team_received(received, *, split_days: bool = False) -> dict:
    """Per team (and day): the distinct conversations its agents received."""
    pairs = received.annotate(team=F("agent__team_id"), conversation=F("fact_id")).values("team", "conversation")
    pairs = pairs.distinct().order_by()
    day, by_day = ("f.day", ", f.day") if split_days else ("NULL", "")
    try:
        inner, params = pairs.query.sql_with_params()
    except EmptyResultSet:  # no shop selected: nothing to count
        return {}
    fact_table = ConversationFact._meta.db_table
    fcr_true = "1" if connection.vendor == "sqlite" else "TRUE"
    sql = (
        f"SELECT t.team, {day}, COUNT(*), COUNT(DISTINCT f.customer_day), SUM(f.duration), "
        f"SUM(CASE WHEN f.fcr = {fcr_true} THEN 1 ELSE 0 END) "
        f"FROM ({inner}) t JOIN {fact_table} f ON f.conversation_id = t.conversation GROUP BY t.team{by_day}"
    )
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for team_id, day, conversations, customers, duration, fcr in cursor.fetchall():
            if split_days and isinstance(day, str):  # SQLite gives the date as text
                day = date.fromisoformat(day)
            out[(day, team_id) if split_days else team_id] = {
                "conversations": conversations,
                "consult_customers": customers,
                "duration_sum": duration or 0,
                "fcr_num": fcr or 0,
            }
    return out


def _burst_components(sel: Selection, needed: set[str]) -> dict:
    bursts = BurstFact.objects.filter(sel.period("day", "start"), shop_id__in=[s.pk for s in sel.shops])
    if sel.by in AGENT_GROUPS:
        bursts = bursts.filter(agent__isnull=False)
        if sel.agent_ids is not None:
            bursts = bursts.filter(agent_id__in=sel.agent_ids)
        if sel.by == "team":
            bursts = bursts.filter(agent__team__isnull=False)
    answered = Q(in_hours=True, response__isnull=False)
    return _grouped(bursts, sel.group_field(), {
        "offhours": Count("pk", filter=Q(in_hours=False)),
        "bursts": Count("pk", filter=Q(in_hours=True)),
        "answered": Count("pk", filter=answered),
        "response_sum": Sum("response", filter=answered),
        "within": Count("pk", filter=Q(in_hours=True) & sel.threshold_q("response", "response_within_seconds")),
    })


def _agent_scoped(sel: Selection, queryset, agent_field: str = "agent"):
    if sel.by in AGENT_GROUPS:
        queryset = queryset.filter(**{f"{agent_field}__isnull": False})
        if sel.agent_ids is not None:
            queryset = queryset.filter(**{f"{agent_field}_id__in": sel.agent_ids})
        if sel.by == "team":
            queryset = queryset.filter(**{f"{agent_field}__team__isnull": False})
    return queryset


def _inquiry_components(sel: Selection, needed: set[str]) -> dict:
    shop_ids = [s.pk for s in sel.shops]
    inquiries = _agent_scoped(sel, InquiryFact.objects.filter(sel.period("day", "start"), shop_id__in=shop_ids))
    return _grouped(inquiries, sel.group_field(), {
        "inquiries": Count("pk"),
        "ordered": Count("pk", filter=Q(ordered=True)),
        "paid": Count("pk", filter=Q(paid=True)),
    })


def _order_components(sel: Selection, needed: set[str], *, additive: bool = True, distinct: bool = True) -> dict:
    """Sales and paid orders; ``additive`` the parts that add up over days, ``distinct``
    the customers bought from (distinct over the whole period: never from daily rows)."""
    out: dict = {}
    shop_ids = [s.pk for s in sel.shops]
    orders = _agent_scoped(sel, OrderFact.objects.filter(sel.period("day", "created_at"), shop_id__in=shop_ids))
    sold = Q(driven=True, paid_at__isnull=False)
    aggregates = {}
    if additive:
        aggregates["sales"] = Sum("amount", filter=sold)
        if sel.by not in AGENT_GROUPS:
            aggregates["silent"] = Count("pk", filter=Q(driven=False))
    if distinct:
        aggregates["sales_customers"] = Count("customer_key", distinct=True, filter=sold)
    _merge(out, _grouped(orders, sel.group_field(), aggregates))
    if additive:
        paid = _agent_scoped(sel, OrderFact.objects.filter(sel.period("paid_day", "paid_at"), shop_id__in=shop_ids))
        _merge(out, _grouped(paid, sel.group_field(day_field="paid_day"), {"paid_orders": Count("pk")}))
    return out


def _review_components(sel: Selection, needed: set[str]) -> dict:
    shop_ids = [s.pk for s in sel.shops]
    reviews = _agent_scoped(sel, ReviewFact.objects.filter(sel.period("day", "created_at"), shop_id__in=shop_ids))
    return _grouped(reviews, sel.group_field(), {
        "reviews": Count("pk"),
        "bad_reviews": Count("pk", filter=Q(rating__lte=2)),
        "neutral_bad_reviews": Count("pk", filter=Q(rating__lte=3)),
    })


def _aftersale_open_components(sel: Selection, needed: set[str]) -> dict:
    """After-sales opened in the period, done on time or due as of ``sel.as_of``."""
    shop_ids = [s.pk for s in sel.shops]
    opened = _agent_scoped(
        sel,
        AfterSaleFact.objects.filter(sel.period("day", "opened_at"), shop_id__in=shop_ids).exclude(status="cancelled"),
    )
    closed_as_of = Q(status__in=CLOSED, closed_at__isnull=False, closed_at__lte=sel.as_of)
    return _grouped(opened, sel.group_field(), {
        "aftersales_on_time": Count("pk", filter=closed_as_of & Q(closed_at__lte=F("due_at"))),
        "aftersales_due": Count("pk", filter=closed_as_of | Q(due_at__lt=sel.as_of)),
    })


def _aftersale_closed_components(sel: Selection, needed: set[str]) -> dict:
    shop_ids = [s.pk for s in sel.shops]
    closed = _agent_scoped(
        sel,
        AfterSaleFact.objects.filter(
            sel.period("closed_day", "closed_at"), shop_id__in=shop_ids, status__in=CLOSED, closed_at__isnull=False
        ),
    )
    return _grouped(closed, sel.group_field(day_field="closed_day"), {
        "aftersales_closed": Count("pk"),
        "aftersale_duration_sum": Sum("duration"),
        "refunds": Count("pk", filter=Q(kind__in=("refund", "return"), status="completed")),
        "disputes": Count("pk", filter=Q(platform_intervened=True, judged_against_seller=True)),
    })


def _online_components(sel: Selection, needed: set[str]) -> dict:
    """Seconds online or busy, split by shop-local day, summed per group (metrics.md, Workload)."""
    agents = Agent.objects.all()
    if sel.shop_filtered:
        agents = agents.filter(shop_id__in=[s.pk for s in sel.shops])
    if sel.agent_ids is not None:
        agents = agents.filter(pk__in=sel.agent_ids)
    if sel.by == "team":
        agents = agents.filter(team__isnull=False)
    agent_rows = {pk: (shop_id, team_id) for pk, shop_id, team_id in agents.values_list("pk", "shop_id", "team_id")}
    if not agent_rows:
        return {}
    zones = {s.pk: ZoneInfo(s.timezone) for s in sel.shops}
    default_zone = ZoneInfo(settings.TIME_ZONE)

    def window(zone):
        if sel.by_days:
            return (datetime.combine(sel.start, time.min, tzinfo=zone), datetime.combine(sel.end, time.min, tzinfo=zone))
        return sel.start, sel.end

    earliest = min(window(z)[0] for z in [*zones.values(), default_zone])
    latest = max(window(z)[1] for z in [*zones.values(), default_zone])
    ids = list(agent_rows)
    statuses: dict[int, list] = defaultdict(list)
    # The status each agent was in when the period began, the changes inside it, and the
    # first change after it (which ends the last status inside: only a status with no
    # later change at all is open-ended).
    edges = [(Q(at__lt=earliest), "-"), (Q(at__gte=latest), "")]
    for condition, direction in edges:
        candidates = AgentStatus.objects.filter(condition, agent_id__in=ids)
        if connection.vendor == "postgresql":
            found = candidates.order_by("agent_id", f"{direction}at", f"{direction}ext_id").distinct("agent_id")
        else:
            beyond = {"at__gt" if direction else "at__lt": OuterRef("at")}
            found = candidates.exclude(Exists(AgentStatus.objects.filter(condition, agent_id=OuterRef("agent_id"), **beyond)))
        for agent_id, at, ext, status in found.values_list("agent_id", "at", "ext_id", "status"):
            statuses[agent_id].append((at, ext, status))
    for agent_id, at, ext, status in AgentStatus.objects.filter(
        agent_id__in=ids, at__gte=earliest, at__lt=latest
    ).values_list("agent_id", "at", "ext_id", "status"):
        statuses[agent_id].append((at, ext, status))

    out: dict = {}
    online = {PresenceStatus.ONLINE, PresenceStatus.BUSY}
    for agent_id, changes in statuses.items():
        changes.sort()
        shop_id, team_id = agent_rows[agent_id]
        zone = zones.get(shop_id) if shop_id is not None else default_zone
        if zone is None:
            continue
        start, end = window(zone)
        for index, (at, _ext, status) in enumerate(changes):
            if status not in online:
                continue
            if index + 1 < len(changes):
                until = changes[index + 1][0]
            else:  # open-ended: until the period's end or the as-of moment, whichever is first
                until = min(end, sel.as_of)
            begin, finish = max(at, start), min(until, end)
            if finish <= begin:
                continue
            for day, seconds in _split_by_day(begin, finish, zone):
                group = _online_group(sel, day, agent_id, team_id, shop_id)
                slot = out.setdefault(group, {})
                slot["online_seconds"] = slot.get("online_seconds", 0) + seconds
    return out


def _split_by_day(begin: datetime, finish: datetime, zone) -> list[tuple[date, float]]:
    parts = []
    local = begin.astimezone(zone)
    day = local.date()
    while True:
        midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        stop = min(finish, midnight)
        if stop > begin:
            parts.append((day, (stop - begin).total_seconds()))
        if finish <= midnight:
            return parts
        begin, day = midnight, day + timedelta(days=1)


def _online_group(sel: Selection, day: date, agent_id: int, team_id: int | None, shop_id: int | None):
    by = sel.by
    if by == "none":
        return None
    if by == "shop":
        return shop_id
    if by == "day":
        return day
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    if by == "agent":
        return agent_id
    return team_id


def _quality_components(sel: Selection, needed: set[str]) -> dict:
    """Automatic inspection (kefu.qa): scores and findings of the period's inspected
    conversations; per agent, those whose last replier the agent is."""
    from kefu.qa.models import Finding, Inspection

    inspections = _agent_scoped(sel, Inspection.objects.filter(
        sel.period("day", "start"), shop_id__in=[s.pk for s in sel.shops]))
    group = sel.group_field()
    out: dict = {}
    _merge(out, _grouped(inspections, group, {"inspected": Count("pk"), "score_sum": Sum("score")}))
    findings = Finding.objects.filter(inspection__in=inspections)
    _merge(out, _grouped(findings, f"inspection__{group}" if group else None, {"qa_findings": Count("pk")}))
    return out


FAMILIES = {
    "conversation": (_conversation_components, {
        "conversations", "consult_customers", "served_customers", "unanswered_conversations",
        "first_response_time_avg", "service_level", "answer_question_ratio", "conversation_duration_avg",
        "first_contact_resolution", "csat", "rating_rate", "conversations_per_online_hour",
    }),
    "burst": (_burst_components, {"offhours_bursts", "reply_rate", "response_time_avg", "response_within_rate"}),
    "inquiry": (_inquiry_components, {
        "inquiries", "ordered_inquiries", "inquiry_conversion_rate", "paid_inquiries", "payment_conversion_rate",
        "final_payment_rate",
    }),
    "order": (_order_components, {"agent_sales", "avg_order_value", "silent_orders", "refund_rate", "dispute_rate"}),
    "review": (_review_components, {"bad_review_rate", "neutral_bad_review_rate"}),
    "aftersale_open": (_aftersale_open_components, {"aftersale_completion_rate"}),
    "aftersale_closed": (_aftersale_closed_components, {"aftersale_duration_avg", "refund_rate", "dispute_rate"}),
    "online": (_online_components, {"online_hours", "conversations_per_online_hour"}),
    "quality": (_quality_components, {"qa_score_avg", "qa_findings_per_100"}),
}


# ---- from components to metrics -----------------------------------------------------


def _ratio(numerator, denominator):
    if not denominator:
        return None
    return (numerator or 0) / denominator


def _metrics_from(c: dict, keys: list[str], *, agent_row: bool) -> dict:
    get = lambda name: c.get(name) or 0  # noqa: E731
    sales = Decimal(c.get("sales") or 0).quantize(CENT)
    values = {
        "conversations": get("conversations"),
        "consult_customers": get("consult_customers"),
        "served_customers": get("served_customers"),
        "unanswered_conversations": get("unanswered"),
        "offhours_bursts": get("offhours"),
        "reply_rate": _ratio(get("answered"), get("bursts")),
        "first_response_time_avg": _ratio(get("frt_sum"), get("frt_n")),
        "response_time_avg": _ratio(get("response_sum"), get("answered")),
        "response_within_rate": _ratio(get("within"), get("bursts")),
        "service_level": _ratio(get("sl_num"), get("sl_den")),
        "answer_question_ratio": _ratio(get("human_replies"), get("customer_messages")),
        "conversation_duration_avg": _ratio(get("duration_sum"), get("conversations")),
        "first_contact_resolution": _ratio(get("fcr_num"), get("replied")),
        "inquiries": get("inquiries"),
        "ordered_inquiries": get("ordered"),
        "inquiry_conversion_rate": _ratio(get("ordered"), get("inquiries")),
        "paid_inquiries": get("paid"),
        "payment_conversion_rate": _ratio(get("paid"), get("inquiries")),
        "final_payment_rate": _ratio(get("paid"), get("ordered")),
        "agent_sales": sales,
        "avg_order_value": (sales / get("sales_customers")).quantize(CENT, ROUND_HALF_UP)
        if get("sales_customers") else None,
        "silent_orders": None if agent_row else get("silent"),
        "csat": _ratio(get("satisfied"), get("rated")),
        "rating_rate": _ratio(get("rated"), get("rating_den")),
        "bad_review_rate": _ratio(get("bad_reviews"), get("reviews")),
        "neutral_bad_review_rate": _ratio(get("neutral_bad_reviews"), get("reviews")),
        "aftersale_completion_rate": _ratio(get("aftersales_on_time"), get("aftersales_due")),
        "aftersale_duration_avg": _ratio(get("aftersale_duration_sum"), get("aftersales_closed")),
        "refund_rate": _ratio(get("refunds"), get("paid_orders")),
        "dispute_rate": _ratio(get("disputes"), get("paid_orders")),
        "online_hours": get("online_seconds") / 3600,
        "conversations_per_online_hour": _ratio(get("replied"), get("online_seconds") / 3600),
        "qa_score_avg": _ratio(get("score_sum"), get("inspected")),
        "qa_findings_per_100": _ratio(get("qa_findings") * 100, get("inspected")),
    }
    return {key: values[key] for key in keys}


def _active(c: dict) -> bool:
    return any(value for value in c.values())


# ---- the public API -----------------------------------------------------------------


def _as_datetime_or_date(value, name: str):
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            raise ValueError(f"{name} needs a UTC offset")
        return value
    if isinstance(value, date):
        return value
    raise TypeError(f"{name} must be a date or an aware datetime")


def metrics_compute(
    *,
    start,
    end,
    shops=None,
    by: str = "none",
    as_of: datetime | None = None,
    keys=None,
    agents=None,
) -> list[MetricRow]:
    """The metrics of spec/metrics.md for a period ``[start, end)`` (see API.md)."""
    start = _as_datetime_or_date(start, "start")
    end = _as_datetime_or_date(end, "end")
    if type(start) is not type(end):
        raise ValueError("start and end must both be dates or both be times")
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; one of {', '.join(GROUPINGS)}")
    keys = list(METRIC_KEYS if keys is None else keys)
    for key in keys:
        if key not in METRIC_BY_KEY:
            raise ValueError(f"unknown metric {key!r}")
    all_shops = shops is None
    if shops is None:
        shop_list = list(Shop.objects.all())
    else:
        ids = [s.pk if isinstance(s, Shop) else int(s) for s in shops]
        shop_list = list(Shop.objects.filter(pk__in=ids))
    agent_ids = None if agents is None else [a.pk if isinstance(a, Agent) else int(a) for a in agents]
    sel = Selection(start, end, shop_list, by, as_of or timezone.now(), agent_ids, shop_filtered=not all_shops)

    components: dict = {}
    wanted = set(keys)
    from kefu.metrics import levels

    families = [name for name, (_function, produces) in FAMILIES.items() if wanted & produces]
    from_levels = levels.families_served(sel) if set(families) & levels.COMPONENTS.keys() else set()
    summed = []
    for name in families:
        function = FAMILIES[name][0]
        if name in from_levels:
            summed.append(name)
            if name == "order" and "avg_order_value" in wanted:
                _merge(components, _order_components(sel, wanted, additive=False))
        else:
            _merge(components, function(sel, wanted))
    if summed:
        _merge(components, levels.level_components(sel, summed))
    return _rows(sel, components, keys)


def _rows(sel: Selection, components: dict, keys: list[str]) -> list[MetricRow]:
    by = sel.by
    agent_row = by in AGENT_GROUPS
    if by == "none":
        return [MetricRow({}, _metrics_from(components.get(None, {}), keys, agent_row=False))]
    if by in ("day", "week", "month"):
        rows = []
        for bucket in _buckets(sel):
            label = bucket.strftime("%Y-%m") if by == "month" else bucket.isoformat()
            rows.append(MetricRow({by: label}, _metrics_from(components.get(bucket, {}), keys, agent_row=False)))
        return rows
    active = {group: c for group, c in components.items() if group is not None and _active(c)}
    if by == "shop":
        shops = {s.pk: s for s in sel.shops}
        ordered = sorted((shops[pk] for pk in active if pk in shops), key=lambda s: s.ext_id)
        return [
            MetricRow({"shop_id": s.ext_id}, _metrics_from(active[s.pk], keys, agent_row=False), shop=s)
            for s in ordered
        ]
    if by == "agent":
        agents = sorted(Agent.objects.filter(pk__in=list(active)).select_related("team"), key=lambda a: (a.ext_id, a.pk))
        return [
            MetricRow({"agent_id": a.ext_id}, _metrics_from(active[a.pk], keys, agent_row=True), agent=a, team=a.team)
            for a in agents
        ]
    teams = sorted(Team.objects.filter(pk__in=list(active)), key=lambda t: t.name)
    return [MetricRow({"team": t.name}, _metrics_from(active[t.pk], keys, agent_row=True), team=t) for t in teams]


def _buckets(sel: Selection) -> list[date]:
    """Every day, week (Monday) or month the period touches, in order."""
    if sel.by_days:
        first, last = sel.start, sel.end - timedelta(days=1)
    else:
        zones = {ZoneInfo(s.timezone) for s in sel.shops} or {ZoneInfo(settings.TIME_ZONE)}
        first = min(sel.start.astimezone(z).date() for z in zones)
        last = max((sel.end - timedelta(microseconds=1)).astimezone(z).date() for z in zones)
    buckets: list[date] = []
    day = first
    while day <= last:
        if sel.by == "day":
            bucket = day
        elif sel.by == "week":
            bucket = day - timedelta(days=day.weekday())
        else:
            bucket = day.replace(day=1)
        if not buckets or buckets[-1] != bucket:
            buckets.append(bucket)
        day += timedelta(days=1)
    return buckets


# ---- drill-down: the items behind a figure ------------------------------------------


@dataclass
class ItemList:
    kind: str  # "conversation" | "order" | "review" | "aftersale" | "agent_status"
    queryset: Any


@dataclass(frozen=True)
class _Drill:
    model: Any
    kind: str
    day_field: str
    time_field: str
    shop_filter: Q  # for shop, day ... groups and the whole selection
    agent_field: str  # attribution in agent and team groups
    agent_filter: Q = Q()


_RECEIVED = "agent_facts__agent"
_CONV = dict(model=ConversationFact, kind="conversation", day_field="day", time_field="start")
_DRILLS = {
    "conversations": _Drill(**_CONV, shop_filter=Q(), agent_field=_RECEIVED, agent_filter=Q(agent_facts__received=True)),
    "consult_customers": _Drill(**_CONV, shop_filter=Q(), agent_field=_RECEIVED,
                                agent_filter=Q(agent_facts__received=True)),
    "served_customers": _Drill(**_CONV, shop_filter=Q(human_replies__gt=0), agent_field=_RECEIVED,
                               agent_filter=Q(agent_facts__received=True)),
    "conversation_duration_avg": _Drill(**_CONV, shop_filter=Q(), agent_field=_RECEIVED,
                                        agent_filter=Q(agent_facts__received=True)),
    "first_contact_resolution": _Drill(**_CONV, shop_filter=Q(human_replies__gt=0), agent_field=_RECEIVED,
                                       agent_filter=Q(agent_facts__received=True)),
    "answer_question_ratio": _Drill(**_CONV, shop_filter=Q(), agent_field="agent_facts__agent"),
    "conversations_per_online_hour": _Drill(**_CONV, shop_filter=Q(human_replies__gt=0), agent_field=_RECEIVED,
                                            agent_filter=Q(agent_facts__received=True)),
    "unanswered_conversations": _Drill(**_CONV, shop_filter=Q(human_replies=0), agent_field="assigned_agent",
                                       agent_filter=Q(human_replies=0)),
    "first_response_time_avg": _Drill(**_CONV, shop_filter=Q(in_hours=True, first_response__isnull=False),
                                      agent_field="first_responder",
                                      agent_filter=Q(in_hours=True, first_response__isnull=False)),
    "service_level": _Drill(**_CONV, shop_filter=Q(in_hours=True), agent_field="first_responder",
                            agent_filter=Q(in_hours=True)),
    "csat": _Drill(**_CONV, shop_filter=Q(rating__isnull=False), agent_field="last_replier",
                   agent_filter=Q(rating__isnull=False)),
    "rating_rate": _Drill(**_CONV, shop_filter=Q(human_replies__gt=0), agent_field="last_replier",
                          agent_filter=Q(human_replies__gt=0)),
    "offhours_bursts": _Drill(BurstFact, "conversation", "day", "start", Q(in_hours=False), "agent",
                              Q(in_hours=False)),
    "reply_rate": _Drill(BurstFact, "conversation", "day", "start", Q(in_hours=True), "agent", Q(in_hours=True)),
    "response_time_avg": _Drill(BurstFact, "conversation", "day", "start", Q(in_hours=True, response__isnull=False),
                                "agent", Q(in_hours=True, response__isnull=False)),
    "response_within_rate": _Drill(BurstFact, "conversation", "day", "start", Q(in_hours=True), "agent",
                                   Q(in_hours=True)),
    "inquiries": _Drill(InquiryFact, "inquiry", "day", "start", Q(), "agent"),
    "ordered_inquiries": _Drill(InquiryFact, "inquiry", "day", "start", Q(ordered=True), "agent", Q(ordered=True)),
    "inquiry_conversion_rate": _Drill(InquiryFact, "inquiry", "day", "start", Q(), "agent"),
    "paid_inquiries": _Drill(InquiryFact, "inquiry", "day", "start", Q(paid=True), "agent", Q(paid=True)),
    "payment_conversion_rate": _Drill(InquiryFact, "inquiry", "day", "start", Q(), "agent"),
    "final_payment_rate": _Drill(InquiryFact, "inquiry", "day", "start", Q(ordered=True), "agent", Q(ordered=True)),
    "agent_sales": _Drill(OrderFact, "order", "day", "created_at", Q(driven=True, paid_at__isnull=False), "agent",
                          Q(driven=True, paid_at__isnull=False)),
    "avg_order_value": _Drill(OrderFact, "order", "day", "created_at", Q(driven=True, paid_at__isnull=False),
                              "agent", Q(driven=True, paid_at__isnull=False)),
    "silent_orders": _Drill(OrderFact, "order", "day", "created_at", Q(driven=False), "agent", Q(pk__in=[])),
    "bad_review_rate": _Drill(ReviewFact, "review", "day", "created_at", Q(rating__lte=2), "agent", Q(rating__lte=2)),
    "neutral_bad_review_rate": _Drill(ReviewFact, "review", "day", "created_at", Q(rating__lte=3), "agent",
                                      Q(rating__lte=3)),
    "aftersale_completion_rate": _Drill(AfterSaleFact, "aftersale", "day", "opened_at", ~Q(status="cancelled"),
                                        "agent", ~Q(status="cancelled")),
    "aftersale_duration_avg": _Drill(AfterSaleFact, "aftersale", "closed_day", "closed_at",
                                     Q(status__in=CLOSED, closed_at__isnull=False), "agent",
                                     Q(status__in=CLOSED, closed_at__isnull=False)),
    "refund_rate": _Drill(AfterSaleFact, "aftersale", "closed_day", "closed_at",
                          Q(kind__in=("refund", "return"), status="completed"), "agent",
                          Q(kind__in=("refund", "return"), status="completed")),
    "dispute_rate": _Drill(AfterSaleFact, "aftersale", "closed_day", "closed_at",
                           Q(platform_intervened=True, judged_against_seller=True, status__in=CLOSED), "agent",
                           Q(platform_intervened=True, judged_against_seller=True, status__in=CLOSED)),
}


def metric_items(key: str, *, start, end, shops=None, group: dict | None = None, as_of=None) -> ItemList:
    """The items behind a figure (see API.md): what a supervisor sees on clicking it."""
    from kefu.commerce.models import AfterSale, Order, Review
    from kefu.conversations.models import Conversation

    if key not in METRIC_BY_KEY:
        raise ValueError(f"unknown metric {key!r}")
    start = _as_datetime_or_date(start, "start")
    end = _as_datetime_or_date(end, "end")
    group = dict(group or {})
    shop_list = list(Shop.objects.all() if shops is None else Shop.objects.filter(
        pk__in=[s.pk if isinstance(s, Shop) else int(s) for s in shops]))
    if "shop_id" in group:
        shop_list = [s for s in shop_list if s.ext_id == group["shop_id"]]
    shop_ids = [s.pk for s in shop_list]
    sel = Selection(start, end, shop_list, "none", as_of or timezone.now())

    if key == "online_hours":
        statuses = AgentStatus.objects.filter(agent__shop_id__in=shop_ids)
        if "agent" in group:
            statuses = statuses.filter(agent=group["agent"])
        if "agent_id" in group:
            statuses = statuses.filter(agent__ext_id=group["agent_id"])
        if "team" in group:
            statuses = statuses.filter(agent__team__name=group["team"])
        statuses = statuses.filter(sel.period("at__date", "at")) if not sel.by_days else statuses.filter(
            at__gte=datetime.combine(start, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)),
            at__lt=datetime.combine(end, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)),
        )
        return ItemList("agent_status", statuses.select_related("agent").order_by("agent__name", "at"))

    drill = _DRILLS[key]
    facts = drill.model.objects.filter(sel.period(drill.day_field, drill.time_field), shop_id__in=shop_ids)
    agent_mode = "agent" in group or "agent_id" in group or "team" in group
    if agent_mode:
        # "agent": an Agent or its pk (exact); "agent_id": the source id (as the CLI's rows name it).
        if "agent" in group:
            agent = group["agent"]
            lookup, value = "", agent.pk if isinstance(agent, Agent) else int(agent)
        elif "agent_id" in group:
            lookup, value = "__ext_id", group["agent_id"]
        else:
            lookup, value = "__team__name", group["team"]
        agent_q = Q(**{f"{drill.agent_field}{lookup}": value})
        if key == "service_level":  # plus the unanswered in-hours ones assigned to the agent
            agent_q |= Q(**{f"assigned_agent{lookup}": value}, first_response__isnull=True)
        facts = facts.filter(drill.agent_filter & agent_q)  # one filter(): the same agent_facts row
    else:
        facts = facts.filter(drill.shop_filter)
    for bucket in ("day", "week", "month"):
        if bucket in group:
            value = group[bucket]
            value = date.fromisoformat(value + "-01" if bucket == "month" else value)
            facts = facts.filter(**{drill.day_field.replace("day", bucket): value})
    if key == "aftersale_completion_rate":
        closed_as_of = Q(status__in=CLOSED, closed_at__isnull=False, closed_at__lte=sel.as_of)
        facts = facts.filter(closed_as_of | Q(due_at__lt=sel.as_of))
    if drill.kind == "conversation":
        column = "fact_id" if drill.model is BurstFact else "pk"
        queryset = Conversation.objects.filter(pk__in=facts.values(column))
        return ItemList("conversation", queryset.select_related("customer", "assigned_agent", "fact").order_by(
            "fact__human_replies", "fact__start", "pk"))
    if drill.kind == "inquiry":
        presale = ConversationFact.objects.filter(
            presale=True, customer_key__in=facts.values("customer_key"), shop_id__in=shop_ids
        ).filter(sel.period("day", "start"))
        pairs = set(facts.values_list("customer_key", "day"))
        ids = [pk for pk, customer, day in presale.values_list("pk", "customer_key", "day") if (customer, day) in pairs]
        queryset = Conversation.objects.filter(pk__in=ids)
        return ItemList("conversation", queryset.select_related("customer", "assigned_agent", "fact").order_by(
            "fact__start", "pk"))
    model = {"order": Order, "review": Review, "aftersale": AfterSale}[drill.kind]
    return ItemList(drill.kind, model.objects.filter(pk__in=facts.values("pk")).order_by("pk"))


# ---- hourly volume curves -----------------------------------------------------------

HOURLY_KEYS = ("conversations", "unanswered_conversations", "inquiries")


def volume_by_hour(*, start: datetime, end: datetime, shops=None, keys=("conversations",)) -> list[tuple[datetime, dict]]:
    """Volume counts per shop-local hour of ``[start, end)``, every hour included, in order:
    ``[(hour start, {key: count})]``. Each count is what ``metrics_compute`` gives for that
    hour (conversations by their first customer message, inquiries by their start);
    ``start`` and ``end`` should fall on whole hours of the shops' timezone."""
    start = _as_datetime_or_date(start, "start")
    end = _as_datetime_or_date(end, "end")
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise ValueError("volume_by_hour takes times, not dates")
    unknown = set(keys) - set(HOURLY_KEYS)
    if unknown:
        raise ValueError(f"no hourly curve for {', '.join(sorted(unknown))}; one of {', '.join(HOURLY_KEYS)}")
    shop_list = list(Shop.objects.all() if shops is None else Shop.objects.filter(
        pk__in=[s.pk if isinstance(s, Shop) else int(s) for s in shops]))
    shop_ids = [s.pk for s in shop_list]
    zone = ZoneInfo(shop_list[0].timezone) if shop_list else ZoneInfo(settings.TIME_ZONE)
    counts: dict[tuple[date, int], dict] = defaultdict(dict)
    sources = []
    if "conversations" in keys or "unanswered_conversations" in keys:
        aggregates = {}
        if "conversations" in keys:
            aggregates["conversations"] = Count("pk")
        if "unanswered_conversations" in keys:
            aggregates["unanswered_conversations"] = Count("pk", filter=Q(human_replies=0))
        sources.append((ConversationFact, aggregates))
    if "inquiries" in keys:
        sources.append((InquiryFact, {"inquiries": Count("pk")}))
    for model, aggregates in sources:
        rows = (
            model.objects.filter(
                shop_id__in=shop_ids, start__gte=start, start__lt=end,
                day__gte=start.astimezone(UTC).date() - timedelta(days=1),
                day__lte=end.astimezone(UTC).date() + timedelta(days=1),
            )
            .values("day", "hour")
            .annotate(**{f"x_{k}": v for k, v in aggregates.items()})
            .order_by()
        )
        for row in rows:
            slot = counts[(row["day"], row["hour"])]
            for key in aggregates:
                slot[key] = slot.get(key, 0) + row[f"x_{key}"]
    out = []
    moment = start.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    while moment < end:
        local = moment.astimezone(zone)
        found = counts.get((local.date(), local.hour), {})
        out.append((local, {key: found.get(key, 0) for key in keys}))
        moment = (moment + timedelta(hours=1)).astimezone(zone)
    return out
