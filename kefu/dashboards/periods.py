"""The periods the metric pages offer: presets (today, this week, last month ...) and
custom ranges, as ``[start, end)`` spans the engine takes.

A span of dates means shop-local days (the engine cuts each shop in its own timezone);
a span of aware datetimes is an exact window ("today so far", an hour of a curve).
Spans travel in URLs as ISO strings (``start=2026-11-09&end=2026-11-16``)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

PRESETS = {
    "today": _("Today"),
    "yesterday": _("Yesterday"),
    "this_week": _("This week"),
    "last_week": _("Last week"),
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "last_7": _("Last 7 days"),
    "last_30": _("Last 30 days"),
    "custom": _("Custom range"),
}
GRAINS = {"day": _("By day"), "week": _("By week"), "month": _("By month")}


@dataclass(frozen=True)
class Span:
    start: date | datetime
    end: date | datetime  # exclusive

    @property
    def is_days(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def days(self) -> int:
        return (_as_date(self.end) - _as_date(self.start)).days

    @property
    def last_day(self) -> date:
        """The last day the span covers (a day span's end is exclusive)."""
        if self.is_days:
            return self.end - timedelta(days=1)
        return (self.end - timedelta(microseconds=1)).date()

    @property
    def label(self) -> str:
        """``2026-11-11``, ``2026-11-09 – 2026-11-15`` or ``2026-11-11 00:00 – 14:30``."""
        if not self.is_days:
            start, end = self.start, self.end.astimezone(self.start.tzinfo)
            if start.date() == end.date():
                return f"{start:%Y-%m-%d %H:%M} – {end:%H:%M}"
            return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"
        if self.days == 1:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.last_day.isoformat()}"

    def query(self) -> dict[str, str]:
        """The span as URL parameters."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    def shifted(self, days: int) -> "Span":
        return Span(self.start + timedelta(days=days), self.end + timedelta(days=days))

    def previous(self) -> "Span":
        """The span of the same length just before this one."""
        length = self.end - self.start
        return Span(self.start - length, self.start)


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_next(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def span_preset(name: str, today: date) -> Span:
    """The span of a preset, ``today`` being the shop-local date (whole days: "this week"
    runs from Monday to the end of today)."""
    tomorrow = today + timedelta(days=1)
    if name == "today":
        return Span(today, tomorrow)
    if name == "yesterday":
        return Span(today - timedelta(days=1), today)
    if name == "this_week":
        return Span(week_start(today), tomorrow)
    if name == "last_week":
        monday = week_start(today) - timedelta(days=7)
        return Span(monday, monday + timedelta(days=7))
    if name == "this_month":
        return Span(month_start(today), tomorrow)
    if name == "last_month":
        first = month_start(month_start(today) - timedelta(days=1))
        return Span(first, month_start(today))
    if name == "last_7":
        return Span(today - timedelta(days=6), tomorrow)
    if name == "last_30":
        return Span(today - timedelta(days=29), tomorrow)
    raise ValueError(f"unknown period {name!r}")


def span_parse(start: str, end: str) -> Span:
    """A span from URL parameters: two ISO dates, or two ISO datetimes with an offset.
    Raises ValueError for anything else (an empty or reversed span included)."""
    if "T" in start or "T" in end:
        first, last = datetime.fromisoformat(start), datetime.fromisoformat(end)
        if first.tzinfo is None or last.tzinfo is None:
            raise ValueError("times need a UTC offset")
    else:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    if not first < last:
        raise ValueError("the end must come after the start")
    return Span(first, last)


def grain_buckets(span: Span, grain: str) -> list[date]:
    """The first day of every day/week/month the span touches (what ``by=grain`` rows carry)."""
    last = span.last_day
    if grain == "day":
        first = _as_date(span.start)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if grain == "week":
        first = week_start(_as_date(span.start))
        return [first + timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]
    first, months = month_start(_as_date(span.start)), []
    while first <= last:
        months.append(first)
        first = month_next(first)
    return months
