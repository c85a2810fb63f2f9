"""Keeping the rollups current: marks, the refresh that drains them, full rebuilds.

Intake writes a ``RollupMark`` for everything whose facts an import may change (in the
same transaction as the data), then enqueues ``kefu.metrics.tasks.rollups_refresh_task``.
The refresh drains marks in id order, so marks written while it runs wait for the next
run; refreshes are serialised (an advisory lock on PostgreSQL, a process lock always),
and each unit of work is idempotent, so a crash only means doing it again."""

import threading
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Max

from kefu.commerce.models import Order
from kefu.conversations.models import Conversation
from kefu.metrics import facts, levels
from kefu.metrics.models import (
    AfterSaleFact,
    AgentConversationFact,
    BurstFact,
    ConversationFact,
    InquiryFact,
    MarkKind,
    OrderFact,
    ReviewFact,
    RollupMark,
)

_LOCK = threading.Lock()
_PG_LOCK_KEY = 0x6B656675  # "kefu"
FACT_MODELS = (BurstFact, AgentConversationFact, ConversationFact, InquiryFact, OrderFact, ReviewFact, AfterSaleFact)


def marks_add(marks: Iterable[tuple[str, int, str]]) -> int:
    """Record (kind, shop pk, key) marks; duplicates are harmless."""
    rows = [RollupMark(kind=kind, shop_id=shop_id, key=str(key)[:200]) for kind, shop_id, key in set(marks)]
    RollupMark.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def refresh_request() -> None:
    """Enqueue a refresh once the current transaction commits."""
    from kefu.metrics.tasks import rollups_refresh_task

    transaction.on_commit(rollups_refresh_task.enqueue)


def shop_recompute_request(shop) -> None:
    """A setting the rollups depend on changed: rebuild the shop's facts in the background."""
    marks_add([(MarkKind.SHOP, shop.pk, "")])
    refresh_request()


def shop_levels_recompute_request(shop) -> None:
    """A threshold the daily rollups depend on changed: figures come from the facts at
    once, and the shop's daily rollups are rebuilt in the background."""
    levels.levels_invalidate([shop.pk])
    refresh_request()


@contextmanager
def _exclusive():
    with _LOCK:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [_PG_LOCK_KEY])
            try:
                yield
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_PG_LOCK_KEY])
        else:
            yield


def rollups_refresh() -> dict[str, int]:
    """Bring the rollups up to date with every mark written so far. Returns what it did."""
    done = {"conversations": 0, "customers": 0, "orders": 0, "shops": 0, "daily_rows": 0}
    with _exclusive():
        while True:
            last = RollupMark.objects.aggregate(last=Max("id"))["last"]
            if last is None:
                # Shops whose daily rollups were never built or whose teams changed.
                stale = levels.levels_stale_shops()
                if stale:
                    done["daily_rows"] += levels.levels_rebuild_shops(stale)
                return done
            marks = RollupMark.objects.filter(id__lte=last)
            shop_ids = set(marks.filter(kind=MarkKind.SHOP).values_list("shop_id", flat=True))
            if shop_ids:
                rollups_rebuild(shop_ids=shop_ids, _locked=True)
                done["shops"] += len(shop_ids)
            others = marks.exclude(shop_id__in=shop_ids)
            conversations = {int(k) for k in others.filter(kind=MarkKind.CONVERSATION).values_list("key", flat=True)}
            customers = {
                facts.customer_key(shop, key)
                for shop, key in others.filter(kind=MarkKind.CUSTOMER).values_list("shop_id", "key")
            }
            orders = set(others.filter(kind=MarkKind.ORDER_EXT).values_list("shop_id", "key"))
            shops = facts.shop_infos()
            with facts.days_collect() as days:
                customers |= facts.conversation_facts_rebuild(sorted(conversations), shops)
                facts.customer_facts_rebuild(customers, shops)
                facts.order_ext_facts_rebuild(orders, shops)
            done["daily_rows"] += levels.levels_refresh(days)
            RollupMark.objects.filter(id__lte=last).delete()
            done["conversations"] += len(conversations)
            done["customers"] += len(customers)
            done["orders"] += len(orders)


def rollups_rebuild(*, shop_ids=None, _locked: bool = False) -> dict[str, int]:
    """Recompute every fact from the raw events (of these shops, or all)."""
    if not _locked:
        with _exclusive():
            return rollups_rebuild(shop_ids=shop_ids, _locked=True)
    shop_ids = None if shop_ids is None else sorted(shop_ids)
    shops = facts.shop_infos(shop_ids)
    with transaction.atomic():
        for model in FACT_MODELS:
            queryset = model.objects.all() if shop_ids is None else model.objects.filter(shop_id__in=shop_ids)
            queryset._raw_delete(queryset.db)
    conversations = Conversation.objects.all() if shop_ids is None else Conversation.objects.filter(shop_id__in=shop_ids)
    conversation_ids = list(conversations.order_by("pk").values_list("pk", flat=True))
    customers = facts.conversation_facts_rebuild(conversation_ids, shops)
    orders = Order.objects.all() if shop_ids is None else Order.objects.filter(shop_id__in=shop_ids)
    customers |= {facts.customer_key(s, c) for s, c in orders.order_by().values_list("shop_id", "customer_ext").distinct()}
    facts.customer_facts_rebuild(customers, shops)
    facts.review_aftersale_facts_rebuild_all(shop_ids, shops)
    daily_rows = levels.levels_rebuild_shops(shops.keys())
    return {"conversations": len(conversation_ids), "customers": len(customers), "daily_rows": daily_rows}


def rollups_tick() -> None:
    """Periodic: refresh when marks wait (e.g. an import whose enqueue was lost in a crash)
    or daily rollups must be built (a new installation, a team change)."""
    if RollupMark.objects.exists() or levels.levels_stale_shops():
        from kefu.metrics.tasks import rollups_refresh_task

        rollups_refresh_task.enqueue()
