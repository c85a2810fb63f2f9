"""``kefu simulate``: write the demo shop's event stream (spec/events.md) to a file or stdout."""

import argparse
import os
import sys
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kefu.demo.simulator import simulate, write_events


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


class Command(BaseCommand):
    help = ("Simulate shops, agents and customers and write their records as JSON Lines "
            "(gzip when FILE ends in .gz, '-' for stdout). Same arguments, same output.")

    def add_arguments(self, parser):
        parser.add_argument("--shops", type=int, default=1)
        parser.add_argument("--agents", type=int, default=12, help="agents per shop (sets the shop's volume)")
        parser.add_argument("--days", type=int, default=14)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", required=True, metavar="FILE", help="FILE.jsonl.gz, FILE.jsonl or -")
        parser.add_argument("--end", type=_date, metavar="YYYY-MM-DD",
                            help="last day, simulated whole (default: today up to now, Asia/Shanghai)")
        parser.add_argument("--scale", type=float, default=1.0, help="volume multiplier")
        parser.add_argument("--promo-day", type=_date, metavar="YYYY-MM-DD",
                            help="the 双11-like day (default: the 11th in the period, else 3 days before the end)")

    def handle(self, *args, shops, agents, days, seed, out, end, scale, promo_day, **options):
        started = time.perf_counter()
        try:
            records = simulate(shops=shops, agents=agents, days=days, seed=seed, end=end, scale=scale,
                               promo_day=promo_day)
        except ValueError as error:
            raise CommandError(str(error)) from None
        try:
            counts = write_events(records, out)
        except BrokenPipeError:  # `kefu simulate --out - | head`: the reader has had enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit's flush
            return
        seconds = time.perf_counter() - started
        total, messages = sum(counts.values()), counts.get("message", 0)
        plain = str  # the summary is information, not an error: no red
        self.stderr.write(f"{total:,} records, {messages:,} messages in {seconds:.1f} s "
                          f"({total / seconds:,.0f} records/s) -> {out}", style_func=plain)
        self.stderr.write("  " + ", ".join(f"{kind} {count:,}" for kind, count in sorted(counts.items())),
                          style_func=plain)
