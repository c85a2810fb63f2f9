"""Reads of orders, after-sales, reviews and logistics for pages: the day counts of the
home pages. Periods are shop-days (metrics.md): an order belongs to its ``created_at``,
an after-sale to its ``opened_at``, a review to its ``created_at``."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from kefu.commerce.models import AfterSale, AfterSaleStatus, LogisticsEvent, LogisticsStatus, Order, Review
from kefu.core.periods import shop_days_filter

BAD_REVIEW_MAX_RATING = 2  # 差评: 1-2★ (metrics.md, bad_review_rate)
NEUTRAL_REVIEW_RATING = 3
LOGISTICS_EXCEPTIONS = (
    LogisticsStatus.STALLED,
    LogisticsStatus.LOST,
    LogisticsStatus.WRONG_ITEM,
    LogisticsStatus.RETURNED,
)


@dataclass(frozen=True)
class OrderDayCounts:
    orders: int
    amount: Decimal
    paid: int


@dataclass(frozen=True)
class ReviewCounts:
    reviews: int
    bad: int
    neutral: int


def _shop_scope(queryset, shop_ids):
    return queryset if shop_ids is None else queryset.filter(shop_id__in=shop_ids)


def order_day_counts(*, shop_ids: list[int] | None, day: date) -> OrderDayCounts:
    """Orders created during the shop-day, their amount, and how many of them are paid."""
    totals = Order.objects.filter(shop_days_filter(shop_ids=shop_ids, first_day=day, field="created_at")).aggregate(
        orders=Count("id"), amount=Sum("amount"), paid=Count("id", filter=Q(paid_at__isnull=False))
    )
    return OrderDayCounts(orders=totals["orders"], amount=totals["amount"] or Decimal("0.00"), paid=totals["paid"])


def aftersale_opened_count(*, shop_ids: list[int] | None, first_day: date, days: int = 1) -> int:
    return AfterSale.objects.filter(
        shop_days_filter(shop_ids=shop_ids, first_day=first_day, days=days, field="opened_at")
    ).count()


def aftersale_open_count(*, shop_ids: list[int] | None) -> int:
    """After-sales still open now, whenever they were opened."""
    return _shop_scope(AfterSale.objects.filter(status=AfterSaleStatus.OPEN), shop_ids).count()


def aftersale_kind_counts(*, shop_ids: list[int] | None, first_day: date, days: int = 1) -> dict[str, int]:
    """After-sales opened during the shop-days, per kind."""
    rows = (
        AfterSale.objects.filter(shop_days_filter(shop_ids=shop_ids, first_day=first_day, days=days, field="opened_at"))
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    return {row["kind"]: row["n"] for row in rows}


def review_counts(*, shop_ids: list[int] | None, first_day: date, days: int = 1) -> ReviewCounts:
    """Reviews created during the shop-days: all, bad (1-2★) and neutral (3★)."""
    totals = Review.objects.filter(
        shop_days_filter(shop_ids=shop_ids, first_day=first_day, days=days, field="created_at")
    ).aggregate(
        reviews=Count("id"),
        bad=Count("id", filter=Q(rating__lte=BAD_REVIEW_MAX_RATING)),
        neutral=Count("id", filter=Q(rating=NEUTRAL_REVIEW_RATING)),
    )
    return ReviewCounts(**totals)


def logistics_exception_counts(*, shop_ids: list[int] | None, first_day: date, days: int = 1) -> dict[str, int]:
    """Logistics events of an exceptional status (stalled, lost, wrong item, returned)
    during the shop-days, per status; every exceptional status is present, 0 if none."""
    rows = (
        LogisticsEvent.objects.filter(
            shop_days_filter(shop_ids=shop_ids, first_day=first_day, days=days, field="at"),
            status__in=LOGISTICS_EXCEPTIONS,
        )
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {status.value: 0 for status in LOGISTICS_EXCEPTIONS}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def order_list_for_customer(*, customer, limit: int = 10):
    """A customer's latest orders."""
    return Order.objects.filter(customer=customer).order_by("-created_at", "-id")[:limit]
