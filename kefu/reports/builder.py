"""The report builder: one period's figures, by team, agent and day, against the previous
period and the shop targets.

Every figure comes from the metric engine (``kefu.metrics.engine.metrics_compute``); this
module only chooses periods, orders rows and picks what deserves a headline. Renderers
(``kefu.reports.renderers``) turn a ``Report`` into Excel, PDF, CSV, HTML or a message."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.metrics.definitions import METRIC_BY_KEY, METRICS, Metric
from kefu.reports.formatting import change_format, change_tone, change_value, display_kind, metric_value_format
from kefu.reports.periods import REPORT_TITLES, Period, period_containing

# The figures a supervisor reads first: the page's cards, the PDF's first table, the robot message.
KEY_METRICS = (
    "conversations",
    "reply_rate",
    "first_response_time_avg",
    "response_within_rate",
    "inquiry_conversion_rate",
    "agent_sales",
    "csat",
    "bad_review_rate",
)
# The columns of the team, agent and day tables on the page and in the PDF (Excel has every metric).
TABLE_METRICS = ("conversations", "reply_rate", "first_response_time_avg", "response_within_rate",
                 "inquiry_conversion_rate", "agent_sales", "csat")
# Agent league tables of the highlights: best and worst agent on each.
AGENT_HIGHLIGHT_METRICS = ("reply_rate", "first_response_time_avg", "inquiry_conversion_rate", "csat")
# An agent needs this many received conversations to be ranked (one chat is no trend).
MIN_RANKED_CONVERSATIONS = 5
BIGGEST_CHANGES = 5
# Quality inspection's figures (kefu.qa): computed by the engine like every other, shown
# in their own section when the period's conversations were inspected.
QUALITY_METRICS = ("qa_score_avg", "qa_findings_per_100")


@dataclass(frozen=True)
class ReportRow:
    """One line of a table: a team, an agent or a day, with its figures."""

    label: str
    group: dict
    metrics: dict
    team: str = ""  # the agent's team (agent rows)
    shop: str = ""  # the agent's shop (agent rows)


@dataclass(frozen=True)
class Highlight:
    kind: str  # "target_missed" | "target_met" | "best_agent" | "worst_agent"
    metric: Metric
    value: object
    text: str
    target: float | None = None
    agent: str = ""

    @property
    def tone(self) -> str:
        return "bad" if self.kind in ("target_missed", "worst_agent") else "good"


@dataclass(frozen=True)
class Change:
    metric: Metric
    current: object
    previous: object
    change: float | None  # percentage points for percentages, else percent
    text: str  # "+2.3 pp", "−12.0%"
    tone: str  # "good" | "bad" | "neutral"


@dataclass(frozen=True)
class QualitySection:
    """Automatic inspection's average score and findings per 100 conversations: the
    period against the previous one, and per team and agent."""

    metrics: tuple[Metric, ...]
    summary: dict
    previous: dict
    teams: list[ReportRow]
    agents: list[ReportRow]


@dataclass
class Report:
    period: Period
    previous_period: Period
    shop_names: list[str]  # empty: every shop
    shop_ids: list[int] | None  # None: every shop
    as_of: datetime
    generated_at: datetime
    metrics: tuple[Metric, ...]
    summary: dict
    previous: dict
    teams: list[ReportRow]
    agents: list[ReportRow]
    days: list[ReportRow]
    targets: dict = field(default_factory=dict)
    highlights: list[Highlight] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    quality: QualitySection | None = None  # None: no conversation of the period was inspected

    @property
    def title(self) -> str:
        return str(REPORT_TITLES[self.period.kind])

    @property
    def scope_label(self) -> str:
        return "、".join(self.shop_names) if self.shop_names else _("All shops")

    @property
    def key_metrics(self) -> list[Metric]:
        return [METRIC_BY_KEY[key] for key in KEY_METRICS]

    def summary_lines(self) -> list[dict]:
        """The summary table: each metric with its value, previous value, change and target."""
        lines = []
        for metric in self.metrics:
            current, previous = self.summary.get(metric.key), self.previous.get(metric.key)
            target = self.targets.get(metric.key)
            lines.append({
                "metric": metric,
                "value": current,
                "value_text": metric_value_format(metric, current),
                "previous": previous,
                "previous_text": metric_value_format(metric, previous),
                "change": change_value(metric, current, previous),
                "change_text": change_format(metric, current, previous),
                "tone": change_tone(metric, current, previous),
                "target": target,
                "target_text": metric_value_format(metric, target) if target is not None else "",
                "target_missed": target_missed(metric, current, target),
            })
        return lines


def report_build(*, period: str, day: date, shops=None, as_of: datetime | None = None) -> Report:
    """The report of the ``period`` ("daily", "weekly", "monthly") that contains ``day``,
    for ``shops`` (Shop objects or pks; None: every shop)."""
    from kefu.metrics.engine import metrics_compute
    from kefu.shops.models import Shop

    current = period_containing(period, day)
    previous = current.previous()
    as_of = as_of or timezone.now()
    shop_ids = None if shops is None else sorted({getattr(shop, "pk", shop) for shop in shops})
    shop_objects = list(Shop.objects.all() if shop_ids is None else Shop.objects.filter(pk__in=shop_ids))

    def compute(p: Period, by: str):
        return metrics_compute(start=p.start, end=p.end, shops=shop_ids, by=by, as_of=as_of)

    summary = _single(compute(current, "none"))
    before = _single(compute(previous, "none"))
    # Without a shop there is no team or agent row (and the engine's team query needs one).
    teams = [ReportRow(label=row.group.get("team") or _("No team"), group=row.group, metrics=row.metrics)
             for row in (compute(current, "team") if shop_objects else [])]
    shop_names = {shop.pk: shop.name for shop in shop_objects}
    agents = [_agent_row(row, shop_names) for row in (compute(current, "agent") if shop_objects else [])]
    agents.sort(key=lambda r: (-(r.metrics.get("conversations") or 0), r.label))
    days = _day_rows(current, compute(current, "day"))
    targets = _common_targets(shop_objects)
    report = Report(
        period=current,
        previous_period=previous,
        shop_names=[] if shop_ids is None else [s.name for s in shop_objects],
        shop_ids=shop_ids,
        as_of=as_of,
        generated_at=timezone.now(),
        metrics=METRICS,
        summary=summary,
        previous=before,
        teams=teams,
        agents=agents,
        days=days,
        targets=targets,
    )
    report.highlights = _target_highlights(report) + _agent_highlights(report)
    report.changes = _biggest_changes(report)
    report.quality = _quality(current, previous, shop_ids, shop_names, as_of)
    return report


def _quality(current: Period, previous: Period, shop_ids, shop_names: dict, as_of) -> QualitySection | None:
    from kefu.metrics.engine import metrics_compute

    def compute(p: Period, by: str):
        return metrics_compute(start=p.start, end=p.end, shops=shop_ids, by=by, as_of=as_of,
                               keys=list(QUALITY_METRICS))

    summary = _single(compute(current, "none"))
    if summary.get("qa_score_avg") is None:
        return None
    teams = [ReportRow(label=row.group.get("team") or _("No team"), group=row.group, metrics=row.metrics)
             for row in (compute(current, "team") if shop_names else [])]
    agents = [_agent_row(row, shop_names) for row in (compute(current, "agent") if shop_names else [])]
    agents.sort(key=lambda r: (r.metrics.get("qa_score_avg") is None, r.metrics.get("qa_score_avg") or 0, r.label))
    return QualitySection(
        metrics=tuple(METRIC_BY_KEY[key] for key in QUALITY_METRICS),
        summary=summary,
        previous=_single(compute(previous, "none")),
        teams=teams,
        agents=agents,
    )


def _single(rows) -> dict:
    return dict(rows[0].metrics) if rows else {}


def _agent_row(row, shop_names: dict) -> ReportRow:
    agent = row.agent
    agent_id = row.group.get("agent_id", "")
    if agent is None:
        return ReportRow(label=str(agent_id), group=row.group, metrics=row.metrics)
    return ReportRow(
        label=agent.name or str(agent_id),
        group=row.group,
        metrics=row.metrics,
        team=row.team.name if row.team is not None else "",
        shop=shop_names.get(agent.shop_id, ""),
    )


def _day_rows(period: Period, rows) -> list[ReportRow]:
    """One row for every day of the period, in order; a day without data has zero counts."""
    by_day = {row.group.get("day"): row.metrics for row in rows}
    empty = {m.key: (0 if m.is_count else None) for m in METRICS}
    return [
        ReportRow(label=day.isoformat(), group={"day": day.isoformat()},
                  metrics=dict(by_day.get(day.isoformat(), empty)))
        for day in period.days
    ]


def _common_targets(shops) -> dict:
    """The targets every shop of the report shares (one shop: its own targets)."""
    from kefu.metrics.shop_settings import metric_settings_for

    common = None
    for shop in shops:
        targets = metric_settings_for(shop).targets
        common = dict(targets) if common is None else {k: v for k, v in common.items() if targets.get(k) == v}
    return {key: value for key, value in (common or {}).items() if key in METRIC_BY_KEY}


def target_missed(metric: Metric, value, target) -> bool:
    if value is None or target is None or metric.higher_is_better is None:
        return False
    return float(value) < float(target) if metric.higher_is_better else float(value) > float(target)


def _target_highlights(report: Report) -> list[Highlight]:
    highlights = []
    for key, target in report.targets.items():
        metric = METRIC_BY_KEY[key]
        value = report.summary.get(key)
        if value is None or metric.higher_is_better is None:
            continue
        missed = target_missed(metric, value, target)
        template = _("%(metric)s %(value)s, below the target %(target)s") if metric.higher_is_better else \
            _("%(metric)s %(value)s, above the target %(target)s")
        if not missed:
            template = _("%(metric)s %(value)s, target %(target)s met")
        text = template % {"metric": metric.name, "value": metric_value_format(metric, value),
                           "target": metric_value_format(metric, target)}
        highlights.append(Highlight("target_missed" if missed else "target_met", metric, value, text, target=target))
    highlights.sort(key=lambda h: h.kind != "target_missed")
    return highlights


def _agent_highlights(report: Report) -> list[Highlight]:
    ranked = [row for row in report.agents if (row.metrics.get("conversations") or 0) >= MIN_RANKED_CONVERSATIONS]
    highlights = []
    for key in AGENT_HIGHLIGHT_METRICS:
        metric = METRIC_BY_KEY[key]
        scored = [row for row in ranked if row.metrics.get(key) is not None]
        if len(scored) < 2:
            continue
        scored.sort(key=lambda row: (float(row.metrics[key]), row.label), reverse=bool(metric.higher_is_better))
        best, worst = scored[0], scored[-1]
        if float(best.metrics[key]) == float(worst.metrics[key]):
            continue
        for kind, row in (("best_agent", best), ("worst_agent", worst)):
            template = _("Best %(metric)s: %(agent)s, %(value)s") if kind == "best_agent" else \
                _("Weakest %(metric)s: %(agent)s, %(value)s")
            text = template % {"metric": metric.name, "agent": row.label,
                               "value": metric_value_format(metric, row.metrics[key])}
            highlights.append(Highlight(kind, metric, row.metrics[key], text, agent=row.label))
    return highlights


def _biggest_changes(report: Report) -> list[Change]:
    """The metrics that moved most against the previous period. They are ranked by
    relative change so counts, times and shares compare; percentages are shown in
    percentage points."""
    scored = []
    for metric in report.metrics:
        current, previous = report.summary.get(metric.key), report.previous.get(metric.key)
        if current is None or previous is None or float(current) == float(previous):
            continue
        base = max(abs(float(previous)), abs(float(current)) if float(previous) == 0 else 0)
        relative = min(abs(float(current) - float(previous)) / base, 10.0) if base else 0.0
        if display_kind(metric) == "percent" and abs(float(current) - float(previous)) < 0.001:
            continue  # less than 0.1 pp is noise, however small the base
        scored.append((relative, metric, current, previous))
    scored.sort(key=lambda item: (-item[0], item[1].key))
    return [
        Change(metric, current, previous, change_value(metric, current, previous),
               change_format(metric, current, previous), change_tone(metric, current, previous))
        for _score, metric, current, previous in scored[:BIGGEST_CHANGES]
    ]
