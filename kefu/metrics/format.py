"""Showing a metric value to a person: by unit, "—" for null (metrics.md)."""

from decimal import Decimal

from kefu.metrics.definitions import Metric, Unit

NULL = "—"


def metric_display(metric: Metric, value) -> str:
    if value is None:
        return NULL
    unit = metric.unit
    if unit == Unit.COUNT:
        return f"{value:,}"
    if unit == Unit.YUAN:
        return f"¥{Decimal(value):,.2f}"
    if unit == Unit.SECONDS:
        return duration_display(value)
    if unit == Unit.HOURS:
        return f"{value:,.1f} h"
    if metric.key in ("answer_question_ratio", "conversations_per_online_hour"):
        return f"{value:.2f}"
    return f"{value * 100:.1f}%"


def duration_display(seconds: float) -> str:
    seconds = float(seconds)
    if seconds < 60:
        return f"{seconds:.1f}s" if seconds != int(seconds) else f"{int(seconds)}s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
