"""The agent ranking and the team comparison: one row per agent (team) with activity in
the period, every figure a cell linking to its items, sortable by any column."""

from dataclasses import dataclass

from kefu.dashboards.periods import Span
from kefu.dashboards.scope import MetricScope
from kefu.dashboards.selectors.common import Cell, cell, compute, metrics_of
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.reports.formatting import display_kind


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    agent: object = None
    team: object = None

    def value_of(self, key: str):
        return next((c.value for c in self.cells if c.metric.key == key), None)


@dataclass(frozen=True)
class Table:
    metrics: list
    rows: list[Row]
    total: Row  # the whole selection
    sort: str
    descending: bool


def _sorted(rows: list[Row], sort: str, descending: bool) -> list[Row]:
    """Rows by a column; empty figures last whichever the direction, then by label."""
    if sort == "name":
        return sorted(rows, key=lambda r: r.label, reverse=descending)
    present = [r for r in rows if r.value_of(sort) is not None]
    empty = [r for r in rows if r.value_of(sort) is None]
    present.sort(key=lambda r: r.label)
    present.sort(key=lambda r: float(r.value_of(sort)), reverse=descending)
    return present + sorted(empty, key=lambda r: r.label)


def _total(scope: MetricScope, span: Span, keys, *, label: str) -> Row:
    values = compute(scope, span, keys=keys)[0].metrics
    return Row(label, [cell(key, values[key], span=span, scope=scope) for key in keys])


def ranking_table(*, scope: MetricScope, span: Span, keys, sort: str, descending: bool, total_label: str) -> Table:
    """Every agent with activity in the span (metrics.md, rule 19), with their figures."""
    keys = list(keys)
    rows = [
        Row(
            row.agent.name if row.agent else row.group.get("agent_id", ""),
            [cell(key, row.metrics[key], span=span, scope=scope, agent=row.agent) for key in keys],
            agent=row.agent,
        )
        for row in compute(scope, span, by="agent", keys=keys)
    ]
    return Table(
        metrics=metrics_of(keys),
        rows=_sorted(rows, sort, descending),
        total=_total(scope, span, keys, label=total_label),
        sort=sort,
        descending=descending,
    )


def team_table(*, scope: MetricScope, span: Span, keys, sort: str, descending: bool, total_label: str) -> Table:
    """Every team with activity in the span, side by side with the whole selection."""
    keys = list(keys)
    rows = []
    for row in compute(scope, span, by="team", keys=keys):
        name = row.group.get("team", "")
        rows.append(
            Row(name, [cell(key, row.metrics[key], span=span, scope=scope, team=name) for key in keys], team=row.team)
        )
    return Table(
        metrics=metrics_of(keys),
        rows=_sorted(rows, sort, descending),
        total=_total(scope, span, keys, label=total_label),
        sort=sort,
        descending=descending,
    )


def bar_series(table: Table, key: str) -> dict:
    """One metric of every row, for a bar chart (null figures are gaps)."""
    metric = METRIC_BY_KEY[key]
    values = []
    for row in table.rows:
        value = row.value_of(key)
        values.append(None if value is None else float(value))
    return {"labels": [row.label for row in table.rows], "values": values, "name": metric.name,
            "unit": display_kind(metric)}
