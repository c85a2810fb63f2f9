"""Shop time: days cut in each shop's timezone."""

from datetime import UTC, date, datetime

import pytest

from kefu.commerce.models import Order
from kefu.core.periods import day_window, shop_days_filter
from kefu.core.testing.factories import OrderFactory, ShopFactory

pytestmark = pytest.mark.django_db


def test_day_window_is_the_local_day_in_utc():
    start, end = day_window(date(2026, 11, 11), "Asia/Shanghai")
    assert start == datetime(2026, 11, 10, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 11, 16, 0, tzinfo=UTC)


def test_each_shop_is_cut_in_its_own_timezone():
    shanghai = ShopFactory(timezone="Asia/Shanghai")
    london = ShopFactory(timezone="Europe/London")
    moment = datetime(2026, 11, 11, 17, 0, tzinfo=UTC)  # 12th 01:00 in Shanghai, 11th 17:00 in London
    in_shanghai = OrderFactory(shop=shanghai, created_at=moment)
    in_london = OrderFactory(shop=london, created_at=moment)
    day11 = Order.objects.filter(shop_days_filter(shop_ids=None, first_day=date(2026, 11, 11), field="created_at"))
    day12 = Order.objects.filter(shop_days_filter(shop_ids=None, first_day=date(2026, 11, 12), field="created_at"))
    assert list(day11) == [in_london]
    assert list(day12) == [in_shanghai]


def test_no_shop_matches_nothing():
    OrderFactory()
    assert not Order.objects.filter(shop_days_filter(shop_ids=[], first_day=date.today(), field="created_at")).exists()


def test_several_days():
    shop = ShopFactory()
    OrderFactory(shop=shop, created_at=datetime(2026, 11, 9, 16, 0, tzinfo=UTC))  # 10th 00:00 local
    OrderFactory(shop=shop, created_at=datetime(2026, 11, 11, 15, 59, tzinfo=UTC))  # 11th 23:59 local
    OrderFactory(shop=shop, created_at=datetime(2026, 11, 11, 16, 0, tzinfo=UTC))  # 12th
    window = shop_days_filter(shop_ids=[shop.id], first_day=date(2026, 11, 10), days=2, field="created_at")
    assert Order.objects.filter(window).count() == 2
