"""Automatic tags: each rule with a customer who has the tag and one who just misses it,
and the same rule as a database filter (search) agreeing with the page. The evidence is
read as a Chinese team reads it (zh-hans is the default language)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.commerce.models import AfterSaleStatus
from kefu.conversations.models import Sender
from kefu.core.testing.factories import AfterSaleFactory, CustomerFactory, MessageFactory, ReviewFactory
from kefu.customers import tags
from kefu.customers.models import Customer
from kefu.customers.selectors import customer_filter, customer_rows
from kefu.customers.tests.helpers import paid_order, returns, says
from kefu.tickets.services import ticket_create, ticket_transition

pytestmark = pytest.mark.django_db


def tag_keys(customer) -> set[str]:
    return {tag.key for tag in customer_rows([customer])[0].auto_tags}


def tag_of(customer, key):
    return next(tag for tag in customer_rows([customer])[0].auto_tags if tag.key == key)


def matched(key) -> set[int]:
    return set(customer_filter(Customer.objects.all(), {"auto_tag": key}).values_list("pk", flat=True))


@pytest.fixture
def customer(shop):
    return CustomerFactory(shop=shop, vip_level="")


def test_no_data_no_tags(customer):
    assert tag_keys(customer) == set()
    for key in tags.AUTO_TAGS:
        assert customer.pk not in matched(key)


# ---- VIP ----

def test_vip_by_platform_level(customer):
    customer.vip_level = "V3"
    customer.save()
    assert "vip" in tag_keys(customer)
    assert tag_of(customer, "vip").evidence == ["会员等级 V3"]
    assert customer.pk in matched("vip")


def test_vip_by_lifetime_value_at_the_threshold(customer):
    paid_order(customer, amount="3000.00")
    paid_order(customer, amount="2000.00")
    assert "vip" in tag_keys(customer)
    assert "¥5,000.00" in tag_of(customer, "vip").evidence[0]
    assert customer.pk in matched("vip")


def test_not_vip_one_cent_below_or_with_unpaid_orders(customer):
    paid_order(customer, amount="4999.99")
    paid_order(customer, amount="9000.00", paid_at=None)  # never paid: not a purchase
    assert "vip" not in tag_keys(customer)
    assert customer.pk not in matched("vip")


# ---- frequent returner ----

def test_returner_by_count(customer):
    returns(customer, 3)
    for _ in range(10):
        paid_order(customer)  # a low rate does not matter once the count is reached
    assert "frequent_returner" in tag_keys(customer)
    assert customer.pk in matched("frequent_returner")
    assert "退款/退货 3 次，已付款订单 13 笔" in tag_of(customer, "frequent_returner").evidence[0]


def test_returner_by_rate(customer):
    returns(customer, 2)
    paid_order(customer)
    paid_order(customer)
    paid_order(customer)  # 2 returns over 5 paid orders: 40 %
    assert "frequent_returner" in tag_keys(customer)
    assert customer.pk in matched("frequent_returner")


def test_not_returner_low_rate_old_or_cancelled(customer):
    returns(customer, 2)
    for _ in range(6):
        paid_order(customer)  # 2 of 8: 25 %
    returns(customer, 3, days_ago=200)  # outside the window
    returns(customer, 2, status=AfterSaleStatus.CANCELLED)  # withdrawn
    returns(customer, 2, kind="exchange")  # an exchange is not a return
    assert "frequent_returner" not in tag_keys(customer)
    assert customer.pk not in matched("frequent_returner")


# ---- bargainer ----

def test_bargainer(customer):
    says(customer, "能便宜点吗", "包邮吗亲", "再少点呗", "这款有L码吗")
    assert "bargainer" in tag_keys(customer)
    assert customer.pk in matched("bargainer")
    assert tag_of(customer, "bargainer").evidence == ["共 3 条讲价消息"]


def test_not_bargainer_below_threshold_agent_words_or_old(customer):
    conversation = says(customer, "能便宜点吗", "包邮吗")
    MessageFactory(conversation=conversation, sender=Sender.AGENT, text="亲，现在有优惠券哦")
    says(customer, "太贵了，再少点", days_ago=400)
    assert "bargainer" not in tag_keys(customer)
    assert customer.pk not in matched("bargainer")


# ---- bad-review risk ----

def test_bad_review_risk_by_review(customer):
    ReviewFactory(shop=customer.shop, order=paid_order(customer), customer=customer, rating=2, text="质量太差")
    assert "bad_review_risk" in tag_keys(customer)
    assert customer.pk in matched("bad_review_risk")
    assert "有 1 条 1-2 星评价" in tag_of(customer, "bad_review_risk").evidence[0]


def test_bad_review_risk_by_review_linked_through_the_order_only(customer):
    ReviewFactory(shop=customer.shop, order=paid_order(customer), customer=None, rating=1)
    assert "bad_review_risk" in tag_keys(customer)


def test_bad_review_risk_by_open_complaint_until_resolved(customer, supervisor):
    ticket = ticket_create(shop=customer.shop, type="complaint", title="态度差", actor=supervisor, customer=customer)
    assert "bad_review_risk" in tag_keys(customer)
    assert customer.pk in matched("bad_review_risk")
    ticket = ticket_transition(ticket=ticket, to_status="in_progress", actor=supervisor)
    assert "bad_review_risk" in tag_keys(customer)
    ticket_transition(ticket=ticket, to_status="resolved", actor=supervisor)
    assert "bad_review_risk" not in tag_keys(customer)


def test_bad_review_risk_by_recent_negative_aftersale(customer):
    AfterSaleFactory(shop=customer.shop, order=paid_order(customer), status=AfterSaleStatus.REJECTED,
                     opened_at=timezone.now() - timedelta(days=5))
    assert "bad_review_risk" in tag_keys(customer)
    assert customer.pk in matched("bad_review_risk")


def test_no_bad_review_risk_from_good_reviews_old_ones_or_ordinary_aftersales(customer):
    ReviewFactory(shop=customer.shop, order=paid_order(customer), customer=customer, rating=3)
    ReviewFactory(shop=customer.shop, order=paid_order(customer), customer=customer, rating=1,
                  created_at=timezone.now() - timedelta(days=400))
    AfterSaleFactory(shop=customer.shop, order=paid_order(customer), status=AfterSaleStatus.COMPLETED)
    AfterSaleFactory(shop=customer.shop, order=paid_order(customer), status=AfterSaleStatus.REJECTED,
                     opened_at=timezone.now() - timedelta(days=40))
    assert "bad_review_risk" not in tag_keys(customer)
    assert customer.pk not in matched("bad_review_risk")


def test_lifetime_figures_are_exact_decimals(customer):
    for amount in ("0.10", "0.20", "99.99"):
        paid_order(customer, amount=amount)
    row = customer_rows([customer])[0]
    assert (row.order_count, row.lifetime_value) == (3, Decimal("100.29"))
    assert row.first_order_at < row.last_order_at


def test_every_rule_is_explained():
    labels = [label for label, _rule in tags.auto_tag_rules()]
    assert labels == [str(label) for label in tags.AUTO_TAGS.values()]
