"""An independent check of a schedule and roster from ``kefu schedule``: every rule, recomputed.

It reads only the inputs (RULES.json, REQ.csv, the agents file, through the same parsers the
command uses, so both sides agree on what the files say) and the optimiser's JSON output,
and recomputes from the listed shifts, without the solver's model: coverage per interval
(breaks excluded, the week wrapping when cyclic), shift lengths, allowed starts and break
positions, paid hours and cost, part-time share caps, ``max_agents``, weekly tours (same
start, N working days, the run of consecutive days off), and for each named agent: shift
types, availability, paid hours per day and per week, rest between shifts, days off per
week, consecutive working days and their tour. It returns the violations found (empty: the
output keeps every rule). docs/wfm.md, "Schedule checks", lists what is checked and how.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from kefu.wfm.schedule_input import (
    WEEK_MINUTES,
    WEEKDAYS,
    Agent,
    Requirements,
    Rules,
    ShiftType,
    agents_parse,
    requirements_parse,
    rules_parse,
)

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Violation:
    """A broken rule: which rule, where in the output, and what was found."""

    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule} at {self.where}: {self.detail}"


class _Checker:
    def __init__(self, rules: Rules, requirements: Requirements, result: dict, agents: list[Agent] | None):
        self.rules, self.req, self.result, self.agents = rules, requirements, result, agents
        self.violations: list[Violation] = []
        self.types = {t.name: t for t in rules.shift_types}
        self.step = requirements.interval_minutes
        self.n = len(requirements.required)
        self.horizon = requirements.horizon_minutes
        self.cyclic = rules.cyclic_week

    def flag(self, rule: str, where: str, detail: str) -> None:
        self.violations.append(Violation(rule, where, detail))

    def minute(self, text, where: str) -> int | None:
        """Minutes from the horizon start of an ISO time in the output."""
        try:
            moment = datetime.fromisoformat(text)
        except (TypeError, ValueError):
            self.flag("format", where, f"{text!r} is not an ISO time")
            return None
        if moment.tzinfo is None:
            self.flag("format", where, f"{text!r} has no UTC offset")
            return None
        seconds = (moment - self.req.start).total_seconds()
        if seconds % 60:
            self.flag("format", where, f"{text!r} is not on a whole minute")
        return int(seconds // 60)

    def covered(self, start: int, length: int) -> list[int]:
        first = start // self.step
        indices = range(first, first + length // self.step)
        return [i % self.n for i in indices] if self.cyclic else [i for i in indices if 0 <= i < self.n]

    def minute_of_day(self, minute: int) -> int:
        local = self.req.moment(minute)
        return local.hour * 60 + local.minute

    # -- the schedule -------------------------------------------------------------------

    def start_allowed(self, shift_type: ShiftType, start: int, where: str) -> bool:
        ok = True
        if (start - shift_type.first_start_minutes) % shift_type.start_every_minutes:
            self.flag("allowed start", where, f"{shift_type.name} starts every {shift_type.start_every_minutes} min "
                                              f"from minute {shift_type.first_start_minutes}; this starts at minute {start}")
            ok = False
        if not shift_type.may_start_at(self.minute_of_day(start)):
            self.flag("allowed start", where, f"{shift_type.name} may not start at "
                                              f"{self.req.moment(start).strftime('%H:%M')}")
            ok = False
        if not 0 <= start < self.horizon:
            self.flag("allowed start", where, f"starts outside the horizon (minute {start})")
            ok = False
        elif not self.cyclic and start + shift_type.length_minutes > self.horizon:
            self.flag("allowed start", where, "ends after the horizon (the week is not cyclic)")
            ok = False
        return ok

    def shifts(self) -> tuple[list[int], dict]:
        scheduled = [0] * self.n
        instances = Counter()  # (type, start minute) -> count
        paid = defaultdict(float)
        cost = 0.0
        for k, shift in enumerate(self.result.get("shifts", [])):
            where = f"shifts[{k}] ({shift.get('type')} {shift.get('start')})"
            shift_type = self.types.get(shift.get("type"))
            if shift_type is None:
                self.flag("shift type", where, f"unknown type {shift.get('type')!r}")
                continue
            count = shift.get("count")
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                self.flag("count", where, f"count must be a whole number ≥ 1, got {count!r}")
                continue
            start, end = self.minute(shift.get("start"), where), self.minute(shift.get("end"), where)
            if start is None or end is None:
                continue
            if end - start != shift_type.length_minutes:
                self.flag("shift length", where, f"lasts {end - start} min, {shift_type.name} lasts "
                                                 f"{shift_type.length_minutes}")
            self.start_allowed(shift_type, start, where)
            if abs(shift.get("paid_hours", -1) - shift_type.paid_minutes / 60) > TOLERANCE:
                self.flag("paid hours", where, f"paid_hours {shift.get('paid_hours')!r}, the type pays "
                                               f"{shift_type.paid_minutes / 60:g} h")
            instances[shift_type.name, start] += count
            paid[shift_type.name] += count * shift_type.paid_minutes / 60
            cost += count * shift_type.paid_minutes / 60 * shift_type.cost_per_paid_hour
            for i in self.covered(start, shift_type.length_minutes):
                scheduled[i] += count
            self.breaks(shift, shift_type, start, count, where, scheduled)
        return scheduled, {"instances": instances, "paid": paid, "cost": cost}

    def breaks(self, shift: dict, shift_type: ShiftType, start: int, count: int, where: str, scheduled: list[int]):
        placed = [0] * len(shift_type.breaks)
        for j, brk in enumerate(shift.get("breaks", [])):
            here = f"{where} breaks[{j}]"
            begin = self.minute(brk.get("start"), here)
            if begin is None:
                continue
            offset, length, amount = begin - start, brk.get("length_minutes"), brk.get("count")
            match = [b for b, rule in enumerate(shift_type.breaks)
                     if rule.length_minutes == length and rule.paid == brk.get("paid")
                     and rule.earliest_offset_minutes <= offset <= rule.latest_offset_minutes]
            if not match:
                self.flag("break", here, f"no break of {shift_type.name} is {length} min at {offset} min into the shift")
                continue
            if offset % self.step:
                self.flag("break", here, f"offset {offset} is off the {self.step}-minute grid")
            placed[match[0]] += amount
            for i in self.covered(begin, length):
                scheduled[i] -= amount
        for b, total in enumerate(placed):
            if total != count:
                self.flag("break", where, f"break {b} of {shift_type.name} is taken {total} times by {count} shifts")

    def coverage(self, scheduled: list[int]) -> None:
        intervals = self.result.get("intervals", [])
        if len(intervals) != self.n:
            self.flag("coverage", "intervals", f"{len(intervals)} rows for {self.n} intervals of REQ.csv")
        shortfall = 0
        for i, required in enumerate(self.req.required):
            shortfall += max(required - scheduled[i], 0)
            if i < len(intervals):
                row = intervals[i]
                if row.get("scheduled") != scheduled[i] or row.get("required") != required:
                    self.flag("coverage", f"intervals[{i}] ({row.get('start')})",
                              f"reports {row.get('scheduled')} at work for {row.get('required')} required; the shifts "
                              f"give {scheduled[i]} for {required}")
        if self.result.get("shortfall") != shortfall:
            self.flag("coverage", "shortfall", f"reports {self.result.get('shortfall')}, the shifts leave {shortfall} "
                                               "agent-intervals uncovered")
        self.shortfall = shortfall

    def totals(self, sums: dict) -> None:
        paid_total = sum(sums["paid"].values())
        if abs(self.result.get("paid_hours", -1) - paid_total) > TOLERANCE:
            self.flag("paid hours", "paid_hours", f"reports {self.result.get('paid_hours')}, the shifts pay {paid_total:g}")
        if abs(self.result.get("cost", -1) - sums["cost"]) > 0.01:
            self.flag("cost", "cost", f"reports {self.result.get('cost')}, the shifts cost {sums['cost']:.4f}")
        for name, cap in self.rules.max_paid_hours_share.items():
            if sums["paid"][name] > cap * paid_total + TOLERANCE:
                self.flag("share cap", f"max_paid_hours_share.{name}",
                          f"{sums['paid'][name]:g} of {paid_total:g} paid hours is {sums['paid'][name] / paid_total:.2%}, "
                          f"above the cap {cap:.0%}")
        for name, cap in self.rules.max_agents.items():
            if name in self.rules.weekly_tours:
                tours = sum(t.get("count", 0) for t in self.result.get("tours", []) if t.get("type") == name)
                if tours > cap:
                    self.flag("max agents", f"max_agents.{name}", f"{tours} tours, cap {cap}")
                continue
            per_day = Counter()
            for (type_name, start), count in sums["instances"].items():
                if type_name == name:
                    per_day[start // 1440] += count
            for day, count in sorted(per_day.items()):
                if count > cap:
                    self.flag("max agents", f"max_agents.{name}", f"{count} shifts start on day {day}, cap {cap}")

    def tours(self, sums: dict) -> None:
        expanded = Counter()
        for k, tour in enumerate(self.result.get("tours", [])):
            where = f"tours[{k}] ({tour.get('type')} {tour.get('start_time')})"
            rule = self.rules.weekly_tours.get(tour.get("type"))
            if rule is None:
                self.flag("weekly tour", where, f"{tour.get('type')!r} has no weekly tour in RULES.json")
                continue
            days = [WEEKDAYS.index(d) for d in tour.get("working_days", []) if d in WEEKDAYS]
            self.tour_days(days, rule, where)
            hours, _, minutes = str(tour.get("start_time", "")).partition(":")
            if not (hours.isdigit() and minutes.isdigit()):
                self.flag("format", where, f"start_time {tour.get('start_time')!r} is not HH:MM")
                continue
            start_of_day = int(hours) * 60 + int(minutes)
            shift_type = self.types[tour["type"]]
            for day in days:
                if self.start_allowed(shift_type, day * 1440 + start_of_day, where):
                    expanded[tour["type"], day * 1440 + start_of_day] += tour.get("count", 0)
        for name in self.rules.weekly_tours:
            listed = Counter({key: c for key, c in sums["instances"].items() if key[0] == name})
            toured = Counter({key: c for key, c in expanded.items() if key[0] == name and c})
            if listed != toured:
                diff = sorted(set((listed - toured) + (toured - listed)))[:3]
                self.flag("weekly tour", f"weekly_tours.{name}",
                          "the shifts are not the tours expanded into their days: they differ at "
                          + ", ".join(self.req.moment(s).isoformat() for _, s in diff))

    def tour_days(self, days: list[int], rule, where: str) -> None:
        if len(set(days)) != rule.working_days:
            self.flag("weekly tour", where, f"{len(set(days))} working days, the tour needs {rule.working_days}")
        off = [d not in days for d in range(7)]
        run = longest = 0
        for is_off in off + off if self.cyclic else off:
            run = run + 1 if is_off else 0
            longest = max(longest, run)
        if min(longest, 7) < rule.consecutive_days_off:
            self.flag("weekly tour", where, f"longest run of days off is {min(longest, 7)}, "
                                            f"the tour needs {rule.consecutive_days_off}")

    # -- the roster ---------------------------------------------------------------------

    def roster(self, sums: dict) -> None:
        roster = self.result.get("roster")
        if roster is None:
            self.flag("roster", "roster", "no roster in the output, but an agents file was given")
            return
        by_id = {a.id: a for a in self.agents}
        named = Counter()
        days = -(-self.horizon // 1440)
        for k, row in enumerate(roster.get("agents", [])):
            agent = by_id.get(row.get("id"))
            where = f"roster.agents[{k}] ({row.get('id')})"
            if agent is None:
                self.flag("roster", where, "not in the agents file")
                continue
            shifts = []
            for j, shift in enumerate(row.get("shifts", [])):
                here = f"{where} shifts[{j}] ({shift.get('type')} {shift.get('start')})"
                shift_type = self.types.get(shift.get("type"))
                start = self.minute(shift.get("start"), here)
                if shift_type is None or start is None:
                    self.flag("roster", here, "unknown shift")
                    continue
                if shift_type.name not in agent.shift_types:
                    self.flag("agent shift type", here, f"{agent.id} works {'|'.join(agent.shift_types)} only")
                if self.unavailable(agent, start, shift_type.length_minutes):
                    self.flag("availability", here, f"{agent.id} is unavailable then")
                named[shift_type.name, start] += 1
                shifts.append((start, shift_type))
            self.agent_rules(agent, sorted(shifts, key=lambda x: x[0]), where, days)
        for key, count in named.items():
            if count > sums["instances"].get(key, 0):
                self.flag("roster", f"{key[0]} {self.req.moment(key[1]).isoformat()}",
                          f"{count} agents named for {sums['instances'].get(key, 0)} shifts")

    def unavailable(self, agent: Agent, start: int, length: int) -> bool:
        local = self.req.moment(start)
        begin = local.weekday() * 1440 + local.hour * 60 + local.minute
        return any(begin < hi + wrap and lo + wrap < begin + length
                   for lo, hi in agent.unavailable for wrap in (0, WEEK_MINUTES))

    def agent_rules(self, agent: Agent, shifts: list[tuple[int, ShiftType]], where: str, days: int) -> None:
        per_day, working = defaultdict(float), set()
        for start, shift_type in shifts:
            day = (start // 1440) % days
            per_day[day] += shift_type.paid_minutes / 60
            working.add(day)
        for day, hours in sorted(per_day.items()):
            if hours > agent.max_hours_day + TOLERANCE:
                self.flag("max hours per day", where, f"{hours:g} paid hours on day {day}, max {agent.max_hours_day:g}")
        for block in range(0, days, 7):
            hours = sum(h for d, h in per_day.items() if block <= d < block + 7)
            if hours > agent.max_hours_week + TOLERANCE:
                self.flag("max hours per week", where, f"{hours:g} paid hours, max {agent.max_hours_week:g}")
            if days - block >= 7:
                worked = sum(1 for d in working if block <= d < block + 7)
                if worked > 7 - agent.days_off_per_week:
                    self.flag("days off", where, f"works {worked} days of the week, needs "
                                                 f"{agent.days_off_per_week} off")
        flags = [d in working for d in range(days)]
        run = longest = 0
        for w in flags + flags if self.cyclic else flags:
            run = run + 1 if w else 0
            longest = max(longest, run)
        longest = min(longest, days)
        if longest > agent.max_consecutive_days:
            self.flag("consecutive days", where, f"{longest} working days in a row, max {agent.max_consecutive_days}")
        rest = agent.min_rest_hours * 60
        pairs = list(zip(shifts, shifts[1:]))
        if self.cyclic and len(shifts) > 1:
            first_start, first_type = shifts[0]
            pairs.append((shifts[-1], (first_start + self.horizon, first_type)))
        for (s0, t0), (s1, _) in pairs:
            gap = s1 - (s0 + t0.length_minutes)
            if gap < rest - TOLERANCE:
                ended = self.req.moment(s0 + t0.length_minutes).isoformat()
                self.flag("rest", where, f"{gap / 60:g} h between the shift ending {ended} and the next, "
                                         f"min {agent.min_rest_hours:g} h")
        for name, rule in self.rules.weekly_tours.items():
            starts = [s for s, t in shifts if t.name == name]
            if not starts:
                continue
            if len({self.minute_of_day(s) for s in starts}) > 1:
                self.flag("weekly tour", where, f"{name} shifts start at different times of day")
            self.tour_days(sorted({(s // 1440) % 7 for s in starts}), rule, f"{where} {name} tour")

    def run(self) -> list[Violation]:
        scheduled, sums = self.shifts()
        self.coverage(scheduled)
        self.totals(sums)
        if self.rules.weekly_tours or self.result.get("tours"):
            self.tours(sums)
        if self.agents is not None:
            self.roster(sums)
        return self.violations


def schedule_check(*, rules: Rules, requirements: Requirements, result: dict,
                   agents: list[Agent] | None = None) -> list[Violation]:
    """Every rule ``result`` (the JSON of ``kefu schedule``) breaks; with ``agents``, its roster too."""
    return _Checker(rules, requirements, result, agents).run()


def schedule_check_files(*, rules_text: str, requirements_text: str, output_text: str,
                         agents_text: str | None = None) -> list[Violation]:
    """:func:`schedule_check` on the files' texts (RULES.json, REQ.csv, the output JSON, the agents file)."""
    rules = rules_parse(text=rules_text)
    return schedule_check(rules=rules, requirements=requirements_parse(text=requirements_text),
                          result=json.loads(output_text),
                          agents=None if agents_text is None else agents_parse(text=agents_text, rules=rules))


def schedule_uncovered(*, requirements: Requirements, rules: Rules, result: dict) -> int:
    """Agent-intervals the shifts leave uncovered, recomputed from the shifts (not the reported figure)."""
    checker = _Checker(rules, requirements, result, None)
    scheduled, _ = checker.shifts()
    return sum(max(r - s, 0) for r, s in zip(requirements.required, scheduled))
