"""Showing a metric value to a person — the one formatter of pages, reports and exports:
by unit, in the reader's language ("1分05秒", "7.5小时"; "1 min 05 s", "7.5 h"), and "—"
for null (metrics.md)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from kefu.metrics.definitions import Metric, Unit

NULL = "—"
PLAIN_RATIOS = ("answer_question_ratio", "conversations_per_online_hour", "qa_findings_per_100")  # not shares: shown as numbers


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
    if unit == Unit.SCORE:
        return f"{value:.1f}"
    if unit == Unit.HOURS:
        return _("%(hours)s h") % {"hours": f"{float(value):,.1f}"}
    if metric.key in PLAIN_RATIOS:
        return f"{value:.2f}"
    return f"{value * 100:.1f}%"


def duration_display(seconds: float) -> str:
    seconds = float(seconds)
    if seconds < 60:
        return _("%(seconds)s s") % {"seconds": f"{seconds:.1f}".removesuffix(".0")}
    total = round(seconds)
    if total < 3600:
        return _("%(minutes)d min %(seconds)02d s") % {"minutes": total // 60, "seconds": total % 60}
    return _("%(hours)d h %(minutes)02d min") % {"hours": total // 3600, "minutes": total % 3600 // 60}
