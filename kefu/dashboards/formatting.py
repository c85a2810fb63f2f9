"""How the metric pages show a figure: ``kefu.metrics.format.metric_display`` (the one
formatter of pages, reports and exports), with durations and hours in the reader's
language ("1分05秒", "7.5小时"; "1 min 05 s", "7.5 h" in English)."""


from kefu.metrics.definitions import Metric
from kefu.metrics.format import duration_display, metric_display


def duration_text(seconds: float) -> str:
    return duration_display(seconds)


def figure_text(metric: Metric, value) -> str:
    """A figure as the metric pages show it; "—" for null."""
    return metric_display(metric, value)
