"""``kefu schedule``: coverage, least cost, caps, weekly tours, cyclic wrap, shortfall, inputs, CLI.

Every solve is small (one to seven days of 60-minute intervals) and proves optimality in a
second or two. Coverage is recomputed here from the output shifts and breaks, not read back
from the optimiser's own interval figures.
"""

import io
import json
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from kefu.wfm.schedule import days_off_patterns, schedule_optimise
from kefu.wfm.schedule_input import ScheduleInputError, agents_parse, requirements_parse, rules_parse

MONDAY = datetime.fromisoformat("2026-11-16T00:00:00+08:00")
FT = {"name": "FT", "length_minutes": 540, "start_every_minutes": 60, "cost_per_paid_hour": 1.0,
      "breaks": [{"offset_minutes": 240, "length_minutes": 60, "paid": False}]}
PT = {"name": "PT", "length_minutes": 240, "start_every_minutes": 60, "cost_per_paid_hour": 1.0}


def req_csv(hourly: list[float], start: datetime = MONDAY) -> str:
    lines = ["start,agents_required"]
    lines += [f"{(start + timedelta(hours=i)).isoformat()},{v}" for i, v in enumerate(hourly)]
    return "\n".join(lines) + "\n"


def day(pattern: dict[tuple[int, int], int]) -> list[int]:
    """24 hourly values: {(from_hour, to_hour): agents} with 0 elsewhere."""
    values = [0] * 24
    for (lo, hi), agents in pattern.items():
        for h in range(lo, hi):
            values[h] = agents
    return values


def solve(hourly, rules: dict, *, agents: str | None = None, time_limit: float = 10.0, solver: str = "cp-sat") -> dict:
    parsed_rules = rules_parse(text=json.dumps(rules))
    return schedule_optimise(requirements=requirements_parse(text=req_csv(hourly)), rules=parsed_rules,
                             agents=agents_parse(text=agents, rules=parsed_rules) if agents else None,
                             solver=solver, time_limit=time_limit, workers=2)


def coverage(result: dict, rules: dict, hours: int, *, cyclic: bool) -> list[int]:
    """Agents at work per hour, from the output shifts (type length from the rules) minus breaks."""
    lengths = {t["name"]: t["length_minutes"] // 60 for t in rules["shift_types"]}
    working = [0] * hours

    def add(start_iso: str, length_hours: int, amount: int):
        first = int((datetime.fromisoformat(start_iso) - MONDAY).total_seconds() // 3600)
        for h in range(first, first + length_hours):
            if cyclic:
                working[h % hours] += amount
            else:
                assert h < hours, "a shift runs past the end of a non-cyclic horizon"
                working[h] += amount

    for shift in result["shifts"]:
        add(shift["start"], lengths[shift["type"]], shift["count"])
        for brk in shift["breaks"]:
            add(brk["start"], brk["length_minutes"] // 60, -brk["count"])
    return working


def test_coverage_is_met_when_possible_with_breaks_excluded():
    rules = {"shift_types": [FT, PT]}
    hourly = day({(8, 22): 3, (12, 14): 5, (19, 21): 6}) * 2
    result = solve(hourly, rules)
    assert result["shortfall"] == 0
    covered = coverage(result, rules, len(hourly), cyclic=False)
    assert all(c >= r for c, r in zip(covered, hourly)), list(zip(covered, hourly))
    assert [i["scheduled"] for i in result["intervals"]] == covered
    assert result["overstaffing"] == sum(c - r for c, r in zip(covered, hourly))


@pytest.mark.parametrize("solver", ["cp-sat", "highs"])
def test_least_cost_on_a_case_solved_by_hand(solver):
    # Two agents 09:00-17:00. Two 8-hour shifts cost 16; the dearer 4-hour shifts would cost 4 × 4 × 1.5 = 24,
    # and any mix leaves an idle paid hour. So: two L at 09:00, cost 16, proven optimal.
    rules = {"shift_types": [
        {"name": "L", "length_minutes": 480, "start_every_minutes": 60, "cost_per_paid_hour": 1.0},
        {"name": "S", "length_minutes": 240, "start_every_minutes": 60, "cost_per_paid_hour": 1.5}]}
    result = solve(day({(9, 17): 2}), rules, solver=solver)
    assert result["solver"] == solver
    assert [(s["type"], s["start"], s["count"]) for s in result["shifts"]] == [("L", "2026-11-16T09:00:00+08:00", 2)]
    assert result["cost"] == 16.0 and result["paid_hours"] == 16.0
    assert result["optimal"] is True and result["gap"] == 0.0 and result["shortfall"] == 0


def test_unpaid_break_is_not_paid_and_does_not_cover():
    rules = {"shift_types": [FT]}
    result = solve(day({(9, 13): 1, (14, 18): 1}), rules)  # exactly one FT at 09:00 with its break 13:00-14:00
    assert [(s["start"], s["count"], s["paid_hours"]) for s in result["shifts"]] == [("2026-11-16T09:00:00+08:00", 1, 8.0)]
    assert result["cost"] == 8.0
    assert result["intervals"][13]["scheduled"] == 0 and result["overstaffing"] == 0


def test_part_time_share_cap_is_respected():
    # Short peaks favour PT (4 paid hours each); the cap keeps PT at no more than 25 % of paid hours.
    hourly = day({(8, 22): 2, (10, 14): 6, (18, 22): 7})
    uncapped = solve(hourly, {"shift_types": [FT, PT]})
    pt_hours = sum(s["count"] * s["paid_hours"] for s in uncapped["shifts"] if s["type"] == "PT")
    assert pt_hours > 0.25 * uncapped["paid_hours"]  # the cap below must bite
    capped = solve(hourly, {"shift_types": [FT, PT], "max_paid_hours_share": {"PT": 0.25}})
    pt_hours = sum(s["count"] * s["paid_hours"] for s in capped["shifts"] if s["type"] == "PT")
    assert pt_hours <= 0.25 * capped["paid_hours"] + 1e-9
    assert capped["shortfall"] == 0 and capped["cost"] > uncapped["cost"]


def test_break_window_staggers_breaks():
    # Two agents all day but one at 12:00-14:00: with a fixed 12:00 break both would be off at noon.
    rules = {"shift_types": [{"name": "D", "length_minutes": 540, "start_every_minutes": 60,
                              "earliest_start": "09:00", "latest_start": "09:00",
                              "breaks": [{"earliest_offset_minutes": 180, "latest_offset_minutes": 240,
                                          "length_minutes": 60, "paid": False}]}]}
    result = solve(day({(9, 12): 2, (12, 14): 1, (14, 18): 2}), rules)
    assert result["shortfall"] == 0 and result["shifts"][0]["count"] == 2
    assert sorted((b["start"][11:16], b["count"]) for b in result["shifts"][0]["breaks"]) == [("12:00", 1), ("13:00", 1)]
    fixed = json.loads(json.dumps(rules))
    fixed["shift_types"][0]["breaks"] = [{"offset_minutes": 180, "length_minutes": 60}]
    assert solve(day({(9, 12): 2, (12, 14): 1, (14, 18): 2}), fixed)["shortfall"] > 0


def test_days_off_patterns():
    patterns = days_off_patterns(working_days=5, consecutive_days_off=2, cyclic=True)
    assert len(patterns) == 7  # any two neighbouring days, Sunday+Monday included
    assert (False, True, True, True, True, True, False) in patterns
    assert len(days_off_patterns(working_days=5, consecutive_days_off=2, cyclic=False)) == 6
    assert len(days_off_patterns(working_days=5, consecutive_days_off=1, cyclic=True)) == 21


@pytest.mark.parametrize("solver", ["cp-sat", "highs"])
def test_weekly_tours_expand_to_working_days_with_consecutive_days_off(solver):
    shift = {"name": "T", "length_minutes": 480, "start_every_minutes": 60, "earliest_start": "08:00",
             "latest_start": "10:00"}
    rules = {"cyclic_week": True, "shift_types": [shift],
             "weekly_tours": {"T": {"working_days": 5, "consecutive_days_off": 2}}}
    hourly = day({(9, 17): 1}) * 7
    result = solve(hourly, rules, solver=solver)
    assert result["shortfall"] == 0 and result["optimal"] is True
    assert sum(t["count"] for t in result["tours"]) == 2  # 7 days of one agent need two 5-day tours
    for tour in result["tours"]:
        assert len(tour["working_days"]) == 5
        off = [d in tour["days_off"] for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]
        assert any(off[i] and off[(i + 1) % 7] for i in range(7))
    # Tours expanded: each tour's start time on each of its working days appears in `shifts`.
    expected = {}
    for tour in result["tours"]:
        for d in tour["working_days"]:
            index = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun").index(d)
            start = (MONDAY + timedelta(days=index)).isoformat().replace("00:00:00", tour["start_time"] + ":00", 1)
            expected[start] = expected.get(start, 0) + tour["count"]
    assert {s["start"]: s["count"] for s in result["shifts"]} == expected
    assert sum(s["count"] for s in result["shifts"]) == 10


def test_cyclic_week_wraps_sunday_night_into_monday_morning():
    night = {"name": "N", "length_minutes": 480, "start_every_minutes": 60, "earliest_start": "22:00",
             "latest_start": "22:00"}
    hourly = day({(0, 6): 1}) + [0] * 24 * 6  # only Monday 00:00-06:00 needs someone
    result = solve(hourly, {"cyclic_week": True, "shift_types": [night]})
    assert result["shortfall"] == 0
    assert [(s["start"], s["end"], s["count"]) for s in result["shifts"]] == [
        ("2026-11-22T22:00:00+08:00", "2026-11-23T06:00:00+08:00", 1)]
    covered = coverage(result, {"shift_types": [night]}, len(hourly), cyclic=True)
    assert covered[:6] == [1] * 6 and covered[-2:] == [1, 1]
    assert result["intervals"][0]["scheduled"] == 1 and result["intervals"][-1]["over"] == 1


@pytest.mark.parametrize("solver", ["cp-sat", "highs"])
def test_shortfall_and_overstaffing_reported_when_full_coverage_is_impossible(solver):
    # At most one S shift a day, but three agents are needed 10:00-14:00; a 4-hour shift for 2 needed hours over-covers.
    rules = {"shift_types": [{"name": "S", "length_minutes": 240, "start_every_minutes": 60}],
             "max_agents": {"S": 1}}
    result = solve(day({(10, 14): 3}) + day({(10, 12): 1}), rules, solver=solver)
    assert result["shortfall"] == 2 * 4
    assert [i["shortfall"] for i in result["intervals"][10:14]] == [2, 2, 2, 2]
    assert result["overstaffing"] == 2
    assert sum(s["count"] for s in result["shifts"]) == 2


def test_non_cyclic_shifts_fit_inside_the_horizon():
    result = solve(day({(20, 24): 2}), {"shift_types": [FT]})
    assert result["shortfall"] == 0
    assert all(datetime.fromisoformat(s["end"]) <= MONDAY + timedelta(days=1) for s in result["shifts"])


@pytest.mark.parametrize(("rules", "message"), [
    ("{", "not valid JSON"),
    ({"shift_types": []}, "shift_types: must be a non-empty list"),
    ({"shift_types": [{"name": "FT", "start_every_minutes": 60}]}, "shift_types[0].length_minutes: missing"),
    ({"shift_types": [{**PT, "length_minutes": -5}]}, "shift_types[0].length_minutes: must be at least 1"),
    ({"shift_types": [PT], "max_paid_hours_share": {"XX": 0.2}}, "max_paid_hours_share.XX: unknown shift type"),
    ({"shift_types": [PT], "max_paid_hours_share": {"PT": 1.5}}, "max_paid_hours_share.PT: must be a share"),
    ({"shift_types": [PT], "weekly_tours": {"PT": {"working_days": 5, "consecutive_days_off": 3}}},
     "weekly_tours.PT.consecutive_days_off"),
    ({"shift_types": [{**FT, "breaks": [{"offset_minutes": 530, "length_minutes": 60}]}]},
     "shift_types[0].breaks[0]: the break"),
    ({"shift_types": [PT], "cyclic": True}, "unknown key(s) cyclic"),
    ({"shift_types": [{**PT, "earliest_start": "25:00", "latest_start": "09:00"}]}, "shift_types[0].earliest_start"),
])
def test_bad_rules_name_the_key(rules, message):
    with pytest.raises(ScheduleInputError) as error:
        rules_parse(text=rules if isinstance(rules, str) else json.dumps(rules))
    assert message in str(error.value)


@pytest.mark.parametrize(("text", "message"), [
    ("begin,agents\n", "line 1: missing column(s) start, agents_required"),
    ("start,agents_required\n2026-11-16T00:00:00,1\n2026-11-16T01:00:00,1\n", "line 2: start '2026-11-16T00:00:00' needs a UTC offset"),
    ("start,agents_required\n2026-11-16T00:00+08:00,1\n2026-11-16T01:00+08:00,-1\n", "line 3: agents_required must be a non-negative"),
    ("start,agents_required\n2026-11-16T00:00+08:00,1\n2026-11-16T01:00+08:00,x\n", "line 3: agents_required 'x' is not a number"),
    ("start,agents_required\n2026-11-16T00:00+08:00,1\n2026-11-16T01:00+08:00,1\n2026-11-16T03:00+08:00,1\n",
     "line 4: irregular spacing"),
    ("start,agents_required\nnot a time,1\n2026-11-16T01:00+08:00,1\n", "line 2: start 'not a time' is not an ISO time"),
])
def test_bad_requirements_name_the_line(text, message):
    with pytest.raises(ScheduleInputError) as error:
        requirements_parse(text=text)
    assert message in str(error.value)


def test_fractional_requirements_round_up():
    parsed = requirements_parse(text="start,agents_required\n2026-11-16T00:00+08:00,2.3\n2026-11-16T01:00+08:00,3.0000000001\n")
    assert parsed.required == (3, 3) and parsed.interval_minutes == 60


def test_rules_must_fit_the_requirement_grid():
    with pytest.raises(ScheduleInputError, match=r"shift_types\[0\].length_minutes: 90 is not a multiple"):
        solve(day({(9, 12): 1}), {"shift_types": [{**PT, "length_minutes": 90}]})
    with pytest.raises(ScheduleInputError, match="cyclic_week: true needs REQ.csv to cover exactly one week"):
        solve(day({(9, 12): 1}), {"cyclic_week": True, "shift_types": [PT]})


AGENTS = """id,name,shift_types,max_hours_week,min_rest_hours,max_consecutive_days,unavailable,prefers_off
a1,小美,E|L,,11,,,
a2,小王,E|L,,11,,Tue,
a3,小李,E|L,,11,,,
"""
EARLY_LATE = {"shift_types": [
    {"name": "E", "length_minutes": 480, "start_every_minutes": 60, "earliest_start": "06:00", "latest_start": "06:00"},
    {"name": "L", "length_minutes": 480, "start_every_minutes": 60, "earliest_start": "14:00", "latest_start": "14:00"}],
    "labour": {"max_consecutive_days": 2, "max_hours_day": 8}}


def test_agents_are_named_under_the_labour_rules():
    hourly = day({(6, 22): 1}) * 3  # an early and a late shift on each of three days
    result = solve(hourly, EARLY_LATE, agents=AGENTS)
    roster = result["roster"]
    assert roster["unassigned_shifts"] == 0
    assert all(len(s["agents"]) == s["count"] for s in result["shifts"])
    for agent in roster["agents"]:
        starts = [datetime.fromisoformat(s["start"]) for s in agent["shifts"]]
        ends = [datetime.fromisoformat(s["end"]) for s in agent["shifts"]]
        for end, following in zip(ends, starts[1:]):
            assert following - end >= timedelta(hours=11)  # min rest: no late shift followed by an early one
        assert len({s.date() for s in starts}) == len(starts) <= 2  # max 8 h a day, max 2 consecutive days
        if agent["id"] == "a2":
            assert all(s.weekday() != 1 for s in starts)  # unavailable on Tuesday


def test_unassigned_shifts_are_reported_when_agents_are_too_few():
    hourly = day({(6, 22): 1}) * 3
    result = solve(hourly, EARLY_LATE, agents="id,name,shift_types\na1,小美,E|L\n")
    roster = result["roster"]
    # One agent: one shift a day at most (8 h a day) and two consecutive days at most.
    assert len(roster["agents"][0]["shifts"]) == 2
    assert roster["unassigned_shifts"] == 4 and sum(u["count"] for u in roster["unassigned"]) == 4


def test_preferred_days_off_are_honoured_when_possible():
    hourly = day({(6, 14): 1}) * 3  # one early shift a day, Monday to Wednesday
    agents = "id,name,shift_types,prefers_off\na1,小美,E,Mon\na2,小王,E,Wed\n"
    roster = solve(hourly, EARLY_LATE, agents=agents)["roster"]
    days = {a["id"]: [datetime.fromisoformat(s["start"]).weekday() for s in a["shifts"]] for a in roster["agents"]}
    assert roster["unassigned_shifts"] == 0
    assert 0 not in days["a1"] and 2 not in days["a2"]
    assert all(not a["preferred_days_off_worked"] for a in roster["agents"])


def test_bad_agents_file_names_the_line():
    rules = rules_parse(text=json.dumps(EARLY_LATE))
    with pytest.raises(ScheduleInputError, match="agents file line 3: shift type 'XX' is not in RULES.json"):
        agents_parse(text="id,name,shift_types\na1,A,E\na2,B,XX\n", rules=rules)
    with pytest.raises(ScheduleInputError, match="agents file line 2: unavailable: 'Mon 9-12' must look like"):
        agents_parse(text="id,name,shift_types,unavailable\na1,A,E,Mon 9-12\n", rules=rules)


def run(*args) -> str:
    out = io.StringIO()
    call_command("schedule", *args, stdout=out)
    return out.getvalue()


def test_cli_json_has_the_contract_shape(tmp_path):
    (tmp_path / "req.csv").write_text(req_csv(day({(8, 22): 2, (19, 21): 4})), encoding="utf-8")
    (tmp_path / "rules.json").write_text(json.dumps({"shift_types": [FT, PT], "max_paid_hours_share": {"PT": 0.25}}))
    data = json.loads(run("--requirements", str(tmp_path / "req.csv"), "--rules", str(tmp_path / "rules.json"),
                          "--format", "json", "--time-limit", "10"))
    assert {"shifts", "paid_hours", "cost", "shortfall", "optimal", "gap", "solve_seconds"} <= set(data)
    assert isinstance(data["optimal"], bool) and 0 <= data["gap"] <= 1 and data["shortfall"] == 0
    assert all({"type", "start", "count"} <= set(s) for s in data["shifts"])
    assert all(datetime.fromisoformat(s["start"]).utcoffset() == timedelta(hours=8) for s in data["shifts"])
    assert len(data["intervals"]) == 24 and set(data["intervals"][0]) == {"start", "required", "scheduled", "shortfall", "over"}
    csv_out = run("--requirements", str(tmp_path / "req.csv"), "--rules", str(tmp_path / "rules.json"),
                  "--format", "csv", "--time-limit", "10")
    assert csv_out.splitlines()[0] == "type,start,end,count,paid_hours"
    assert len(csv_out.splitlines()) == len(data["shifts"]) + 1


def test_cli_names_agents_in_json_and_csv(tmp_path):
    (tmp_path / "req.csv").write_text(req_csv(day({(6, 22): 1}) * 3), encoding="utf-8")
    (tmp_path / "rules.json").write_text(json.dumps(EARLY_LATE))
    (tmp_path / "agents.csv").write_text(AGENTS, encoding="utf-8")
    args = ["--requirements", str(tmp_path / "req.csv"), "--rules", str(tmp_path / "rules.json"),
            "--agents", str(tmp_path / "agents.csv"), "--time-limit", "10"]
    data = json.loads(run(*args))
    assert data["roster"]["unassigned_shifts"] == 0
    assert [a["id"] for a in data["roster"]["agents"]] == ["a1", "a2", "a3"]
    rows = run(*args, "--format", "csv").splitlines()
    assert rows[0] == "type,start,end,count,paid_hours,agents"
    assert all(row.rsplit(",", 1)[1] for row in rows[1:])  # every shift has a name


def test_cli_json_stays_clean_with_highs(tmp_path, capfd):
    # HiGHS writes a banner to file descriptor 1 from C++; it must not reach stdout's JSON.
    (tmp_path / "req.csv").write_text(req_csv(day({(9, 17): 2})), encoding="utf-8")
    (tmp_path / "rules.json").write_text(json.dumps({"shift_types": [PT]}))
    data = json.loads(run("--requirements", str(tmp_path / "req.csv"), "--rules", str(tmp_path / "rules.json"),
                          "--solver", "highs", "--time-limit", "10"))
    assert data["solver"] == "highs" and data["cost"] == 16.0
    assert "HiGHS" not in capfd.readouterr().out


def test_cli_reports_bad_input_as_a_command_error(tmp_path):
    (tmp_path / "req.csv").write_text("start,agents_required\n2026-11-16T00:00:00,1\n", encoding="utf-8")
    (tmp_path / "rules.json").write_text(json.dumps({"shift_types": [PT]}))
    with pytest.raises(CommandError, match="line 2: start '2026-11-16T00:00:00' needs a UTC offset"):
        run("--requirements", str(tmp_path / "req.csv"), "--rules", str(tmp_path / "rules.json"))
    with pytest.raises(CommandError, match="--rules .*missing.json"):
        run("--requirements", str(tmp_path / "req.csv"), "--rules", str(tmp_path / "missing.json"))
