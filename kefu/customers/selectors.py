"""Reads of customers: what a page may show of a customer's personal data, the search,
the customer page's sections, and segments."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from kefu.accounts.permissions import customer_list_for_user, scope_to_shops
from kefu.commerce.models import AfterSale, Order, Review
from kefu.core.errors import NotFound
from kefu.customers import tags as auto
from kefu.customers.masking import mask_address, mask_phone
from kefu.customers.models import Customer, CustomerTag, Segment
from kefu.customers.phones import phone_lookup_hash
from kefu.tickets.choices import TicketType
from kefu.tickets.permissions import tickets_visible_to

PERSONAL_DATA_PERMISSION = "accounts.view_personal_data"
TAG_PERMISSION = "customers.tag_customer"
SEGMENT_MANAGE_PERMISSION = "customers.manage_segments"
SEGMENT_EXPORT_PERMISSION = "customers.export_segments"
SECTION_LIMIT = 20  # rows per section of the customer page


@dataclass(frozen=True)
class PersonalData:
    phone: str
    address: str
    masked: bool


def customer_masked_data(*, customer: Customer) -> PersonalData:
    return PersonalData(phone=mask_phone(customer.phone), address=mask_address(customer.address), masked=True)


def user_can_view_personal_data(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(PERSONAL_DATA_PERMISSION)


# ---- figures and automatic tags ---------------------------------------------------------


def customer_stats_annotate(queryset: QuerySet[Customer], *, now: datetime | None = None) -> QuerySet[Customer]:
    """Lifetime figures and the automatic tags' inputs, as annotations (see ``tags``)."""
    return queryset.annotate(**auto.stat_expressions(now=now or timezone.now()))


def customer_rows(customers: list[Customer], *, now: datetime | None = None) -> list[Customer]:
    """The customers of one page, annotated, with ``auto_tags`` and ``manual_tag_names``
    set: three queries whatever the page's length."""
    ids = [customer.pk for customer in customers]
    annotated = customer_stats_annotate(
        Customer.objects.filter(pk__in=ids).select_related("shop"), now=now
    ).in_bulk()
    manual: dict[int, list[str]] = {}
    for customer_id, name in CustomerTag.objects.filter(customer_id__in=ids).values_list("customer_id", "name"):
        manual.setdefault(customer_id, []).append(name)
    rows = []
    for pk in ids:
        customer = annotated[pk]
        customer.auto_tags = auto.auto_tags_for(customer)
        customer.manual_tag_names = manual.get(pk, [])
        rows.append(customer)
    return rows


# ---- search -----------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def customer_filter(customers: QuerySet[Customer], filters: dict, *, now: datetime | None = None) -> QuerySet[Customer]:
    """Apply the clean filters of ``CustomerFilterForm`` (or a segment's) to ``customers``."""
    now = now or timezone.now()
    if filters.get("shop"):
        customers = customers.filter(shop=filters["shop"])
    query = (filters.get("q") or "").strip()
    if query:
        customers = customers.filter(Q(nick__icontains=query) | Q(ext_id=query))
    if filters.get("phone"):
        customers = customers.filter(phone_hash=phone_lookup_hash(filters["phone"]))
    vip_level = filters.get("vip_level")
    if vip_level == "*":
        customers = customers.exclude(vip_level="")
    elif vip_level:
        customers = customers.filter(vip_level=vip_level)
    tag = filters.get("tag")
    if tag:
        customers = customers.filter(Q(manual_tags__name=tag) | _imported_tag_condition(tag)).distinct()
    consent = filters.get("consent")
    if consent in ("yes", "no"):
        customers = customers.filter(marketing_consent=consent == "yes")
    auto_tag = filters.get("auto_tag")
    if auto_tag:
        needed = auto.TAG_NEEDS[auto_tag]
        if needed:
            expressions = auto.stat_expressions(now=now)
            customers = customers.alias(**{name: expressions[name] for name in needed})
        customers = customers.filter(auto.auto_tag_condition(auto_tag, now=now))
    return _order_filters(customers, filters)


def _order_filters(customers: QuerySet[Customer], filters: dict) -> QuerySet[Customer]:
    # Last order and lifetime value as one grouped pass over the paid orders (``pk IN``),
    # not a correlated aggregate per customer: the search must stay fast at 100k customers.
    first, last = filters.get("last_order_from"), filters.get("last_order_to")
    low, high = filters.get("value_min"), filters.get("value_max")
    if not (first or last or low is not None or high is not None):
        return customers
    paid = Order.objects.filter(paid_at__isnull=False, customer__isnull=False).order_by().values("customer")
    grouped = paid.annotate(last_order_at=Max("created_at"), lifetime_value=Sum("amount"))
    if first:
        grouped = grouped.filter(last_order_at__gte=_day_start(first))
    if last:
        grouped = grouped.filter(last_order_at__lt=_day_start(last + timedelta(days=1)))
    if low is not None:
        grouped = grouped.filter(lifetime_value__gte=low)
    if high is not None:
        grouped = grouped.filter(lifetime_value__lte=high)
    condition = Q(pk__in=grouped.values("customer"))
    if not (first or last) and (low is None or low <= 0):
        condition |= ~Q(pk__in=paid)  # no paid order: a lifetime value of 0.00
    return customers.filter(condition)


def _imported_tag_condition(tag: str) -> Q:
    # The imported tags are a JSON list. PostgreSQL tests membership; SQLite (no JSON
    # containment) matches the quoted string inside the stored JSON text, which Django
    # writes with ASCII escapes.
    from django.db import connection

    if connection.vendor == "postgresql":
        return Q(tags__contains=[tag])
    import json

    return Q(tags__icontains=json.dumps(tag))


def customer_search(*, user, filters: dict) -> QuerySet[Customer]:
    """The customers the user may see that match ``filters``, newest import first."""
    customers = customer_list_for_user(user)
    if filters.get("phone") and not user_can_view_personal_data(user):
        return customers.none()
    return customer_filter(customers, filters).order_by("-updated_at", "-id")


def vip_levels_for_user(user) -> list[str]:
    levels = customer_list_for_user(user).exclude(vip_level="").order_by("vip_level")
    return list(levels.values_list("vip_level", flat=True).distinct()[:50])


# ---- the customer page ------------------------------------------------------------------


@dataclass
class CustomerPage:
    customer: Customer
    auto_tags: list
    manual_tags: list[CustomerTag]
    orders: list[Order] | None
    aftersales: list[AfterSale] | None
    reviews: list[Review] | None
    tickets: list
    follow_ups: list

    @property
    def average_order_value(self) -> Decimal | None:
        if not self.customer.order_count:
            return None
        return (self.customer.lifetime_value / self.customer.order_count).quantize(Decimal("0.01"))


def customer_page(*, user, customer_id: int, now: datetime | None = None) -> CustomerPage:
    """Everything the customer page shows, each section limited to what the user may see."""
    now = now or timezone.now()
    customer = customer_stats_annotate(customer_list_for_user(user).select_related("shop"), now=now).filter(
        pk=customer_id
    ).first()
    if customer is None:
        raise NotFound()
    if customer.bargain_count >= auto.BARGAIN_MIN_MESSAGES:
        example = auto.bargain_messages(customer=customer, now=now).order_by("-sent_at").values_list("text", flat=True)
        customer.bargain_example = example.first()
    orders = aftersales = reviews = None
    if user.has_perm("commerce.view_order"):
        orders = list(Order.objects.filter(customer=customer).order_by("-created_at", "-id")[:SECTION_LIMIT])
    if user.has_perm("commerce.view_aftersale"):
        aftersales = list(
            AfterSale.objects.filter(order__customer=customer).select_related("order").order_by("-opened_at")[
                :SECTION_LIMIT
            ]
        )
    if user.has_perm("commerce.view_review"):
        reviews = list(
            Review.objects.filter(Q(customer=customer) | Q(customer__isnull=True, order__customer=customer))
            .order_by("-created_at", "-id")[:SECTION_LIMIT]
        )
    tickets = tickets_visible_to(user).filter(customer=customer).select_related("assignee").order_by("-created_at")
    return CustomerPage(
        customer=customer,
        auto_tags=auto.auto_tags_for(customer),
        manual_tags=list(customer.manual_tags.select_related("created_by")),
        orders=orders,
        aftersales=aftersales,
        reviews=reviews,
        tickets=list(tickets.exclude(type=TicketType.FOLLOW_UP)[:SECTION_LIMIT]),
        follow_ups=list(tickets.filter(type=TicketType.FOLLOW_UP)[:SECTION_LIMIT]),
    )


# ---- segments ---------------------------------------------------------------------------


def user_can_manage_segments(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(SEGMENT_MANAGE_PERMISSION)


def user_can_export_segments(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(SEGMENT_EXPORT_PERMISSION)


def segment_list_for_user(user) -> QuerySet[Segment]:
    """Segments of the user's shops (and those of no one shop), for those who manage or export them."""
    if not (user_can_manage_segments(user) or user_can_export_segments(user)):
        return Segment.objects.none()
    return scope_to_shops(Segment.objects.all(), user, shared_null=True).select_related("shop", "owner")


def segment_get_for_user(*, user, segment_id) -> Segment:
    segment = segment_list_for_user(user).filter(pk=segment_id).first()
    if segment is None:
        raise NotFound()
    return segment


def segment_customers(*, user, segment: Segment, now: datetime | None = None) -> QuerySet[Customer]:
    """The customers a segment's filters select among the user's shops (consenting or not)."""
    from kefu.customers.forms import segment_filters_load

    customers = scope_to_shops(Customer.objects.all(), user)
    if segment.shop_id:
        customers = customers.filter(shop_id=segment.shop_id)
    return customer_filter(customers, segment_filters_load(segment.filters), now=now).order_by("shop_id", "ext_id")


def segment_counts(*, user, segments: list[Segment]) -> dict[int, tuple[int, int]]:
    """(customers, of whom consenting) per segment."""
    counts = {}
    for segment in segments:
        customers = segment_customers(user=user, segment=segment)
        totals = customers.aggregate(total=Count("pk"), consenting=Count("pk", filter=Q(marketing_consent=True)))
        counts[segment.pk] = (totals["total"], totals["consenting"])
    return counts
