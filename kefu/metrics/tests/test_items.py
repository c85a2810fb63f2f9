"""Drill-down: the items behind a figure are exactly the ones it counts."""

from datetime import date

import pytest

from kefu.demo.simulator import simulate
from kefu.intake.services import events_import
from kefu.metrics.definitions import METRICS
from kefu.metrics.engine import metric_items, metrics_compute
from kefu.metrics.rollups import rollups_refresh

pytestmark = pytest.mark.django_db
# Counts whose items are of another kind than what they count: customer-days and bursts
# drill down to the conversations behind them.
NOT_ONE_TO_ONE = {"consult_customers", "served_customers", "offhours_bursts", "inquiries", "ordered_inquiries",
                  "paid_inquiries"}


@pytest.fixture
def week():
    events_import(records=enumerate(list(simulate(shops=1, agents=4, days=3, seed=9, end=date(2026, 11, 11))), 1))
    rollups_refresh()
    return date(2026, 11, 9), date(2026, 11, 12)


@pytest.mark.parametrize("by", ["none", "agent", "team", "day", "shop"])
def test_every_count_lists_exactly_its_items(week, by):
    start, end = week
    rows = metrics_compute(start=start, end=end, by=by)
    assert rows
    for row in rows[:3]:
        for metric in METRICS:
            value = row.metrics[metric.key]
            if not metric.is_count or value is None:
                continue
            items = metric_items(metric.key, start=start, end=end, group=row.group)
            if metric.key in NOT_ONE_TO_ONE:
                assert (items.queryset.count() > 0) == (value > 0), (row.group, metric.key)
            else:
                assert items.queryset.count() == value, (row.group, metric.key)


def test_ratios_drill_into_their_population(week):
    start, end = week
    items = metric_items("reply_rate", start=start, end=end)
    assert items.kind == "conversation" and items.queryset.exists()
    assert metric_items("agent_sales", start=start, end=end).kind == "order"
    assert metric_items("bad_review_rate", start=start, end=end).kind == "review"
    assert metric_items("aftersale_duration_avg", start=start, end=end).kind == "aftersale"
    assert metric_items("online_hours", start=start, end=end).kind == "agent_status"


def test_hourly_volumes_equal_the_engine_hour_by_hour(week):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from kefu.metrics.engine import volume_by_hour

    start = datetime(2026, 11, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    curve = volume_by_hour(start=start, end=start + timedelta(days=1), keys=("conversations", "inquiries",
                                                                            "unanswered_conversations"))
    assert len(curve) == 24 and sum(point["conversations"] for _hour, point in curve) > 0
    for hour, point in curve[8:14]:
        figures = metrics_compute(start=hour, end=hour + timedelta(hours=1),
                                  keys=["conversations", "inquiries", "unanswered_conversations"])[0].metrics
        assert point == figures


def test_an_agent_is_told_apart_from_a_namesake_in_another_shop(week):
    from kefu.accounts.models import Agent

    start, end = week
    row = metrics_compute(start=start, end=end, by="agent")[0]
    by_source_id = metric_items("conversations", start=start, end=end, group=row.group).queryset
    by_agent = metric_items("conversations", start=start, end=end, group={"agent": row.agent}).queryset
    assert set(by_agent) == set(by_source_id) and by_agent.count() == row.metrics["conversations"]
    other = Agent.objects.create(ext_id=row.agent.ext_id, name="同名", shop=None, src_hash="x",
                                 imported_at=row.agent.imported_at, updated_at=row.agent.updated_at)
    assert not metric_items("conversations", start=start, end=end, group={"agent": other.pk}).queryset.exists()
