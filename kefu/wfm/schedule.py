"""Optimised shift schedules: the week's shift counts that cover the staffing requirement at least cost.

One integer linear model, written with CP-SAT's API and solved by HiGHS or CP-SAT
(``schedule_solvers``; docs/wfm-schedule.md describes it): an integer count per shift instance
(shift type, start) — or, for a type with a weekly tour, per tour (start time of day, days-off
pattern) whose working days expand into instances — minus agents on break, plus a shortfall
per interval, must reach the requirement. The objective is cost plus a heavy shortfall
penalty, so an impossible requirement still gives the best schedule and says where it falls
short. Breaks with a window are placed by the model (a count per break position).
"""

import itertools
import math
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from kefu.wfm.schedule_input import WEEKDAYS, Agent, Requirements, Rules, ShiftType, rules_check_against
from kefu.wfm.schedule_roster import roster_assign
from kefu.wfm.schedule_solvers import Outcome, model_solve

# A shortfall agent-interval costs this many times the dearest shift or tour (plus one), so
# the solver covers whatever one more shift or tour can cover before it saves money.
SHORTFALL_WEIGHT = 10
# Shares are compared as integers: share ≤ cap × total, both sides × this.
SHARE_SCALE = 10_000


@dataclass
class Instance:
    """One shift of the week: its type, start (minutes after the horizon start) and count expression."""

    shift_type: ShiftType
    start: int
    terms: list = field(default_factory=list)  # (coefficient, variable) pairs; count = Σ
    break_choices: list = field(default_factory=list)  # per break: [(offset, variable-or-None)]

    def count_expr(self):
        return sum(c * v for c, v in self.terms)


@dataclass(frozen=True)
class Unit:
    """What one agent takes: a single shift, or a whole tour (its shifts on the working days)."""

    shift_type: ShiftType
    starts: tuple[int, ...]
    count: int


@dataclass
class TourVar:
    shift_type: ShiftType
    start_of_day: int
    working: tuple[bool, ...]
    var: cp_model.IntVar


def days_off_patterns(*, working_days: int, consecutive_days_off: int, cyclic: bool) -> list[tuple[bool, ...]]:
    """Week patterns (Mon..Sun, True = working) with a run of ``consecutive_days_off`` days off.

    With ``cyclic`` the week repeats, so Sunday and Monday off count as consecutive.
    """
    patterns = []
    for working in itertools.combinations(range(7), working_days):
        pattern = tuple(day in working for day in range(7))
        days = pattern + pattern if cyclic else pattern
        run = longest = 0
        for is_working in days:
            run = 0 if is_working else run + 1
            longest = max(longest, run)
        if min(longest, 7 - working_days) >= consecutive_days_off:
            patterns.append(pattern)
    return patterns


def _covered(start: int, length: int, requirements: Requirements, cyclic: bool) -> list[int]:
    step, n = requirements.interval_minutes, len(requirements.required)
    first = start // step
    indices = range(first, first + length // step)
    return [i % n for i in indices] if cyclic else [i for i in indices if i < n]


def _minute_of_day(requirements: Requirements, minute: int) -> int:
    local = requirements.moment(minute)
    return local.hour * 60 + local.minute


class ScheduleModel:
    """Builds the model of a week's shift counts; :meth:`solve` returns the schedule."""

    def __init__(self, *, requirements: Requirements, rules: Rules):
        self.requirements = requirements
        self.rules = rules
        self.model = cp_model.CpModel()
        self.instances: dict[tuple[str, int], Instance] = {}
        self.tours: list[TourVar] = []
        self.shortfall = []
        self._build()

    # -- building ---------------------------------------------------------------------

    def _upper_bound(self, shift_type: ShiftType) -> int:
        # More agents on one start than the busiest interval needs never pays off; a
        # max_agents cap is tighter.
        bound = max(self.requirements.required, default=0)
        return min(bound, self.rules.max_agents.get(shift_type.name, bound))

    def _instance(self, shift_type: ShiftType, start: int) -> Instance:
        key = (shift_type.name, start)
        if key not in self.instances:
            self.instances[key] = Instance(shift_type=shift_type, start=start)
        return self.instances[key]

    def _starts(self, shift_type: ShiftType) -> list[int]:
        horizon, cyclic = self.requirements.horizon_minutes, self.rules.cyclic_week
        starts = []
        for start in range(shift_type.first_start_minutes, horizon, shift_type.start_every_minutes):
            if not cyclic and start + shift_type.length_minutes > horizon:
                continue  # without a repeating week a shift must fit inside the horizon
            if shift_type.may_start_at(_minute_of_day(self.requirements, start)):
                starts.append(start)
        return starts

    def _build(self) -> None:
        model, rules, requirements = self.model, self.rules, self.requirements
        cyclic = rules.cyclic_week
        for shift_type in rules.shift_types:
            bound = self._upper_bound(shift_type)
            tour = rules.weekly_tours.get(shift_type.name)
            if tour is None:
                for start in self._starts(shift_type):
                    var = model.new_int_var(0, bound, f"x[{shift_type.name},{start}]")
                    self._instance(shift_type, start).terms.append((1, var))
                continue
            patterns = days_off_patterns(working_days=tour.working_days, consecutive_days_off=tour.consecutive_days_off,
                                         cyclic=cyclic)
            for start_of_day in range(shift_type.first_start_minutes, 1440, shift_type.start_every_minutes):
                if not shift_type.may_start_at(start_of_day):
                    continue
                for pattern in patterns:
                    starts = [day * 1440 + start_of_day for day in range(7) if pattern[day]]
                    if not cyclic and any(s + shift_type.length_minutes > requirements.horizon_minutes for s in starts):
                        continue
                    label = "".join("W" if w else "-" for w in pattern)
                    var = model.new_int_var(0, bound, f"tour[{shift_type.name},{start_of_day},{label}]")
                    self.tours.append(TourVar(shift_type=shift_type, start_of_day=start_of_day, working=pattern, var=var))
                    for start in starts:
                        self._instance(shift_type, start).terms.append((1, var))

        coverage = [[] for _ in requirements.required]
        for instance in self.instances.values():
            shift_type, count = instance.shift_type, instance.count_expr()
            for i in _covered(instance.start, shift_type.length_minutes, requirements, cyclic):
                coverage[i].append((1, count))
            for b_index, b in enumerate(shift_type.breaks):
                offsets = range(b.earliest_offset_minutes, b.latest_offset_minutes + 1, requirements.interval_minutes)
                choices = []
                if len(offsets) == 1:
                    choices.append((offsets[0], None))
                    placed = [(offsets[0], count)]
                else:
                    bound = self._upper_bound(shift_type) * len(instance.terms)  # a tour day sums several patterns
                    variables = [model.new_int_var(0, bound, f"brk[{shift_type.name},{instance.start},{b_index},{o}]")
                                 for o in offsets]
                    model.add(sum(variables) == count)
                    choices = list(zip(offsets, variables))
                    placed = choices
                instance.break_choices.append(choices)
                for offset, amount in placed:
                    for i in _covered(instance.start + offset, b.length_minutes, requirements, cyclic):
                        coverage[i].append((-1, amount))

        for i, required in enumerate(requirements.required):
            short = model.new_int_var(0, required, f"short[{i}]")
            self.shortfall.append(short)
            if required:
                model.add(sum(sign * amount for sign, amount in coverage[i]) + short >= required)

        paid = {t.name: sum(inst.count_expr() * t.paid_minutes for inst in self.instances.values()
                            if inst.shift_type is t) for t in rules.shift_types}
        total_paid = sum(paid.values())
        for name, cap in rules.max_paid_hours_share.items():
            model.add(SHARE_SCALE * paid[name] <= round(cap * SHARE_SCALE) * total_paid)

        for name, cap in rules.max_agents.items():
            shift_type = rules.shift_type(name)
            if name in rules.weekly_tours:
                model.add(sum(t.var for t in self.tours if t.shift_type is shift_type) <= cap)
                continue
            days = math.ceil(requirements.horizon_minutes / 1440)
            for day in range(days):
                model.add(sum(inst.count_expr() for inst in self.instances.values()
                              if inst.shift_type is shift_type and day * 1440 <= inst.start < (day + 1) * 1440) <= cap)

        self.unit_cost = {t.name: round(t.paid_minutes * t.cost_per_paid_hour * 100) for t in rules.shift_types}
        dearest = max(self.unit_cost[t.name] * (rules.weekly_tours[t.name].working_days if t.name in rules.weekly_tours else 1)
                      for t in rules.shift_types)
        self.penalty = SHORTFALL_WEIGHT * dearest + 1
        model.minimize(sum(inst.count_expr() * self.unit_cost[inst.shift_type.name] for inst in self.instances.values())
                       + self.penalty * sum(self.shortfall))

    # -- solving ----------------------------------------------------------------------

    def solve(self, *, solver: str = "highs", time_limit: float = 60.0, workers: int = 2, seed: int = 0) -> dict:
        outcome = model_solve(self.model, solver=solver, time_limit=time_limit, workers=workers, seed=seed)
        if not outcome.found:
            raise ScheduleNotFound(f"no schedule found within {time_limit:g} s (solver status {outcome.status}); "
                                   "raise --time-limit")
        return self._result(outcome, solver)

    def _result(self, solver: Outcome, solver_name: str) -> dict:
        requirements, rules = self.requirements, self.rules
        step, cyclic = requirements.interval_minutes, rules.cyclic_week
        self.units = []
        scheduled = [0] * len(requirements.required)
        shifts, paid_minutes, cost_units = [], 0, 0
        for instance in sorted(self.instances.values(), key=lambda x: (x.start, x.shift_type.name)):
            count = sum(c * solver.value(v) for c, v in instance.terms)
            if not count:
                continue
            shift_type = instance.shift_type
            paid_minutes += count * shift_type.paid_minutes
            cost_units += count * self.unit_cost[shift_type.name]
            for i in _covered(instance.start, shift_type.length_minutes, requirements, cyclic):
                scheduled[i] += count
            breaks = []
            for b, choices in zip(shift_type.breaks, instance.break_choices):
                for offset, var in choices:
                    amount = count if var is None else solver.value(var)
                    if not amount:
                        continue
                    for i in _covered(instance.start + offset, b.length_minutes, requirements, cyclic):
                        scheduled[i] -= amount
                    breaks.append({"start": requirements.moment(instance.start + offset).isoformat(),
                                   "length_minutes": b.length_minutes, "paid": b.paid, "count": amount})
            shifts.append({"type": shift_type.name, "start": requirements.moment(instance.start).isoformat(),
                           "count": count,
                           "end": requirements.moment(instance.start + shift_type.length_minutes).isoformat(),
                           "paid_hours": shift_type.paid_minutes / 60, "breaks": breaks})
            if shift_type.name not in rules.weekly_tours:
                self.units.append(Unit(shift_type=shift_type, starts=(instance.start,), count=count))
        intervals = []
        for i, required in enumerate(requirements.required):
            intervals.append({"start": requirements.moment(i * step).isoformat(), "required": required,
                              "scheduled": scheduled[i], "shortfall": max(required - scheduled[i], 0),
                              "over": max(scheduled[i] - required, 0)})
        tours = []
        for tour in self.tours:
            count = solver.value(tour.var)
            if count:
                starts = tuple(day * 1440 + tour.start_of_day for day in range(7) if tour.working[day])
                self.units.append(Unit(shift_type=tour.shift_type, starts=starts, count=count))
                tours.append({"type": tour.shift_type.name,
                              "start_time": f"{tour.start_of_day // 60:02d}:{tour.start_of_day % 60:02d}",
                              "working_days": [WEEKDAYS[d] for d in range(7) if tour.working[d]],
                              "days_off": [WEEKDAYS[d] for d in range(7) if not tour.working[d]], "count": count})
        required_agent_hours = sum(requirements.required) * step / 60
        return {
            "shifts": shifts,
            "paid_hours": paid_minutes / 60,
            "cost": round(cost_units / 6000, 4),
            "shortfall": sum(x["shortfall"] for x in intervals),
            "optimal": solver.optimal,
            "gap": round(solver.gap, 6),
            "solve_seconds": round(solver.seconds, 3),
            "status": solver.status,
            "solver": solver_name,
            "interval_minutes": step,
            "required_agent_hours": required_agent_hours,
            "overstaffing": sum(x["over"] for x in intervals),
            "tours": tours,
            "intervals": intervals,
        }


class ScheduleNotFound(Exception):
    """The solver stopped before finding any schedule (only possible with a tiny time limit)."""


def schedule_optimise(*, requirements: Requirements, rules: Rules, agents: list[Agent] | None = None,
                      solver: str = "highs", time_limit: float = 60.0, roster_time_limit: float | None = None,
                      workers: int = 2, seed: int = 0) -> dict:
    """The least-cost schedule of ``rules``' shift types for ``requirements`` (the JSON of the contract).

    ``shifts`` lists every shift instance with a count (tours expanded into their days);
    ``intervals`` gives required, scheduled (breaks excluded), shortfall and overstaffing.
    With ``agents`` the shifts are also assigned to named agents (``roster``, and each
    shift's ``agents``).
    """
    rules_check_against(rules=rules, requirements=requirements)
    schedule = ScheduleModel(requirements=requirements, rules=rules)
    result = schedule.solve(solver=solver, time_limit=time_limit, workers=workers, seed=seed)
    if agents is not None:
        roster = roster_assign(units=schedule.units, requirements=requirements, rules=rules, agents=agents, solver=solver,
                               time_limit=time_limit if roster_time_limit is None else roster_time_limit,
                               workers=workers, seed=seed)
        by_start = roster.pop("assigned_by_start")
        for shift in result["shifts"]:
            shift["agents"] = by_start.get((shift["type"], shift["start"]), [])
        result["roster"] = roster
    return result
