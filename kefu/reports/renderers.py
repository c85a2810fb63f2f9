"""Report files: one entry point from a format name to bytes, a content type and a file name."""

from dataclasses import dataclass

from kefu.reports.builder import Report

FORMATS = ("xlsx", "pdf", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    content_type: str
    filename: str


def report_filename(report: Report, fmt: str) -> str:
    """``kefu-weekly-2026-11-09.xlsx``: ASCII, so every mail client and browser keeps it."""
    return f"kefu-{report.period.kind}-{report.period.start.isoformat()}.{fmt}"


def report_render(report: Report, fmt: str) -> ReportFile:
    if fmt == "xlsx":
        from kefu.reports.render_xlsx import report_xlsx

        content = report_xlsx(report)
    elif fmt == "pdf":
        from kefu.reports.render_pdf import report_pdf

        content = report_pdf(report)
    elif fmt == "csv":
        from kefu.reports.render_csv import report_csv

        content = report_csv(report)
    else:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return ReportFile(content, CONTENT_TYPES[fmt], report_filename(report, fmt))
