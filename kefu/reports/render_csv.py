"""A report as CSV: one long table, UTF-8 with a byte-order mark (so Excel opens the
Chinese names correctly).

The first column, ``section``, says what a row is — ``summary`` (this period),
``previous`` (the previous period), ``team``, ``agent`` or ``day`` — so one filter in
Excel or one ``csv.DictReader`` pass separates the tables. Then ``name`` (team, agent or
date; the period for the two summary rows), ``agent_id``, ``team``, ``shop``, and one
column per metric, headed by its key. Values are the engine's: ratios as fractions
(0.9634), seconds and hours as numbers, yuan as decimals (``199.00``), empty for null."""

import csv
from decimal import Decimal
from io import StringIO

from kefu.reports.builder import Report, ReportRow

LEADING_COLUMNS = ("section", "name", "agent_id", "team", "shop")


def report_csv(report: Report) -> bytes:
    out = StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    keys = [metric.key for metric in report.metrics]
    writer.writerow([*LEADING_COLUMNS, *keys])

    def write(section: str, name: str, metrics: dict, row: ReportRow | None = None) -> None:
        writer.writerow([
            section,
            name,
            row.group.get("agent_id", "") if row else "",
            row.team if row else "",
            row.shop if row else "",
            *(_cell(metrics.get(key)) for key in keys),
        ])

    write("summary", report.period.label, report.summary)
    write("previous", report.previous_period.label, report.previous)
    for section, rows in (("team", report.teams), ("agent", report.agents), ("day", report.days)):
        for row in rows:
            write(section, row.label, row.metrics, row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return repr(value) if isinstance(value, float) else str(value)
