"""Tickets opened automatically from imported data, once each.

- a logistics record with status stalled, lost or wrong_item → a 物流异常 ticket for the
  logistics department (one per order and kind);
- an order shipped whose parcel has not moved for ``stall_hours`` (48 h) and is not
  delivered → a stalled 物流异常 ticket;
- a later ``delivered`` record closes the order's open logistics tickets;
- a review rated 1-2 (``bad_review_max_rating``) → a 差评挽回 ticket;
- an after-sale completed or rejected → a 回访 follow-up ticket (a shop can switch it off).

The scan reads records changed since its last run (``ScanMark``, with an overlap for
imports that were still running). What the data states — a lost, wrong-item or stalled
parcel, a bad review — opens its ticket whatever its age (``KEFU_TICKETS_AUTO_RECORD_MAX_AGE_DAYS``
sets a limit); what Kefu infers from the clock — a parcel silent for 48 h, an after-sale
closed and due a follow-up — only for recent records (``KEFU_TICKETS_AUTO_MAX_AGE_DAYS``,
14 days): importing a year of history does not call last year's customers back. Each ticket has a ``source``
key, unique per type, so a re-import or a second scan opens nothing new.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.commerce.models import AfterSale, AfterSaleStatus, LogisticsEvent, LogisticsStatus, Review
from kefu.core.errors import KefuError
from kefu.tickets.choices import DepartmentKey, Priority, TicketType
from kefu.tickets.models import ScanMark, ShopTicketSettings, Ticket

OVERLAP = timedelta(hours=2)  # an import started earlier may commit after the last scan
EXCEPTIONS = (LogisticsStatus.STALLED, LogisticsStatus.LOST, LogisticsStatus.WRONG_ITEM)
MOVING = (LogisticsStatus.SHIPPED, LogisticsStatus.IN_TRANSIT)
STALL_SCAN_EVERY = timedelta(minutes=10)


def max_age() -> timedelta:
    return timedelta(days=int(getattr(settings, "KEFU_TICKETS_AUTO_MAX_AGE_DAYS", 14)))


def _recorded_since(field: str, now) -> dict:
    """The age limit on stated exceptions (none by default), as a filter."""
    days = getattr(settings, "KEFU_TICKETS_AUTO_RECORD_MAX_AGE_DAYS", None)
    return {} if days is None else {f"{field}__gte": now - timedelta(days=int(days))}


class _Settings:
    def __init__(self):
        self._cache = {}

    def __call__(self, shop_id) -> ShopTicketSettings:
        if shop_id not in self._cache:
            self._cache[shop_id] = ShopTicketSettings.objects.filter(shop_id=shop_id).first() or ShopTicketSettings()
        return self._cache[shop_id]


def _since(key: str, now) -> tuple:
    """(changed since, the mark to store after a successful scan)."""
    mark = ScanMark.objects.filter(key=key).values_list("at", flat=True).first()
    wall = timezone.now()
    return (mark - OVERLAP if mark else wall - max_age() - OVERLAP), wall


def _mark(key: str, at) -> None:
    ScanMark.objects.update_or_create(key=key, defaults={"at": at})


def _logistics_department():
    from kefu.tickets.models import Department

    return Department.objects.filter(key=DepartmentKey.LOGISTICS).first()


def logistics_source(shop_id, order_ext, kind) -> str:
    return f"logistics:{shop_id}:{order_ext}:{kind}"[:64]


def _existing(type: str, sources) -> set:
    return set(Ticket.objects.filter(type=type, source__in=list(sources)).values_list("source", flat=True))


def _open_logistics(event, kind: str, *, now, department) -> Ticket:
    from kefu.tickets.services import ticket_create

    return ticket_create(
        shop=event.shop, type=TicketType.LOGISTICS,
        title=_("Logistics exception · order %(order)s · %(status)s")
        % {"order": event.order_ext, "status": LogisticsStatus(kind).label},
        description=event.detail if kind == event.status else "",
        priority=Priority.NORMAL if kind == LogisticsStatus.STALLED else Priority.HIGH,
        details={"kind": kind, "carrier": event.carrier[:64], "tracking_no": event.tracking_no[:64]},
        department=department, order=event.order, source=logistics_source(event.shop_id, event.order_ext, kind),
        now=now,
    )


def scan_logistics(*, now, shop_settings) -> int:
    since, mark = _since("logistics", now)
    events = list(
        LogisticsEvent.objects.filter(updated_at__gte=since, status__in=EXCEPTIONS, **_recorded_since("at", now))
        .select_related("shop", "order__customer").order_by("at", "id")
    )
    sources = {logistics_source(e.shop_id, e.order_ext, e.status): e for e in events}
    existing = _existing(TicketType.LOGISTICS, sources)
    department = _logistics_department()
    created = 0
    for source, event in sources.items():
        if source in existing or not shop_settings(event.shop_id).logistics_tickets:
            continue
        _open_logistics(event, event.status, now=now, department=department)
        created += 1
    close_delivered(since=since, now=now)
    _mark("logistics", mark)
    return created


def scan_stalled(*, now, shop_settings, force: bool = False) -> int:
    """Orders whose last logistics record (shipped / in transit) is older than the shop's
    stall hours, and that have no stalled ticket yet."""
    last_run = ScanMark.objects.filter(key="stall").values_list("at", flat=True).first()
    if not force and last_run and timezone.now() - last_run < STALL_SCAN_EVERY:
        return 0
    hours = min([48, *ShopTicketSettings.objects.values_list("stall_hours", flat=True)])
    candidates = (
        LogisticsEvent.objects.filter(at__gte=now - max_age())
        .values("shop_id", "order_ext").annotate(last=Max("at")).filter(last__lte=now - timedelta(hours=hours))
    )
    rows = {logistics_source(r["shop_id"], r["order_ext"], LogisticsStatus.STALLED): r for r in candidates}
    existing = _existing(TicketType.LOGISTICS, rows)
    department = _logistics_department()
    created = 0
    for source, row in rows.items():
        if source in existing:
            continue
        config = shop_settings(row["shop_id"])
        if not config.logistics_tickets or row["last"] > now - timedelta(hours=config.stall_hours):
            continue
        last = (
            LogisticsEvent.objects.filter(shop_id=row["shop_id"], order_ext=row["order_ext"])
            .select_related("shop", "order").order_by("-at", "-id").first()
        )
        if last is None or last.status not in MOVING:
            continue
        _open_logistics(last, LogisticsStatus.STALLED, now=now, department=department)
        created += 1
    _mark("stall", timezone.now())
    return created


def close_delivered(*, since, now) -> int:
    """Close the open logistics tickets of orders whose latest record is ``delivered``."""
    from kefu.tickets.services import ticket_transition
    from kefu.tickets.workflows import workflow_for

    closed = 0
    delivered = LogisticsEvent.objects.filter(updated_at__gte=since, status=LogisticsStatus.DELIVERED).values_list(
        "shop_id", "order_ext", "at"
    )
    for shop_id, order_ext, at in delivered:
        later = LogisticsEvent.objects.filter(shop_id=shop_id, order_ext=order_ext, at__gt=at).exists()
        if later:
            continue
        tickets = Ticket.objects.filter(
            type=TicketType.LOGISTICS, shop_id=shop_id, closed_at__isnull=True,
            source__startswith=f"logistics:{shop_id}:{order_ext}:",
        )
        for ticket in tickets:
            workflow = workflow_for(shop_id=shop_id, type=ticket.type)
            targets = [s for s in workflow.transitions[ticket.status] if s in workflow.closed] or [
                s for s in workflow.transitions[ticket.status] if s in workflow.resolved
            ]
            if not targets:
                continue
            try:
                ticket_transition(ticket=ticket, to_status=targets[0], actor=None, now=now,
                                  note=_("Delivered: closed automatically."))
                closed += 1
            except KefuError:
                continue
    return closed


def scan_reviews(*, now, shop_settings) -> int:
    from kefu.tickets.services import ticket_create

    since, mark = _since("reviews", now)
    reviews = list(
        Review.objects.filter(updated_at__gte=since, rating__lte=2, **_recorded_since("created_at", now))
        .select_related("shop", "order", "customer").order_by("created_at", "id")
    )
    existing = _existing(TicketType.REVIEW_RECOVERY, (f"review:{r.pk}" for r in reviews))
    created = 0
    for review in reviews:
        config = shop_settings(review.shop_id)
        if f"review:{review.pk}" in existing or not config.review_recovery_tickets:
            continue
        if review.rating > config.bad_review_max_rating:
            continue
        ticket_create(
            shop=review.shop, type=TicketType.REVIEW_RECOVERY,
            title=_("Bad-review recovery · %(rating)s stars · order %(order)s")
            % {"rating": review.rating, "order": review.order_ext},
            description=review.text, priority=Priority.HIGH if review.rating == 1 else Priority.NORMAL,
            review=review, order=review.order, customer=review.customer, source=f"review:{review.pk}", now=now,
        )
        created += 1
    _mark("reviews", mark)
    return created


def scan_aftersales(*, now, shop_settings) -> int:
    from kefu.tickets.services import ticket_create

    since, mark = _since("aftersales", now)
    closed = list(
        AfterSale.objects.filter(updated_at__gte=since, status__in=[AfterSaleStatus.COMPLETED, AfterSaleStatus.REJECTED],
                                 closed_at__gte=now - max_age())
        .select_related("shop", "order__customer").order_by("closed_at", "id")
    )
    existing = _existing(TicketType.FOLLOW_UP, (f"aftersale:{a.pk}" for a in closed))
    created = 0
    for aftersale in closed:
        if f"aftersale:{aftersale.pk}" in existing or not shop_settings(aftersale.shop_id).follow_up_after_aftersale:
            continue
        ticket_create(
            shop=aftersale.shop, type=TicketType.FOLLOW_UP,
            title=_("Follow-up after after-sale · order %(order)s") % {"order": aftersale.order_ext},
            details={"reason": "aftersale", "due_date": (aftersale.closed_at + timedelta(days=3)).date().isoformat()},
            aftersale=aftersale, order=aftersale.order, source=f"aftersale:{aftersale.pk}", now=now,
        )
        created += 1
    _mark("aftersales", mark)
    return created


def tickets_auto_create(*, now=None) -> int:
    """One scan of every kind; returns how many tickets it opened."""
    now = now or timezone.now()
    shop_settings = _Settings()
    return (
        scan_logistics(now=now, shop_settings=shop_settings)
        + scan_stalled(now=now, shop_settings=shop_settings)
        + scan_reviews(now=now, shop_settings=shop_settings)
        + scan_aftersales(now=now, shop_settings=shop_settings)
    )
