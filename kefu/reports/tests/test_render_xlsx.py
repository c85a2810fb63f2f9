"""The Excel report: every figure equals ``kefu metrics --format json`` for the same period,
cells are numbers with number formats, headers are frozen, charts are native."""

import math
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from kefu.metrics.definitions import METRIC_BY_KEY, Unit
from kefu.reports.builder import report_build
from kefu.reports.render_xlsx import report_xlsx
from kefu.reports.tests.conftest import AS_OF, WEEK_DAY, cli_metrics

WEEK = {"start": "2026-11-09", "end": "2026-11-16"}
PREVIOUS_WEEK = {"start": "2026-11-02", "end": "2026-11-09"}


@pytest.fixture
def workbook(imported):
    report = report_build(period="weekly", day=WEEK_DAY, as_of=AS_OF)
    return load_workbook(BytesIO(report_xlsx(report)))


def same(cell, expected) -> bool:
    """A workbook cell against a JSON figure: money is a decimal string there, null an empty
    cell. Counts are equal; fractions and times agree to the 16 significant digits an .xlsx
    file stores (openpyxl writes ``%.16g``; Excel itself shows 15)."""
    if expected is None:
        return cell is None
    if isinstance(expected, str):
        return cell is not None and Decimal(str(cell)) == Decimal(expected)
    if isinstance(expected, int):
        return cell == expected and isinstance(cell, int)
    return isinstance(cell, (int, float)) and math.isclose(cell, expected, rel_tol=1e-15, abs_tol=0)


def table(sheet, label_column: int) -> dict:
    """``{label: {metric key: cell value}}`` of a table sheet (keys in header row 2)."""
    keys = {col: sheet.cell(2, col).value for col in range(1, sheet.max_column + 1) if sheet.cell(2, col).value}
    rows = {}
    for r in range(3, sheet.max_row + 1):
        label = sheet.cell(r, label_column).value
        if isinstance(label, datetime):
            label = label.date().isoformat()
        rows[label] = {key: sheet.cell(r, col).value for col, key in keys.items()}
    return rows


def mismatches(rows: dict, cli_rows: list[dict], group_key: str) -> list[str]:
    problems = []
    assert {row["group"][group_key] for row in cli_rows} == set(rows)
    for row in cli_rows:
        cells = rows[row["group"][group_key]]
        for key, value in row["metrics"].items():
            if not same(cells[key], value):
                problems.append(f"{row['group']} {key}: workbook {cells[key]!r} != kefu metrics {value!r}")
    return problems


def test_the_summary_sheet_equals_kefu_metrics_for_the_week_and_the_previous_week(workbook):
    sheet = workbook.worksheets[0]
    by_key = {sheet.cell(r, 7).value: r for r in range(6, 6 + len(METRIC_BY_KEY))}
    now, before = cli_metrics(**WEEK)[0]["metrics"], cli_metrics(**PREVIOUS_WEEK)[0]["metrics"]
    assert now["conversations"] > 0
    for key, value in now.items():
        assert same(sheet.cell(by_key[key], 2).value, value), key
        assert same(sheet.cell(by_key[key], 3).value, before[key]), key


@pytest.mark.parametrize(("sheet_index", "by", "group_key", "label_column"), [
    (1, "team", "team", 1),
    (2, "agent", "agent_id", 1),
    (3, "day", "day", 1),
])
def test_every_figure_of_the_team_agent_and_day_sheets_equals_kefu_metrics(workbook, sheet_index, by, group_key,
                                                                           label_column):
    rows = table(workbook.worksheets[sheet_index], label_column)
    assert mismatches(rows, cli_metrics(**WEEK, by=by), group_key) == []


def test_cells_are_numbers_with_a_number_format_for_their_unit(workbook):
    sheet = workbook.worksheets[2]  # agents
    formats = {sheet.cell(2, col).value: sheet.cell(3, col).number_format for col in range(5, sheet.max_column + 1)}
    assert formats["reply_rate"] == "0.0%"
    assert formats["conversations"] == "#,##0"
    assert formats["agent_sales"] == '"¥"#,##0.00'
    assert formats["first_response_time_avg"] == "#,##0.0"
    assert isinstance(sheet.cell(3, 5).value, int)
    header = {sheet.cell(2, col).value: sheet.cell(1, col).value for col in range(5, sheet.max_column + 1)}
    assert header["first_response_time_avg"] == "平均首响时长 (秒)" and header["reply_rate"] == "回复率 (%)"


def test_header_rows_are_frozen_and_shares_are_coloured(workbook):
    summary, teams, agents, days = workbook.worksheets
    assert (teams.freeze_panes, agents.freeze_panes, days.freeze_panes) == ("B3", "E3", "B3")
    assert summary.freeze_panes == "B6"
    ranges = {str(rng.sqref) for rng in agents.conditional_formatting}
    assert any(r.startswith("J3:") for r in ranges)  # reply_rate: a red-to-green scale


def test_the_summary_sheet_has_native_charts_of_daily_volume_and_reply_rate(workbook):
    charts = workbook.worksheets[0]._charts
    assert [type(chart).__name__ for chart in charts] == ["BarChart", "LineChart"]


def test_a_figure_worse_than_the_target_is_flagged(imported):
    from kefu.metrics.shop_settings import metric_settings_update
    from kefu.shops.models import Shop

    metric_settings_update(Shop.objects.get(), targets={"reply_rate": 0.99, "first_response_time_avg": 30})
    report = report_build(period="weekly", day=WEEK_DAY, as_of=AS_OF)
    sheet = load_workbook(BytesIO(report_xlsx(report))).worksheets[0]
    row = next(r for r in range(6, sheet.max_row) if sheet.cell(r, 7).value == "reply_rate")
    assert sheet.cell(row, 5).value == 0.99
    assert sheet.cell(row, 2).fill.fgColor.rgb.endswith("FDE2E2")  # below target: red
    agents = load_workbook(BytesIO(report_xlsx(report))).worksheets[2]
    rules = [rule for rng in agents.conditional_formatting for rule in rng.rules if rule.type == "expression"]
    assert any("<0.99" in rule.formula[0] for rule in rules)


def test_a_day_without_data_still_renders(shop):
    report = report_build(period="daily", day=date(2026, 11, 11), as_of=AS_OF)
    sheet = load_workbook(BytesIO(report_xlsx(report))).worksheets[0]
    assert sheet.cell(1, 1).value.startswith("客服日报")
    assert METRIC_BY_KEY["reply_rate"].unit == Unit.RATIO
