"""``kefu report --period weekly --date 2026-11-11 [--shop ID] --out FILE.xlsx|.pdf|.csv``:
write the report of the period that contains the date; the file's extension picks the format."""

from datetime import date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kefu.reports.periods import PERIODS
from kefu.reports.renderers import FORMATS
from kefu.shops.models import Shop


class Command(BaseCommand):
    help = "Write a daily, weekly or monthly service report as .xlsx, .pdf or .csv."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, choices=PERIODS)
        parser.add_argument("--date", required=True, help="a day of the period, YYYY-MM-DD (shop-local)")
        parser.add_argument("--shop", action="append", help="limit to this shop (its source id); repeatable")
        parser.add_argument("--out", required=True, type=Path, help="the file to write: .xlsx, .pdf or .csv")
        parser.add_argument("--as-of", dest="as_of", help="compute as of this moment (ISO 8601 with offset)")

    def handle(self, *args, period, date: str, shop, out: Path, as_of, **options):
        day = _parse_date(date)
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(f"--out must end in .xlsx, .pdf or .csv, got {out.name!r}")
        if not out.parent.exists():
            raise CommandError(f"{out.parent}: no such directory")
        shops = None
        if shop:
            found = {s.ext_id: s for s in Shop.objects.filter(ext_id__in=shop)}
            missing = [ext_id for ext_id in shop if ext_id not in found]
            if missing:
                raise CommandError(f"unknown shop {', '.join(map(repr, missing))}")
            shops = list(found.values())
        moment = _parse_as_of(as_of) if as_of else None

        from kefu.metrics.rollups import rollups_refresh
        from kefu.reports.builder import report_build
        from kefu.reports.renderers import report_render

        rollups_refresh()  # as `kefu metrics` does: what was imported without a worker counts too
        report = report_build(period=period, day=day, shops=shops, as_of=moment)
        file = report_render(report, fmt)
        out.write_bytes(file.content)
        self.stdout.write(f"{report.title} {report.period.label}: {out} ({len(file.content):,} bytes)")


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, got {text!r}") from None


def _parse_as_of(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be an ISO 8601 moment, got {text!r}") from None
    if timezone.is_naive(moment):
        raise CommandError("--as-of needs a UTC offset, e.g. 2026-11-12T00:00:00+08:00")
    return moment
