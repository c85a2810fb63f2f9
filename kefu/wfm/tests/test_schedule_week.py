"""A realistic week: 336 half-hour requirements shaped like a Taobao shop's customer service.

``week_requirements_csv`` is also the requirement measured in docs/wfm-schedule.md (print it
with ``python -c`` as shown there). The test solves the week without weekly tours on HiGHS,
which proves the optimum in about a second; the tour variant takes tens of seconds and is
measured in the docs instead of here.
"""

import json
import math
from datetime import datetime, timedelta

from kefu.wfm.schedule import schedule_optimise
from kefu.wfm.schedule_input import requirements_parse, rules_parse

MONDAY = datetime.fromisoformat("2026-11-16T00:00:00+08:00")
EXAMPLE_RULES = {
    "cyclic_week": True,
    "shift_types": [
        {"name": "FT", "length_minutes": 540, "start_every_minutes": 60, "cost_per_paid_hour": 1.0,
         "breaks": [{"offset_minutes": 240, "length_minutes": 60, "paid": False}]},
        {"name": "PT", "length_minutes": 240, "start_every_minutes": 60, "cost_per_paid_hour": 1.0}],
    "max_paid_hours_share": {"PT": 0.25},
    "weekly_tours": {"FT": {"working_days": 5, "consecutive_days_off": 2}},
}


def agents_required(moment: datetime) -> int:
    """Morning and afternoon humps, the evening peak at 20:00-23:00, a thin night; Saturday is a
    双11-like day (×2.2) whose night runs on past Sunday midnight."""
    hour = moment.hour + moment.minute / 60
    if hour < 7:
        value = 8 if hour < 1 else 2
    else:
        value = (2 + 10 * math.exp(-(((hour - 11) / 2.5) ** 2)) + 8 * math.exp(-(((hour - 15) / 2.5) ** 2))
                 + 18 * math.exp(-(((hour - 21.5) / 1.5) ** 2)))
    if moment.weekday() == 5:
        value = 2 if hour < 2 else value * 2.2
    if moment.weekday() == 6 and hour < 2:
        value = 25
    return math.ceil(value)


def week_requirements_csv(interval_minutes: int = 30) -> str:
    lines = ["start,agents_required"]
    for i in range(7 * 1440 // interval_minutes):
        moment = MONDAY + timedelta(minutes=i * interval_minutes)
        lines.append(f"{moment.isoformat()},{agents_required(moment)}")
    return "\n".join(lines) + "\n"


def test_a_realistic_week_without_tours_is_covered_at_proven_least_cost():
    requirements = requirements_parse(text=week_requirements_csv())
    rules = {key: value for key, value in EXAMPLE_RULES.items() if key != "weekly_tours"}
    result = schedule_optimise(requirements=requirements, rules=rules_parse(text=json.dumps(rules)), solver="highs",
                               time_limit=30)
    assert len(result["intervals"]) == 336
    assert result["optimal"] is True and result["shortfall"] == 0
    # Recompute cover from the shifts: FT 18 half-hours minus its 2-half-hour break, PT 8, wrapping the week.
    working = [0] * 336
    for shift in result["shifts"]:
        first = int((datetime.fromisoformat(shift["start"]) - MONDAY).total_seconds() // 1800)
        for k in range(18 if shift["type"] == "FT" else 8):
            working[(first + k) % 336] += shift["count"]
        for brk in shift["breaks"]:
            begin = int((datetime.fromisoformat(brk["start"]) - MONDAY).total_seconds() // 1800)
            for k in range(brk["length_minutes"] // 30):
                working[(begin + k) % 336] -= brk["count"]
    assert all(w >= r for w, r in zip(working, requirements.required))
    # A lower bound: every required agent-half-hour paid once.
    assert result["cost"] >= sum(requirements.required) / 2
    pt_hours = sum(s["count"] * s["paid_hours"] for s in result["shifts"] if s["type"] == "PT")
    assert pt_hours <= 0.25 * result["paid_hours"] + 1e-9
