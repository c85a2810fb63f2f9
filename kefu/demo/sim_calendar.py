"""Time for the demo-shop simulator: the clock, the day's and the week's rhythm, the promotion.

The simulator counts time in whole seconds since local midnight of the period's first
day (negative before it), because integer arithmetic and a lookup table format a
million timestamps far faster than ``datetime`` does. Every demo shop runs on China
time, which has no daylight saving, so one fixed offset is exact.
"""

import math
import random
from datetime import date, datetime, timedelta, timezone

DAY = 86_400
HOUR = 3_600
MINUTE = 60
TZ_NAME = "Asia/Shanghai"
TZ = timezone(timedelta(hours=8))
OFFSET = "+08:00"

# "HH:MM:SS" for every second of a day: formatting is then a lookup and two concatenations.
_HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]

# Share of a normal day's conversations per hour: quiet 02:00-07:00, a lunch bump,
# the evening peak 20:00-23:00 when people shop from the sofa.
HOUR_WEIGHTS = (
    2.6, 1.5, 0.8, 0.45, 0.3, 0.3, 0.55, 1.2, 2.4, 4.0, 4.8, 4.7,
    5.4, 5.1, 4.7, 4.6, 4.5, 4.2, 4.3, 5.2, 6.8, 7.6, 7.3, 5.1,
)
# On the promotion day the final payments open at midnight, so 00:00-01:00 is the
# day's busiest hour; a second wave comes in the last evening hours.
PROMO_HOUR_WEIGHTS = (
    30.0, 11.0, 4.0, 1.2, 0.6, 0.5, 0.8, 1.6, 3.0, 4.6, 5.4, 5.2,
    5.6, 5.3, 5.0, 4.9, 4.8, 4.6, 4.8, 5.8, 7.4, 8.4, 8.8, 7.6,
)
WEEKDAY_FACTOR = (1.0, 0.97, 0.98, 1.0, 1.06, 1.2, 1.16)  # Monday first; weekends shop more

PRESALE_DAYS = 4  # deposit (定金) period before the promotion day
# Volume of presale conversations relative to a normal day, by day kind.
KIND_FACTOR = {"normal": 1.0, "presale": 2.0, "promo": 10.0, "after": 1.3}


class Clock:
    """Converts simulator seconds to ISO 8601 strings and dates of the period."""

    def __init__(self, first_day: date) -> None:
        self.first_day = first_day
        self._dates: dict[int, str] = {}

    def day_date(self, day: int) -> date:
        return self.first_day + timedelta(days=day)

    def iso(self, t: int) -> str:
        day, second = divmod(t, DAY)
        text = self._dates.get(day)
        if text is None:
            text = self._dates[day] = self.day_date(day).isoformat() + "T"
        return text + _HMS[second] + OFFSET

    def seconds(self, moment: datetime) -> int:
        """Simulator seconds of an aware datetime (floored to the second)."""
        start = datetime.combine(self.first_day, datetime.min.time(), TZ)
        return math.floor((moment - start).total_seconds())


def promo_day_default(first: date, last: date) -> date:
    """The 11th of a month inside the period (the latest one), else 3 days before the end."""
    day = last
    while day >= first:
        if day.day == 11:
            return day
        day -= timedelta(days=1)
    return max(first, last - timedelta(days=3))


def day_kind(day: date, promo: date) -> str:
    offset = (day - promo).days
    if offset == 0:
        return "promo"
    if -PRESALE_DAYS <= offset < 0:
        return "presale"
    if 0 < offset <= 2:
        return "after"
    return "normal"


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw; the normal approximation above 30 keeps it O(1)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


_HUMAN_CUM = [sum(HOUR_WEIGHTS[: h + 1]) for h in range(24)]


def human_second(rng: random.Random) -> int:
    """A second of the day at which a person does something (follows the daily rhythm)."""
    hour = rng.choices(range(24), cum_weights=_HUMAN_CUM)[0]
    return hour * HOUR + rng.randrange(HOUR)


def parse_hours(text: str) -> tuple[int, int]:
    """'09:00-24:00' -> (32400, 86400) seconds of the day."""
    start, end = text.split("-")
    return _hm(start), _hm(end)


def _hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * HOUR + int(minutes) * MINUTE
