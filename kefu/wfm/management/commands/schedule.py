"""``kefu schedule``: a week's least-cost shifts for a staffing requirement, optionally naming agents."""

import csv
import io
from pathlib import Path

import orjson
from django.core.management.base import BaseCommand, CommandError

from kefu.wfm.schedule import ScheduleNotFound, schedule_optimise
from kefu.wfm.schedule_input import ScheduleInputError, agents_parse, requirements_parse, rules_parse
from kefu.wfm.schedule_solvers import SOLVERS


def _read(path: str, option: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CommandError(f"{option} {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{option} {path}: not UTF-8 text") from None


class Command(BaseCommand):
    help = ("Build a week's shift schedule covering REQ.csv (start,agents_required) at least cost under RULES.json "
            "(docs/wfm-schedule.md); with --agents, name the agents too.")
    requires_system_checks = []  # file in, file out: no need to import every view first

    def add_arguments(self, parser):
        parser.add_argument("--requirements", required=True, help="REQ.csv: start,agents_required per interval")
        parser.add_argument("--rules", required=True, help="RULES.json: shift types, caps, weekly tours, labour rules")
        parser.add_argument("--agents", help="agents CSV (id,name,shift_types,...) to assign the shifts to")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--time-limit", dest="time_limit", type=float, default=60.0,
                            help="seconds for the optimiser (default 60); the best schedule so far and its gap are reported")
        parser.add_argument("--roster-time-limit", dest="roster_time_limit", type=float,
                            help="seconds for naming agents (default: --time-limit)")
        parser.add_argument("--solver", choices=SOLVERS, default="highs",
                            help="highs (default: a MILP solver, proves weekly tours optimal much faster here) or cp-sat")
        parser.add_argument("--workers", type=int, default=2, help="solver threads (default 2)")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, requirements, rules, agents, format, solver, time_limit, roster_time_limit, workers, seed, **options):
        if time_limit <= 0 or (roster_time_limit is not None and roster_time_limit <= 0):
            raise CommandError("--time-limit and --roster-time-limit must be positive")
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        try:
            parsed_rules = rules_parse(text=_read(rules, "--rules"))
            parsed_requirements = requirements_parse(text=_read(requirements, "--requirements"))
            parsed_agents = agents_parse(text=_read(agents, "--agents"), rules=parsed_rules) if agents else None
            result = schedule_optimise(requirements=parsed_requirements, rules=parsed_rules, agents=parsed_agents, solver=solver,
                                       time_limit=time_limit, roster_time_limit=roster_time_limit, workers=workers,
                                       seed=seed)
        except (ScheduleInputError, ScheduleNotFound) as error:
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
        else:
            self.stdout.write(_csv(result), ending="")


def _csv(result: dict) -> str:
    """One row per shift instance (with the agents named, if any); totals and intervals are in the JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    with_agents = "roster" in result
    writer.writerow(["type", "start", "end", "count", "paid_hours"] + (["agents"] if with_agents else []))
    for shift in result["shifts"]:
        row = [shift["type"], shift["start"], shift["end"], shift["count"], shift["paid_hours"]]
        writer.writerow(row + (["|".join(shift["agents"])] if with_agents else []))
    return out.getvalue()
