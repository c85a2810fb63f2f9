"""Trends and comparisons: one metric over days, weeks or months; all figures of two
periods side by side with the difference."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from kefu.dashboards.periods import Span, grain_buckets, month_next, month_start, week_start
from kefu.dashboards.scope import MetricScope
from kefu.dashboards.selectors.common import Cell, Comparison, cell, compute, metrics_of
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.reports.formatting import display_kind

COMPARE_MODES = ("week", "month", "day", "promotion", "custom")


@dataclass(frozen=True)
class TrendPoint:
    label: str
    span: Span
    cell: Cell


@dataclass(frozen=True)
class Trend:
    metric: object
    grain: str
    points: list[TrendPoint]

    def chart(self) -> dict:
        return {
            "labels": [p.label for p in self.points],
            "series": [{
                "name": self.metric.name,
                "key": self.metric.key,
                "unit": display_kind(self.metric),
                "values": [None if p.cell.value is None else float(p.cell.value) for p in self.points],
            }],
        }


def _bucket_span(bucket: date, grain: str, span: Span) -> Span:
    """The part of a day/week/month inside the span (what the engine's row covers)."""
    if grain == "day":
        end = bucket + timedelta(days=1)
    elif grain == "week":
        end = bucket + timedelta(days=7)
    else:
        end = month_next(bucket)
    return Span(max(bucket, span.start), min(end, span.end))


def metric_trend(*, scope: MetricScope, span: Span, key: str, grain: str) -> Trend:
    """``key`` per day/week/month of a span of days, each point linking to its items."""
    rows = compute(scope, span, by=grain, keys=[key])
    points = []
    for bucket, row in zip(grain_buckets(span, grain), rows, strict=True):
        part = _bucket_span(bucket, grain, span)
        label = bucket.strftime("%Y-%m") if grain == "month" else bucket.isoformat()
        points.append(TrendPoint(label, part, cell(key, row.metrics[key], span=part, scope=scope)))
    return Trend(METRIC_BY_KEY[key], grain, points)


@dataclass(frozen=True)
class CompareLine:
    a: Cell
    b: Cell

    @property
    def metric(self):
        return self.a.metric

    @property
    def comparison(self) -> Comparison:
        return Comparison(self.metric, self.a.value, self.b.value)


@dataclass(frozen=True)
class PeriodComparison:
    a: Span
    b: Span
    a_label: str
    b_label: str
    lines: list[CompareLine]


def compare_spans(*, mode: str, today: date, promotion=None, a: Span | None = None, b: Span | None = None):
    """The two spans of a comparison mode, with their names. ``a`` is the one looked at,
    ``b`` the reference. Returns ``(a, b, a_label, b_label)``."""
    if mode == "week":  # this week so far against the same days of last week
        a = Span(week_start(today), today + timedelta(days=1))
        return a, a.shifted(-7), _("This week"), _("Last week, same days")
    if mode == "month":  # this month so far against the same days of last month
        first = month_start(today)
        previous = month_start(first - timedelta(days=1))
        days = (today - first).days + 1
        b_end = min(previous + timedelta(days=days), first)
        return Span(first, today + timedelta(days=1)), Span(previous, b_end), _("This month"), _("Last month, same days")
    if mode == "day":  # yesterday against the same weekday a week before
        yesterday = today - timedelta(days=1)
        a = Span(yesterday, today)
        return a, a.shifted(-7), _("Yesterday"), _("Same weekday last week")
    if mode == "promotion":  # the main phase against as many normal days just before the promotion
        main = Span(promotion.main_start, promotion.main_end + timedelta(days=1))
        first = promotion.presale_start or promotion.main_start
        normal = Span(first - timedelta(days=main.days), first)
        return main, normal, promotion.name, _("Normal days before it")
    if a is None or b is None:
        raise ValueError("a custom comparison needs both periods")
    return a, b, _("Period A"), _("Period B")


def period_comparison(*, scope: MetricScope, a: Span, b: Span, a_label: str, b_label: str, keys) -> PeriodComparison:
    keys = list(keys)
    values_a = compute(scope, a, keys=keys)[0].metrics
    values_b = compute(scope, b, keys=keys)[0].metrics
    lines = [
        CompareLine(cell(m.key, values_a[m.key], span=a, scope=scope), cell(m.key, values_b[m.key], span=b, scope=scope))
        for m in metrics_of(keys)
    ]
    return PeriodComparison(a, b, a_label, b_label, lines)
