"""Fixtures of the report tests: two simulated weeks of one shop, imported through intake,
and the figures ``kefu metrics --format json`` prints for them."""

import io
import json
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from kefu.demo.simulator import simulate
from kefu.intake.services import events_import

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK_DAY = date(2026, 11, 11)  # a Wednesday: its week runs 2026-11-09 to 2026-11-15
AS_OF = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)


@cache
def _records() -> tuple[dict, ...]:
    # Two weeks, so the report's week has a previous one; three agents in two teams.
    return tuple(simulate(shops=1, agents=3, days=14, end=date(2026, 11, 15), seed=3, scale=0.12))


@pytest.fixture
def imported(db):
    """The simulated fortnight, imported and rolled up; returns the shop's source id."""
    from kefu.metrics.rollups import rollups_refresh

    _run, summary = events_import(records=enumerate(_records(), 1))
    assert summary.rejected == []
    rollups_refresh()
    return next(r["id"] for r in _records() if r["type"] == "shop")


def cli_metrics(*, start: str, end: str, by: str = "none", shop: str | None = None) -> list[dict]:
    """What ``kefu metrics --format json`` prints for the period, as of AS_OF."""
    out = io.StringIO()
    args = ["--from", start, "--to", end, "--by", by, "--format", "json", "--as-of", AS_OF.isoformat()]
    if shop:
        args += ["--shop", shop]
    call_command("metrics", *args, stdout=out)
    return json.loads(out.getvalue())
