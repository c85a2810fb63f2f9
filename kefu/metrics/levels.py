"""The second rollup level: each shop-local day's additive metric components, per shop,
agent and team (``DayLevel``), so that whole-day periods add up a few thousand rows
instead of scanning millions of facts.

The components are those the engine's families compute from the facts
(``kefu.metrics.engine``): the same functions build the daily rows, grouped by day, so
the two paths cannot drift apart. Left to the facts at query time, because they are not
additive over days or depend on the as-of moment: the distinct customers bought from
(``avg_order_value``), after-sales due and done on time, online hours and QA; and every
figure of a period that does not start and end at midnight ("today so far").

A refresh rebuilds the rows of the (shop, day)s its facts touched (``facts.days_collect``);
a full rebuild, or a shop without a complete ``LevelState``, rebuilds every day of the
shop. Team rows depend on who is in which team: when that changes, team groupings use
the facts until the next refresh has rebuilt them."""

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from kefu.accounts.models import Agent
from kefu.metrics.models import (
    AfterSaleFact,
    BurstFact,
    ConversationFact,
    DayLevel,
    InquiryFact,
    LevelScope,
    LevelState,
    OrderFact,
    ReviewFact,
)
from kefu.shops.models import Shop

# The engine's families whose components the daily rows hold, and those components.
COMPONENTS = {
    "conversation": (
        "conversations", "consult_customers", "served_customers", "unanswered", "replied", "frt_sum", "frt_n",
        "sl_num", "sl_den", "human_replies", "customer_messages", "duration_sum", "fcr_num", "rated", "satisfied",
        "rating_den",
    ),
    "burst": ("offhours", "bursts", "answered", "response_sum", "within"),
    "inquiry": ("inquiries", "ordered", "paid"),
    "order": ("sales", "silent", "paid_orders"),  # not sales_customers: distinct over the period
    "review": ("reviews", "bad_reviews", "neutral_bad_reviews"),
    "aftersale_closed": ("aftersales_closed", "aftersale_duration_sum", "refunds", "disputes"),
}
CENT = Decimal("0.01")  # money: amounts have two decimals, so their sums too
SCOPES = ((LevelScope.SHOP, "day"), (LevelScope.AGENT, "agent"), (LevelScope.TEAM, "team"))
# The day columns of each fact table a daily row may come from.
DAY_COLUMNS = (
    (ConversationFact, ("day",)),
    (BurstFact, ("day",)),
    (InquiryFact, ("day",)),
    (OrderFact, ("day", "paid_day")),
    (ReviewFact, ("day",)),
    (AfterSaleFact, ("day", "closed_day")),
)


def enabled() -> bool:
    return getattr(settings, "KEFU_METRIC_LEVELS", True)


def teams_digest() -> str:
    """A fingerprint of who is in which team (team rows are built with it)."""
    pairs = sorted(Agent.objects.values_list("pk", "team_id"), key=lambda pair: pair[0])
    return hashlib.sha256(repr(pairs).encode()).hexdigest()


# ---- reading -------------------------------------------------------------------------


def families_served(sel) -> set[str]:
    """The families whose components ``level_components`` can give for this selection."""
    if not enabled() or not sel.by_days or not sel.shops:
        return set()
    if sel.by == "team" and sel.agent_ids is not None:
        return set()  # a team's received conversations over some of its agents only
    states = dict(
        LevelState.objects.filter(shop_id__in=[s.pk for s in sel.shops], built_at__isnull=False)
        .values_list("shop_id", "teams_digest")
    )
    if len(states) != len(sel.shops):
        return set()
    if sel.by == "team" and set(states.values()) != {teams_digest()}:
        return set()
    return set(COMPONENTS)


def level_components(sel, families) -> dict:
    """The summed components of these families, grouped as ``sel.by`` asks (as the
    engine's family functions would give them)."""
    from kefu.metrics.engine import AGENT_GROUPS

    names = {name for family in families for name in COMPONENTS[family]}
    scope = sel.by if sel.by in AGENT_GROUPS else LevelScope.SHOP
    rows = DayLevel.objects.filter(
        shop_id__in=[s.pk for s in sel.shops], scope=scope, day__gte=sel.start, day__lt=sel.end
    )
    if sel.by == "agent" and sel.agent_ids is not None:
        rows = rows.filter(member__in=sel.agent_ids)
    column = {"none": None, "shop": "shop_id", "day": "day", "week": "week", "month": "month"}.get(sel.by, "member")
    fields = ["values"] if column is None else [column, "values"]
    out: dict = {}
    for row in rows.order_by().values_list(*fields):
        group, values = (None, row[0]) if column is None else row
        slot = out.setdefault(group, {})
        for name, value in values.items():
            if name in names:
                if name == "sales":
                    value = Decimal(value)
                slot[name] = slot.get(name, 0) + value
    return out


# ---- building ------------------------------------------------------------------------


def _runs(days) -> list[tuple[date, date]]:
    """Sorted days as [start, end) runs of consecutive days."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1]:
            runs[-1][1] = day + timedelta(days=1)
        else:
            runs.append([day, day + timedelta(days=1)])
    return [(start, end) for start, end in runs]


def _shop_days(shop_id: int) -> list[tuple[date, date]]:
    """The one run covering every day any fact of the shop belongs to."""
    first, last = None, None
    for model, columns in DAY_COLUMNS:
        found = model.objects.filter(shop_id=shop_id).aggregate(
            **{f"min_{c}": Min(c) for c in columns}, **{f"max_{c}": Max(c) for c in columns}
        )
        for name, value in found.items():
            if value is None:
                continue
            if name.startswith("min_"):
                first = value if first is None else min(first, value)
            else:
                last = value if last is None else max(last, value)
    return [] if first is None else [(first, last + timedelta(days=1))]


def _build(shop: Shop, start: date, end: date) -> list[DayLevel]:
    from kefu.metrics.engine import FAMILIES, Selection, _merge, _order_components

    out = []
    for scope, by in SCOPES:
        sel = Selection(start, end, [shop], by, timezone.now(), split_days=True)
        components: dict = {}
        for family in COMPONENTS:
            if family == "order":
                _merge(components, _order_components(sel, set(), distinct=False))
            else:
                _merge(components, FAMILIES[family][0](sel, set()))
        for key, values in components.items():
            day, member = (key, 0) if scope == LevelScope.SHOP else key
            if day is None or member is None:
                continue
            kept = {name: (str(value.quantize(CENT)) if isinstance(value, Decimal) else value)
                    for name, value in values.items() if value}
            if kept:
                out.append(DayLevel(
                    shop_id=shop.pk, day=day, week=day - timedelta(days=day.weekday()), month=day.replace(day=1),
                    scope=scope, member=member, values=kept,
                ))
    return out


def _write(shop: Shop, start: date, end: date) -> int:
    rows = _build(shop, start, end)
    with transaction.atomic():
        stale = DayLevel.objects.filter(shop_id=shop.pk, day__gte=start, day__lt=end)
        stale._raw_delete(stale.db)
        DayLevel.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def levels_rebuild_shops(shop_ids) -> int:
    """Rebuild every day of these shops and mark them complete."""
    written = 0
    digest = teams_digest()
    for shop in Shop.objects.filter(pk__in=list(shop_ids)):
        with transaction.atomic():
            LevelState.objects.update_or_create(shop=shop, defaults={"built_at": None, "teams_digest": ""})
            everything = DayLevel.objects.filter(shop_id=shop.pk)
            everything._raw_delete(everything.db)
        for start, end in _shop_days(shop.pk):
            written += _write(shop, start, end)
        LevelState.objects.filter(shop=shop).update(built_at=timezone.now(), teams_digest=digest)
    return written


def levels_invalidate(shop_ids) -> None:
    """Stop using these shops' daily rows until they are rebuilt (by the next refresh)."""
    LevelState.objects.filter(shop_id__in=list(shop_ids)).update(built_at=None)


def levels_refresh(days) -> int:
    """Rebuild the rows of these (shop pk, day)s, and every day of the shops whose rows
    are incomplete or whose team rows are stale. Returns the rows written."""
    stale = levels_stale_shops()
    written = levels_rebuild_shops(stale) if stale else 0
    by_shop: dict[int, list[date]] = defaultdict(list)
    for shop_id, day in days:
        if shop_id not in stale and day is not None:
            by_shop[shop_id].append(day)
    for shop in Shop.objects.filter(pk__in=list(by_shop)):
        for start, end in _runs(by_shop[shop.pk]):
            written += _write(shop, start, end)
    return written


def levels_stale_shops() -> set[int]:
    """Shops whose daily rows cannot be used as they are (never built, or built with
    another team assignment)."""
    built = dict(LevelState.objects.filter(built_at__isnull=False).values_list("shop_id", "teams_digest"))
    digest = teams_digest()
    return {pk for pk in Shop.objects.values_list("pk", flat=True) if built.get(pk) != digest}
