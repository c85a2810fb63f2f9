"""An agent's scorecard: their figures for a week or a month against their team and the
shop, and the daily trend of a few key figures.

The comparison columns are the engine's team and shop figures. A rate or a mean is
compared as it is (the team's reply rate); a volume or a sum (conversations, sales,
online hours) is divided by the number of agents with activity, so that it reads as
"per agent" beside the agent's own."""

from dataclasses import dataclass
from datetime import timedelta

from kefu.dashboards.periods import Span
from kefu.dashboards.scope import MetricScope
from kefu.dashboards.selectors.common import Cell, cell, compute, metrics_of
from kefu.metrics.definitions import METRICS, Metric, Unit
from kefu.dashboards.formatting import figure_text
from kefu.reports.formatting import change_tone, display_kind

SCORECARD_KEYS = (
    "conversations",
    "served_customers",
    "unanswered_conversations",
    "reply_rate",
    "first_response_time_avg",
    "response_time_avg",
    "response_within_rate",
    "service_level",
    "answer_question_ratio",
    "first_contact_resolution",
    "inquiries",
    "ordered_inquiries",
    "inquiry_conversion_rate",
    "agent_sales",
    "avg_order_value",
    "csat",
    "rating_rate",
    "bad_review_rate",
    "online_hours",
    "conversations_per_online_hour",
)
TREND_KEYS = ("conversations", "response_time_avg", "response_within_rate", "inquiry_conversion_rate")
TREND_MIN_DAYS = 14  # the daily trend shows at least this many days, ending with the period
# Figures that add up over agents: the team's and the shop's are shown per agent.
PER_AGENT_KEYS = {m.key for m in METRICS if m.unit == Unit.COUNT} | {"agent_sales", "online_hours"}


@dataclass(frozen=True)
class ScoreLine:
    own: Cell
    team: object
    shop: object

    @property
    def metric(self) -> Metric:
        return self.own.metric

    @property
    def per_agent(self) -> bool:
        return self.metric.key in PER_AGENT_KEYS

    def _text(self, value) -> str:
        if value is not None and self.metric.is_count:  # a per-agent count has a fraction
            return f"{value:,.1f}"
        return figure_text(self.metric, value)

    @property
    def team_text(self) -> str:
        return self._text(self.team)

    @property
    def shop_text(self) -> str:
        return self._text(self.shop)

    @property
    def tone(self) -> str:
        """How the agent stands against the team: ``good``, ``bad`` or ``neutral``."""
        return change_tone(self.metric, self.own.value, self.team)


@dataclass(frozen=True)
class Scorecard:
    agent: object
    span: Span
    lines: list[ScoreLine]
    team_agents: int
    shop_agents: int
    trend: list[dict]  # one chart per key figure: {"id", "name", "data": {"labels", "series"}}


def _per_agent(metric: Metric, value, agents: int):
    if value is None or metric.key not in PER_AGENT_KEYS:
        return value
    return float(value) / agents if agents else None


def agent_scorecard(*, agent, scope: MetricScope, span: Span) -> Scorecard:
    """``scope`` is the agent's shop (or the viewer's shops for an agent without one).
    Only the agent's own figures link to their items."""
    keys = list(SCORECARD_KEYS)
    agent_rows = compute(scope, span, by="agent", keys=keys)
    own_row = next((row for row in agent_rows if row.agent is not None and row.agent.pk == agent.pk), None)
    if own_row is not None:
        own = own_row.metrics
    else:  # no activity: counts are 0, the rest empty
        own = {m.key: (0 if m.is_count and m.per_agent else None) for m in metrics_of(keys)}
    team_name = agent.team.name if agent.team_id else None
    team_values, team_agents = dict.fromkeys(keys), 0
    if team_name:
        team_row = next((r for r in compute(scope, span, by="team", keys=keys) if r.group.get("team") == team_name), None)
        if team_row is not None:
            team_values = team_row.metrics
        team_agents = sum(1 for r in agent_rows if r.agent is not None and r.agent.team_id == agent.team_id)
    shop_values = compute(scope, span, keys=keys)[0].metrics
    shop_agents = len(agent_rows)
    lines = []
    for metric in metrics_of(keys):
        key = metric.key
        lines.append(
            ScoreLine(
                own=cell(key, own[key], span=span, scope=scope, agent=agent),
                team=_per_agent(metric, team_values[key], team_agents),
                shop=_per_agent(metric, shop_values[key], shop_agents),
            )
        )
    return Scorecard(
        agent=agent,
        span=span,
        lines=lines,
        team_agents=team_agents,
        shop_agents=shop_agents,
        trend=agent_daily_trend(agent=agent, scope=scope, span=span),
    )


def agent_daily_trend(*, agent, scope: MetricScope, span: Span) -> list[dict]:
    """The agent's key figures day by day over the span (at least its last
    ``TREND_MIN_DAYS`` days), one engine call per day, as one small chart per figure
    (their units differ)."""
    keys = list(TREND_KEYS)
    labels, values = [], {key: [] for key in keys}
    day = min(span.start, span.end - timedelta(days=TREND_MIN_DAYS))
    while day < span.end:
        day_span = Span(day, day + timedelta(days=1))
        rows = compute(scope, day_span, by="agent", keys=keys, agents=[agent])
        row = rows[0].metrics if rows else {key: None for key in keys}
        labels.append(day.strftime("%m-%d"))
        for key in keys:
            value = row.get(key)
            if value is None and key == "conversations":
                value = 0
            values[key].append(None if value is None else float(value))
        day += timedelta(days=1)
    return [
        {
            "id": f"trend-{m.key}",
            "name": m.name,
            "data": {"labels": labels, "series": [{"key": m.key, "name": m.name, "unit": display_kind(m),
                                                   "values": values[m.key]}]},
        }
        for m in metrics_of(keys)
    ]
