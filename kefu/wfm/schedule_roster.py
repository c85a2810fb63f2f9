"""Naming agents: the optimised shift counts assigned to agents under the labour rules.

A second model (CP-SAT's API, solved by HiGHS or CP-SAT) after the count model. What an agent takes is a *unit*: one shift,
or a whole weekly tour (the same start time on each working day), so a tour stays with one
agent. A binary per (agent, unit) with the unit's count as capacity; per agent: minimum
rest between shifts (as "at most one shift whose start-to-end-plus-rest window contains
this moment"), maximum paid hours per day and week, days off per week, maximum consecutive
working days, availability. The objective assigns as many paid hours as possible, then
honours preferred days off. Units left over are reported as unassigned.
"""

from collections import defaultdict

from ortools.sat.python import cp_model

from kefu.wfm.schedule_input import WEEK_MINUTES, Agent, Requirements, Rules
from kefu.wfm.schedule_solvers import model_solve


def _week_minute(requirements: Requirements, minute: int) -> int:
    local = requirements.moment(minute)
    return (local.weekday() * 1440 + local.hour * 60 + local.minute) % WEEK_MINUTES


def _overlaps_unavailable(agent: Agent, requirements: Requirements, start: int, length: int) -> bool:
    begin = _week_minute(requirements, start)
    end = begin + length
    for lo, hi in agent.unavailable:
        for shift in (0, WEEK_MINUTES):  # a shift crossing Sunday midnight meets next Monday's span
            if begin < hi + shift and lo + shift < end:
                return True
    return False


def roster_assign(*, units: list, requirements: Requirements, rules: Rules, agents: list[Agent],
                  solver: str = "highs", time_limit: float = 30.0, workers: int = 2, seed: int = 0) -> dict:
    """Assign ``units`` (from the count model) to ``agents``; returns the roster and what is unassigned."""
    model = cp_model.CpModel()
    horizon, cyclic = requirements.horizon_minutes, rules.cyclic_week
    days = -(-horizon // 1440)
    day0 = requirements.start  # days are counted from the horizon start

    def day_of(minute: int) -> int:
        return (minute // 1440) % days

    z = {}
    works_of = {}  # agent index -> one "works that day" boolean per day
    per_unit = defaultdict(list)
    for a, agent in enumerate(agents):
        rest = round(agent.min_rest_hours * 60)
        windows = defaultdict(list)  # moment -> [(count of the unit's windows containing it, var)]
        hours_by_day = defaultdict(list)
        working_on = defaultdict(list)
        week_terms = defaultdict(list)
        for u, unit in enumerate(units):
            shift_type = unit.shift_type
            if shift_type.name not in agent.shift_types:
                continue
            if any(_overlaps_unavailable(agent, requirements, s, shift_type.length_minutes) for s in unit.starts):
                continue
            paid_hours = shift_type.paid_minutes / 60 * len(unit.starts)
            if paid_hours > agent.max_hours_week + 1e-9 or shift_type.paid_minutes / 60 > agent.max_hours_day + 1e-9:
                continue
            var = model.new_bool_var(f"z[{agent.id},{u}]")
            z[a, u] = var
            per_unit[u].append(var)
            for s in unit.starts:
                hours_by_day[day_of(s)].append((shift_type.paid_minutes, var))
                working_on[day_of(s)].append(var)
                week_terms[(s // 1440) // 7].append((shift_type.paid_minutes, var))
                windows[s].append(var)
        # A shift's window runs from its start to its end plus the rest; two shifts clash
        # exactly when one starts inside the other's window, so checking every start suffices.
        moments = sorted(windows)
        for moment in moments:
            terms = []
            for u, unit in enumerate(units):
                if (a, u) not in z:
                    continue
                length = unit.shift_type.length_minutes + rest
                inside = 0
                for s in unit.starts:
                    offset = (moment - s) % horizon if cyclic else moment - s
                    if 0 <= offset < length:
                        inside += 1
                if inside:
                    terms.append((inside, z[a, u]))
            # One term with one window is trivially fine; a tour whose own days clash is not.
            if len(terms) > 1 or any(k > 1 for k, _ in terms):
                model.add(sum(k * v for k, v in terms) <= 1)
        for terms in week_terms.values():
            model.add(sum(m * v for m, v in terms) <= round(agent.max_hours_week * 60))
        for terms in hours_by_day.values():
            if len(terms) > 1:
                model.add(sum(m * v for m, v in terms) <= round(agent.max_hours_day * 60))
        works = []
        for d in range(days):
            w = model.new_bool_var(f"w[{agent.id},{d}]")
            for var in working_on[d]:
                model.add(var <= w)  # linear, so HiGHS can solve the same model
            model.add(w <= sum(working_on[d]))
            works.append(w)
        for block in range(0, days - 6, 7):
            model.add(sum(works[block:block + 7]) <= 7 - agent.days_off_per_week)
        run = agent.max_consecutive_days + 1
        if run <= days:
            starts = range(days) if cyclic else range(days - run + 1)
            for first in starts:
                model.add(sum(works[(first + k) % days] for k in range(run)) <= agent.max_consecutive_days)
        works_of[a] = works

    for u, unit in enumerate(units):
        if per_unit[u]:
            model.add(sum(per_unit[u]) <= unit.count)

    weight = 7 * len(agents) * max(days, 7) + 1
    preference = []
    for a, agent in enumerate(agents):
        for d in range(days):
            if (day0.weekday() + d) % 7 in agent.prefers_off:
                preference.append(works_of[a][d])
    model.maximize(weight * sum(var * units[u].shift_type.paid_minutes * len(units[u].starts) for (a, u), var in z.items())
                   - sum(preference))

    outcome = model_solve(model, solver=solver, time_limit=time_limit, workers=workers, seed=seed)
    works = works_of
    if not outcome.found:
        return _empty_roster(units, requirements, agents, outcome)

    taken = defaultdict(list)  # unit -> agents
    roster = []
    for a, agent in enumerate(agents):
        shifts = []
        for u, unit in enumerate(units):
            if (a, u) in z and outcome.value(z[a, u]):
                taken[u].append(agent.id)
                for s in unit.starts:
                    shifts.append((s, unit.shift_type))
        shifts.sort(key=lambda x: x[0])
        roster.append({
            "id": agent.id, "name": agent.name,
            "shifts": [{"type": t.name, "start": requirements.moment(s).isoformat(),
                        "end": requirements.moment(s + t.length_minutes).isoformat(), "paid_hours": t.paid_minutes / 60}
                       for s, t in shifts],
            "paid_hours": sum(t.paid_minutes for _, t in shifts) / 60,
            "working_days": sum(outcome.value(w) for w in works[a]),
            "preferred_days_off_worked": [requirements.moment(d * 1440).date().isoformat() for d in range(days)
                                          if (day0.weekday() + d) % 7 in agent.prefers_off and outcome.value(works[a][d])],
        })
    return {**_unassigned(units, requirements, taken), "agents": roster, "optimal": outcome.optimal,
            "status": outcome.status, "solve_seconds": round(outcome.seconds, 3),
            "assigned_by_start": _by_start(units, requirements, taken)}


def _unassigned(units, requirements: Requirements, taken) -> dict:
    left = defaultdict(int)
    for u, unit in enumerate(units):
        missing = unit.count - len(taken.get(u, []))
        for s in unit.starts if missing else ():
            left[s, unit.shift_type.name] += missing
    rows = [{"type": name, "start": requirements.moment(s).isoformat(), "count": n} for (s, name), n in sorted(left.items())]
    return {"unassigned": rows, "unassigned_shifts": sum(r["count"] for r in rows)}


def _by_start(units, requirements: Requirements, taken) -> dict:
    names = defaultdict(list)
    for u, unit in enumerate(units):
        for s in unit.starts:
            names[unit.shift_type.name, requirements.moment(s).isoformat()].extend(taken.get(u, []))
    return names


def _empty_roster(units, requirements, agents, outcome) -> dict:
    return {**_unassigned(units, requirements, {}), "agents": [
        {"id": a.id, "name": a.name, "shifts": [], "paid_hours": 0.0, "working_days": 0, "preferred_days_off_worked": []}
        for a in agents], "optimal": False, "status": outcome.status, "solve_seconds": round(outcome.seconds, 3),
        "assigned_by_start": {}}
