"""How a report shows a figure and its change: percent, seconds, yuan, hours or a number.

Values are shown as everywhere else in Kefu (``kefu.metrics.format.metric_display``);
this module adds the kind of a figure (for Excel number formats and units) and the
change against the previous period. Ratios are percentages except the two that are not
shares of a whole (答问比, 时均接待量), which are plain numbers."""

from django.utils.translation import gettext as _

from kefu.metrics.definitions import Metric, Unit
from kefu.metrics.format import NULL as NONE
from kefu.metrics.format import metric_display

# Ratios that are not shares: shown as a plain number with two decimals (as metric_display does).
PLAIN_RATIOS = {"answer_question_ratio", "conversations_per_online_hour"}


def display_kind(metric: Metric) -> str:
    """``percent`` | ``seconds`` | ``yuan`` | ``hours`` | ``count`` | ``number``."""
    if metric.unit == Unit.RATIO:
        return "number" if metric.key in PLAIN_RATIOS else "percent"
    return {Unit.SECONDS: "seconds", Unit.YUAN: "yuan", Unit.HOURS: "hours", Unit.COUNT: "count"}[metric.unit]


def unit_suffix(metric: Metric) -> str:
    """The unit a column header names (Excel and CSV cells hold plain numbers)."""
    kind = display_kind(metric)
    return {"percent": "%", "seconds": _("seconds"), "yuan": _("yuan"), "hours": _("hours")}.get(kind, "")


def metric_value_format(metric: Metric, value) -> str:
    """The figure as every page shows it (``kefu.metrics.format``): ``96.3%``, ``42.5s``,
    ``¥1,234.00``; ``—`` for null."""
    return metric_display(metric, value)


def change_value(metric: Metric, current, previous) -> float | None:
    """The change between two values in the unit people read: percentage points for a
    percent, otherwise the relative change in percent. None when it cannot be said."""
    if current is None or previous is None:
        return None
    if display_kind(metric) == "percent":
        return (float(current) - float(previous)) * 100
    if float(previous) == 0:
        return None
    return (float(current) - float(previous)) / abs(float(previous)) * 100


def change_format(metric: Metric, current, previous) -> str:
    """``+2.3 pp``, ``−12.0%``, or ``—``."""
    change = change_value(metric, current, previous)
    if change is None:
        if previous is not None and current is not None and float(previous) == 0 and float(current) != 0:
            return _("new")
        return NONE
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    if display_kind(metric) == "percent":
        return _("%(sign)s%(points)s pp") % {"sign": sign, "points": f"{abs(change):.1f}"}
    return f"{sign}{abs(change):.1f}%"


def change_tone(metric: Metric, current, previous) -> str:
    """``good`` | ``bad`` | ``neutral``: whether the move is an improvement."""
    if current is None or previous is None or metric.higher_is_better is None:
        return "neutral"
    if float(current) == float(previous):
        return "neutral"
    up = float(current) > float(previous)
    return "good" if up == metric.higher_is_better else "bad"
