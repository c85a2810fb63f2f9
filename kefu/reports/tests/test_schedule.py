"""Periods of a report and when a subscription sends, in Asia/Shanghai, with fixed times."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from kefu.reports.models import Subscription
from kefu.reports.periods import period_containing, period_last_complete
from kefu.reports.schedule import delivery_period, subscription_last_run, subscription_next_run

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def at(text: str, tz=SHANGHAI) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def sub(period="daily", send_time=time(9, 0), weekday=0, month_day=1) -> Subscription:
    return Subscription(period=period, send_time=send_time, weekday=weekday, month_day=month_day)


@pytest.mark.parametrize(("kind", "day", "start", "end"), [
    ("daily", date(2026, 11, 11), date(2026, 11, 11), date(2026, 11, 12)),
    ("weekly", date(2026, 11, 11), date(2026, 11, 9), date(2026, 11, 16)),
    ("weekly", date(2026, 11, 15), date(2026, 11, 9), date(2026, 11, 16)),  # Sunday ends the week
    ("monthly", date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),
    ("monthly", date(2028, 2, 29), date(2028, 2, 1), date(2028, 3, 1)),
])
def test_the_period_containing_a_day(kind, day, start, end):
    period = period_containing(kind, day)
    assert (period.start, period.end) == (start, end)


def test_the_previous_period_and_labels():
    week = period_containing("weekly", date(2026, 11, 11))
    assert week.label == "2026-11-09 – 2026-11-15"
    assert week.previous().label == "2026-11-02 – 2026-11-08"
    assert period_containing("monthly", date(2026, 1, 20)).previous().label == "2025-12"


def test_a_scheduled_report_covers_the_last_complete_period():
    assert period_last_complete("daily", date(2026, 11, 11)).start == date(2026, 11, 10)
    assert period_last_complete("weekly", date(2026, 11, 16)).label == "2026-11-09 – 2026-11-15"
    assert period_last_complete("weekly", date(2026, 11, 18)).label == "2026-11-09 – 2026-11-15"
    assert period_last_complete("monthly", date(2026, 12, 1)).label == "2026-11"


def test_daily_at_nine_runs_at_nine_china_time():
    s = sub()
    assert subscription_next_run(s, at("2026-11-11 08:59")) == at("2026-11-11 09:00")
    assert subscription_next_run(s, at("2026-11-11 09:00")) == at("2026-11-12 09:00")
    assert subscription_last_run(s, at("2026-11-11 09:00")) == at("2026-11-11 09:00")
    # 01:30 UTC is 09:30 in Shanghai: today's run has passed
    assert subscription_next_run(s, at("2026-11-11 01:30", UTC)) == at("2026-11-12 09:00")


def test_the_day_is_cut_in_shanghai_not_utc():
    s = sub(send_time=time(0, 15))
    now = at("2026-11-10 16:30", UTC)  # 00:30 on the 11th in Shanghai
    assert subscription_last_run(s, now) == at("2026-11-11 00:15")
    assert delivery_period(s, subscription_last_run(s, now)).start == date(2026, 11, 10)


def test_weekly_on_monday_runs_on_the_next_monday():
    s = sub("weekly", time(8, 30), weekday=0)
    assert subscription_next_run(s, at("2026-11-11 12:00")) == at("2026-11-16 08:30")
    assert subscription_last_run(s, at("2026-11-11 12:00")) == at("2026-11-09 08:30")
    assert delivery_period(s, at("2026-11-16 08:30")).label == "2026-11-09 – 2026-11-15"


def test_monthly_on_the_31st_runs_on_the_last_day_of_shorter_months():
    s = sub("monthly", time(10, 0), month_day=31)
    assert subscription_next_run(s, at("2026-11-15 00:00")) == at("2026-11-30 10:00")
    assert subscription_next_run(s, at("2026-11-30 10:00")) == at("2026-12-31 10:00")
    assert subscription_next_run(s, at("2027-02-01 00:00")) == at("2027-02-28 10:00")
    assert delivery_period(s, at("2026-11-30 10:00")).label == "2026-10"


def test_monthly_on_the_first_covers_last_month():
    s = sub("monthly", time(9, 0), month_day=1)
    assert subscription_next_run(s, at("2026-11-15 00:00")) == at("2026-12-01 09:00")
    assert delivery_period(s, at("2026-12-01 09:00")).label == "2026-11"
