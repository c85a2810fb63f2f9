"""The independent schedule checker: optimiser outputs pass it, tampered outputs are caught.

Each small case is solved by ``schedule_optimise`` and the checker must find no violation
(and full coverage where coverage is feasible). One 双11-like week (a night peak seven times
the normal night on the eve of 11.11) must come within 2 % of the optimum by the solver's
own bound; its solve time is printed. The mutation tests tamper with a correct output one
rule at a time and expect the checker to name that rule.
"""

import copy
import json
import math
from datetime import datetime, timedelta

import pytest

from kefu.wfm.checker import schedule_check, schedule_check_files, schedule_uncovered
from kefu.wfm.schedule import schedule_optimise
from kefu.wfm.schedule_input import agents_parse, requirements_parse, rules_parse

MONDAY = datetime.fromisoformat("2026-11-09T00:00:00+08:00")
FT = {"name": "FT", "length_minutes": 540, "start_every_minutes": 60,
      "breaks": [{"offset_minutes": 240, "length_minutes": 60, "paid": False}]}
PT = {"name": "PT", "length_minutes": 240, "start_every_minutes": 60}


def req_csv(values: list[int], step: int = 60) -> str:
    rows = [f"{(MONDAY + timedelta(minutes=i * step)).isoformat()},{v}" for i, v in enumerate(values)]
    return "start,agents_required\n" + "\n".join(rows) + "\n"


def day(pattern: dict[tuple[int, int], int]) -> list[int]:
    values = [0] * 24
    for (lo, hi), agents in pattern.items():
        values[lo:hi] = [agents] * (hi - lo)
    return values


def solved(values, rules: dict, agents: str | None = None, *, step: int = 60, time_limit: float = 20):
    parsed = rules_parse(text=json.dumps(rules))
    requirements = requirements_parse(text=req_csv(values, step))
    people = agents_parse(text=agents, rules=parsed) if agents else None
    result = schedule_optimise(requirements=requirements, rules=parsed, agents=people, solver="highs",
                               time_limit=time_limit)
    return parsed, requirements, people, result


def rules_of(violations) -> set[str]:
    return {v.rule for v in violations}


EARLY_LATE = {"shift_types": [
    {"name": "E", "length_minutes": 480, "start_every_minutes": 60, "earliest_start": "06:00", "latest_start": "06:00"},
    {"name": "L", "length_minutes": 480, "start_every_minutes": 60, "earliest_start": "14:00", "latest_start": "14:00"}],
    "labour": {"max_consecutive_days": 2, "max_hours_day": 8}}
AGENTS = """id,name,shift_types,min_rest_hours,unavailable
a1,小美,E|L,11,
a2,小王,E|L,11,Tue
a3,小李,E|L,11,
a4,小张,E,11,Wed
"""
SMALL_CASES = {
    "ft and pt with breaks": (day({(8, 22): 3, (12, 14): 5, (19, 21): 6}) * 2,
                              {"shift_types": [FT, PT], "max_paid_hours_share": {"PT": 0.3}}, None),
    "staggered break window": (day({(9, 18): 4}),
                               {"shift_types": [{**FT, "breaks": [{"earliest_offset_minutes": 180,
                                                                  "latest_offset_minutes": 300,
                                                                  "length_minutes": 60}]}, PT]}, None),
    "night type crossing midnight": (day({(0, 6): 2, (9, 18): 3, (20, 24): 2}) * 2,
                                     {"cyclic_week": False, "shift_types": [
                                         FT, PT, {"name": "N", "length_minutes": 480, "start_every_minutes": 60,
                                                  "earliest_start": "22:00", "latest_start": "23:00"}]}, None),
    "named agents": (day({(6, 22): 1}) * 3, EARLY_LATE, AGENTS),
}


@pytest.mark.parametrize("case", list(SMALL_CASES))
def test_optimiser_outputs_keep_every_rule_and_cover_fully(case):
    values, rules, agents = SMALL_CASES[case]
    parsed, requirements, people, result = solved(values, rules, agents)
    assert schedule_check(rules=parsed, requirements=requirements, result=result, agents=people) == []
    assert schedule_uncovered(requirements=requirements, rules=parsed, result=result) == 0
    assert result["optimal"] is True


def test_an_impossible_requirement_reports_its_shortfall_truthfully():
    rules = {"shift_types": [PT], "max_agents": {"PT": 2}}
    parsed, requirements, _, result = solved(day({(9, 13): 3}), rules)
    assert schedule_check(rules=parsed, requirements=requirements, result=result) == []
    assert schedule_uncovered(requirements=requirements, rules=parsed, result=result) == 4 == result["shortfall"]


def double11_week() -> list[int]:
    """Hourly requirement Monday 9 Nov 2026 on: two day humps and an evening peak, 2-3 agents at
    night, and on the eve of 11.11 (Tuesday 22:00 to Wednesday 02:00) seven times that night."""
    values = []
    for i in range(7 * 24):
        moment = MONDAY + timedelta(hours=i)
        h = moment.hour
        if h < 7:
            value = 3 if h < 1 else 2
        else:
            value = (2 + 8 * math.exp(-(((h - 11) / 2.5) ** 2)) + 6 * math.exp(-(((h - 15) / 2.5) ** 2))
                     + 10 * math.exp(-(((h - 21) / 1.5) ** 2)))
        if (moment.weekday() == 1 and h >= 22) or (moment.weekday() == 2 and h < 2):
            value = 7 * (3 if h >= 22 or h < 1 else 2)
        values.append(math.ceil(value))
    return values


DOUBLE11_RULES = {
    "cyclic_week": True,
    "shift_types": [FT, PT, {"name": "N", "length_minutes": 480, "start_every_minutes": 60, "earliest_start": "20:00",
                             "latest_start": "23:00", "cost_per_paid_hour": 1.2}],
    "max_paid_hours_share": {"PT": 0.3},
    "weekly_tours": {"FT": {"working_days": 5, "consecutive_days_off": 2}},
}


def test_double11_week_is_covered_within_two_percent_of_the_optimum():
    values = double11_week()
    normal_night, peak_night = values[24 + 3], values[24 + 23]  # Tuesday 03:00 and 23:00
    assert peak_night >= 5 * normal_night
    parsed, requirements, _, result = solved(values, DOUBLE11_RULES, time_limit=10)
    print(f"\n双11 week: cost {result['cost']}, optimal {result['optimal']}, gap {result['gap']:.4%}, "
          f"solve {result['solve_seconds']} s, required {result['required_agent_hours']} agent-hours")
    assert schedule_check(rules=parsed, requirements=requirements, result=result) == []
    assert schedule_uncovered(requirements=requirements, rules=parsed, result=result) == 0
    assert result["optimal"] or result["gap"] <= 0.02
    assert result["cost"] >= result["required_agent_hours"]  # every required agent-hour is paid at least 1.0


# --- mutations: each tampering is caught and named ---------------------------------------


@pytest.fixture(scope="module")
def roster_case():
    values, rules, agents = SMALL_CASES["named agents"]
    return solved(values, rules, agents)


@pytest.fixture(scope="module")
def week_case():
    rules = {**DOUBLE11_RULES, "shift_types": [FT, PT], "max_paid_hours_share": {"PT": 0.3}}
    values = [min(v, 12) for v in double11_week()]
    return solved(values, rules, time_limit=3)  # any feasible schedule will do for tampering


def test_the_untampered_outputs_are_clean(week_case, roster_case):
    assert check(week_case, lambda r: None) == set()
    assert check(roster_case, lambda r: None) == set()


def check(case, mutate) -> set[str]:
    parsed, requirements, people, result = case
    tampered = copy.deepcopy(result)
    mutate(tampered)
    return rules_of(schedule_check(rules=parsed, requirements=requirements, result=tampered, agents=people))


def shift_of(result, type_name):
    return next(s for s in result["shifts"] if s["type"] == type_name)


def moved(text: str, minutes: int) -> str:
    return (datetime.fromisoformat(text) + timedelta(minutes=minutes)).isoformat()


def test_dropping_a_shift_breaks_coverage(week_case):
    assert "coverage" in check(week_case, lambda r: r["shifts"].pop(len(r["shifts"]) // 2))


def test_an_off_grid_start_is_flagged(week_case):
    def mutate(r):
        shift = shift_of(r, "PT")
        shift["start"], shift["end"] = moved(shift["start"], 30), moved(shift["end"], 30)
    assert "allowed start" in check(week_case, mutate)


def test_a_wrong_length_is_flagged(week_case):
    def mutate(r):
        shift_of(r, "PT")["end"] = moved(shift_of(r, "PT")["end"], 60)
    assert "shift length" in check(week_case, mutate)


def test_a_break_outside_its_place_is_flagged(week_case):
    def mutate(r):
        brk = shift_of(r, "FT")["breaks"][0]
        brk["start"] = moved(brk["start"], 60)
    assert "break" in check(week_case, mutate)


def test_exceeding_the_part_time_share_is_flagged(week_case):
    def mutate(r):
        shift_of(r, "PT")["count"] += 200
    assert "share cap" in check(week_case, mutate)


def test_a_broken_tour_is_flagged(week_case):
    def mutate(r):
        tour = r["tours"][0]
        tour["working_days"] = tour["working_days"][:4]
    assert "weekly tour" in check(week_case, mutate)


def test_a_misreported_shortfall_is_flagged(week_case):
    def mutate(r):
        r["shortfall"] = 3
    assert "coverage" in check(week_case, mutate)


def roster_agent(result, agent_id):
    return next(a for a in result["roster"]["agents"] if a["id"] == agent_id)


def add_shift(result, agent_id, type_name, start):
    length = {"E": 8, "L": 8}[type_name]
    roster_agent(result, agent_id)["shifts"].append(
        {"type": type_name, "start": start.isoformat(), "end": (start + timedelta(hours=length)).isoformat(),
         "paid_hours": 8.0})


def test_an_agent_on_a_day_they_are_unavailable_is_flagged(roster_case):
    assert "availability" in check(roster_case, lambda r: add_shift(r, "a2", "E", MONDAY + timedelta(days=1, hours=6)))


def test_too_little_rest_is_flagged(roster_case):
    def mutate(r):
        agent = roster_agent(r, "a1")
        agent["shifts"] = []
        add_shift(r, "a1", "L", MONDAY + timedelta(hours=14))
        add_shift(r, "a1", "E", MONDAY + timedelta(days=1, hours=6))  # 8 h after the late shift
    assert "rest" in check(roster_case, mutate)


def test_two_shifts_in_a_day_and_too_many_days_in_a_row_are_flagged(roster_case):
    def mutate(r):
        roster_agent(r, "a3")["shifts"] = []
        for d in range(3):
            add_shift(r, "a3", "E", MONDAY + timedelta(days=d, hours=6))
        add_shift(r, "a3", "L", MONDAY + timedelta(days=2, hours=14))
    found = check(roster_case, mutate)
    assert {"consecutive days", "max hours per day", "rest"} <= found


def test_a_shift_type_the_agent_does_not_work_is_flagged(roster_case):
    def mutate(r):
        roster_agent(r, "a4")["shifts"] = []
        add_shift(r, "a4", "L", MONDAY + timedelta(hours=14))
    assert "agent shift type" in check(roster_case, mutate)


def test_more_agents_than_shifts_is_flagged(roster_case):
    def mutate(r):
        taken = roster_agent(r, "a1")["shifts"][0]
        other = next(a for a in r["roster"]["agents"]
                     if a["id"] != "a1" and taken["start"] not in [s["start"] for s in a["shifts"]]
                     and a["id"] != "a4")
        other["shifts"].append(dict(taken))
    assert "roster" in check(roster_case, mutate)


def test_the_checker_reads_the_files(tmp_path, roster_case):
    parsed, requirements, _, result = roster_case
    values, rules, agents = SMALL_CASES["named agents"]
    assert schedule_check_files(rules_text=json.dumps(rules), requirements_text=req_csv(values),
                                output_text=json.dumps(result), agents_text=agents) == []
    result = copy.deepcopy(result)
    result["shifts"][0]["type"] = "XX"
    (violation, *_) = schedule_check_files(rules_text=json.dumps(rules), requirements_text=req_csv(values),
                                           output_text=json.dumps(result))
    assert violation.rule == "shift type" and "shifts[0]" in violation.where and "'XX'" in violation.detail
