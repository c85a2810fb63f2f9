"""When a subscription's report goes out, in the site's timezone (Asia/Shanghai).

Pure functions of a subscription's schedule fields and a moment, so they are tested
with fixed times."""

import calendar
from datetime import date, datetime, timedelta

from django.utils import timezone

from kefu.reports.periods import Period, period_last_complete

# Far enough to find the next monthly occurrence (day 31 of a month that has one).
_HORIZON_DAYS = 62


def occurrence_on(subscription, day: date) -> datetime | None:
    """The moment the subscription sends on local ``day``, or None if it does not."""
    if subscription.period == "weekly" and day.weekday() != subscription.weekday:
        return None
    if subscription.period == "monthly":
        last = calendar.monthrange(day.year, day.month)[1]
        if day.day != min(subscription.month_day, last):
            return None
    return datetime.combine(day, subscription.send_time, tzinfo=timezone.get_default_timezone())


def subscription_last_run(subscription, now: datetime) -> datetime | None:
    """The latest scheduled moment at or before ``now``."""
    today = timezone.localdate(now)
    for back in range(_HORIZON_DAYS):
        moment = occurrence_on(subscription, today - timedelta(days=back))
        if moment is not None and moment <= now:
            return moment
    return None


def subscription_next_run(subscription, now: datetime) -> datetime | None:
    """The first scheduled moment after ``now``."""
    today = timezone.localdate(now)
    for ahead in range(_HORIZON_DAYS):
        moment = occurrence_on(subscription, today + timedelta(days=ahead))
        if moment is not None and moment > now:
            return moment
    return None


def delivery_period(subscription, scheduled_for: datetime) -> Period:
    """What a delivery at ``scheduled_for`` covers: yesterday, last week or last month."""
    return period_last_complete(subscription.period, timezone.localdate(scheduled_for))
