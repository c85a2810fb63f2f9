"""Each metric of spec/metrics.md on hand-built cases from its definition's edge cases.

Times are Shanghai time on 2026-11-11 (a Wednesday) unless written otherwise."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kefu.intake.services import events_import
from kefu.metrics.definitions import METRIC_KEYS, METRICS
from kefu.metrics.engine import metrics_compute
from kefu.metrics.rollups import rollups_refresh

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
D = date(2026, 11, 11)
NEXT = D + timedelta(days=1)


def t(clock: str, day: int = 11) -> str:
    return f"2026-11-{day:02d}T{clock}+08:00"


def base(service_hours: str = "00:00-24:00", **shop) -> list[dict]:
    return [
        {"type": "shop", "id": "s1", "name": "旗舰店", "platform": "tmall", "service_hours": service_hours, **shop},
        {"type": "agent", "id": "a1", "name": "小美", "shop_id": "s1", "team": "售前一组"},
        {"type": "agent", "id": "a2", "name": "小丽", "shop_id": "s1", "team": "售前一组"},
        {"type": "agent", "id": "a3", "name": "小王", "shop_id": "s1", "team": "售后组"},
        {"type": "customer", "id": "c1", "shop_id": "s1"},
        {"type": "customer", "id": "c2", "shop_id": "s1"},
    ]


def conv(cid: str, *, customer="c1", at=t("10:00:00"), **extra) -> dict:
    return {"type": "conversation", "id": cid, "shop_id": "s1", "customer_id": customer, "started_at": at, **extra}


_seq = iter(range(1, 10**6))


def msg(cid: str, at: str, sender: str = "customer", agent: str | None = None, **extra) -> dict:
    record = {"type": "message", "id": f"m{next(_seq):05d}", "conversation_id": cid, "sent_at": at, "sender": sender}
    if agent:
        record["agent_id"] = agent
    record.update(extra)
    return record


def load(records: list[dict]) -> None:
    _run, summary = events_import(records=enumerate(records, 1))
    assert not summary.rejected, summary.rejected
    rollups_refresh()


def figures(start=D, end=NEXT, by="none", **kwargs) -> dict | list:
    rows = metrics_compute(start=start, end=end, by=by, **kwargs)
    if by == "none":
        return rows[0].metrics
    return {tuple(row.group.values())[0]: row.metrics for row in rows}


def test_an_empty_period_has_zero_counts_and_null_ratios():
    load(base())
    m = figures()
    assert set(m) == set(METRIC_KEYS)
    for metric in METRICS:
        if metric.is_count:
            assert m[metric.key] == 0, metric.key
        elif metric.key in ("agent_sales",):
            assert m[metric.key] == Decimal("0.00")
        elif metric.key == "online_hours":
            assert m[metric.key] == 0
        else:
            assert m[metric.key] is None, metric.key


def test_auto_replies_inside_a_burst_neither_answer_nor_split_it():
    load(base() + [
        conv("v1"),
        msg("v1", t("10:00:00")),
        msg("v1", t("10:00:01"), "agent", "a1", is_auto=True),
        msg("v1", t("10:00:30")),
        msg("v1", t("10:00:40"), "bot"),
        msg("v1", t("10:01:00"), "agent", "a1"),
        msg("v1", t("10:05:00")),
        msg("v1", t("10:09:00"), "agent", "a1"),
    ])
    m = figures()
    assert m["reply_rate"] == 1.0
    assert m["response_time_avg"] == pytest.approx((60 + 240) / 2)  # bursts start at 10:00:00 and 10:05:00
    assert m["response_within_rate"] == pytest.approx(0.5)  # 240 s is over 180 s
    assert m["first_response_time_avg"] == 60
    assert m["answer_question_ratio"] == pytest.approx(2 / 3)
    assert m["conversation_duration_avg"] == 540
    assert m["unanswered_conversations"] == 0


def test_bot_and_system_messages_leave_a_conversation_unanswered():
    load(base() + [
        conv("v1", assigned_agent_id="a2"),
        msg("v1", t("10:00:00")),
        msg("v1", t("10:00:05"), "bot"),
        msg("v1", t("10:00:06"), "system"),
        msg("v1", t("10:00:07"), "agent", "a1", is_auto=True),
    ])
    m = figures()
    assert (m["conversations"], m["unanswered_conversations"], m["served_customers"]) == (1, 1, 0)
    assert m["reply_rate"] == 0.0 and m["response_within_rate"] == 0.0
    assert m["service_level"] == 0.0 and m["first_response_time_avg"] is None
    by_agent = figures(by="agent")
    # The unanswered conversation and its burst belong to the assigned agent, not to a1's auto reply.
    assert set(by_agent) == {"a2"}
    assert by_agent["a2"]["unanswered_conversations"] == 1 and by_agent["a2"]["reply_rate"] == 0.0
    assert by_agent["a2"]["service_level"] == 0.0


def test_off_hours_bursts_are_counted_apart_and_left_out_of_response_figures():
    load(base("09:00-23:00") + [
        conv("v1", at=t("23:30:00")),
        msg("v1", t("23:30:00")),
        msg("v1", t("09:10:00", 12), "agent", "a1"),
        msg("v1", t("09:11:00", 12)),
        msg("v1", t("09:12:00", 12), "agent", "a1"),
    ])
    today = figures()
    assert today["offhours_bursts"] == 1
    assert today["reply_rate"] is None and today["response_time_avg"] is None
    assert today["first_response_time_avg"] is None and today["service_level"] is None
    # The second burst starts the next day, in hours: it belongs to that day.
    both = figures(end=D + timedelta(days=2))
    assert both["offhours_bursts"] == 1 and both["reply_rate"] == 1.0 and both["response_time_avg"] == 60


def test_service_hours_wrap_past_midnight():
    load(base("20:00-02:00") + [
        conv("v1", at=t("01:30:00")), msg("v1", t("01:30:00")), msg("v1", t("01:30:10"), "agent", "a1"),
        conv("v2", at=t("02:00:00")), msg("v2", t("02:00:00")), msg("v2", t("02:00:10"), "agent", "a1"),
    ])
    m = figures()
    assert m["offhours_bursts"] == 1 and m["reply_rate"] == 1.0


def test_a_transfer_is_received_by_both_agents_and_counted_once_for_their_team():
    load(base() + [
        conv("v1", assigned_agent_id="a2"),
        msg("v1", t("10:00:00")),
        msg("v1", t("10:00:20"), "agent", "a1"),
        msg("v1", t("10:01:00")),
        msg("v1", t("10:03:00"), "agent", "a2"),
    ])
    by_agent = figures(by="agent")
    assert by_agent["a1"]["conversations"] == by_agent["a2"]["conversations"] == 1
    assert by_agent["a1"]["first_response_time_avg"] == 20 and by_agent["a2"]["first_response_time_avg"] is None
    assert by_agent["a1"]["response_time_avg"] == 20 and by_agent["a2"]["response_time_avg"] == 120
    assert by_agent["a2"]["response_within_rate"] == 1.0
    assert by_agent["a1"]["answer_question_ratio"] == 1.0
    by_team = figures(by="team")
    assert by_team["售前一组"]["conversations"] == 1
    assert by_team["售前一组"]["reply_rate"] == 1.0 and by_team["售前一组"]["answer_question_ratio"] == 1.0
    assert figures()["conversations"] == 1


def test_an_unanswered_burst_goes_to_the_assigned_agent_else_the_last_replier():
    load(base() + [
        conv("v1"),  # not assigned: the last agent who replied before the burst
        msg("v1", t("10:00:00")), msg("v1", t("10:00:10"), "agent", "a1"), msg("v1", t("10:05:00")),
        conv("v2", customer="c2", assigned_agent_id="a3"),
        msg("v2", t("11:00:00")), msg("v2", t("11:00:10"), "agent", "a1"), msg("v2", t("11:05:00")),
    ])
    by_agent = figures(by="agent")
    assert by_agent["a1"]["reply_rate"] == pytest.approx(2 / 3)  # v1's two bursts and v2's first
    assert by_agent["a3"]["reply_rate"] == 0.0
    assert by_agent["a3"]["unanswered_conversations"] == 0  # v2 has a human reply
    assert by_agent["a3"]["conversations"] == 0


def test_service_level_and_response_thresholds_are_inclusive_and_settable(shop_settings_change):
    load(base() + [
        conv("v1"), msg("v1", t("10:00:00")), msg("v1", t("10:00:30"), "agent", "a1"),
        conv("v2", customer="c2"), msg("v2", t("11:00:00")), msg("v2", t("11:00:31"), "agent", "a1"),
        msg("v2", t("11:01:00")), msg("v2", t("11:04:00"), "agent", "a1"),
    ])
    m = figures()
    assert m["service_level"] == 0.5
    assert m["response_within_rate"] == 1.0  # 30, 31 and 180 seconds
    shop_settings_change(service_level_seconds=31, response_within_seconds=179)
    m = figures()
    assert m["service_level"] == 1.0 and m["response_within_rate"] == pytest.approx(2 / 3)


@pytest.fixture
def shop_settings_change():
    from kefu.metrics.shop_settings import metric_settings_update
    from kefu.shops.models import Shop

    def change(**settings):
        metric_settings_update(Shop.objects.get(ext_id="s1"), **settings)
        rollups_refresh()

    return change


def test_first_contact_resolution_looks_48_hours_past_the_last_message():
    load(base() + [
        conv("v1"), msg("v1", t("10:00:00")), msg("v1", t("10:10:00"), "agent", "a1"),
        # c1 comes back 47 h 59 m after v1's last message: v1 was not resolved.
        conv("v2", at=t("10:09:00", 13)), msg("v2", t("10:09:00", 13)), msg("v2", t("10:09:30", 13), "agent", "a1"),
        conv("v3", customer="c2"), msg("v3", t("10:00:00")), msg("v3", t("10:10:00"), "agent", "a1"),
        # c2 comes back 48 h 0 m 1 s after: v3 was resolved.
        conv("v4", customer="c2", at=t("10:10:01", 13)), msg("v4", t("10:10:01", 13)),
    ])
    assert figures()["first_contact_resolution"] == 0.5
    later = figures(start=date(2026, 11, 13), end=date(2026, 11, 14))
    assert later["first_contact_resolution"] == 1.0  # v2 replied; v4 has no human reply


def test_an_order_in_the_attribution_windows_last_second_is_credited_the_next_is_silent(shop_settings_change):
    load(base() + [
        conv("v1"), msg("v1", t("10:00:00")), msg("v1", t("10:01:00"), "agent", "a1"),
        {"type": "order", "id": "o1", "shop_id": "s1", "customer_id": "c1", "created_at": t("23:59:59", 12),
         "paid_at": t("23:59:59", 12), "amount": "199.00"},
        conv("v2", customer="c2"), msg("v2", t("10:00:00")), msg("v2", t("10:01:00"), "agent", "a2"),
        {"type": "order", "id": "o2", "shop_id": "s1", "customer_id": "c2", "created_at": t("00:00:00", 13),
         "paid_at": t("00:01:00", 13), "amount": "99.00"},
    ])
    m = figures()
    assert (m["inquiries"], m["ordered_inquiries"], m["paid_inquiries"]) == (2, 1, 1)
    assert m["inquiry_conversion_rate"] == 0.5
    three_days = figures(end=date(2026, 11, 14))
    assert three_days["agent_sales"] == Decimal("199.00") and three_days["silent_orders"] == 1
    by_agent = figures(end=date(2026, 11, 14), by="agent")
    assert by_agent["a1"]["agent_sales"] == Decimal("199.00") and by_agent["a1"]["silent_orders"] is None
    assert by_agent["a2"]["agent_sales"] == Decimal("0.00") and by_agent["a2"]["ordered_inquiries"] == 0
    shop_settings_change(attribution_extra_days=2)
    assert figures()["ordered_inquiries"] == 2


def test_orders_follow_the_latest_reply_before_them_and_unpaid_orders_convert_without_paying():
    load(base() + [
        conv("v1"), msg("v1", t("10:00:00")), msg("v1", t("10:01:00"), "agent", "a1"),
        conv("v2", at=t("12:00:00")), msg("v2", t("12:00:00")), msg("v2", t("12:02:00"), "agent", "a2"),
        # a1 replies in v1 after the order: the order still follows a2, whose reply came last before it.
        {"type": "order", "id": "o1", "shop_id": "s1", "customer_id": "c1", "created_at": t("12:30:00"),
         "amount": "50.00"},
        msg("v1", t("13:00:00"), "agent", "a1"),
    ])
    m = figures()
    assert (m["inquiries"], m["ordered_inquiries"], m["paid_inquiries"]) == (1, 1, 0)
    assert m["final_payment_rate"] == 0.0 and m["payment_conversion_rate"] == 0.0
    assert m["agent_sales"] == Decimal("0.00") and m["avg_order_value"] is None
    by_agent = figures(by="agent")
    # The inquiry itself is credited to the last reply of the day (a1 at 13:00) ...
    assert by_agent["a1"]["inquiries"] == 1 and by_agent["a1"]["ordered_inquiries"] == 1
    assert by_agent["a2"]["inquiries"] == 0


def test_sales_and_average_order_value_per_paying_customer():
    load(base() + [
        conv("v1"), msg("v1", t("10:00:00")), msg("v1", t("10:01:00"), "agent", "a1"),
        {"type": "order", "id": "o1", "shop_id": "s1", "customer_id": "c1", "created_at": t("10:30:00"),
         "paid_at": t("10:31:00"), "amount": "100.00"},
        {"type": "order", "id": "o2", "shop_id": "s1", "customer_id": "c1", "created_at": t("10:40:00"),
         "paid_at": t("10:41:00"), "amount": "0.01"},
        conv("v2", customer="c2"), msg("v2", t("10:00:00")), msg("v2", t("10:01:00"), "agent", "a1"),
        {"type": "order", "id": "o3", "shop_id": "s1", "customer_id": "c2", "created_at": t("10:30:00"),
         "paid_at": t("10:31:00"), "amount": "100.00"},
    ])
    m = figures()
    assert m["agent_sales"] == Decimal("200.01")
    assert m["avg_order_value"] == Decimal("100.01")  # 100.005 rounds half up
    assert m["paid_inquiries"] == 2 and m["silent_orders"] == 0


def test_after_sales_completion_excludes_cancelled_and_waits_for_the_due_time():
    def aftersale(aid, opened, status="open", closed=None, kind="refund", **extra):
        record = {"type": "aftersale", "id": aid, "shop_id": "s1", "order_id": "o1", "kind": kind,
                  "opened_at": opened, "status": status, **extra}
        if closed:
            record["closed_at"] = closed
        return record

    load(base() + [
        {"type": "order", "id": "o1", "shop_id": "s1", "customer_id": "c1", "created_at": t("09:00:00", 10),
         "paid_at": t("09:00:00", 10), "amount": "10.00"},
        aftersale("r1", t("10:00:00"), "completed", t("09:00:00", 13)),  # on time (47 h)
        aftersale("r2", t("10:00:00"), "rejected", t("10:00:01", 13)),  # one second late
        aftersale("r3", t("10:00:00"), "cancelled", t("11:00:00")),  # never counts
        aftersale("r4", t("10:00:00")),  # open, past due by the as-of moment below
        aftersale("r5", t("20:00:00")),  # open, not yet due
        aftersale("r6", t("11:00:00"), "completed", t("12:00:00"), kind="exchange",
                  platform_intervened=True, judged_against_seller=True),
    ])
    as_of = datetime(2026, 11, 13, 12, 0, tzinfo=SH)
    m = figures(as_of=as_of)
    assert m["aftersale_completion_rate"] == pytest.approx(2 / 4)  # r1, r6 on time; r2 late; r4 past due
    earlier = figures(as_of=datetime(2026, 11, 12, 12, 0, tzinfo=SH))
    assert earlier["aftersale_completion_rate"] == 1.0  # only r6 closed, nothing past due yet
    assert m["aftersale_duration_avg"] == 3600  # closed on the 11th: r6 (r3 is cancelled)
    week = figures(start=date(2026, 11, 9), end=date(2026, 11, 16), as_of=as_of)
    assert week["refund_rate"] == 1.0  # r1 completed refund / o1 paid on the 10th
    assert week["dispute_rate"] == 1.0  # r6


def test_reviews_bad_and_neutral():
    load(base() + [
        {"type": "order", "id": f"o{i}", "shop_id": "s1", "customer_id": "c1", "created_at": t("09:00:00"),
         "amount": "1.00"} for i in range(1, 4)
    ] + [
        {"type": "review", "id": f"r{i}", "shop_id": "s1", "order_id": f"o{i % 3 + 1}", "rating": rating,
         "created_at": t("12:00:00")}
        for i, rating in enumerate([1, 2, 3, 4, 5])
    ])
    m = figures()
    assert m["bad_review_rate"] == pytest.approx(2 / 5) and m["neutral_bad_review_rate"] == pytest.approx(3 / 5)


def test_satisfaction_follows_the_last_replier():
    load(base() + [
        conv("v1", rating=5), msg("v1", t("10:00:00")), msg("v1", t("10:00:10"), "agent", "a1"),
        msg("v1", t("10:00:20"), "agent", "a2"),
        conv("v2", customer="c2", rating=2), msg("v2", t("10:00:00")), msg("v2", t("10:00:10"), "agent", "a2"),
        conv("v3", customer="c2", rating=1, at=t("11:00:00")), msg("v3", t("11:00:00")),  # rated, unanswered
    ])
    m = figures()
    assert m["csat"] == pytest.approx(1 / 3) and m["rating_rate"] == pytest.approx(3 / 2)
    by_agent = figures(by="agent")
    assert by_agent["a2"]["csat"] == 0.5 and by_agent["a2"]["rating_rate"] == 1.0
    assert by_agent["a1"]["csat"] is None and by_agent["a1"]["rating_rate"] is None


def test_online_hours_with_an_open_ended_last_status():
    def status(sid, agent, at, value):
        return {"type": "agent_status", "id": sid, "agent_id": agent, "at": at, "status": value}

    load(base() + [
        status("st1", "a1", t("22:00:00", 10), "online"),  # since yesterday evening
        status("st2", "a1", t("08:00:00"), "away"),
        status("st3", "a1", t("09:00:00"), "busy"),
        status("st4", "a1", t("12:00:00"), "offline"),
        status("st5", "a1", t("20:00:00"), "online"),  # open-ended
        conv("v1"), msg("v1", t("10:00:00")), msg("v1", t("10:00:10"), "agent", "a1"),
    ])
    m = figures(as_of=datetime(2026, 11, 11, 22, 0, tzinfo=SH))
    assert m["online_hours"] == pytest.approx(8 + 3 + 2)
    assert m["conversations_per_online_hour"] == pytest.approx(1 / 13)
    m = figures(as_of=datetime(2026, 11, 20, tzinfo=SH))  # the open status lasts to the period's end
    assert m["online_hours"] == pytest.approx(8 + 3 + 4)
    by_day = figures(start=date(2026, 11, 10), end=NEXT, by="day", as_of=datetime(2026, 11, 20, tzinfo=SH))
    assert by_day["2026-11-10"]["online_hours"] == pytest.approx(2)


def test_time_periods_and_days_agree_and_days_cut_in_the_shops_timezone():
    load(base(timezone="Asia/Tokyo") + [
        # 23:30 in Shanghai is 00:30 the next day in Tokyo.
        conv("v1", at=t("23:30:00")), msg("v1", t("23:30:00")), msg("v1", t("23:30:05"), "agent", "a1"),
    ])
    assert figures()["conversations"] == 0
    assert figures(start=NEXT, end=NEXT + timedelta(days=1))["conversations"] == 1
    tokyo = ZoneInfo("Asia/Tokyo")
    window = figures(start=datetime(2026, 11, 12, tzinfo=tokyo), end=datetime(2026, 11, 13, tzinfo=tokyo))
    assert window["conversations"] == 1


def test_counts_summed_over_days_equal_the_period():
    from kefu.demo.simulator import simulate

    records = simulate(shops=1, agents=4, days=4, seed=7, end=date(2026, 11, 12))
    load(records)
    start, end = date(2026, 11, 9), date(2026, 11, 13)
    whole = figures(start=start, end=end)
    days = figures(start=start, end=end, by="day")
    assert len(days) == 4
    assert whole["conversations"] > 100
    for metric in METRICS:
        if metric.is_count:
            assert sum(day[metric.key] for day in days.values()) == whole[metric.key], metric.key
