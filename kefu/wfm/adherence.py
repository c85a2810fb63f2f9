"""Attendance (考勤) and schedule adherence from scheduled shifts and the agents' status timeline.

Pure functions, no database: the caller passes the shifts (start, end, breaks) and the
status changes of ``kefu.presence.models.AgentStatus`` (``at``, ``status``: online, busy,
away, offline; a status holds from ``at`` until the agent's next change). Online and busy
count as working; away and offline do not, except that nothing is asked of the agent during
a break (breaks are left out of adherence). The rules (grace periods, clock-in window,
interval length) are parameters; docs/wfm.md, "Attendance and adherence", defines each figure.

A shift belongs to the local day it starts on (a night shift 22:00-06:00 is the evening's).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

WORKING_STATUSES = frozenset({"online", "busy"})
STATUSES = frozenset({"online", "busy", "away", "offline"})
_FOREVER = datetime(9999, 1, 1, tzinfo=timezone.utc)  # the last status holds until then


class AdherenceInputError(ValueError):
    """A shift or status event that cannot be used; the message names it and says why."""


@dataclass(frozen=True)
class ScheduledShift:
    """One shift of one agent; ``breaks`` are (start, end) pairs inside the shift."""

    agent: str
    start: datetime
    end: datetime
    breaks: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(frozen=True)
class StatusChange:
    """The agent is in ``status`` from ``at`` until their next change (an AgentStatus row)."""

    agent: str
    at: datetime
    status: str


@dataclass(frozen=True)
class AttendanceRules:
    """Grace periods and windows, in minutes."""

    late_grace_minutes: float = 5  # arriving up to this late is on time
    early_leave_grace_minutes: float = 5  # leaving up to this early is not an early leave
    clock_in_window_minutes: float = 60  # working status this long before the start counts as clocking in
    clock_out_window_minutes: float = 60  # working status this long after the end still counts as the clock-out
    interval_minutes: int = 30  # per-interval adherence grid (local clock, from midnight)


@dataclass(frozen=True)
class IntervalAdherence:
    start: datetime
    scheduled_minutes: float  # working minutes asked of the agent in the interval (breaks excluded)
    adherent_minutes: float  # of those, minutes spent online or busy

    @property
    def adherence(self) -> float:
        return self.adherent_minutes / self.scheduled_minutes if self.scheduled_minutes else 1.0


@dataclass(frozen=True)
class ShiftAttendance:
    """What the agent did during one scheduled shift."""

    agent: str
    day: date
    shift: ScheduledShift
    clock_in: datetime | None  # first working moment in [start − clock-in window, end)
    clock_out: datetime | None  # end of the last working stretch that began before the shift end
    absent: bool  # no working status at all during the shift
    late_minutes: float  # clock-in after start + grace: minutes after the start (0 otherwise)
    early_leave_minutes: float  # clock-out before end − grace: minutes before the end (0 otherwise)
    scheduled_minutes: float
    adherent_minutes: float
    intervals: tuple[IntervalAdherence, ...] = ()

    @property
    def late(self) -> bool:
        return self.late_minutes > 0

    @property
    def left_early(self) -> bool:
        return self.early_leave_minutes > 0

    @property
    def adherence(self) -> float:
        """Share of scheduled working minutes (breaks excluded) spent online or busy."""
        return self.adherent_minutes / self.scheduled_minutes if self.scheduled_minutes else 1.0


@dataclass(frozen=True)
class MonthlyAttendance:
    """考勤 summary of one agent for one month."""

    agent: str
    month: str  # YYYY-MM
    days_scheduled: int
    days_worked: int  # scheduled days with at least one shift not absent
    absences: int  # scheduled days absent from every shift
    late_count: int
    late_minutes: float
    early_leave_count: int
    early_leave_minutes: float
    scheduled_minutes: float
    adherent_minutes: float
    late_days: list[date] = field(default_factory=list)
    absent_days: list[date] = field(default_factory=list)

    @property
    def adherence(self) -> float:
        return self.adherent_minutes / self.scheduled_minutes if self.scheduled_minutes else 1.0


# --- checks ------------------------------------------------------------------------------


def _aware(moment, where: str) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise AdherenceInputError(f"{where}: {moment!r} must be a datetime with a timezone")


def _check_shift(shift: ScheduledShift, index: int) -> None:
    where = f"shift {index} (agent {shift.agent!r})"
    _aware(shift.start, f"{where} start")
    _aware(shift.end, f"{where} end")
    if shift.end <= shift.start:
        raise AdherenceInputError(f"{where}: end {shift.end.isoformat()} is not after start {shift.start.isoformat()}")
    previous_end = shift.start
    for j, (begin, end) in enumerate(sorted(shift.breaks)):
        _aware(begin, f"{where} break {j} start")
        _aware(end, f"{where} break {j} end")
        if not shift.start <= begin < end <= shift.end:
            raise AdherenceInputError(f"{where}: break {begin.isoformat()}-{end.isoformat()} is not inside the shift")
        if begin < previous_end:
            raise AdherenceInputError(f"{where}: break {begin.isoformat()} overlaps the previous break")
        previous_end = end


def _timelines(events: list[StatusChange]) -> dict[str, list[tuple[datetime, str]]]:
    by_agent: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for index, event in enumerate(events):
        _aware(event.at, f"status event {index} (agent {event.agent!r})")
        if event.status not in STATUSES:
            raise AdherenceInputError(
                f"status event {index} (agent {event.agent!r}): unknown status {event.status!r}; "
                f"expected one of {', '.join(sorted(STATUSES))}"
            )
        by_agent[event.agent].append((event.at, event.status))
    for timeline in by_agent.values():
        timeline.sort(key=lambda x: x[0])
    return by_agent


def _working_spans(timeline: list[tuple[datetime, str]], until: datetime | None) -> list[tuple[datetime, datetime]]:
    """Merged [begin, end) stretches in a working status; the last status holds until ``until``."""
    spans: list[tuple[datetime, datetime]] = []
    for k, (at, status) in enumerate(timeline):
        end = timeline[k + 1][0] if k + 1 < len(timeline) else (until or _FOREVER)
        if status not in WORKING_STATUSES or end <= at:
            continue
        if spans and spans[-1][1] >= at:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((at, end))
    return spans


def _overlap(spans, begin: datetime, end: datetime) -> float:
    """Minutes of ``spans`` inside [begin, end)."""
    total = 0.0
    for s, e in spans:
        lo, hi = max(s, begin), min(e, end)
        if hi > lo:
            total += (hi - lo).total_seconds() / 60
    return total


def _minus(begin: datetime, end: datetime, holes) -> list[tuple[datetime, datetime]]:
    """[begin, end) without the (sorted, disjoint) ``holes``."""
    pieces, cursor = [], begin
    for h0, h1 in sorted(holes):
        if h0 > cursor:
            pieces.append((cursor, min(h0, end)))
        cursor = max(cursor, h1)
    if cursor < end:
        pieces.append((cursor, end))
    return [(a, b) for a, b in pieces if b > a]


def _intervals(pieces, spans, step: int) -> tuple[IntervalAdherence, ...]:
    """Scheduled and adherent minutes per ``step``-minute interval of the local clock."""
    out = []
    if not pieces:
        return ()
    first = pieces[0][0]
    midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
    slot = midnight + timedelta(minutes=step * ((first - midnight).total_seconds() // 60 // step))
    last = pieces[-1][1]
    while slot < last:
        slot_end = slot + timedelta(minutes=step)
        parts = [(max(a, slot), min(b, slot_end)) for a, b in pieces if min(b, slot_end) > max(a, slot)]
        scheduled = sum((b - a).total_seconds() / 60 for a, b in parts)
        if scheduled:
            adherent = sum(_overlap(spans, a, b) for a, b in parts)
            out.append(IntervalAdherence(start=slot, scheduled_minutes=scheduled, adherent_minutes=adherent))
        slot = slot_end
    return tuple(out)


# --- the computations --------------------------------------------------------------------


def shift_attendance(
    *,
    shifts: list[ScheduledShift],
    events: list[StatusChange],
    rules: AttendanceRules | None = None,
    until: datetime | None = None,
) -> list[ShiftAttendance]:
    """Clock-in/out, lateness, absence, early leave and adherence of every shift.

    ``until`` ends every timeline (e.g. now); without it an agent's last status holds on.
    Shifts are returned in (agent, start) order.
    """
    rules = rules or AttendanceRules()
    if rules.interval_minutes <= 0 or 1440 % rules.interval_minutes:
        raise AdherenceInputError(f"interval minutes must divide a day, got {rules.interval_minutes}")
    for name in ("late_grace_minutes", "early_leave_grace_minutes", "clock_in_window_minutes", "clock_out_window_minutes"):
        if getattr(rules, name) < 0:
            raise AdherenceInputError(f"{name.replace('_', ' ')} must not be negative, got {getattr(rules, name)}")
    for index, shift in enumerate(shifts):
        _check_shift(shift, index)
    if until is not None:
        _aware(until, "until")
    timelines = _timelines(events)
    results = []
    for shift in sorted(shifts, key=lambda s: (s.agent, s.start)):
        spans = _working_spans(timelines.get(shift.agent, []), until)
        in_window = shift.start - timedelta(minutes=rules.clock_in_window_minutes)
        out_window = shift.end + timedelta(minutes=rules.clock_out_window_minutes)
        during = [(max(s, in_window), min(e, out_window)) for s, e in spans if s < shift.end and e > in_window]
        absent = _overlap(spans, shift.start, shift.end) == 0
        clock_in = clock_out = None
        late = early = 0.0
        if not absent:
            clock_in, clock_out = during[0][0], during[-1][1]
            late_by = (clock_in - shift.start).total_seconds() / 60
            late = late_by if late_by > rules.late_grace_minutes else 0.0
            early_by = (shift.end - clock_out).total_seconds() / 60
            early = early_by if early_by > rules.early_leave_grace_minutes else 0.0
        pieces = _minus(shift.start, shift.end, shift.breaks)
        scheduled = sum((b - a).total_seconds() / 60 for a, b in pieces)
        adherent = sum(_overlap(spans, a, b) for a, b in pieces)
        results.append(
            ShiftAttendance(
                agent=shift.agent,
                day=shift.start.date(),
                shift=shift,
                clock_in=clock_in,
                clock_out=clock_out,
                absent=absent,
                late_minutes=late,
                early_leave_minutes=early,
                scheduled_minutes=scheduled,
                adherent_minutes=adherent,
                intervals=_intervals(pieces, spans, rules.interval_minutes),
            )
        )
    return results


def attendance_month(*, results: list[ShiftAttendance], year: int, month: int) -> list[MonthlyAttendance]:
    """考勤 summary per agent of the shifts whose day falls in ``year``-``month``.

    A day counts once however many shifts it has: worked if any shift was attended, absent
    if all were missed; lateness and early leaves are counted per shift.
    """
    if not 1 <= month <= 12:
        raise AdherenceInputError(f"month must be 1-12, got {month}")
    by_agent: dict[str, list[ShiftAttendance]] = defaultdict(list)
    for result in results:
        if result.day.year == year and result.day.month == month:
            by_agent[result.agent].append(result)
    summaries = []
    for agent in sorted(by_agent):
        rows = by_agent[agent]
        days: dict[date, list[ShiftAttendance]] = defaultdict(list)
        for row in rows:
            days[row.day].append(row)
        absent_days = sorted(d for d, shifts in days.items() if all(s.absent for s in shifts))
        summaries.append(
            MonthlyAttendance(
                agent=agent,
                month=f"{year:04d}-{month:02d}",
                days_scheduled=len(days),
                days_worked=len(days) - len(absent_days),
                absences=len(absent_days),
                late_count=sum(r.late for r in rows),
                late_minutes=sum(r.late_minutes for r in rows),
                early_leave_count=sum(r.left_early for r in rows),
                early_leave_minutes=sum(r.early_leave_minutes for r in rows),
                scheduled_minutes=sum(r.scheduled_minutes for r in rows),
                adherent_minutes=sum(r.adherent_minutes for r in rows),
                late_days=sorted({r.day for r in rows if r.late}),
                absent_days=absent_days,
            )
        )
    return summaries
