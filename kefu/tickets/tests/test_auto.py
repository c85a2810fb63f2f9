"""Tickets opened from imported data, once: logistics exceptions, parcels that stopped
moving, bad reviews, closed after-sales; closed again when the parcel is delivered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.intake.services import events_import
from kefu.tickets.auto import scan_stalled, _Settings
from kefu.tickets.configuration import shop_ticket_settings_set
from kefu.tickets.models import ScanMark, Ticket
from kefu.tickets.sla import tickets_tick

pytestmark = pytest.mark.django_db


def iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def base_records(now):
    return [
        {"type": "shop", "id": "s1", "name": "旗舰店", "platform": "tmall"},
        {"type": "customer", "id": "c1", "shop_id": "s1", "nick": "tb_8812"},
        {"type": "order", "id": "o1", "shop_id": "s1", "customer_id": "c1", "created_at": iso(now - timedelta(days=4)),
         "amount": "199.00"},
        {"type": "order", "id": "o2", "shop_id": "s1", "customer_id": "c1", "created_at": iso(now - timedelta(days=4)),
         "amount": "99.00"},
    ]


def run_import(records):
    run, summary = events_import(records=list(enumerate(records, 1)))
    assert not summary.rejected, summary.rejected
    return run


def test_a_lost_parcel_opens_one_logistics_ticket_for_the_logistics_department():
    now = timezone.now()
    records = base_records(now) + [
        {"type": "logistics", "id": "l1", "shop_id": "s1", "order_id": "o1", "at": iso(now - timedelta(days=2)),
         "status": "shipped", "carrier": "顺丰", "tracking_no": "SF1"},
        {"type": "logistics", "id": "l2", "shop_id": "s1", "order_id": "o1", "at": iso(now - timedelta(hours=3)),
         "status": "lost", "carrier": "顺丰", "tracking_no": "SF1", "detail": "包裹丢失"},
    ]
    run_import(records)
    assert tickets_tick(now=now)["created"] == 1
    run_import(records)  # the same file again
    tickets_tick(now=now)
    ticket = Ticket.objects.get()
    assert (ticket.type, ticket.department.key, ticket.details["kind"], ticket.order.ext_id) == (
        "logistics", "logistics", "lost", "o1"
    )
    assert ticket.priority == "high" and ticket.customer.ext_id == "c1"


def test_no_movement_for_48_hours_opens_a_stalled_ticket_and_delivery_closes_it():
    now = timezone.now()
    shipped = [{"type": "logistics", "id": "l1", "shop_id": "s1", "order_id": "o1",
                "at": iso(now - timedelta(hours=50)), "status": "shipped"},
               {"type": "logistics", "id": "l2", "shop_id": "s1", "order_id": "o2",
                "at": iso(now - timedelta(hours=20)), "status": "in_transit"}]
    run_import(base_records(now) + shipped)
    tickets_tick(now=now)
    tickets_tick(now=now)
    assert scan_stalled(now=now, shop_settings=_Settings(), force=True) == 0  # once
    ticket = Ticket.objects.get()
    assert ticket.details["kind"] == "stalled" and ticket.order.ext_id == "o1" and ticket.closed_at is None
    run_import([{"type": "logistics", "id": "l3", "shop_id": "s1", "order_id": "o1",
                 "at": iso(now - timedelta(minutes=5)), "status": "delivered"}])
    tickets_tick(now=now)
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.closed_at is not None
    assert ticket.events.last().note  # closed automatically, and says why


def test_each_bad_review_opens_one_recovery_ticket():
    now = timezone.now()
    records = base_records(now) + [
        {"type": "review", "id": "r1", "shop_id": "s1", "order_id": "o1", "customer_id": "c1", "rating": 1,
         "created_at": iso(now - timedelta(hours=1)), "text": "质量太差"},
        {"type": "review", "id": "r2", "shop_id": "s1", "order_id": "o2", "rating": 2,
         "created_at": iso(now - timedelta(hours=1))},
        {"type": "review", "id": "r3", "shop_id": "s1", "order_id": "o2", "rating": 3,
         "created_at": iso(now - timedelta(hours=1))},
    ]
    run_import(records)
    tickets_tick(now=now)
    run_import(records)
    tickets_tick(now=now)
    tickets = Ticket.objects.filter(type="review_recovery").order_by("review__ext_id")
    assert [t.review.ext_id for t in tickets] == ["r1", "r2"]
    assert tickets[0].priority == "high" and tickets[0].description == "质量太差"


def test_an_old_bad_review_opens_its_ticket_unless_the_shop_limits_the_age(settings):
    """What the data states opens a ticket whatever its age (imported history included);
    an age limit is a setting."""
    now = timezone.now()
    run_import(base_records(now) + [
        {"type": "review", "id": "r1", "shop_id": "s1", "order_id": "o1", "rating": 1,
         "created_at": iso(now - timedelta(days=200))},
    ])
    settings.KEFU_TICKETS_AUTO_RECORD_MAX_AGE_DAYS = 30
    tickets_tick(now=now)
    assert not Ticket.objects.exists()
    settings.KEFU_TICKETS_AUTO_RECORD_MAX_AGE_DAYS = None
    ScanMark.objects.all().delete()  # scan the import again
    tickets_tick(now=now)
    assert Ticket.objects.get().type == "review_recovery"


def test_old_history_calls_nobody_back():
    """A parcel silent for months and an after-sale closed long ago open nothing."""
    now = timezone.now()
    old = now - timedelta(days=200)
    run_import(base_records(now) + [
        {"type": "logistics", "id": "l1", "shop_id": "s1", "order_id": "o1", "at": iso(old), "status": "shipped"},
        {"type": "aftersale", "id": "as1", "shop_id": "s1", "order_id": "o1", "kind": "refund",
         "status": "completed", "opened_at": iso(old), "closed_at": iso(old)},
    ])
    tickets_tick(now=now)
    assert not Ticket.objects.exists()


def test_a_closed_aftersale_opens_a_follow_up_unless_switched_off():
    now = timezone.now()
    records = base_records(now) + [
        {"type": "aftersale", "id": "as1", "shop_id": "s1", "order_id": "o1", "kind": "refund",
         "opened_at": iso(now - timedelta(days=2)), "status": "completed", "closed_at": iso(now - timedelta(hours=2))},
        {"type": "aftersale", "id": "as2", "shop_id": "s1", "order_id": "o2", "kind": "return",
         "opened_at": iso(now - timedelta(days=2)), "status": "open"},
    ]
    run_import(records)
    tickets_tick(now=now)
    run_import(records)
    tickets_tick(now=now)
    ticket = Ticket.objects.get(type="follow_up")
    assert ticket.aftersale.ext_id == "as1" and ticket.details["reason"] == "aftersale"
    assert ticket.details["due_date"]

    from kefu.shops.models import Shop

    shop_ticket_settings_set(actor=None, shop=Shop.objects.get(ext_id="s1"), follow_up_after_aftersale=False)
    run_import([{**records[-1], "status": "completed", "closed_at": iso(now - timedelta(hours=1))}])
    tickets_tick(now=now)
    assert Ticket.objects.filter(type="follow_up").count() == 1


@pytest.mark.django_db(transaction=True)  # the scan is enqueued when the import commits
def test_an_import_opens_its_tickets_without_waiting_for_the_tick():
    now = timezone.now()
    records = base_records(now) + [
        {"type": "logistics", "id": "l1", "shop_id": "s1", "order_id": "o1", "at": iso(now - timedelta(hours=5)),
         "status": "wrong_item"},
        {"type": "review", "id": "r1", "shop_id": "s1", "order_id": "o2", "rating": 2,
         "created_at": iso(now - timedelta(hours=2)), "text": "发错货了"},
    ]
    run_import(records)  # tasks run at once in tests (the immediate backend)
    assert sorted(Ticket.objects.values_list("type", flat=True)) == ["logistics", "review_recovery"]
    run_import(records)
    assert Ticket.objects.count() == 2
