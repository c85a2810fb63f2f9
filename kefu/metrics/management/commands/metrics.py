"""``kefu metrics``: the figures of spec/metrics.md for a period, as a table, CSV or JSON."""

import csv
import io
import orjson
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from kefu.metrics.definitions import GROUPINGS, METRIC_BY_KEY, METRIC_KEYS
from kefu.metrics.engine import metrics_compute, rows_as_json
from kefu.metrics.format import metric_display
from kefu.metrics.params import period_parse
from kefu.metrics.rollups import rollups_refresh
from kefu.shops.models import Shop


class Command(BaseCommand):
    help = "Print the metrics of spec/metrics.md for a period, grouped by agent, team, shop, day, week or month."
    # A read-only report: the system checks would import every view and URL (a second of
    # start-up) before printing a figure. `kefu check` runs them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day (shop time) or a time with offset")
        parser.add_argument("--to", dest="end", required=True, help="day or time after the period (exclusive)")
        parser.add_argument("--shop", help="only this shop (its source id)")
        parser.add_argument("--by", choices=GROUPINGS, default="none")
        parser.add_argument("--as-of", dest="as_of", help="compute as of this time (with offset); default now")
        parser.add_argument("--metrics", help="comma-separated metric keys (default: all)")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, start, end, shop, by, as_of, metrics, format, **options):
        try:
            start, end, as_of_moment = period_parse(start, end, as_of)
        except ValueError as error:
            raise CommandError(f"--{error}") from None
        keys = None
        if metrics:
            keys = [k.strip() for k in metrics.split(",") if k.strip()]
            unknown = [k for k in keys if k not in METRIC_BY_KEY]
            if unknown:
                raise CommandError(f"unknown metric(s): {', '.join(unknown)}; known: {', '.join(METRIC_KEYS)}")
        shops = None
        if shop:
            found = Shop.objects.filter(ext_id=shop).first()
            if found is None:
                raise CommandError(f"unknown shop {shop!r}")
            shops = [found]
        rollups_refresh()  # whatever was imported without a worker running is counted too
        rows = metrics_compute(start=start, end=end, shops=shops, by=by, as_of=as_of_moment, keys=keys)
        data = rows_as_json(rows)
        if format == "json":
            self.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
        elif format == "csv":
            self.stdout.write(_csv(data, keys or list(METRIC_KEYS)), ending="")
        else:
            _table(rows, keys or list(METRIC_KEYS), self.stdout)


def _csv(data: list[dict], keys: list[str]) -> str:
    group_keys = list(dict.fromkeys(k for row in data for k in row["group"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(group_keys + keys)
    for row in data:
        values = [row["metrics"][k] for k in keys]
        writer.writerow([row["group"].get(k, "") for k in group_keys] + ["" if v is None else v for v in values])
    return out.getvalue()


def _table(rows, keys: list[str], stdout) -> None:
    console = Console(file=stdout, width=200)
    # One column per group, one row per metric: reads well for a handful of groups.
    table = Table(show_header=True, header_style="bold")
    table.add_column("指标 metric")
    labels = [" ".join(str(v) for v in row.group.values()) or "全部 all" for row in rows]
    for label in labels:
        table.add_column(label, justify="right")
    for key in keys:
        metric = METRIC_BY_KEY[key]
        table.add_row(f"{metric.zh} {key}", *[metric_display(metric, row.metrics[key]) for row in rows])
    console.print(table)
