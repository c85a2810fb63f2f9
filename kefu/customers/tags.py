"""Automatic customer tags: each one a documented rule on the shop's data.

The figures behind the rules are computed as correlated aggregate subqueries
(``stat_expressions``) for one page of customers at a time, so a page of 50 costs one
query however many orders, messages and reviews they have. The same rules as search
filters (``auto_tag_condition``) are grouped passes (``pk IN (… GROUP BY customer HAVING
…)``): one scan of each table instead of a correlated count for each of 100k customers. ``auto_tags_for`` turns one annotated
customer into its tags, each with the rule and the evidence the page shows ("why").

Lifetime figures count paid orders only (an order with ``paid_at``): an order never paid
is not a purchase. Amounts are exact decimals (yuan).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, DateTimeField, DecimalField, F, Func, Sum, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu.commerce.models import AfterSale, AfterSaleKind, AfterSaleStatus, Order, Review
from kefu.commerce.selectors import BAD_REVIEW_MAX_RATING
from kefu.conversations.models import Message, Sender
from kefu.tickets.choices import TicketType
from kefu.tickets.models import Ticket

# VIP: a VIP level from the platform, or paid orders worth at least this much in all.
VIP_LIFETIME_VALUE = Decimal("5000.00")
# Frequent returner: refunds/returns (not cancelled) opened in the window, either at least
# RETURNER_MIN_RETURNS, or at least RETURNER_RATE_MIN_RETURNS making up RETURNER_MIN_RATE
# of the window's paid orders (a single return of a single order is not a habit).
RETURNS_WINDOW_DAYS = 180
RETURNER_MIN_RETURNS = 3
RETURNER_RATE_MIN_RETURNS = 2
RETURNER_MIN_RATE = (3, 10)  # 30 %, kept as a fraction so the database compares integers
RETURN_KINDS = (AfterSaleKind.REFUND, AfterSaleKind.RETURN)
# Bargainer: the customer's own chat messages in the window holding a bargaining word.
BARGAIN_WINDOW_DAYS = 365
BARGAIN_MIN_MESSAGES = 3
BARGAIN_WORDS = (
    "便宜", "优惠", "降价", "包邮", "少点", "少一点", "打折", "折扣", "砍价", "抹零",
    "最低价", "再少", "减点", "送点", "送个", "赠品", "返现", "能不能少", "贵了", "太贵",
)
# Bad-review risk: a 1-2★ review in the window, an open complaint ticket, or a recent
# negative after-sale (rejected, the platform stepped in, or judged against the seller).
BAD_REVIEW_WINDOW_DAYS = 365
NEGATIVE_AFTERSALE_WINDOW_DAYS = 30

VIP, RETURNER, BARGAINER, BAD_REVIEW_RISK = "vip", "frequent_returner", "bargainer", "bad_review_risk"
AUTO_TAGS = {
    VIP: _("VIP"),
    RETURNER: _("Frequent returner"),
    BARGAINER: _("Bargainer"),
    BAD_REVIEW_RISK: _("Bad-review risk"),
}


@dataclass(frozen=True)
class AutoTag:
    key: str
    label: str
    rule: str
    evidence: list[str]


def _count(queryset) -> Coalesce:
    # COUNT as a plain function: no GROUP BY, one row per outer customer.
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _aggregate(queryset, field: str, function: str, output_field):
    return Subquery(
        queryset.order_by().annotate(v=Func(F(field), function=function, output_field=output_field)).values("v"),
        output_field=output_field,
    )


def _paid_orders():
    return Order.objects.filter(customer=OuterRef("pk"), paid_at__isnull=False)


def _bargain_condition() -> Q:
    condition = Q()
    for word in BARGAIN_WORDS:
        condition |= Q(text__contains=word)
    return condition


def bargain_messages(*, customer, now: datetime):
    """The customer's messages that count towards the bargainer tag."""
    return Message.objects.filter(
        _bargain_condition(),
        conversation__customer=customer,
        sender=Sender.CUSTOMER,
        sent_at__gte=now - timedelta(days=BARGAIN_WINDOW_DAYS),
    )


def stat_expressions(*, now: datetime) -> dict:
    """The annotations behind the lifetime figures and the automatic tags."""
    money = DecimalField(max_digits=16, decimal_places=2)
    returns_since = now - timedelta(days=RETURNS_WINDOW_DAYS)
    customer_reviews = Q(customer=OuterRef("pk")) | Q(customer__isnull=True, order__customer=OuterRef("pk"))
    return {
        "order_count": _count(_paid_orders()),
        "lifetime_value": Coalesce(_aggregate(_paid_orders(), "amount", "SUM", money), Value(Decimal("0.00")),
                                   output_field=money),
        "first_order_at": _aggregate(_paid_orders(), "created_at", "MIN", DateTimeField()),
        "last_order_at": _aggregate(_paid_orders(), "created_at", "MAX", DateTimeField()),
        "recent_orders": _count(_paid_orders().filter(created_at__gte=returns_since)),
        "recent_returns": _count(
            AfterSale.objects.filter(
                order__customer=OuterRef("pk"), kind__in=RETURN_KINDS, opened_at__gte=returns_since
            ).exclude(status=AfterSaleStatus.CANCELLED)
        ),
        "bargain_count": _count(
            Message.objects.filter(
                _bargain_condition(),
                conversation__customer=OuterRef("pk"),
                sender=Sender.CUSTOMER,
                sent_at__gte=now - timedelta(days=BARGAIN_WINDOW_DAYS),
            )
        ),
        "bad_reviews": _count(
            Review.objects.filter(
                customer_reviews,
                rating__lte=BAD_REVIEW_MAX_RATING,
                created_at__gte=now - timedelta(days=BAD_REVIEW_WINDOW_DAYS),
            )
        ),
        "open_complaints": _count(
            Ticket.objects.filter(customer=OuterRef("pk"), type=TicketType.COMPLAINT, resolved_at__isnull=True)
        ),
        "negative_aftersales": _count(
            AfterSale.objects.filter(
                Q(status=AfterSaleStatus.REJECTED) | Q(platform_intervened=True) | Q(judged_against_seller=True),
                order__customer=OuterRef("pk"),
                opened_at__gte=now - timedelta(days=NEGATIVE_AFTERSALE_WINDOW_DAYS),
            )
        ),
    }


# Which annotations each tag's condition reads (search aliases only those).
TAG_NEEDS = {
    VIP: (),
    RETURNER: ("recent_orders", "recent_returns"),
    BARGAINER: (),
    BAD_REVIEW_RISK: (),
}


def _customers_where(queryset, customer_field: str, *, at_least: int = 1) -> Q:
    """``pk IN`` the customers with at least ``at_least`` rows of ``queryset``: one grouped
    pass over the table instead of a correlated count for each of 100k customers."""
    grouped = (
        queryset.filter(**{f"{customer_field}__isnull": False})
        .order_by()
        .values(customer_field)
        .annotate(n=Count("pk"))
        .filter(n__gte=at_least)
        .values(customer_field)
    )
    return Q(pk__in=grouped)


def auto_tag_condition(key: str, *, now: datetime) -> Q:
    """The tag's rule as a filter on customers (RETURNER also reads the ``TAG_NEEDS`` annotations)."""
    if key == VIP:
        rich = (
            Order.objects.filter(paid_at__isnull=False, customer__isnull=False)
            .order_by()
            .values("customer")
            .annotate(value=Sum("amount"))
            .filter(value__gte=VIP_LIFETIME_VALUE)
            .values("customer")
        )
        return ~Q(vip_level="") | Q(pk__in=rich)
    if key == RETURNER:
        returns_since = now - timedelta(days=RETURNS_WINDOW_DAYS)
        recent = AfterSale.objects.filter(kind__in=RETURN_KINDS, opened_at__gte=returns_since).exclude(
            status=AfterSaleStatus.CANCELLED
        )
        candidates = _customers_where(recent, "order__customer", at_least=RETURNER_RATE_MIN_RETURNS)
        numerator, denominator = RETURNER_MIN_RATE
        rate_reached = GreaterThanOrEqual(F("recent_returns") * denominator, F("recent_orders") * numerator)
        by_rate = Q(recent_returns__gte=RETURNER_RATE_MIN_RETURNS) & Q(rate_reached)
        return candidates & (Q(recent_returns__gte=RETURNER_MIN_RETURNS) | by_rate)
    if key == BARGAINER:
        messages = Message.objects.filter(
            _bargain_condition(), sender=Sender.CUSTOMER, sent_at__gte=now - timedelta(days=BARGAIN_WINDOW_DAYS)
        )
        return _customers_where(messages, "conversation__customer", at_least=BARGAIN_MIN_MESSAGES)
    if key == BAD_REVIEW_RISK:
        bad = Review.objects.filter(
            rating__lte=BAD_REVIEW_MAX_RATING, created_at__gte=now - timedelta(days=BAD_REVIEW_WINDOW_DAYS)
        )
        complaints = Ticket.objects.filter(type=TicketType.COMPLAINT, resolved_at__isnull=True)
        negative = AfterSale.objects.filter(
            Q(status=AfterSaleStatus.REJECTED) | Q(platform_intervened=True) | Q(judged_against_seller=True),
            opened_at__gte=now - timedelta(days=NEGATIVE_AFTERSALE_WINDOW_DAYS),
        )
        return (
            _customers_where(bad, "customer")
            | _customers_where(bad.filter(customer__isnull=True), "order__customer")
            | _customers_where(complaints, "customer")
            | _customers_where(negative, "order__customer")
        )
    raise ValueError(f"unknown automatic tag {key!r}; known: {sorted(AUTO_TAGS)}")


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _vip_rule() -> str:
    return gettext("A VIP level from the platform, or paid orders worth at least %(threshold)s in all.") % {
        "threshold": _money(VIP_LIFETIME_VALUE)
    }


def _returner_rule() -> str:
    numerator, denominator = RETURNER_MIN_RATE
    return gettext(
        "At least %(count)d refunds or returns in %(days)d days, or at least %(min)d making up %(rate)d%% "
        "of the paid orders of those days."
    ) % {"count": RETURNER_MIN_RETURNS, "days": RETURNS_WINDOW_DAYS, "min": RETURNER_RATE_MIN_RETURNS,
         "rate": numerator * 100 // denominator}


def _bargainer_rule() -> str:
    return gettext("At least %(count)d chat messages in %(days)d days asking for a lower price (%(words)s).") % {
        "count": BARGAIN_MIN_MESSAGES, "days": BARGAIN_WINDOW_DAYS, "words": "、".join(BARGAIN_WORDS[:6]) + "…"}


def _bad_review_rule() -> str:
    return gettext(
        "A review of 1-2 stars in %(review_days)d days, an open complaint ticket, or an after-sale in the last "
        "%(days)d days that was rejected, taken to the platform or judged against the shop."
    ) % {"review_days": BAD_REVIEW_WINDOW_DAYS, "days": NEGATIVE_AFTERSALE_WINDOW_DAYS}


RULES = {VIP: _vip_rule, RETURNER: _returner_rule, BARGAINER: _bargainer_rule, BAD_REVIEW_RISK: _bad_review_rule}


def _vip(customer) -> AutoTag | None:
    evidence = []
    if customer.vip_level:
        evidence.append(gettext("VIP level %(level)s") % {"level": customer.vip_level})
    if customer.lifetime_value >= VIP_LIFETIME_VALUE:
        evidence.append(gettext("Lifetime value %(value)s") % {"value": _money(customer.lifetime_value)})
    return AutoTag(VIP, str(AUTO_TAGS[VIP]), _vip_rule(), evidence) if evidence else None


def _returner(customer) -> AutoTag | None:
    numerator, denominator = RETURNER_MIN_RATE
    returns, orders = customer.recent_returns, customer.recent_orders
    by_count = returns >= RETURNER_MIN_RETURNS
    by_rate = returns >= RETURNER_RATE_MIN_RETURNS and returns * denominator >= orders * numerator
    if not (by_count or by_rate):
        return None
    evidence = [gettext("%(returns)d refunds or returns and %(orders)d paid orders in the last %(days)d days") % {
        "returns": returns, "orders": orders, "days": RETURNS_WINDOW_DAYS}]
    return AutoTag(RETURNER, str(AUTO_TAGS[RETURNER]), _returner_rule(), evidence)


def _bargainer(customer) -> AutoTag | None:
    if customer.bargain_count < BARGAIN_MIN_MESSAGES:
        return None
    evidence = [gettext("%(count)d such messages") % {"count": customer.bargain_count}]
    example = getattr(customer, "bargain_example", None)
    if example:
        evidence.append(gettext("e.g. “%(text)s”") % {"text": example[:80]})
    return AutoTag(BARGAINER, str(AUTO_TAGS[BARGAINER]), _bargainer_rule(), evidence)


def _bad_review_risk(customer) -> AutoTag | None:
    evidence = []
    if customer.bad_reviews:
        evidence.append(gettext("%(count)d reviews of 1-2 stars in the last %(days)d days") % {
            "count": customer.bad_reviews, "days": BAD_REVIEW_WINDOW_DAYS})
    if customer.open_complaints:
        evidence.append(gettext("%(count)d open complaint tickets") % {"count": customer.open_complaints})
    if customer.negative_aftersales:
        evidence.append(gettext("%(count)d rejected or disputed after-sales in the last %(days)d days") % {
            "count": customer.negative_aftersales, "days": NEGATIVE_AFTERSALE_WINDOW_DAYS})
    if not evidence:
        return None
    return AutoTag(BAD_REVIEW_RISK, str(AUTO_TAGS[BAD_REVIEW_RISK]), _bad_review_rule(), evidence)


def auto_tags_for(customer) -> list[AutoTag]:
    """The automatic tags of a customer annotated by ``stat_expressions``, with evidence."""
    found = (_vip(customer), _returner(customer), _bargainer(customer), _bad_review_risk(customer))
    return [tag for tag in found if tag is not None]


def auto_tag_rules() -> list[tuple[str, str]]:
    """(label, rule) of every automatic tag, for the page that explains them."""
    return [(str(AUTO_TAGS[key]), rule()) for key, rule in RULES.items()]
