"""The report builder: periods, previous period, highlights and the biggest changes."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation

from kefu.metrics.definitions import METRICS
from kefu.reports.builder import (
    Report,
    ReportRow,
    _agent_highlights,
    _biggest_changes,
    _target_highlights,
    report_build,
)
from kefu.reports.periods import period_containing
from kefu.reports.tests.conftest import AS_OF, WEEK_DAY, cli_metrics

NOW = datetime(2026, 11, 20, tzinfo=ZoneInfo("Asia/Shanghai"))


def a_report(summary=None, previous=None, agents=(), targets=None) -> Report:
    period = period_containing("weekly", date(2026, 11, 11))
    return Report(period=period, previous_period=period.previous(), shop_names=[], shop_ids=None, as_of=NOW,
                  generated_at=NOW, metrics=METRICS, summary=summary or {}, previous=previous or {},
                  teams=[], agents=list(agents), days=[], targets=targets or {})


def test_a_weekly_report_covers_monday_to_sunday_and_compares_with_the_week_before(imported):
    report = report_build(period="weekly", day=WEEK_DAY, as_of=AS_OF)
    assert (report.period.start, report.period.end) == (date(2026, 11, 9), date(2026, 11, 16))
    assert report.previous_period.start == date(2026, 11, 2)
    as_json = {key: f"{value:.2f}" if isinstance(value, Decimal) else value for key, value in report.summary.items()}
    assert as_json == cli_metrics(start="2026-11-09", end="2026-11-16")[0]["metrics"]
    assert [row.label for row in report.days][0] == "2026-11-09" and len(report.days) == 7
    volumes = [row.metrics["conversations"] for row in report.agents]
    assert volumes == sorted(volumes, reverse=True)  # busiest agent first
    assert {row.team for row in report.agents} == {row.label for row in report.teams}


def test_the_biggest_changes_are_in_percentage_points_for_shares_and_percent_otherwise():
    report = a_report(summary={"reply_rate": 0.90, "conversations": 150, "csat": 0.95},
                      previous={"reply_rate": 0.95, "conversations": 100, "csat": 0.95})
    with translation.override("en"):
        changes = _biggest_changes(report)
    assert [(c.metric.key, c.text, c.tone) for c in changes] == [
        ("conversations", "+50.0%", "neutral"),  # volume is neither good nor bad
        ("reply_rate", "−5.0 pp", "bad"),
    ]
    assert round(changes[1].change, 6) == -5.0


def test_a_figure_below_its_target_comes_first_among_the_highlights():
    report = a_report(summary={"reply_rate": 0.90, "first_response_time_avg": 20.0},
                      targets={"first_response_time_avg": 30, "reply_rate": 0.95})
    with translation.override("zh-hans"):
        highlights = _target_highlights(report)
    assert [(h.kind, h.metric.key) for h in highlights] == [("target_missed", "reply_rate"),
                                                            ("target_met", "first_response_time_avg")]
    assert highlights[0].text == "回复率 90.0%，低于目标 95.0%"


def test_best_and_worst_agents_are_ranked_only_with_enough_conversations():
    agents = [
        ReportRow("小美", {"agent_id": "a1"}, {"conversations": 30, "reply_rate": 0.99}),
        ReportRow("小丽", {"agent_id": "a2"}, {"conversations": 25, "reply_rate": 0.80}),
        ReportRow("新人", {"agent_id": "a3"}, {"conversations": 2, "reply_rate": 0.10}),  # too few to rank
    ]
    highlights = _agent_highlights(a_report(agents=agents))
    assert [(h.kind, h.agent) for h in highlights if h.metric.key == "reply_rate"] == [
        ("best_agent", "小美"), ("worst_agent", "小丽")]


def test_metric_names_follow_the_active_language(imported):
    with translation.override("en"):
        report = report_build(period="daily", day=WEEK_DAY, as_of=AS_OF)
        assert report.title == "Daily service report"
        assert report.summary_lines()[0]["metric"].name == "Conversations"
