"""A report as an Excel workbook (openpyxl): a summary sheet, then per team, agent and day.

Cells hold the engine's numbers (ratios as fractions shown as ``0.0%``, seconds and
hours as plain numbers with the unit in the header, yuan as decimals), so a formula, a
pivot table or a test reads exactly what ``kefu metrics`` prints. Each table sheet has
two frozen header rows: the metric's name with its unit, then its key. When the period's
conversations were inspected, a last sheet holds quality inspection's figures (average
score, findings per 100 conversations), per team and agent."""

from datetime import date
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kefu.metrics.definitions import Metric
from kefu.reports.builder import QualitySection, Report, ReportRow
from kefu.reports.formatting import display_kind, unit_suffix

NUMBER_FORMATS = {
    "percent": "0.0%",
    "seconds": "#,##0.0",
    "hours": "#,##0.0",
    "yuan": '"¥"#,##0.00',
    "count": "#,##0",
    "number": "#,##0.00",
}
QUALITY_FORMATS = {"qa_score_avg": "0.0", "qa_findings_per_100": "0.00"}
HEADER_FILL = PatternFill("solid", fgColor="1E3A8A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
KEY_FONT = Font(color="6B7280", size=8)
TITLE_FONT = Font(bold=True, size=14)
MUTED_FONT = Font(color="6B7280")
BAD_FILL = PatternFill("solid", fgColor="FDE2E2")
GOOD_FILL = PatternFill("solid", fgColor="DCFCE7")
BAD_FONT = Font(color="B91C1C")
GOOD_FONT = Font(color="047857")


def metric_header(metric: Metric) -> str:
    """``回复率 (%)``, ``平均首响时长 (秒)``: the column header of a metric."""
    suffix = unit_suffix(metric)
    return f"{metric.name} ({suffix})" if suffix else metric.name


def report_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = pgettext("report sheet", "Summary")
    days_sheet = workbook.create_sheet(_("Days"))
    _table_sheet(days_sheet, report, report.days, [(_("Date"), lambda r: date.fromisoformat(r.group["day"]), 12)])
    _summary_sheet(summary, report, days_sheet)
    _table_sheet(workbook.create_sheet(_("Teams")), report, report.teams, [(_("Team"), lambda r: r.label, 16)])
    _table_sheet(
        workbook.create_sheet(_("Agents")),
        report,
        report.agents,
        [
            (_("Agent ID"), lambda r: r.group.get("agent_id", ""), 10),
            (_("Agent"), lambda r: r.label, 12),
            (_("Team"), lambda r: r.team, 12),
            (_("Shop"), lambda r: r.shop, 14),
        ],
    )
    workbook.move_sheet(days_sheet, offset=2)  # Summary, Teams, Agents, Days
    if report.quality is not None:
        _quality_sheet(workbook.create_sheet(pgettext("report sheet", "Quality inspection")), report, report.quality)
    for sheet in workbook.worksheets:
        sheet.sheet_view.zoomScale = 110
    workbook.properties.title = f"{report.title} {report.period.label}"
    workbook.properties.creator = "Kefu"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _summary_sheet(sheet, report: Report, days_sheet) -> None:
    sheet["A1"] = f"{report.title} · {report.period.label}"
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = _("Shops: %(shops)s") % {"shops": report.scope_label}
    sheet["A3"] = _("Compared with %(previous)s · computed as of %(as_of)s") % {
        "previous": report.previous_period.label,
        "as_of": f"{timezone.localtime(report.as_of):%Y-%m-%d %H:%M}",
    }
    for cell in ("A2", "A3"):
        sheet[cell].font = MUTED_FONT
    header_row = 5
    headers = [_("Metric"), _("This period"), _("Previous period"), pgettext("report", "Change"), _("Target"),
               _("Unit"), _("Key")]
    for col, text in enumerate(headers, 1):
        cell = sheet.cell(header_row, col, text)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    row = header_row
    for line in report.summary_lines():
        row += 1
        metric = line["metric"]
        fmt = NUMBER_FORMATS[display_kind(metric)]
        sheet.cell(row, 1, metric.name)
        for col, value in ((2, line["value"]), (3, line["previous"]), (5, line["target"])):
            cell = sheet.cell(row, col, value)
            cell.number_format = fmt
        change = sheet.cell(row, 4, line["change_text"])
        change.alignment = Alignment(horizontal="right")
        if line["tone"] != "neutral":
            change.font = GOOD_FONT if line["tone"] == "good" else BAD_FONT
        if line["target"] is not None:
            sheet.cell(row, 2).fill = BAD_FILL if line["target_missed"] else GOOD_FILL
        sheet.cell(row, 6, unit_suffix(metric))
        sheet.cell(row, 7, metric.key).font = KEY_FONT
    sheet.freeze_panes = sheet.cell(header_row + 1, 2)
    for col, width in enumerate((26, 14, 14, 12, 12, 8, 26), 1):
        sheet.column_dimensions[get_column_letter(col)].width = width

    row += 2
    sheet.cell(row, 1, _("Highlights")).font = Font(bold=True, size=12)
    for highlight in report.highlights or []:
        row += 1
        cell = sheet.cell(row, 1, highlight.text)
        cell.font = BAD_FONT if highlight.tone == "bad" else GOOD_FONT
    if not report.highlights:
        row += 1
        sheet.cell(row, 1, _("No targets set and too few conversations to rank agents.")).font = MUTED_FONT
    row += 2
    sheet.cell(row, 1, _("Biggest changes")).font = Font(bold=True, size=12)
    for change in report.changes:
        row += 1
        sheet.cell(row, 1, change.metric.name)
        cell = sheet.cell(row, 2, change.text)
        cell.alignment = Alignment(horizontal="right")
        cell.font = GOOD_FONT if change.tone == "good" else BAD_FONT if change.tone == "bad" else Font()
    if not report.changes:
        row += 1
        sheet.cell(row, 1, _("No change against the previous period.")).font = MUTED_FONT
    _charts(sheet, report, days_sheet)


def _charts(sheet, report: Report, days_sheet) -> None:
    """A bar chart of daily conversations and a line of the daily reply rate, drawn from
    the Days sheet so they follow its numbers."""
    if len(report.days) < 2:
        return
    keys = [m.key for m in report.metrics]
    first, last = 3, 2 + len(report.days)
    dates = Reference(days_sheet, min_col=1, min_row=first, max_row=last)

    bars = BarChart()
    bars.title = _metric_name(report, "conversations")
    bars.y_axis.title = None
    bars.legend = None
    col = 2 + keys.index("conversations")
    bars.add_data(Reference(days_sheet, min_col=col, min_row=first, max_row=last), titles_from_data=False)
    bars.set_categories(dates)
    bars.x_axis.number_format = "mm-dd"
    bars.height, bars.width = 7, 16
    sheet.add_chart(bars, "I5")

    line = LineChart()
    line.title = _metric_name(report, "reply_rate")
    line.legend = None
    col = 2 + keys.index("reply_rate")
    line.add_data(Reference(days_sheet, min_col=col, min_row=first, max_row=last), titles_from_data=False)
    line.set_categories(dates)
    line.y_axis.number_format = "0%"
    line.x_axis.number_format = "mm-dd"
    line.height, line.width = 7, 16
    sheet.add_chart(line, "I20")


def _metric_name(report: Report, key: str) -> str:
    return next(m.name for m in report.metrics if m.key == key)


def _table_sheet(sheet, report: Report, rows: list[ReportRow], label_columns) -> None:
    """A table: label columns, then one column per metric; header rows 1 (names) and 2 (keys)."""
    first_metric_col = len(label_columns) + 1
    for col, (title, _getter, width) in enumerate(label_columns, 1):
        cell = sheet.cell(1, col, title)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        sheet.cell(2, col, "").font = KEY_FONT
        sheet.column_dimensions[get_column_letter(col)].width = width
    for offset, metric in enumerate(report.metrics):
        col = first_metric_col + offset
        cell = sheet.cell(1, col, metric_header(metric))
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.cell(2, col, metric.key).font = KEY_FONT
        sheet.column_dimensions[get_column_letter(col)].width = 13
    sheet.row_dimensions[1].height = 32
    for index, row in enumerate(rows, 3):
        for col, (_title, getter, _width) in enumerate(label_columns, 1):
            cell = sheet.cell(index, col, getter(row))
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        for offset, metric in enumerate(report.metrics):
            cell = sheet.cell(index, first_metric_col + offset, row.metrics.get(metric.key))
            cell.number_format = NUMBER_FORMATS[display_kind(metric)]
    sheet.freeze_panes = sheet.cell(3, first_metric_col)
    last_row = 2 + len(rows)
    if rows:
        sheet.auto_filter.ref = f"A2:{get_column_letter(first_metric_col + len(report.metrics) - 1)}{last_row}"
        _conditional_colours(sheet, report, first_metric_col, last_row)


def _conditional_colours(sheet, report: Report, first_col: int, last_row: int) -> None:
    """A red-to-green scale on every judged share, and red text below (or above) target."""
    for offset, metric in enumerate(report.metrics):
        letter = get_column_letter(first_col + offset)
        cells = f"{letter}3:{letter}{last_row}"
        if display_kind(metric) == "percent" and metric.higher_is_better is not None:
            low, high = ("F8696B", "63BE7B") if metric.higher_is_better else ("63BE7B", "F8696B")
            sheet.conditional_formatting.add(
                cells, ColorScaleRule(start_type="min", start_color=low, mid_type="percentile", mid_value=50,
                                      mid_color="FFEB84", end_type="max", end_color=high)
            )
        target = report.targets.get(metric.key)
        if target is not None and metric.higher_is_better is not None:
            # FormulaRule, not CellIsRule: an empty cell (no value) is not "below target".
            worse = "<" if metric.higher_is_better else ">"
            sheet.conditional_formatting.add(
                cells, FormulaRule(formula=[f"AND(ISNUMBER({letter}3),{letter}3{worse}{float(target)!r})"],
                                   font=BAD_FONT, fill=BAD_FILL)
            )



def _quality_sheet(sheet, report: Report, quality: QualitySection) -> None:
    """Quality inspection: the period against the previous one, then a table per team and
    one per agent (lowest score first). Every table's second header row holds the keys."""
    sheet["A1"] = f"{pgettext('report sheet', 'Quality inspection')} · {report.period.label}"
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = _("Automatic inspection of every conversation: a score out of 100 and the findings of the "
                    "rules. Per agent: the conversations the agent replied to last.")
    sheet["A2"].font = MUTED_FONT
    row = 4
    for col, text in enumerate([_("Metric"), _("This period"), _("Previous period"), pgettext("report", "Change"),
                                _("Key")], 1):
        cell = sheet.cell(row, col, text)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for metric in quality.metrics:
        row += 1
        sheet.cell(row, 1, metric.name)
        for col, value in ((2, quality.summary.get(metric.key)), (3, quality.previous.get(metric.key))):
            sheet.cell(row, col, value).number_format = QUALITY_FORMATS[metric.key]
        current, previous = quality.summary.get(metric.key), quality.previous.get(metric.key)
        change = sheet.cell(row, 4, "—" if current is None or previous is None else round(current - previous, 2))
        change.alignment = Alignment(horizontal="right")
        if isinstance(change.value, float) and change.value:
            better = (change.value > 0) == bool(metric.higher_is_better)
            change.font = GOOD_FONT if better else BAD_FONT
        sheet.cell(row, 5, metric.key).font = KEY_FONT
    row += 2
    row = _quality_table(sheet, row, _("By team"), quality, quality.teams, [(_("Team"), lambda r: r.label)])
    row += 1
    _quality_table(sheet, row, _("By agent"), quality, quality.agents, [
        (_("Agent ID"), lambda r: r.group.get("agent_id", "")),
        (_("Agent"), lambda r: r.label),
        (_("Team"), lambda r: r.team),
        (_("Shop"), lambda r: r.shop),
    ])
    for col, width in enumerate((26, 14, 14, 14, 16, 16), 1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A5"


def _quality_table(sheet, row: int, title: str, quality: QualitySection, rows: list[ReportRow], labels) -> int:
    """A titled table at ``row``: header (names), keys, then the rows. Returns the next free row."""
    sheet.cell(row, 1, title).font = Font(bold=True, size=12)
    header, keys = row + 1, row + 2
    columns = [(text, None) for text, _getter in labels] + [(metric.name, metric) for metric in quality.metrics]
    for col, (text, metric) in enumerate(columns, 1):
        cell = sheet.cell(header, col, text)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        sheet.cell(keys, col, metric.key if metric else "").font = KEY_FONT
    for index, line in enumerate(rows, keys + 1):
        for col, (_text, getter) in enumerate(labels, 1):
            sheet.cell(index, col, getter(line))
        for offset, metric in enumerate(quality.metrics, len(labels) + 1):
            sheet.cell(index, offset, line.metrics.get(metric.key)).number_format = QUALITY_FORMATS[metric.key]
    last = keys + len(rows)
    if rows:
        score_col = get_column_letter(len(labels) + 1)
        sheet.conditional_formatting.add(
            f"{score_col}{keys + 1}:{score_col}{last}",
            ColorScaleRule(start_type="min", start_color="F8696B", mid_type="percentile", mid_value=50,
                           mid_color="FFEB84", end_type="max", end_color="63BE7B"),
        )
    else:
        sheet.cell(keys + 1, 1, _("No inspected conversation.")).font = MUTED_FONT
        last += 1
    return last + 1
