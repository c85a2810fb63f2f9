"""Report periods: a day, a Monday-Sunday week or a calendar month, as ``[start, end)`` dates.

Dates are shop-local days; the metric engine cuts them in each shop's timezone."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

PERIODS = ("daily", "weekly", "monthly")
PERIOD_LABELS = {"daily": _("Daily"), "weekly": _("Weekly"), "monthly": _("Monthly")}
REPORT_TITLES = {"daily": _("Daily service report"), "weekly": _("Weekly service report"),
                 "monthly": _("Monthly service report")}


@dataclass(frozen=True)
class Period:
    kind: str  # "daily" | "weekly" | "monthly"
    start: date
    end: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]

    @property
    def label(self) -> str:
        """``2026-11-11``, ``2026-11-09 – 2026-11-15`` or ``2026-11``."""
        if self.kind == "daily":
            return self.start.isoformat()
        if self.kind == "monthly":
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()} – {self.last_day.isoformat()}"

    def previous(self) -> "Period":
        return period_containing(self.kind, self.start - timedelta(days=1))


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def period_containing(kind: str, day: date) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind == "daily":
        return Period(kind, day, day + timedelta(days=1))
    if kind == "weekly":
        monday = day - timedelta(days=day.weekday())
        return Period(kind, monday, monday + timedelta(days=7))
    if kind == "monthly":
        first = month_start(day)
        return Period(kind, first, next_month(first))
    raise ValueError(f"unknown period {kind!r}; choose one of {', '.join(PERIODS)}")


def period_last_complete(kind: str, today: date) -> Period:
    """The latest period of ``kind`` that ended before ``today`` (yesterday, last week,
    last month): what a scheduled report sent on ``today`` covers."""
    return period_containing(kind, period_containing(kind, today).start - timedelta(days=1))
