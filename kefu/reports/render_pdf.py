"""A report as a PDF (fpdf2): key figures, highlights, a chart, then the tables.

The Chinese font is Noto Sans SC from the ``pylopdf-fonts-zh-cn`` package installed with
Kefu (nothing is downloaded at run time); fpdf2 embeds only the glyphs used, so a
report stays around a hundred kilobytes. Charts are drawn with fpdf2's own primitives."""

from datetime import date
from functools import cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode

from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.reports.builder import KEY_METRICS, TABLE_METRICS, Report, ReportRow, target_missed
from kefu.reports.charts import nice_ceiling
from kefu.reports.formatting import change_format, change_tone, metric_value_format

FONT = "NotoSansSC"
INK = (31, 41, 55)
MUTED = (107, 114, 128)
BRAND = (29, 78, 216)
BRAND_DARK = (30, 58, 138)
LINE = (229, 231, 235)
GOOD = (4, 120, 87)
BAD = (185, 28, 28)
BAR = (147, 197, 253)


@cache
def font_path() -> Path:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


class _ReportPDF(FPDF):
    def __init__(self, report: Report):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.add_font(FONT, fname=str(font_path()))
        self.set_font(FONT, size=10)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(14, 14, 14)
        self.set_title(f"{report.title} {report.period.label}")
        self.set_creator("Kefu")
        self.set_lang("zh-CN")

    def footer(self):
        self.set_y(-11)
        self.set_font(FONT, size=7)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"Kefu · {self.report.title} · {self.report.period.label}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(*INK)


def report_pdf(report: Report) -> bytes:
    pdf = _ReportPDF(report)
    pdf.add_page()
    _title(pdf, report)
    _key_figures(pdf, report)
    _highlights(pdf, report)
    if len(report.days) >= 2:
        _section(pdf, _("Daily conversations and reply rate"))
        _chart(pdf, report)
    _section(pdf, _("All metrics"))
    _summary_table(pdf, report)
    if report.teams:
        _section(pdf, _("By team"))
        _rows_table(pdf, report, report.teams, _("Team"))
    if report.agents:
        _section(pdf, _("By agent"))
        _rows_table(pdf, report, report.agents, _("Agent"))
    if len(report.days) > 1:
        _section(pdf, _("By day"))
        _rows_table(pdf, report, report.days, _("Date"))
    return bytes(pdf.output())


def _title(pdf: FPDF, report: Report) -> None:
    pdf.set_font(FONT, size=18)
    pdf.set_text_color(*INK)
    pdf.cell(0, 10, f"{report.title} · {report.period.label}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, _("Shops: %(shops)s") % {"shops": report.scope_label}, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, _("Compared with %(previous)s · computed as of %(as_of)s") % {
        "previous": report.previous_period.label, "as_of": f"{timezone.localtime(report.as_of):%Y-%m-%d %H:%M}",
    }, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(3)


def _key_figures(pdf: FPDF, report: Report) -> None:
    """Eight cards, four a row: the value, and the change against the previous period."""
    width = (pdf.epw - 3 * 4) / 4
    height = 20
    top = pdf.get_y()
    for index, key in enumerate(KEY_METRICS):
        metric = METRIC_BY_KEY[key]
        x = pdf.l_margin + (index % 4) * (width + 4)
        y = top + (index // 4) * (height + 4)
        current, previous = report.summary.get(key), report.previous.get(key)
        target = report.targets.get(key)
        missed = target_missed(metric, current, target)
        pdf.set_draw_color(*LINE)
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(x, y, width, height, style="DF")
        pdf.set_fill_color(*(BAD if missed else BRAND))
        pdf.rect(x, y, width, 1.2, style="F")
        pdf.set_xy(x + 3, y + 2.5)
        pdf.set_font(FONT, size=8)
        pdf.set_text_color(*MUTED)
        pdf.cell(width - 6, 4, metric.name)
        pdf.set_xy(x + 3, y + 7)
        pdf.set_font(FONT, size=15)
        pdf.set_text_color(*(BAD if missed else INK))
        pdf.cell(width - 6, 7, metric_value_format(metric, current))
        pdf.set_xy(x + 3, y + 14)
        pdf.set_font(FONT, size=7.5)
        tone = _tone_colour(metric, current, previous)
        pdf.set_text_color(*tone)
        pdf.cell(width - 6, 4, _("vs previous: %(change)s") % {"change": change_format(metric, current, previous)})
    pdf.set_text_color(*INK)
    pdf.set_y(top + 2 * (height + 4) + 1)


def _tone_colour(metric, current, previous):
    return {"good": GOOD, "bad": BAD}.get(change_tone(metric, current, previous), MUTED)


def _section(pdf: FPDF, title: str, *, min_space: float = 40) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - min_space:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT, size=12)
    pdf.set_text_color(*BRAND_DARK)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*LINE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(1.5)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=9)


def _highlights(pdf: FPDF, report: Report) -> None:
    half = (pdf.epw - 6) / 2
    _section(pdf, _("Highlights and biggest changes"))
    top = pdf.get_y()
    pdf.set_font(FONT, size=9)
    lines = [(h.text, BAD if h.tone == "bad" else GOOD) for h in report.highlights[:10]] or [
        (_("No targets set and too few conversations to rank agents."), MUTED)]
    for text, colour in lines:
        pdf.set_x(pdf.l_margin)
        pdf.set_text_color(*colour)
        pdf.multi_cell(half, 5, f"• {text}", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    changes = [(f"{c.metric.name}  {c.text}", {"good": GOOD, "bad": BAD}.get(c.tone, MUTED))
               for c in report.changes] or [(_("No change against the previous period."), MUTED)]
    for text, colour in changes:
        pdf.set_x(pdf.l_margin + half + 6)
        pdf.set_text_color(*colour)
        pdf.multi_cell(half, 5, f"• {text}", new_x="RIGHT", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 2)


def _chart(pdf: FPDF, report: Report) -> None:
    """Bars: conversations a day (left axis). Line: reply rate (right axis, 0-100%)."""
    height = 58
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    x0, y0 = pdf.l_margin + 10, pdf.get_y() + 4
    width, plot_h = pdf.epw - 22, height - 16
    counts = [int(row.metrics.get("conversations") or 0) for row in report.days]
    rates = [row.metrics.get("reply_rate") for row in report.days]
    top = nice_ceiling(max(counts) if counts else 0)
    pdf.set_font(FONT, size=7)
    pdf.set_draw_color(*LINE)
    pdf.set_text_color(*MUTED)
    for step in range(5):  # grid lines and both axes' labels
        y = y0 + plot_h - plot_h * step / 4
        pdf.line(x0, y, x0 + width, y)
        pdf.set_xy(x0 - 11, y - 2)
        pdf.cell(10, 4, f"{top * step // 4:,}", align="R")
        pdf.set_xy(x0 + width + 1, y - 2)
        pdf.cell(10, 4, f"{25 * step}%")
    slot = width / len(counts)
    bar_w = slot * 0.6
    pdf.set_fill_color(*BAR)
    label_every = max(1, round(len(counts) / 10))
    points = []
    for index, (count, rate) in enumerate(zip(counts, rates, strict=True)):
        x = x0 + slot * index + (slot - bar_w) / 2
        bar_h = plot_h * count / top if top else 0
        if bar_h:
            pdf.rect(x, y0 + plot_h - bar_h, bar_w, bar_h, style="F")
        if rate is not None:
            points.append((x0 + slot * index + slot / 2, y0 + plot_h - plot_h * min(float(rate), 1.0)))
        if index % label_every == 0:
            pdf.set_xy(x0 + slot * index, y0 + plot_h + 1)
            pdf.cell(slot * label_every if label_every > 1 else slot, 4,
                     date.fromisoformat(report.days[index].group["day"]).strftime("%m-%d"),
                     align="C" if label_every == 1 else "L")
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(0.6)
    if len(points) > 1:
        pdf.polyline(points)
    pdf.set_fill_color(*BRAND)
    for x, y in points:
        pdf.circle(x, y, 0.9, style="F")
    pdf.set_line_width(0.2)
    # Legend
    legend_y = y0 + plot_h + 7
    pdf.set_fill_color(*BAR)
    pdf.rect(x0, legend_y + 0.8, 4, 2.5, style="F")
    pdf.set_xy(x0 + 5, legend_y)
    pdf.cell(40, 4, METRIC_BY_KEY["conversations"].name)
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(0.6)
    pdf.line(x0 + 40, legend_y + 2, x0 + 45, legend_y + 2)
    pdf.set_line_width(0.2)
    pdf.set_xy(x0 + 46, legend_y)
    pdf.cell(40, 4, _("%(metric)s (right axis)") % {"metric": METRIC_BY_KEY["reply_rate"].name})
    pdf.set_text_color(*INK)
    pdf.set_y(y0 + height - 2)


def _table_style(pdf: FPDF):
    # fpdf2 paints the rows between the shaded ones in the current fill colour: make it white.
    pdf.set_fill_color(255, 255, 255)
    return {
        "headings_style": FontFace(family=FONT, emphasis="", color=(255, 255, 255), fill_color="#1E3A8A", size_pt=8),
        "cell_fill_color": "#F5F7FA",
        "cell_fill_mode": TableCellFillMode.ROWS,
        "line_height": 5.2,
        "borders_layout": "HORIZONTAL_LINES",
        "padding": (0.6, 1.2),
    }


def _summary_table(pdf: FPDF, report: Report) -> None:
    pdf.set_font(FONT, size=8)
    pdf.set_draw_color(*LINE)
    with pdf.table(col_widths=(46, 26, 26, 22, 26), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
                   **_table_style(pdf)) as table:
        table.row([_("Metric"), _("This period"), _("Previous period"), pgettext("report", "Change"), _("Target")])
        for line in report.summary_lines():
            row = table.row()
            row.cell(line["metric"].name)
            row.cell(line["value_text"], style=FontFace(color=BAD) if line["target_missed"] else None)
            row.cell(line["previous_text"])
            row.cell(line["change_text"], style=FontFace(color={"good": GOOD, "bad": BAD}.get(line["tone"], MUTED)))
            row.cell(line["target_text"])


def _rows_table(pdf: FPDF, report: Report, rows: list[ReportRow], label: str) -> None:
    metrics = [METRIC_BY_KEY[key] for key in TABLE_METRICS]
    pdf.set_font(FONT, size=7.5)
    pdf.set_draw_color(*LINE)
    label_width = 30
    widths = (label_width, *([(pdf.epw - label_width) / len(metrics)] * len(metrics)))
    with pdf.table(col_widths=widths, text_align=("LEFT", *(["RIGHT"] * len(metrics))),
                   **_table_style(pdf)) as table:
        table.row([label, *(m.name for m in metrics)])
        for item in rows:
            row = table.row()
            row.cell(item.label)
            for metric in metrics:
                value = item.metrics.get(metric.key)
                target = report.targets.get(metric.key)
                missed = target_missed(metric, value, target)
                row.cell(metric_value_format(metric, value), style=FontFace(color=BAD) if missed else None)
