"""Template helpers of the report pages: a figure cell, a value, a change."""

from django import template
from django.utils.html import format_html

from kefu.reports.builder import target_missed
from kefu.reports.formatting import change_format, change_tone, metric_value_format

register = template.Library()


@register.simple_tag
def figure_cell(metrics: dict, metric, targets: dict | None = None):
    """``<td class="num">96.3%</td>``, red when worse than the shop's target."""
    value = metrics.get(metric.key)
    missed = target_missed(metric, value, (targets or {}).get(metric.key))
    return format_html('<td class="num{}" data-metric="{}">{}</td>', " cell-missed" if missed else "", metric.key,
                       metric_value_format(metric, value))


@register.simple_tag
def figure(metric, value) -> str:
    return metric_value_format(metric, value)


@register.simple_tag
def change(metric, current, previous):
    return format_html('<span class="tone-{}">{}</span>', change_tone(metric, current, previous),
                       change_format(metric, current, previous))
