"""An independent, deliberately plain reference implementation of spec/metrics.md.

It reads events.md records (dicts, as in a JSONL file) and returns exactly what
``kefu metrics --format json`` prints, following docs/metric-interpretations.md. It
shares no code with ``kefu.metrics.engine`` on purpose: the comparison tests catch a
misreading of the spec on either side. Clarity over speed: it is meant for a few
thousand records. Standard library only (no Django).

How it works: the records are reduced to *facts* (a conversation, a burst, an inquiry,
an order created, an order paid, a review, an after-sale opened / closed, an agent's
online interval), each with its shop and the moment that places it in a period. A row
of the output is the facts of its period and group, aggregated; for agent and team rows
each metric picks the facts that belong to one of the agents (metrics.md "Per agent").
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

METRIC_KEYS = (
    "conversations", "consult_customers", "served_customers", "unanswered_conversations", "offhours_bursts",
    "reply_rate", "first_response_time_avg", "response_time_avg", "response_within_rate", "service_level",
    "answer_question_ratio", "conversation_duration_avg", "first_contact_resolution",
    "inquiries", "ordered_inquiries", "inquiry_conversion_rate", "paid_inquiries", "payment_conversion_rate",
    "final_payment_rate", "agent_sales", "avg_order_value", "silent_orders",
    "csat", "rating_rate", "bad_review_rate", "neutral_bad_review_rate", "aftersale_completion_rate",
    "aftersale_duration_avg", "refund_rate", "dispute_rate", "online_hours", "conversations_per_online_hour",
)
COUNT_KEYS = (
    "conversations", "consult_customers", "served_customers", "unanswered_conversations", "offhours_bursts",
    "inquiries", "ordered_inquiries", "paid_inquiries", "silent_orders",
)
DEFAULTS = {
    "response_within_seconds": 180,
    "service_level_seconds": 30,
    "attribution_extra_days": 1,
    "aftersale_sla_hours": {"refund": 48, "return": 48, "exchange": 48, "repair": 48, "reship": 48},
}
SHOPLESS_TZ = "Asia/Shanghai"
FOREVER = timedelta(hours=48)  # first_contact_resolution's horizon


def parse_time(value) -> datetime:
    result = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if result.tzinfo is None:
        raise ValueError(f"time without offset: {value!r}")
    return result


# ---- the records, de-duplicated and linked -----------------------------------------------


@dataclass
class Msg:
    id: str
    at: datetime
    sender: str
    is_auto: bool
    agent: tuple | None  # agent key (source id, shop id or None), None when unknown

    @property
    def human(self) -> bool:
        return self.sender == "agent" and not self.is_auto


class Data:
    """The records after "the later one wins" de-duplication, with references resolved."""

    def __init__(self, records: list[dict]):
        latest: dict[tuple, dict] = {}
        messages: list[dict] = []  # keyed once their conversation (and so their shop) is known
        statuses: list[dict] = []
        for r in records:
            kind = r["type"]
            if kind == "shop":
                latest[("shop", r["id"], None)] = r
            elif kind == "message":
                messages.append(r)
            elif kind == "agent_status":
                statuses.append(r)
            else:
                latest[(kind, r["id"], r.get("shop_id"))] = r
        by_type = defaultdict(dict)
        for (kind, ext, shop), r in latest.items():
            by_type[kind][(ext, shop)] = r
        self.shops = {ext: r for (ext, _), r in by_type["shop"].items()}
        self.agents = {key: r for key, r in by_type["agent"].items() if key[1] is None or key[1] in self.shops}
        self.conversations = {k: r for k, r in by_type["conversation"].items() if k[1] in self.shops}
        self.orders = {k: r for k, r in by_type["order"].items() if k[1] in self.shops}
        self.aftersales = [r for k, r in by_type["aftersale"].items() if k[1] in self.shops]
        self.reviews = [r for k, r in by_type["review"].items() if k[1] in self.shops]

        conv_shop = defaultdict(list)
        for ext, shop in self.conversations:
            conv_shop[ext].append(shop)
        self.messages = defaultdict(list)  # (conversation id, shop) -> [Msg]
        seen = {}
        for r in messages:
            mid, cid = r["id"], r["conversation_id"]
            shops = conv_shop.get(cid, [])
            if len(shops) != 1:
                continue  # never arrives, or ambiguous (the importer rejects it)
            seen.pop((mid, shops[0]), None)
            seen[(mid, shops[0])] = (cid, r)  # a message id is unique per shop: the later wins
        for (mid, shop), (cid, r) in seen.items():
            agent = self.agent_key(r.get("agent_id"), shop) if r["sender"] == "agent" else None
            self.messages[(cid, shop)].append(
                Msg(mid, parse_time(r["sent_at"]), r["sender"], bool(r.get("is_auto", False)), agent)
            )
        for msgs in self.messages.values():
            msgs.sort(key=lambda m: (m.at, m.id))

        agent_by_ext = defaultdict(list)
        for key in self.agents:
            agent_by_ext[key[0]].append(key)
        latest_status = {}
        for r in statuses:
            owners = agent_by_ext.get(r["agent_id"], [])
            if len(owners) == 1:  # never arrives, or ambiguous (the importer rejects it)
                latest_status[(r["id"], owners[0][1])] = (owners[0], r)  # unique per shop: the later wins
        self.statuses = defaultdict(list)  # agent key -> [(at, id, status)]
        for (sid, _), (agent, r) in latest_status.items():
            self.statuses[agent].append((parse_time(r["at"]), sid, r["status"]))
        for rows in self.statuses.values():
            rows.sort(key=lambda x: (x[0], x[1]))

    def agent_key(self, ext: str | None, shop: str) -> tuple | None:
        """An agent reference from a record of ``shop``: that shop's agent, else a shop-less one."""
        if not ext:
            return None
        if (ext, shop) in self.agents:
            return (ext, shop)
        if (ext, None) in self.agents:
            return (ext, None)
        return None

    def tz(self, shop: str | None) -> ZoneInfo:
        return ZoneInfo(self.shops[shop].get("timezone", SHOPLESS_TZ) if shop else SHOPLESS_TZ)

    def agent_tz(self, agent: tuple) -> ZoneInfo:
        return self.tz(agent[1])

    def team(self, agent: tuple) -> str | None:
        return self.agents[agent].get("team") or None


def in_service_hours(moment: datetime, tz: ZoneInfo, hours: str) -> bool:
    local = moment.astimezone(tz)
    seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6

    def parse(part):
        hh, mm = part.split(":")
        return int(hh) * 3600 + int(mm) * 60

    start, end = parse(hours[:5]), parse(hours[6:])
    if end < start:  # wraps past midnight
        return seconds >= start or seconds < end
    return start <= seconds < end


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


# ---- facts -------------------------------------------------------------------------------


@dataclass
class Burst:
    shop: str
    t: datetime  # start
    in_hours: bool
    n_messages: int
    response: float | None  # seconds, None when unanswered
    agent: tuple | None  # attributed agent


@dataclass
class Conv:
    id: str
    shop: str
    customer: str
    t: datetime  # first customer message
    in_hours: bool
    has_human: bool
    received_by: set
    assigned: tuple | None
    first_response: float | None
    first_responder: tuple | None
    duration: float
    last_at: datetime  # last message, any sender
    resolved: bool | None  # first contact resolution, None without a human reply
    rating: int | None
    last_replier: tuple | None
    replies_by: dict  # agent key -> human replies
    replies: int
    customer_messages: int
    bursts: list = field(default_factory=list)


@dataclass
class Inquiry:
    shop: str
    customer: str
    day: date
    t: datetime  # start
    agent: tuple | None
    converted: bool = False
    paid: bool = False


@dataclass
class Order:
    shop: str
    id: str
    customer: str
    t: datetime  # created_at
    paid_at: datetime | None
    amount: Decimal
    agent: tuple | None  # credited agent
    driven: bool  # inquiry-driven (else silent)


@dataclass
class Simple:
    """A review, an after-sale (opened or closed) or a paid order: shop, moment, agent, payload."""

    shop: str
    t: datetime
    agent: tuple | None
    data: dict


class Facts:
    def __init__(self, data: Data, settings: dict, as_of: datetime):
        self.data = data
        self.settings = settings
        self.as_of = as_of
        self.convs: list[Conv] = []
        self.bursts: list[Burst] = []
        self.inquiries: list[Inquiry] = []
        self.orders: list[Order] = []
        self.paid: list[Simple] = []
        self.reviews: list[Simple] = []
        self.as_opened: list[Simple] = []
        self.as_closed: list[Simple] = []
        self._conversations()
        self._sales()
        self._after_sales()

    def setting(self, shop: str, key: str):
        return self.settings.get(shop, {}).get(key, DEFAULTS[key])

    def sla_hours(self, shop: str, kind: str) -> float:
        hours = dict(DEFAULTS["aftersale_sla_hours"])
        hours.update(self.settings.get(shop, {}).get("aftersale_sla_hours", {}))
        return hours[kind]

    def _conversations(self) -> None:
        d = self.data
        self.presale = defaultdict(list)  # (shop, customer) -> [(Conv, [Msg])]
        first_by_customer = defaultdict(list)
        for (cid, shop), r in d.conversations.items():
            msgs = d.messages.get((cid, shop), [])
            customer_msgs = [m for m in msgs if m.sender == "customer"]
            if not customer_msgs:
                continue
            first = customer_msgs[0]
            first_pos = msgs.index(first)
            tz, hours = d.tz(shop), d.shops[shop].get("service_hours", "00:00-24:00")
            human = [m for m in msgs if m.human]
            assigned = d.agent_key(r.get("assigned_agent_id"), shop)
            first_reply = next((m for m in msgs[first_pos + 1 :] if m.human), None)
            replies_by = defaultdict(int)
            for m in human:
                if m.agent:
                    replies_by[m.agent] += 1
            conv = Conv(
                id=cid, shop=shop, customer=r["customer_id"], t=first.at,
                in_hours=in_service_hours(first.at, tz, hours), has_human=bool(human),
                received_by={m.agent for m in human if m.agent}, assigned=assigned,
                first_response=(first_reply.at - first.at).total_seconds() if first_reply else None,
                first_responder=first_reply.agent if first_reply else None,
                duration=(msgs[-1].at - msgs[0].at).total_seconds(), last_at=msgs[-1].at, resolved=None,
                rating=r.get("rating"), last_replier=human[-1].agent if human else None,
                replies_by=dict(replies_by), replies=len(human), customer_messages=len(customer_msgs),
            )
            # bursts
            open_burst, last_reply_agent = None, None
            for m in msgs:
                if m.sender == "customer":
                    if open_burst is None:
                        open_burst = {"start": m.at, "n": 0, "before": last_reply_agent}
                    open_burst["n"] += 1
                elif m.human:
                    if open_burst is not None:
                        conv.bursts.append(self._burst(shop, tz, hours, open_burst, m))
                        open_burst = None
                    last_reply_agent = m.agent
            if open_burst is not None:
                conv.bursts.append(self._burst(shop, tz, hours, open_burst, None, assigned))
            self.convs.append(conv)
            self.bursts.extend(conv.bursts)
            first_by_customer[(shop, conv.customer)].append(conv.t)
            stage = r.get("stage") or ("aftersale" if r.get("order_id") else "presale")
            if stage == "presale":
                self.presale[(shop, conv.customer)].append((conv, msgs))
        for conv in self.convs:
            if conv.has_human:
                others = first_by_customer[(conv.shop, conv.customer)]
                conv.resolved = not any(conv.last_at < t <= conv.last_at + FOREVER for t in others)

    def _burst(self, shop, tz, hours, b, reply: Msg | None, assigned=None) -> Burst:
        if reply is not None:
            response, agent = (reply.at - b["start"]).total_seconds(), reply.agent
        else:
            response, agent = None, assigned or b["before"]
        return Burst(shop, b["start"], in_service_hours(b["start"], tz, hours), b["n"], response, agent)

    def _sales(self) -> None:
        d = self.data
        # inquiries: (shop, customer, day) -> Inquiry
        self.inquiry_of = {}
        members = defaultdict(list)
        for (shop, customer), items in self.presale.items():
            tz = d.tz(shop)
            for conv, msgs in items:
                members[(shop, customer, conv.t.astimezone(tz).date())].append((conv, msgs))
        for (shop, customer, day), items in members.items():
            replies = sorted((m for _, msgs in items for m in msgs if m.human), key=lambda m: (m.at, m.id))
            inquiry = Inquiry(shop, customer, day, min(c.t for c, _ in items), replies[-1].agent if replies else None)
            self.inquiry_of[(shop, customer, day)] = inquiry
            self.inquiries.append(inquiry)
        self.order_credit = {}  # (shop, order id) -> agent key or None
        for (oid, shop), r in d.orders.items():
            created = parse_time(r["created_at"])
            tz = d.tz(shop)
            extra = self.setting(shop, "attribution_extra_days")
            best = None
            for conv, msgs in self.presale.get((shop, r["customer_id"]), []):
                before = [m for m in msgs if m.human and m.at < created]
                if not before:
                    continue
                inquiry = self.inquiry_of[(shop, conv.customer, conv.t.astimezone(tz).date())]
                window_end = local_midnight(inquiry.day + timedelta(days=1 + extra), tz)
                if not (inquiry.t <= created < window_end):
                    continue
                candidate = (before[-1].at, conv.id, before[-1].agent, inquiry)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
            paid_at = parse_time(r["paid_at"]) if r.get("paid_at") else None
            agent = best[2] if best else None
            if best:
                best[3].converted = True
                if paid_at is not None:
                    best[3].paid = True
            self.order_credit[(shop, oid)] = agent
            self.orders.append(
                Order(shop, oid, r["customer_id"], created, paid_at, Decimal(str(r["amount"])), agent, best is not None)
            )
            if paid_at is not None:
                self.paid.append(Simple(shop, paid_at, agent, {}))

    def _after_sales(self) -> None:
        for r in self.data.reviews:
            agent = self.order_credit.get((r["shop_id"], r["order_id"]))
            self.reviews.append(Simple(r["shop_id"], parse_time(r["created_at"]), agent, {"rating": r["rating"]}))
        for r in self.data.aftersales:
            shop = r["shop_id"]
            agent = self.order_credit.get((shop, r["order_id"]))
            opened = parse_time(r["opened_at"])
            closed = parse_time(r["closed_at"]) if r.get("closed_at") else None
            status = r.get("status", "open")
            due = opened + timedelta(hours=self.sla_hours(shop, r["kind"]))
            closed_as_of = status in ("completed", "rejected") and closed is not None and closed <= self.as_of
            self.as_opened.append(Simple(shop, opened, agent, {
                "cancelled": status == "cancelled",
                "on_time": closed_as_of and closed <= due,
                "counted": closed_as_of or self.as_of > due,
            }))
            if status in ("completed", "rejected") and closed is not None:
                self.as_closed.append(Simple(shop, closed, agent, {
                    "duration": (closed - opened).total_seconds(),
                    "refund": r["kind"] in ("refund", "return") and status == "completed",
                    "dispute": bool(r.get("platform_intervened")) and bool(r.get("judged_against_seller")),
                }))

    def online_seconds(self, agent: tuple, lo: datetime, hi: datetime) -> float:
        """Seconds the agent was online or busy within [lo, hi)."""
        rows = self.data.statuses.get(agent, [])
        total = 0.0
        for i, (at, _, status) in enumerate(rows):
            until = rows[i + 1][0] if i + 1 < len(rows) else self.as_of
            if status not in ("online", "busy"):
                continue
            a, b = max(at, lo), min(until, hi)
            if b > a:
                total += (b - a).total_seconds()
        return total


# ---- aggregation -------------------------------------------------------------------------


def _ratio(numerator, denominator):
    return None if denominator == 0 else numerator / denominator


def _mean(values):
    values = list(values)
    return None if not values else sum(values) / len(values)


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def aggregate(facts: Facts, sel: dict, agents: set | None, online: float) -> dict:
    """One row's metrics. ``sel``: the facts of the row's period and group; ``agents``: None
    for a shop / day / whole row, else the agents of an agent or team row."""

    def mine(agent) -> bool:
        return agents is None or agent in agents

    def mine_any(group: set) -> bool:
        return agents is None or bool(group & agents)

    def customer_day(c: Conv) -> tuple:  # interpretation 21: customers are counted per shop-day
        return c.shop, c.customer, c.t.astimezone(facts.data.tz(c.shop)).date()

    convs = sel["convs"]
    received = [c for c in convs if mine_any(c.received_by)]
    bursts = [b for b in sel["bursts"] if mine(b.agent)]
    in_hours = [b for b in bursts if b.in_hours]
    answered = [b for b in in_hours if b.response is not None]

    def within(b):
        return b.response is not None and b.response <= facts.setting(b.shop, "response_within_seconds")

    frt = [c for c in convs if c.in_hours and c.first_response is not None and mine(c.first_responder)]
    sl_pop = [
        c for c in convs if c.in_hours and (
            agents is None
            or (c.first_response is not None and c.first_responder in agents)
            or (c.first_response is None and c.assigned in agents)
        )
    ]
    sl_ok = [c for c in sl_pop if c.first_response is not None
             and c.first_response <= facts.setting(c.shop, "service_level_seconds")]
    if agents is None:
        aqr = _ratio(sum(c.replies for c in convs), sum(c.customer_messages for c in convs))
    else:
        replies = sum(n for c in convs for a, n in c.replies_by.items() if a in agents)
        questions = sum(b.n_messages for c in convs for b in c.bursts if b.agent in agents)
        aqr = _ratio(replies, questions)
    with_human = [c for c in received if c.has_human]

    inquiries = [q for q in sel["inquiries"] if mine(q.agent)]
    ordered = sum(1 for q in inquiries if q.converted)
    paid = sum(1 for q in inquiries if q.paid)
    sales = [o for o in sel["orders"] if o.driven and o.paid_at is not None and mine(o.agent)]
    agent_sales = sum((o.amount for o in sales), Decimal("0"))
    buyers = {(o.shop, o.customer) for o in sales}

    rated_pool = [c for c in convs if mine(c.last_replier)] if agents is not None else convs
    rated = [c for c in rated_pool if c.rating is not None]
    reviews = [r for r in sel["reviews"] if mine(r.agent)]
    opened = [a for a in sel["as_opened"] if mine(a.agent) and not a.data["cancelled"]]
    closed = [a for a in sel["as_closed"] if mine(a.agent)]
    paid_orders = sum(1 for p in sel["paid"] if mine(p.agent))
    conversations_served = len(received) if agents is not None else sum(1 for c in convs if c.has_human)

    return {
        "conversations": len(received),
        "consult_customers": len({customer_day(c) for c in received}),
        "served_customers": len({customer_day(c) for c in with_human}),
        "unanswered_conversations": sum(1 for c in convs if not c.has_human and mine(c.assigned)),
        "offhours_bursts": sum(1 for b in bursts if not b.in_hours),
        "reply_rate": _ratio(len(answered), len(in_hours)),
        "first_response_time_avg": _mean(c.first_response for c in frt),
        "response_time_avg": _mean(b.response for b in answered),
        "response_within_rate": _ratio(sum(1 for b in in_hours if within(b)), len(in_hours)),
        "service_level": _ratio(len(sl_ok), len(sl_pop)),
        "answer_question_ratio": aqr,
        "conversation_duration_avg": _mean(c.duration for c in received),
        "first_contact_resolution": _ratio(sum(1 for c in with_human if c.resolved), len(with_human)),
        "inquiries": len(inquiries),
        "ordered_inquiries": ordered,
        "inquiry_conversion_rate": _ratio(ordered, len(inquiries)),
        "paid_inquiries": paid,
        "payment_conversion_rate": _ratio(paid, len(inquiries)),
        "final_payment_rate": _ratio(paid, ordered),
        "agent_sales": _money(agent_sales),
        "avg_order_value": _money(agent_sales / len(buyers)) if buyers else None,
        "silent_orders": None if agents is not None else sum(1 for o in sel["orders"] if not o.driven),
        "csat": _ratio(sum(1 for c in rated if c.rating >= 4), len(rated)),
        "rating_rate": _ratio(len(rated), sum(1 for c in rated_pool if c.has_human)),
        "bad_review_rate": _ratio(sum(1 for r in reviews if r.data["rating"] <= 2), len(reviews)),
        "neutral_bad_review_rate": _ratio(sum(1 for r in reviews if r.data["rating"] <= 3), len(reviews)),
        "aftersale_completion_rate": _ratio(
            sum(1 for a in opened if a.data["on_time"]), sum(1 for a in opened if a.data["counted"])
        ),
        "aftersale_duration_avg": _mean(a.data["duration"] for a in closed),
        "refund_rate": _ratio(sum(1 for a in closed if a.data["refund"]), paid_orders),
        "dispute_rate": _ratio(sum(1 for a in closed if a.data["dispute"]), paid_orders),
        "online_hours": online,
        "conversations_per_online_hour": _ratio(conversations_served, online),
    }


# ---- periods and groups ------------------------------------------------------------------


def _bucket(day: date, by: str) -> tuple[str, date, date]:
    """(group value, first day, day after the last) of the day/week/month containing ``day``."""
    if by == "day":
        return day.isoformat(), day, day + timedelta(days=1)
    if by == "week":
        monday = day - timedelta(days=day.weekday())
        return monday.isoformat(), monday, monday + timedelta(days=7)
    first = day.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    return f"{day.year}-{day.month:02d}", first, after


def reference_metrics(records, *, start, end, by="none", as_of, shop=None, settings=None) -> list[dict]:
    """The rows of ``kefu metrics --format json`` for events.md ``records``.

    ``start``/``end``: dates (shop-local days) or aware datetimes, ``end`` exclusive; ``by``:
    none|agent|team|shop|day|week|month; ``as_of``: aware datetime or ISO text; ``shop``: a shop
    source id; ``settings``: {shop id: {"response_within_seconds": ..., "service_level_seconds":
    ..., "attribution_extra_days": ..., "aftersale_sla_hours": {kind: hours}}}."""
    if by not in ("none", "agent", "team", "shop", "day", "week", "month"):
        raise ValueError(by)
    as_of = parse_time(as_of)
    data = Data(records)
    facts = Facts(data, settings or {}, as_of)
    dates = not isinstance(start, datetime)
    if dates != (not isinstance(end, datetime)):
        raise ValueError("start and end must both be dates or both datetimes")

    def bounds(tz: ZoneInfo) -> tuple[datetime, datetime]:
        if dates:
            return local_midnight(start, tz), local_midnight(end, tz)
        return start, end

    def in_scope(item_shop) -> bool:
        return shop is None or item_shop == shop

    def in_period(item_shop, moment) -> bool:
        lo, hi = bounds(data.tz(item_shop))
        return in_scope(item_shop) and lo <= moment < hi

    names = ("convs", "bursts", "inquiries", "orders", "paid", "reviews", "as_opened", "as_closed")
    period = {n: [x for x in getattr(facts, n) if in_period(x.shop, x.t)] for n in names}
    scoped_agents = [a for a in data.agents if shop is None or a[1] == shop]

    def online(agent_list, lo_day=None, hi_day=None) -> float:
        seconds = 0.0
        for agent in agent_list:
            tz = data.agent_tz(agent)
            lo, hi = bounds(tz)
            if lo_day is not None:
                lo, hi = max(lo, local_midnight(lo_day, tz)), min(hi, local_midnight(hi_day, tz))
            seconds += facts.online_seconds(agent, lo, hi)
        return seconds / 3600

    def row(group, sel, agents, online_hours):
        return {"group": group, "metrics": aggregate(facts, sel, agents, online_hours)}

    if by == "none":
        return [row({}, period, None, online(scoped_agents))]

    if by in ("day", "week", "month"):
        tzs = {data.tz(s) for s in data.shops if in_scope(s)}
        if shop is None and any(a[1] is None for a in data.agents):
            tzs.add(ZoneInfo(SHOPLESS_TZ))
        days = set()
        if dates:
            d = start
            while d < end:
                days.add(d)
                d += timedelta(days=1)
        else:
            for tz in tzs:
                d, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
                while d <= last:
                    days.add(d)
                    d += timedelta(days=1)
        buckets = sorted({_bucket(d, by) for d in days}, key=lambda b: b[1])
        rows = []
        for value, first, after in buckets:
            sel = {n: [x for x in items if first <= x.t.astimezone(data.tz(x.shop)).date() < after]
                   for n, items in period.items()}
            rows.append(row({by: value}, sel, None, online(scoped_agents, first, after)))
        return rows

    if by == "shop":
        rows = []
        for s in sorted(data.shops):
            if not in_scope(s):
                continue
            sel = {n: [x for x in items if x.shop == s] for n, items in period.items()}
            hours = online([a for a in data.agents if a[1] == s])
            if any(sel.values()) or hours > 0:
                rows.append(row({"shop_id": s}, sel, None, hours))
        return rows

    # agent and team rows
    def active(agent) -> bool:
        p = period
        return (
            any(agent in c.received_by or c.assigned == agent or c.last_replier == agent for c in p["convs"])
            or any(b.agent == agent for b in p["bursts"])
            or any(x.agent == agent for n in ("inquiries", "orders", "paid", "reviews", "as_opened", "as_closed")
                   for x in p[n])
            or (agent in scoped_agents and online([agent]) > 0)
        )

    candidates = [a for a in data.agents if (shop is None or a[1] in (shop, None))]
    actives = sorted((a for a in candidates if active(a)), key=lambda a: a[0])
    if by == "agent":
        return [row({"agent_id": a[0]}, period, {a}, online([a] if a in scoped_agents else [])) for a in actives]
    teams = defaultdict(set)
    for a in candidates:
        if data.team(a):
            teams[data.team(a)].add(a)
    rows = []
    for name in sorted(teams):
        members = teams[name]
        if not any(a in actives for a in members):
            continue
        rows.append(row({"team": name}, period, members, online([a for a in members if a in scoped_agents])))
    return rows
