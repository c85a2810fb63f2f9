"""Template helpers of the metric pages: sortable headers, tones, the navigation."""

from django import template
from django.utils.html import format_html

from kefu.accounts.selectors import user_agent
from kefu.dashboards.formatting import figure_text

register = template.Library()


@register.simple_tag
def has_scorecard(user) -> bool:
    """Whether the user is an agent with a scorecard of their own."""
    return user_agent(user) is not None


@register.simple_tag
def sort_href(sort_query: str, key: str, current: str, descending: bool) -> str:
    """The link of a sortable column header: the first click sorts descending (best or
    biggest first), clicking the sorted column again flips the direction."""
    direction = "asc" if key == current and descending else "desc"
    prefix = f"{sort_query}&" if sort_query else ""
    return f"?{prefix}sort={key}&dir={direction}"


@register.simple_tag
def sort_state(key: str, current: str, descending: bool) -> str:
    """``aria-sort`` of a header: ``descending``, ``ascending`` or ``none``."""
    if key != current:
        return "none"
    return "descending" if descending else "ascending"


@register.filter
def metric_format(value, metric) -> str:
    """A raw figure shown in its metric's unit (``96.3%``, ``1分05秒``, ``¥199.00``, ``—``)."""
    return figure_text(metric, value)


@register.simple_tag
def figure_cell(cell, name: str = ""):
    """A figure, linked to its items when it has any."""
    attrs = format_html(' data-figure="{}"', name) if name else ""
    if cell.href:
        return format_html('<a href="{}"{}>{}</a>', cell.href, attrs, cell.text)
    return format_html('<span{}>{}</span>', attrs, cell.text)


@register.simple_tag
def chart_i18n() -> dict:
    """The words the chart script needs (units of durations, the empty chart)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    return {
        "s": pgettext("seconds unit", "s"),
        "min": pgettext("minutes unit", "min"),
        "h": pgettext("hours unit", "h"),
        "noData": _("No data in this period"),
    }


@register.filter
def split_words(text: str) -> list[str]:
    return text.split()


@register.filter
def get_param(params, name: str) -> str:
    """One query parameter (to carry one form's filters through another form)."""
    return params.get(name, "")
