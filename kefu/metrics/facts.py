"""Derive the rollup facts (kefu.metrics.models) from the raw events.

Two units of work, both idempotent (delete the unit's rows, write them again):
- a conversation: its ConversationFact, AgentConversationFact and BurstFact rows, from
  its messages (metrics.md "Building blocks"; docs/metric-interpretations.md 1-7);
- a customer of a shop: the first-contact resolution of their conversations, their
  inquiries, the credit of their orders (rule 2 of Sales) and, following it, the
  reviews and after-sales of those orders.
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.db import transaction

from kefu.commerce.models import AfterSale, Order, Review
from kefu.core.bulk import rows_insert
from kefu.conversations.models import Conversation, Message, Sender, Stage
from kefu.metrics.models import (
    AfterSaleFact,
    AgentConversationFact,
    BurstFact,
    ConversationFact,
    InquiryFact,
    OrderFact,
    ReviewFact,
)
from kefu.metrics.shop_settings import MetricSettings, in_service_hours, metric_settings_for, service_hours_parse
from kefu.shops.models import Shop

FCR_WINDOW = timedelta(hours=48)
BATCH = 2000


@dataclass
class ShopInfo:
    pk: int
    tz: ZoneInfo
    hours: tuple
    settings: MetricSettings

    def dates(self, moment: datetime) -> tuple[date, date, date]:
        """The shop-local day, week (Monday) and month (first day) of a moment."""
        day = moment.astimezone(self.tz).date()
        return day, day - timedelta(days=day.weekday()), day.replace(day=1)

    def hour(self, moment: datetime) -> int:
        return moment.astimezone(self.tz).hour

    def in_hours(self, moment: datetime) -> bool:
        return in_service_hours(moment.astimezone(self.tz).time(), self.hours)

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.tz)


def shop_infos(shop_ids=None) -> dict[int, ShopInfo]:
    shops = Shop.objects.all() if shop_ids is None else Shop.objects.filter(pk__in=list(shop_ids))
    infos = {}
    for shop in shops:
        settings = metric_settings_for(shop)
        try:
            hours = service_hours_parse(settings.service_hours)
        except ValueError:
            hours = (None, None)
        infos[shop.pk] = ShopInfo(shop.pk, ZoneInfo(shop.timezone), hours, settings)
    return infos


# ---- the days a refresh touches (for the daily rollups, kefu.metrics.levels) ----------

_touched: set | None = None  # (shop pk, day) pairs, while ``days_collect`` is active

# The day columns of each fact model (the days its rows count on).
_DAY_FIELDS = {
    ConversationFact: ("day",),
    AgentConversationFact: ("day",),
    BurstFact: ("day",),
    InquiryFact: ("day",),
    OrderFact: ("day", "paid_day"),
    ReviewFact: ("day",),
    AfterSaleFact: ("day", "closed_day"),
}


@contextmanager
def days_collect():
    """Collect the (shop pk, day)s whose facts are deleted or written inside the block."""
    global _touched
    outer, _touched = _touched, set()
    try:
        yield _touched
    finally:
        collected, _touched = _touched, outer
        if outer is not None:
            outer |= collected


def _days_note_rows(queryset) -> None:
    """Before rows go: note the days they counted on."""
    if _touched is None:
        return
    for name in _DAY_FIELDS[queryset.model]:
        _touched.update(queryset.order_by().values_list("shop_id", name).distinct())


def _delete(queryset) -> None:
    _days_note_rows(queryset)
    queryset._raw_delete(queryset.db)


def _insert(model, objects: list) -> None:
    """Write fact rows through the fast bulk path (COPY on PostgreSQL)."""
    if _touched is not None:
        for name in _DAY_FIELDS[model]:
            _touched.update((obj.shop_id, getattr(obj, name)) for obj in objects)
    if objects:
        names = [f.attname for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created)]
        rows_insert(model, [{name: getattr(obj, name) for name in names} for obj in objects])


def customer_key(shop_id: int, customer_ext: str) -> str:
    return f"{shop_id}:{customer_ext}"


def customer_key_split(key: str) -> tuple[int, str]:
    shop, _sep, ext = key.partition(":")
    return int(shop), ext


# ---- conversations ------------------------------------------------------------------


def conversation_facts_rebuild(conversation_ids, shops: dict[int, ShopInfo] | None = None) -> set[str]:
    """Rebuild the facts of these conversations; returns the customer keys they touch."""
    conversation_ids = list(conversation_ids)
    touched: set[str] = set()
    for start in range(0, len(conversation_ids), BATCH):
        touched |= _conversation_batch(conversation_ids[start : start + BATCH], shops)
    return touched


def _conversation_batch(ids: list[int], shops: dict[int, ShopInfo] | None) -> set[str]:
    conversations = {
        row[0]: row
        for row in Conversation.objects.filter(pk__in=ids).order_by().values_list(
            "pk", "shop_id", "customer_ext", "stage", "assigned_agent_id", "rating"
        )
    }
    if shops is None or any(row[1] not in shops for row in conversations.values()):
        shops = shop_infos({row[1] for row in conversations.values()})
    messages = (
        Message.objects.filter(conversation_id__in=ids)
        .order_by("conversation_id", "sent_at", "ext_id")
        .values_list("conversation_id", "sent_at", "ext_id", "sender", "is_auto", "agent_id")
    )
    facts, agent_facts, bursts = [], [], []
    touched = {customer_key(row[1], row[2]) for row in conversations.values()}
    for conversation_id, rows in groupby(messages.iterator(chunk_size=5000), key=lambda r: r[0]):
        conversation = conversations.get(conversation_id)
        if conversation is None:
            continue
        built = _conversation_facts(conversation, list(rows), shops[conversation[1]])
        if built is not None:
            facts.append(built[0])
            agent_facts.extend(built[1])
            bursts.extend(built[2])
    with transaction.atomic():
        # Children first, then plain DELETEs: the ORM's delete() would first read every
        # row (and their children) to cascade by hand.
        _days_note_rows(BurstFact.objects.filter(fact_id__in=ids))
        _days_note_rows(ConversationFact.objects.filter(pk__in=ids))  # the agents' rows count on the same days
        for queryset in (
            BurstFact.objects.filter(fact_id__in=ids),
            AgentConversationFact.objects.filter(fact_id__in=ids),
            ConversationFact.objects.filter(pk__in=ids),
        ):
            queryset._raw_delete(queryset.db)
        _insert(ConversationFact, facts)
        _insert(AgentConversationFact, agent_facts)
        _insert(BurstFact, bursts)
    return touched


def burst_walk(messages, assigned_agent: int | None) -> list[dict]:
    """The bursts (一次提问) of a conversation's messages, ordered by (sent_at, id), as
    metrics.md defines them: a run of customer messages not interrupted by a human reply
    (bot, system and automatic messages neither answer nor split it). Each burst:
    ``start``, ``count``, ``ids`` (its customer messages), ``response`` (seconds, None when
    unanswered), ``reply`` (the answering message's id) and ``agent`` (as attributed).

    ``messages`` are (conversation, sent_at, id, sender, is_auto, agent pk) tuples."""
    bursts: list[dict] = []
    open_burst = None
    last_agent = None  # the agent of the last human reply so far
    for _cid, sent_at, ext, sender, is_auto, agent in messages:
        if sender == Sender.CUSTOMER:
            if open_burst is None:
                open_burst = {"start": sent_at, "count": 0, "ids": [], "previous": last_agent}
            open_burst["count"] += 1
            open_burst["ids"].append(ext)
        elif sender == Sender.AGENT and not is_auto:
            if open_burst is not None:
                open_burst.update(response=(sent_at - open_burst["start"]).total_seconds(), reply=ext, agent=agent)
                bursts.append(open_burst)
                open_burst = None
            last_agent = agent
    if open_burst is not None:
        agent = assigned_agent if assigned_agent is not None else open_burst["previous"]
        open_burst.update(response=None, reply=None, agent=agent)
        bursts.append(open_burst)
    return bursts


def _conversation_facts(conversation, messages, shop: ShopInfo):
    pk, shop_id, customer_ext, stage, assigned_agent, rating = conversation
    start = None
    customer_messages = human_replies = 0
    first_response = first_responder = None
    last_reply = None  # (sent_at, ext, agent)
    replies_by_agent: dict[int, int] = defaultdict(int)
    for _cid, sent_at, ext, sender, is_auto, agent in messages:
        if sender == Sender.CUSTOMER:
            customer_messages += 1
            if start is None:
                start = sent_at
        elif sender == Sender.AGENT and not is_auto:
            human_replies += 1
            if agent is not None:
                replies_by_agent[agent] += 1
            if start is not None and first_response is None:
                first_response, first_responder = (sent_at - start).total_seconds(), agent
            last_reply = (sent_at, ext, agent)
    bursts = burst_walk(messages, assigned_agent)
    if start is None:
        return None  # no customer message: not a conversation of any period
    day, week, month = shop.dates(start)
    fact = ConversationFact(
        conversation_id=pk,
        shop_id=shop_id,
        day=day,
        week=week,
        month=month,
        customer_key=customer_key(shop_id, customer_ext),
        customer_day=f"{customer_key(shop_id, customer_ext)}|{day.isoformat()}",
        presale=stage == Stage.PRESALE,
        start=start,
        hour=shop.hour(start),
        in_hours=shop.in_hours(start),
        last_message_at=messages[-1][1],
        duration=(messages[-1][1] - messages[0][1]).total_seconds(),
        customer_messages=customer_messages,
        human_replies=human_replies,
        first_response=first_response,
        first_responder_id=first_responder,
        last_replier_id=last_reply[2] if last_reply else None,
        last_reply_at=last_reply[0] if last_reply else None,
        last_reply_ext=last_reply[1] if last_reply else "",
        assigned_agent_id=assigned_agent,
        rating=rating,
        fcr=None,  # set by the customer pass (it needs the customer's other conversations)
    )
    attributed: dict[int, int] = defaultdict(int)
    burst_rows = []
    for burst in bursts:
        burst_day, burst_week, burst_month = shop.dates(burst["start"])
        if burst["agent"] is not None:
            attributed[burst["agent"]] += burst["count"]
        burst_rows.append(
            BurstFact(
                fact_id=pk,
                shop_id=shop_id,
                day=burst_day,
                week=burst_week,
                month=burst_month,
                start=burst["start"],
                in_hours=shop.in_hours(burst["start"]),
                customer_messages=burst["count"],
                response=burst["response"],
                agent_id=burst["agent"],
            )
        )
    agent_rows = [
        AgentConversationFact(
            fact_id=pk,
            agent_id=agent,
            shop_id=shop_id,
            day=day,
            week=week,
            month=month,
            start=start,
            received=agent in replies_by_agent,
            human_replies=replies_by_agent.get(agent, 0),
            attributed_customer_messages=attributed.get(agent, 0),
        )
        for agent in sorted(set(replies_by_agent) | set(attributed))
    ]
    return fact, agent_rows, burst_rows


# ---- customers ----------------------------------------------------------------------


def customer_facts_rebuild(keys, shops: dict[int, ShopInfo] | None = None) -> None:
    """Rebuild first-contact resolution, inquiries, order credit and the facts of the
    reviews and after-sales of the orders, for these customer keys."""
    keys = sorted(set(keys))
    if not keys:
        return
    if shops is None:
        shops = shop_infos({customer_key_split(k)[0] for k in keys})
    for start in range(0, len(keys), BATCH // 2):
        _customer_batch(keys[start : start + BATCH // 2], shops)


def _customer_batch(keys: list[str], shops: dict[int, ShopInfo]) -> None:
    missing = {customer_key_split(k)[0] for k in keys} - shops.keys()
    if missing:
        shops.update(shop_infos(missing))
    facts = list(
        ConversationFact.objects.filter(customer_key__in=keys).values_list(
            "pk", "customer_key", "presale", "start", "day", "last_message_at", "human_replies",
            "last_reply_at", "last_reply_ext", "last_replier_id", "fcr", "shop_id", "conversation__ext_id",
        )
    )
    by_customer: dict[str, list] = defaultdict(list)
    for row in facts:
        by_customer[row[1]].append(row)

    # First-contact resolution (interpretation 6).
    fcr_changes: dict = defaultdict(list)  # new value -> conversation pks
    for rows in by_customer.values():
        starts = [(row[3], row[0]) for row in rows]
        for row in rows:
            if not row[6]:
                value = None
            else:
                last, until = row[5], row[5] + FCR_WINDOW
                value = not any(last < other_start <= until for other_start, other in starts if other != row[0])
            if value != row[10]:
                fcr_changes[value].append(row[0])
                if _touched is not None:
                    _touched.add((row[11], row[4]))

    # Inquiries (interpretations 9 and 11).
    inquiries: dict[tuple[str, date], dict] = {}
    for row in facts:
        if not row[2]:
            continue
        key = (row[1], row[4])
        inquiry = inquiries.setdefault(
            key, {"shop": row[11], "start": row[3], "day": row[4], "last": None, "agent": None, "ordered": False,
                  "paid": False}
        )
        inquiry["start"] = min(inquiry["start"], row[3])
        if row[7] is not None and (inquiry["last"] is None or (row[7], row[8]) > inquiry["last"]):
            inquiry["last"], inquiry["agent"] = (row[7], row[8]), row[9]

    # Order credit (rule 2 of Sales; interpretation 10).
    presale = {row[0]: row for row in facts if row[2]}
    replies: dict[int, list] = defaultdict(list)
    if presale:
        ids = list(presale)
        for start in range(0, len(ids), BATCH):
            for conversation_id, sent_at, agent in (
                Message.objects.filter(
                    conversation_id__in=ids[start : start + BATCH], sender=Sender.AGENT, is_auto=False
                )
                .order_by("conversation_id", "sent_at", "ext_id")
                .values_list("conversation_id", "sent_at", "agent_id")
            ):
                replies[conversation_id].append((sent_at, agent))
    presale_by_customer: dict[str, list] = defaultdict(list)
    for row in presale.values():
        presale_by_customer[row[1]].append(row)

    by_shop: dict[int, list[str]] = defaultdict(list)
    for key in keys:
        shop_id, ext = customer_key_split(key)
        by_shop[shop_id].append(ext)
    orders = []
    for shop_id, exts in by_shop.items():
        orders += list(
            # No ORDER BY: the model's default (-created_at) would steer SQLite to the wrong index.
            Order.objects.filter(shop_id=shop_id, customer_ext__in=exts).order_by().values_list(
                "pk", "shop_id", "customer_ext", "created_at", "paid_at", "amount"
            )
        )
    order_facts, credit = [], {}
    for order_pk, shop_id, ext, created_at, paid_at, amount in orders:
        shop = shops[shop_id]
        key = customer_key(shop_id, ext)
        best = None  # ((sent_at, conversation ext), conversation pk, agent, inquiry key)
        for row in presale_by_customer.get(key, ()):
            inquiry_key = (key, row[4])
            inquiry = inquiries[inquiry_key]
            window_end = shop.midnight(row[4] + timedelta(days=1 + shop.settings.attribution_extra_days))
            if not inquiry["start"] <= created_at < window_end:
                continue
            before = [reply for reply in replies.get(row[0], ()) if reply[0] < created_at]
            if not before:
                continue
            rank = (before[-1][0], row[12])
            if best is None or rank > best[0]:
                best = (rank, row[0], before[-1][1], inquiry_key)
        if best is not None:
            inquiry = inquiries[best[3]]
            inquiry["ordered"] = True
            inquiry["paid"] = inquiry["paid"] or paid_at is not None
        day, week, month = shop.dates(created_at)
        paid_dates = shop.dates(paid_at) if paid_at else (None, None, None)
        credit[order_pk] = best[2] if best else None
        order_facts.append(
            OrderFact(
                order_id=order_pk, shop_id=shop_id, day=day, week=week, month=month, customer_key=key,
                created_at=created_at, paid_at=paid_at, paid_day=paid_dates[0], paid_week=paid_dates[1],
                paid_month=paid_dates[2], amount=amount, driven=best is not None,
                conversation_id=best[1] if best else None, agent_id=best[2] if best else None,
            )
        )
    inquiry_facts = []
    for (key, day), inquiry in inquiries.items():
        shop = shops[inquiry["shop"]]
        _day, week, month = shop.dates(shop.midnight(day))
        inquiry_facts.append(
            InquiryFact(
                shop_id=inquiry["shop"], customer_key=key, day=day, week=week, month=month, start=inquiry["start"],
                hour=shop.hour(inquiry["start"]),
                ordered=inquiry["ordered"], paid=inquiry["paid"], agent_id=inquiry["agent"],
            )
        )
    order_pks = [row[0] for row in orders]
    with transaction.atomic():
        for value, pks in fcr_changes.items():
            ConversationFact.objects.filter(pk__in=pks).update(fcr=value)
        _delete(InquiryFact.objects.filter(customer_key__in=keys))
        _insert(InquiryFact, inquiry_facts)
        _delete(OrderFact.objects.filter(customer_key__in=keys))
        _delete(OrderFact.objects.filter(pk__in=order_pks))
        _insert(OrderFact, order_facts)
        _review_aftersale_facts_rebuild(
            Review.objects.filter(order_id__in=order_pks), AfterSale.objects.filter(order_id__in=order_pks), shops,
            credit,
        )


# ---- reviews and after-sales --------------------------------------------------------


def order_ext_facts_rebuild(pairs, shops: dict[int, ShopInfo] | None = None) -> None:
    """Rebuild the facts of the reviews and after-sales naming these (shop pk, order
    source id) pairs — their order may not have arrived."""
    by_shop: dict[int, list[str]] = defaultdict(list)
    for shop_id, ext in set(pairs):
        by_shop[shop_id].append(ext)
    if shops is None:
        shops = shop_infos(by_shop)
    for shop_id, exts in by_shop.items():
        for start in range(0, len(exts), BATCH):
            part = exts[start : start + BATCH]
            with transaction.atomic():
                _review_aftersale_facts_rebuild(
                    Review.objects.filter(shop_id=shop_id, order_ext__in=part),
                    AfterSale.objects.filter(shop_id=shop_id, order_ext__in=part),
                    shops,
                )


def review_aftersale_facts_rebuild_all(shop_ids=None, shops=None) -> None:
    reviews = Review.objects.all() if shop_ids is None else Review.objects.filter(shop_id__in=shop_ids)
    aftersales = AfterSale.objects.all() if shop_ids is None else AfterSale.objects.filter(shop_id__in=shop_ids)
    shops = shops or shop_infos(shop_ids)
    for queryset, kind in ((reviews, "review"), (aftersales, "aftersale")):
        pks = list(queryset.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            part = pks[start : start + BATCH]
            with transaction.atomic():
                _review_aftersale_facts_rebuild(
                    Review.objects.filter(pk__in=part if kind == "review" else []),
                    AfterSale.objects.filter(pk__in=part if kind == "aftersale" else []),
                    shops,
                )


def _review_aftersale_facts_rebuild(reviews, aftersales, shops: dict[int, ShopInfo], credit=None) -> None:
    """Write the facts of these reviews and after-sales; the agent follows their order's
    credit (``credit``: order pk -> agent pk, else read from OrderFact)."""
    review_rows = list(reviews.order_by().values_list("pk", "shop_id", "order_id", "created_at", "rating"))
    aftersale_rows = list(
        aftersales.order_by().values_list(
            "pk", "shop_id", "order_id", "kind", "status", "opened_at", "closed_at", "platform_intervened",
            "judged_against_seller",
        )
    )
    credit = dict(credit or {})
    unknown = {row[2] for row in review_rows + aftersale_rows if row[2] is not None and row[2] not in credit}
    if unknown:
        credit.update(OrderFact.objects.filter(pk__in=unknown).values_list("pk", "agent_id"))
    missing = {row[1] for row in review_rows + aftersale_rows} - shops.keys()
    if missing:
        shops.update(shop_infos(missing))
    review_facts = []
    for pk, shop_id, order_id, created_at, rating in review_rows:
        day, week, month = shops[shop_id].dates(created_at)
        review_facts.append(
            ReviewFact(review_id=pk, shop_id=shop_id, day=day, week=week, month=month, created_at=created_at,
                       rating=rating, agent_id=credit.get(order_id))
        )
    aftersale_facts = []
    for pk, shop_id, order_id, kind, status, opened_at, closed_at, intervened, against in aftersale_rows:
        shop = shops[shop_id]
        day, week, month = shop.dates(opened_at)
        closed = shop.dates(closed_at) if closed_at else (None, None, None)
        sla_hours = shop.settings.aftersale_sla_hours.get(kind, 48)
        aftersale_facts.append(
            AfterSaleFact(
                aftersale_id=pk, shop_id=shop_id, day=day, week=week, month=month, kind=kind, status=status,
                opened_at=opened_at, due_at=opened_at + timedelta(hours=sla_hours), closed_at=closed_at,
                closed_day=closed[0], closed_week=closed[1], closed_month=closed[2],
                duration=(closed_at - opened_at).total_seconds() if closed_at else None, platform_intervened=intervened,
                judged_against_seller=against, agent_id=credit.get(order_id),
            )
        )
    _delete(ReviewFact.objects.filter(pk__in=[row[0] for row in review_rows]))
    _insert(ReviewFact, review_facts)
    _delete(AfterSaleFact.objects.filter(pk__in=[row[0] for row in aftersale_rows]))
    _insert(AfterSaleFact, aftersale_facts)
