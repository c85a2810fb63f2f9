"""What every metric page shares: asking the engine within a scope, the cells of a table
(a formatted figure and the link to the items behind it), metric sets and targets."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from kefu.dashboards.periods import Span
from kefu.dashboards.scope import MetricScope
from kefu.metrics.definitions import METRIC_BY_KEY, METRIC_KEYS, METRICS, Family, Metric, Unit
from kefu.dashboards.formatting import figure_text
from kefu.reports.formatting import change_format, change_tone

# The default columns of the ranking and team pages: the figures a supervisor reads first.
DEFAULT_KEYS = (
    "conversations",
    "unanswered_conversations",
    "reply_rate",
    "first_response_time_avg",
    "response_time_avg",
    "response_within_rate",
    "inquiries",
    "inquiry_conversion_rate",
    "agent_sales",
    "csat",
    "online_hours",
)
METRIC_SETS = {
    "default": DEFAULT_KEYS,
    "service": tuple(m.key for m in METRICS if m.family == Family.SERVICE),
    "sales": tuple(m.key for m in METRICS if m.family == Family.SALES),
    "satisfaction": tuple(m.key for m in METRICS if m.family == Family.SATISFACTION),
    "workload": tuple(m.key for m in METRICS if m.family == Family.WORKLOAD),
    "all": METRIC_KEYS,
}


def metrics_of(keys) -> list[Metric]:
    return [METRIC_BY_KEY[key] for key in keys]


def compute(scope: MetricScope, span: Span, *, by: str = "none", keys=None, agents=None, as_of=None):
    """``metrics_compute`` over the scope's shops (the one door to the engine for pages)."""
    from kefu.metrics.engine import metrics_compute

    return metrics_compute(
        start=span.start, end=span.end, shops=scope.engine_shops, by=by, as_of=as_of,
        keys=list(keys) if keys is not None else None, agents=agents,
    )


def compute_total(scope: MetricScope, span: Span, *, keys=None, as_of=None) -> dict:
    """The whole selection's figures (``by="none"``) as ``{key: value}``."""
    return compute(scope, span, keys=keys, as_of=as_of)[0].metrics


def agent_group(agent) -> dict:
    """The engine's group of an agent's row, for ``metric_items`` (the agent itself: source
    ids are unique only within a shop)."""
    return {"agent": agent.pk}


def items_href(key: str, *, span: Span, scope: MetricScope, agent=None, team: str | None = None) -> str:
    """The drill-down page listing the items behind a figure."""
    params = {"key": key, **span.query(), **scope.query()}
    if agent is not None:
        params["agent"] = agent.pk
    if team is not None:
        params["team"] = team
    return f"{reverse('dashboards:items')}?{urlencode(params)}"


@dataclass(frozen=True)
class Cell:
    """A figure in a table: its value, how it reads, and where its items are listed."""

    metric: Metric
    value: object
    href: str | None = None

    @property
    def text(self) -> str:
        return figure_text(self.metric, self.value)

    @property
    def sort_value(self):
        return None if self.value is None else float(self.value)


def cell(key: str, value, *, span: Span, scope: MetricScope, agent=None, team=None) -> Cell:
    """A cell linking to its items, except for an empty figure (null, a count or a sum of
    0) and the figures with no items of their own (online time)."""
    metric = METRIC_BY_KEY[key]
    empty = value is None or (metric.unit in (Unit.COUNT, Unit.YUAN) and value == 0)
    linked = not empty and key != "online_hours"
    href = items_href(key, span=span, scope=scope, agent=agent, team=team) if linked else None
    return Cell(metric, value, href)


@dataclass(frozen=True)
class Comparison:
    """A figure against another (last week, a target, period B) and how the move reads."""

    metric: Metric
    value: object
    other: object

    @property
    def text(self) -> str:
        return figure_text(self.metric, self.value)

    @property
    def other_text(self) -> str:
        return figure_text(self.metric, self.other)

    @property
    def change(self) -> str:
        return change_format(self.metric, self.value, self.other)

    @property
    def tone(self) -> str:
        return change_tone(self.metric, self.value, self.other)


def scope_targets(scope: MetricScope) -> dict:
    """The supervisor's targets for the shops in view: a shop's own, or those every shop
    in view agrees on."""
    from kefu.metrics.shop_settings import metric_settings_for

    if not scope.shops:
        return {}
    per_shop = [metric_settings_for(shop).targets for shop in scope.shops]
    first = per_shop[0]
    return {key: value for key, value in first.items() if all(t.get(key) == value for t in per_shop[1:])}


def target_met(metric: Metric, value, target) -> bool | None:
    """Whether a figure reaches its target (None: no target, no value, or a volume)."""
    if value is None or target is None or metric.higher_is_better is None:
        return None
    return float(value) >= float(target) if metric.higher_is_better else float(value) <= float(target)
