"""Reads for the roster pages: a shop's scheduling rules, a roster's coverage, its rule
violations (the same semantics as ``schedule_roster``'s labour constraints), the grid and
the chart data.

``roster_check`` works on plain shift rows, so a service can check a change before it
makes it (a swap's approval) by passing the changed rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone as django_timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import Agent
from kefu.conversations.models import Conversation
from kefu.wfm.models import Roster, ScheduleRules
from kefu.wfm.schedule_input import Labour, Rules, rules_parse

# FT: 9 hours with a 1-hour unpaid break after 4 hours; PT: 4 hours. Shifts stay inside
# the week (not cyclic), so a stored roster never wraps around Sunday midnight.
DEFAULT_RULES = {
    "cyclic_week": False,
    "shift_types": [
        {"name": "FT", "length_minutes": 540, "start_every_minutes": 60,
         "breaks": [{"offset_minutes": 240, "length_minutes": 60, "paid": False}]},
        {"name": "PT", "length_minutes": 240, "start_every_minutes": 60},
    ],
    "labour": {"max_hours_day": 10, "max_hours_week": 44, "min_rest_hours": 11, "days_off_per_week": 1,
               "max_consecutive_days": 6},
}


def rules_json_for_shop(*, shop) -> dict:
    """The shop's stored rules, or the defaults."""
    stored = ScheduleRules.objects.filter(shop=shop).first()
    return stored.rules if stored is not None else DEFAULT_RULES


def rules_of(rules_json: dict) -> Rules:
    return rules_parse(text=json.dumps(rules_json))


def shop_tz(shop) -> ZoneInfo:
    return ZoneInfo(shop.timezone)


def week_bounds(*, shop, week_start: date) -> tuple[datetime, datetime]:
    """The week's [start, end) in the shop's timezone: Monday 00:00 to the next Monday 00:00."""
    start = datetime.combine(week_start, time(0), tzinfo=shop_tz(shop))
    return start, datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=shop_tz(shop))


def next_monday(*, shop, today: date | None = None) -> date:
    today = today or django_timezone.now().astimezone(shop_tz(shop)).date()
    return today + timedelta(days=7 - today.weekday())


# --- the check -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftRow:
    """A shift as the check sees it."""

    id: int | None
    agent_id: int | None
    shift_type: str
    start: datetime
    end: datetime
    breaks: tuple = ()  # ({"start": iso, "length_minutes": n, "paid": bool}, ...)
    paid_minutes: int = 0


@dataclass(frozen=True)
class Violation:
    kind: str  # coverage | max_hours_day | max_hours_week | min_rest | days_off | consecutive_days
    message: str
    agent_id: int | None = None
    start: datetime | None = None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "agent_id": self.agent_id,
                "start": self.start.isoformat() if self.start else None}


@dataclass
class Check:
    """Coverage per interval and the rule violations of a set of shifts."""

    starts: list[datetime]
    required: list[int]
    scheduled: list[int]
    labour: list[Violation] = field(default_factory=list)

    @property
    def shortfall(self) -> int:
        return sum(max(r - s, 0) for r, s in zip(self.required, self.scheduled))

    @property
    def coverage(self) -> list[Violation]:
        """Runs of consecutive short intervals, one violation each."""
        out, run = [], None
        step = self.starts[1] - self.starts[0] if len(self.starts) > 1 else timedelta(minutes=30)
        for i, (r, s) in enumerate(zip(self.required, self.scheduled)):
            if s < r:
                if run is None:
                    run = [i, i, r - s]
                else:
                    run[1], run[2] = i, max(run[2], r - s)
            elif run is not None:
                out.append(run)
                run = None
        if run is not None:
            out.append(run)
        violations = []
        for first, last, most in out:
            start = self.starts[first]
            violations.append(Violation("coverage", _("%(start)s–%(end)s: up to %(missing)d agent(s) short") % {
                "start": start.strftime("%m-%d %H:%M"), "end": (self.starts[last] + step).strftime("%H:%M"),
                "missing": most}, start=start))
        return violations

    @property
    def violations(self) -> list[Violation]:
        return self.coverage + self.labour


def shift_rows(shifts) -> list[ShiftRow]:
    return [ShiftRow(id=s.pk, agent_id=s.agent_id, shift_type=s.shift_type, start=s.start, end=s.end,
                     breaks=tuple(s.breaks or ()), paid_minutes=s.paid_minutes) for s in shifts]


def _covered(start: datetime, end: datetime, first: datetime, step: timedelta, n: int, cyclic: bool) -> list[int]:
    out = []
    i = (start - first) // step
    moment = first + step * i
    while moment < end:
        if cyclic:
            out.append(i % n)
        elif 0 <= i < n:
            out.append(i)
        i += 1
        moment += step
    return out


def _agent_violations(agent_id: int, name: str, rows: list[ShiftRow], labour: Labour, week_start: datetime,
                      cyclic: bool) -> list[Violation]:
    tz = week_start.tzinfo
    rows = sorted(rows, key=lambda r: r.start)
    out = []
    by_day = defaultdict(int)
    for row in rows:
        by_day[(row.start.astimezone(tz).date() - week_start.date()).days] += row.paid_minutes
    for day, minutes in sorted(by_day.items()):
        if minutes > labour.max_hours_day * 60 + 1e-6:
            moment = week_start + timedelta(days=day)
            out.append(Violation("max_hours_day", _("%(agent)s: %(hours)s paid hours on %(day)s, more than %(limit)s") % {
                "agent": name, "hours": f"{minutes / 60:g}", "day": moment.strftime("%m-%d"),
                "limit": f"{labour.max_hours_day:g}"}, agent_id=agent_id, start=moment))
    total = sum(r.paid_minutes for r in rows)
    if total > labour.max_hours_week * 60 + 1e-6:
        out.append(Violation("max_hours_week", _("%(agent)s: %(hours)s paid hours this week, more than %(limit)s") % {
            "agent": name, "hours": f"{total / 60:g}", "limit": f"{labour.max_hours_week:g}"}, agent_id=agent_id))
    # Two shifts clash when one starts before the other's end plus the rest (overlaps too).
    rest = timedelta(hours=labour.min_rest_hours)
    pairs = list(zip(rows, rows[1:]))
    if cyclic and len(rows) > 1:
        last, first = rows[-1], rows[0]
        pairs.append((last, replace(first, start=first.start + timedelta(days=7), end=first.end + timedelta(days=7))))
    for before, after in pairs:
        if after.start < before.end + rest:
            gap = (after.start - before.end).total_seconds() / 3600
            out.append(Violation("min_rest", _("%(agent)s: only %(gap)s h between the shift ending %(end)s and the "
                                               "next at %(start)s (at least %(rest)s h)") % {
                "agent": name, "gap": f"{max(gap, 0):g}", "end": before.end.astimezone(tz).strftime("%m-%d %H:%M"),
                "start": after.start.astimezone(tz).strftime("%m-%d %H:%M"), "rest": f"{labour.min_rest_hours:g}"},
                agent_id=agent_id, start=after.start))
    worked = [d in by_day for d in range(7)]
    days = sum(worked)
    if days > 7 - labour.days_off_per_week:
        out.append(Violation("days_off", _("%(agent)s: works %(days)d days, fewer than %(off)d day(s) off") % {
            "agent": name, "days": days, "off": labour.days_off_per_week}, agent_id=agent_id))
    sequence = worked + worked if cyclic else worked
    longest = run = 0
    for w in sequence:
        run = run + 1 if w else 0
        longest = max(longest, run)
    longest = min(longest, 7) if cyclic else longest
    if longest > labour.max_consecutive_days:
        out.append(Violation("consecutive_days", _("%(agent)s: %(days)d working days in a row, more than %(limit)d") % {
            "agent": name, "days": longest, "limit": labour.max_consecutive_days}, agent_id=agent_id))
    return out


def roster_check(*, roster: Roster, rows: list[ShiftRow] | None = None, agent_names: dict | None = None) -> Check:
    """Coverage per interval and labour-rule violations of ``rows`` (default: the roster's shifts).

    Coverage counts the assigned shifts only, breaks excluded: an unassigned shift is a gap
    the supervisor still has to fill."""
    if rows is None:
        rows = shift_rows(roster.shifts.all())
    requirements = list(roster.requirements.order_by("start").values_list("start", "agents_required"))
    rules = rules_of(roster.rules)
    week_start, _end = week_bounds(shop=roster.shop, week_start=roster.week_start)
    starts = [s.astimezone(week_start.tzinfo) for s, _r in requirements]
    required = [r for _s, r in requirements]
    scheduled = [0] * len(starts)
    if starts:
        step = timedelta(minutes=roster.interval_minutes)
        first, n = starts[0], len(starts)
        for row in rows:
            if row.agent_id is None:
                continue  # an unassigned shift puts nobody on the floor
            for i in _covered(row.start, row.end, first, step, n, rules.cyclic_week):
                scheduled[i] += 1
            for b in row.breaks:
                b_start = datetime.fromisoformat(b["start"])
                for i in _covered(b_start, b_start + timedelta(minutes=b["length_minutes"]), first, step, n,
                                  rules.cyclic_week):
                    scheduled[i] -= 1
    check = Check(starts=starts, required=required, scheduled=scheduled)
    by_agent = defaultdict(list)
    for row in rows:
        if row.agent_id is not None:
            by_agent[row.agent_id].append(row)
    if agent_names is None:
        agent_names = dict(Agent.objects.filter(pk__in=by_agent).values_list("pk", "name"))
    for agent_id in sorted(by_agent, key=lambda a: (agent_names.get(a, ""), a)):
        check.labour += _agent_violations(agent_id, agent_names.get(agent_id, str(agent_id)), by_agent[agent_id],
                                          rules.labour, week_start, rules.cyclic_week)
    return check


def roster_violations(roster: Roster) -> list[Violation]:
    """Coverage shortfalls (runs of short intervals) and labour-rule violations of the roster."""
    return roster_check(roster=roster).violations


# --- pages -----------------------------------------------------------------------------


def roster_agents(*, roster: Roster) -> list[Agent]:
    """The shop's active agents, and anyone holding a shift of the roster."""
    ids = set(roster.shifts.exclude(agent=None).values_list("agent_id", flat=True))
    return list(Agent.objects.filter(shop=roster.shop, active=True) | Agent.objects.filter(pk__in=ids))


def roster_grid(*, roster: Roster) -> dict:
    """Agents × days: each cell the agent's shifts that start that day; the unassigned row last."""
    tz = shop_tz(roster.shop)
    days = [roster.week_start + timedelta(days=d) for d in range(7)]
    shifts = list(roster.shifts.select_related("agent"))
    agents = sorted(roster_agents(roster=roster), key=lambda a: (a.name, a.pk))
    cells = defaultdict(lambda: [[] for _ in days])
    hours = defaultdict(int)
    for shift in shifts:
        day = (shift.start.astimezone(tz).date() - roster.week_start).days
        shift.local_start = shift.start.astimezone(tz)
        shift.local_end = shift.end.astimezone(tz)
        cells[shift.agent_id][min(max(day, 0), 6)].append(shift)
        hours[shift.agent_id] += shift.paid_minutes
    rows = [{"agent": a, "cells": cells[a.pk], "hours": hours[a.pk] / 60} for a in agents]
    unassigned = {"agent": None, "cells": cells[None], "hours": hours[None] / 60}
    return {"days": days, "rows": rows, "unassigned": unassigned, "agents": agents}


def roster_actual_volume(*, roster: Roster, starts: list[datetime]) -> list[int | None]:
    """Conversations that arrived per interval of the week, up to the last complete interval (None after)."""
    if not starts:
        return []
    step = timedelta(minutes=roster.interval_minutes)
    now = django_timezone.now()
    end = min(starts[-1] + step, now)
    counts = [0] * len(starts)
    first = starts[0]
    for started in Conversation.objects.filter(shop=roster.shop, started_at__gte=first, started_at__lt=end).values_list(
            "started_at", flat=True):
        counts[(started - first) // step] += 1
    return [c if start + step <= now else None for c, start in zip(counts, starts)]


def roster_chart(*, roster: Roster, check: Check) -> dict:
    """The coverage curve: required vs scheduled agents, forecast vs actual volume, per interval."""
    volumes = list(roster.requirements.order_by("start").values_list("volume", flat=True))
    return {
        "labels": [s.strftime("%m-%d %H:%M") for s in check.starts],
        "required": check.required,
        "scheduled": check.scheduled,
        "forecast": [round(v, 2) for v in volumes],
        "actual": roster_actual_volume(roster=roster, starts=check.starts),
    }
