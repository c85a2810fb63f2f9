"""``kefu forecast``: conversations per interval for the coming days, with a backtest."""

import csv
import io
import sys
from pathlib import Path

import orjson
from django.core.management.base import BaseCommand, CommandError

from kefu.wfm.arrivals import conversation_arrivals
from kefu.wfm.forecast import (
    DEFAULT_LEVEL,
    ForecastInputError,
    forecast_backtest,
    history_parse,
    promotions_parse,
    volume_forecast,
)


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CommandError(f"cannot read {what} {path}: {error.strerror}") from None


class Command(BaseCommand):
    help = (
        "Forecast conversations per interval from a start,volume[,aht] history CSV, with promotions "
        "and a backtest against seasonal naive (see docs/wfm.md)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--history", help="CSV start,volume[,aht]; start with a UTC offset")
        source.add_argument("--shop", help="forecast from this shop's own conversations (its source id)")
        parser.add_argument("--skill-group", help="with --shop: only conversations assigned to this group (key)")
        parser.add_argument("--interval-minutes", type=int, default=30, help="15 or 30 (must match the history)")
        parser.add_argument("--horizon-days", type=int, default=7)
        parser.add_argument("--promotions", help="CSV start,end,name[,kind][,uplift]")
        parser.add_argument("--backtest-weeks", type=int, default=2, help="0 to skip the backtest")
        parser.add_argument("--level", type=int, default=DEFAULT_LEVEL, help="prediction interval %% (lower, upper)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, history, shop, skill_group, interval_minutes, horizon_days, promotions, **options):
        backtest_weeks, level, format = options["backtest_weeks"], options["level"], options["format"]
        if skill_group and not shop:
            raise CommandError("--skill-group needs --shop")
        try:
            if shop:
                series = conversation_arrivals(
                    shop_ext_id=shop, interval_minutes=interval_minutes, skill_group=skill_group
                )
            else:
                series = history_parse(text=_read(history, "history"), interval_minutes=interval_minutes)
        except ForecastInputError as error:
            raise CommandError(f"{history or 'shop ' + shop}: {error}") from None
        try:
            promos = promotions_parse(text=_read(promotions, "promotions")) if promotions else []
        except ForecastInputError as error:
            raise CommandError(f"{promotions}: {error}") from None
        try:
            forecast = volume_forecast(history=series, horizon_days=horizon_days, promotions=promos, level=level)
        except ForecastInputError as error:
            raise CommandError(str(error)) from None
        backtest = None
        if backtest_weeks > 0:
            try:
                backtest = forecast_backtest(
                    history=series, weeks=backtest_weeks, horizon_days=horizon_days, promotions=promos
                )
            except ForecastInputError as error:
                # Too little history to test on: the forecast is still given, marked as untested.
                backtest = {"weeks": backtest_weeks, "skipped": str(error)}
        rows = forecast.rows()
        if format == "json":
            data = {
                "interval_minutes": interval_minutes,
                "model": forecast.model,
                "forecast": rows,
                "backtest": backtest,
                "promotions": [p.as_dict(forecast.tz) for p in forecast.promotions],
            }
            self.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
            return
        columns = ["start", "volume", "lower", "upper"] + (["aht"] if forecast.aht is not None else [])
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        self.stdout.write(out.getvalue(), ending="")
        if backtest is not None and "skipped" in backtest:
            sys.stderr.write(f"backtest skipped: {backtest['skipped']}\n")
        elif backtest is not None:
            m, n = backtest["model"], backtest["seasonal_naive"]
            sys.stderr.write(
                f"backtest, last {backtest_weeks} weeks ({backtest['windows']} × {backtest['window_days']} days): "
                f"model MAPE {m['mape']}% sMAPE {m['smape']}% MASE {m['mase']}; "
                f"seasonal naive MAPE {n['mape']}% sMAPE {n['smape']}% MASE {n['mase']}\n"
            )
        for promotion in forecast.promotions:
            if promotion.source == "none":
                sys.stderr.write(
                    f"promotion {promotion.name!r} (kind {promotion.kind!r}): "
                    "no uplift given and none learned; 1 used\n"
                )

