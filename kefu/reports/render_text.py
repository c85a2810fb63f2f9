"""A report as a short message: the key figures, highlights and changes, and a link.

Robot messages (DingTalk, Feishu, WeCom) carry the Markdown version; e-mails the plain
text one with the file attached."""

from django.utils.translation import gettext as _

from kefu.reports.builder import Report
from kefu.reports.formatting import change_format, metric_value_format


def report_subject(report: Report) -> str:
    return f"{report.title} · {report.period.label} · {report.scope_label}"


def _figure_lines(report: Report) -> list[tuple[str, str, str]]:
    """(name, value, change against the previous period) of each key figure."""
    return [
        (metric.name, metric_value_format(metric, report.summary.get(metric.key)),
         change_format(metric, report.summary.get(metric.key), report.previous.get(metric.key)))
        for metric in report.key_metrics
    ]


def report_markdown(report: Report, *, url: str = "") -> str:
    lines = [f"### {report.title} · {report.period.label}", "", report.scope_label, ""]
    figure = _("- %(metric)s: **%(value)s** (vs previous %(change)s)")
    lines += [figure % {"metric": name, "value": value, "change": change}
              for name, value, change in _figure_lines(report)]
    if report.highlights:
        lines += ["", "**%s**" % _("Highlights")]
        lines += [f"- {h.text}" for h in report.highlights[:6]]
    if report.changes:
        lines += ["", "**%s**" % _("Biggest changes")]
        lines += [f"- {c.metric.name} {c.text}" for c in report.changes]
    if url:
        lines += ["", "[%s](%s)" % (_("Open the report"), url)]
    return "\n".join(lines)


def report_text(report: Report, *, url: str = "") -> str:
    """Plain text (e-mail bodies)."""
    lines = [report_subject(report), ""]
    figure = _("%(metric)s: %(value)s (vs previous %(change)s)")
    lines += [figure % {"metric": name, "value": value, "change": change}
              for name, value, change in _figure_lines(report)]
    if report.highlights:
        lines += ["", _("Highlights")] + [f"- {h.text}" for h in report.highlights[:6]]
    if report.changes:
        lines += ["", _("Biggest changes")] + [f"- {c.metric.name} {c.text}" for c in report.changes]
    if url:
        lines += ["", _("Open the report: %(url)s") % {"url": url}]
    return "\n".join(lines) + "\n"
