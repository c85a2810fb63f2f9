"""Inputs of ``kefu schedule``: RULES.json, REQ.csv and the agents file, parsed and checked.

Every error names where the input is wrong (the JSON key path, or the CSV line and column)
and why, so a supervisor can fix the file without reading code. The formats are described
in docs/wfm-schedule.md.
"""

import csv
import io
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from kefu.core.errors import ValidationError

WEEK_MINUTES = 7 * 1440
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Requirements are rounded up, but 3.0000000001 (a float from a staffing tool) stays 3.
_CEIL_TOLERANCE = 1e-9


class ScheduleInputError(ValidationError):
    """RULES.json, REQ.csv or the agents file is malformed or inconsistent."""

    default_code = "schedule_input"


@dataclass(frozen=True)
class Break:
    """A break inside a shift, placed ``earliest``..``latest`` minutes after the shift start."""

    length_minutes: int
    paid: bool
    earliest_offset_minutes: int
    latest_offset_minutes: int

    @property
    def is_fixed(self) -> bool:
        return self.earliest_offset_minutes == self.latest_offset_minutes


@dataclass(frozen=True)
class ShiftType:
    """A shift template: how long, when it may start, what an hour costs, its breaks."""

    name: str
    length_minutes: int
    start_every_minutes: int
    cost_per_paid_hour: float
    breaks: tuple[Break, ...] = ()
    first_start_minutes: int = 0
    earliest_start_minutes: int | None = None  # time of day; None = any
    latest_start_minutes: int | None = None

    @property
    def paid_minutes(self) -> int:
        return self.length_minutes - sum(b.length_minutes for b in self.breaks if not b.paid)

    def may_start_at(self, minute_of_day: int) -> bool:
        lo, hi = self.earliest_start_minutes, self.latest_start_minutes
        if lo is None:
            return True
        if lo <= hi:
            return lo <= minute_of_day <= hi
        return minute_of_day >= lo or minute_of_day <= hi  # window across midnight, e.g. 22:00-02:00


@dataclass(frozen=True)
class Tour:
    """Each agent of the type works the same start time on ``working_days`` days a week."""

    working_days: int
    consecutive_days_off: int


@dataclass(frozen=True)
class Labour:
    """Labour rules for naming agents; an agents-file column overrides them per agent."""

    max_hours_day: float = 10.0
    max_hours_week: float = 44.0
    min_rest_hours: float = 11.0
    days_off_per_week: int = 1
    max_consecutive_days: int = 6


@dataclass(frozen=True)
class Rules:
    cyclic_week: bool
    shift_types: tuple[ShiftType, ...]
    max_paid_hours_share: dict[str, float] = field(default_factory=dict)
    weekly_tours: dict[str, Tour] = field(default_factory=dict)
    max_agents: dict[str, int] = field(default_factory=dict)
    labour: Labour = Labour()

    def shift_type(self, name: str) -> ShiftType:
        return next(t for t in self.shift_types if t.name == name)


@dataclass(frozen=True)
class Requirements:
    """Agents required per interval; ``start`` of the first interval fixes the output offset."""

    start: datetime
    interval_minutes: int
    required: tuple[int, ...]

    @property
    def horizon_minutes(self) -> int:
        return self.interval_minutes * len(self.required)

    @property
    def tz(self) -> tzinfo:
        return self.start.tzinfo

    def moment(self, minute: int) -> datetime:
        """The time ``minute`` minutes after the horizon start, in the file's offset."""
        return self.start + timedelta(minutes=minute)


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    shift_types: tuple[str, ...]
    max_hours_day: float
    max_hours_week: float
    min_rest_hours: float
    days_off_per_week: int
    max_consecutive_days: int
    unavailable: tuple[tuple[int, int], ...] = ()  # [start, end) in minutes of the week, Monday 00:00 = 0
    prefers_off: tuple[int, ...] = ()  # weekdays 0=Mon


# --- RULES.json ---------------------------------------------------------------------


def _fail(where: str, why: str):
    raise ScheduleInputError(f"RULES.json {where}: {why}")


def _int(data: dict, key: str, where: str, *, default=None, minimum: int = 0) -> int:
    if key not in data:
        if default is None:
            _fail(f"{where}.{key}" if where else key, "missing")
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(f"{where}.{key}" if where else key, f"must be a whole number, got {value!r}")
    if value < minimum:
        _fail(f"{where}.{key}" if where else key, f"must be at least {minimum}, got {value}")
    return value


def _number(data: dict, key: str, where: str, *, default=None, minimum: float = 0.0) -> float:
    if key not in data:
        if default is None:
            _fail(f"{where}.{key}" if where else key, "missing")
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(f"{where}.{key}" if where else key, f"must be a number, got {value!r}")
    if value < minimum:
        _fail(f"{where}.{key}" if where else key, f"must be at least {minimum}, got {value}")
    return float(value)


def _time_of_day(value, where: str) -> int:
    if not isinstance(value, str):
        _fail(where, f"must be a time of day 'HH:MM', got {value!r}")
    try:
        hours, minutes = value.split(":")
        hours, minutes = int(hours), int(minutes)
    except ValueError:
        _fail(where, f"must be a time of day 'HH:MM', got {value!r}")
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        _fail(where, f"must be a time of day between 00:00 and 23:59, got {value!r}")
    return hours * 60 + minutes


def _break(data, where: str, length_of_shift: int) -> Break:
    if not isinstance(data, dict):
        _fail(where, "must be an object")
    unknown = set(data) - {"offset_minutes", "earliest_offset_minutes", "latest_offset_minutes", "length_minutes", "paid"}
    if unknown:
        _fail(where, f"unknown key(s) {', '.join(sorted(unknown))}")
    length = _int(data, "length_minutes", where, minimum=1)
    paid = data.get("paid", False)
    if not isinstance(paid, bool):
        _fail(f"{where}.paid", f"must be true or false, got {paid!r}")
    if "offset_minutes" in data:
        if "earliest_offset_minutes" in data or "latest_offset_minutes" in data:
            _fail(where, "give either offset_minutes or earliest_offset_minutes/latest_offset_minutes, not both")
        earliest = latest = _int(data, "offset_minutes", where, minimum=1)
    else:
        earliest = _int(data, "earliest_offset_minutes", where, minimum=1)
        latest = _int(data, "latest_offset_minutes", where, minimum=1)
        if latest < earliest:
            _fail(f"{where}.latest_offset_minutes", f"{latest} is before earliest_offset_minutes {earliest}")
    if latest + length >= length_of_shift:
        _fail(where, f"the break (up to minute {latest + length}) must end before the shift ends ({length_of_shift})")
    return Break(length_minutes=length, paid=paid, earliest_offset_minutes=earliest, latest_offset_minutes=latest)


def _shift_type(data, where: str) -> ShiftType:
    if not isinstance(data, dict):
        _fail(where, "must be an object")
    known = {"name", "length_minutes", "start_every_minutes", "cost_per_paid_hour", "breaks", "first_start_minutes",
             "earliest_start", "latest_start"}
    unknown = set(data) - known
    if unknown:
        _fail(where, f"unknown key(s) {', '.join(sorted(unknown))}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        _fail(f"{where}.name", f"must be a non-empty string, got {name!r}")
    length = _int(data, "length_minutes", where, minimum=1)
    if length >= 1440:
        _fail(f"{where}.length_minutes", f"a shift must be shorter than a day, got {length}")
    every = _int(data, "start_every_minutes", where, minimum=1)
    cost = _number(data, "cost_per_paid_hour", where, default=1.0)
    raw_breaks = data.get("breaks", [])
    if not isinstance(raw_breaks, list):
        _fail(f"{where}.breaks", "must be a list")
    breaks = tuple(_break(b, f"{where}.breaks[{i}]", length) for i, b in enumerate(raw_breaks))
    for i in range(1, len(breaks)):
        before, after = breaks[i - 1], breaks[i]
        if after.earliest_offset_minutes < before.latest_offset_minutes + before.length_minutes:
            _fail(f"{where}.breaks[{i}]", "breaks must be listed in order and cannot overlap the previous break")
    first = _int(data, "first_start_minutes", where, default=0)
    earliest = latest = None
    if "earliest_start" in data or "latest_start" in data:
        if not ("earliest_start" in data and "latest_start" in data):
            _fail(where, "earliest_start and latest_start go together")
        earliest = _time_of_day(data["earliest_start"], f"{where}.earliest_start")
        latest = _time_of_day(data["latest_start"], f"{where}.latest_start")
    shift_type = ShiftType(name=name, length_minutes=length, start_every_minutes=every, cost_per_paid_hour=cost,
                           breaks=breaks, first_start_minutes=first, earliest_start_minutes=earliest,
                           latest_start_minutes=latest)
    if shift_type.paid_minutes <= 0:
        _fail(where, "unpaid breaks take the whole shift")
    return shift_type


def _labour(data) -> Labour:
    if not isinstance(data, dict):
        _fail("labour", "must be an object")
    known = {"max_hours_day", "max_hours_week", "min_rest_hours", "days_off_per_week", "max_consecutive_days"}
    unknown = set(data) - known
    if unknown:
        _fail("labour", f"unknown key(s) {', '.join(sorted(unknown))}")
    default = Labour()
    labour = Labour(
        max_hours_day=_number(data, "max_hours_day", "labour", default=default.max_hours_day),
        max_hours_week=_number(data, "max_hours_week", "labour", default=default.max_hours_week),
        min_rest_hours=_number(data, "min_rest_hours", "labour", default=default.min_rest_hours),
        days_off_per_week=_int(data, "days_off_per_week", "labour", default=default.days_off_per_week),
        max_consecutive_days=_int(data, "max_consecutive_days", "labour", default=default.max_consecutive_days, minimum=1),
    )
    if labour.days_off_per_week > 6:
        _fail("labour.days_off_per_week", f"must be at most 6, got {labour.days_off_per_week}")
    return labour


def rules_parse(*, text: str) -> Rules:
    """RULES.json as :class:`Rules`; raises :class:`ScheduleInputError` naming the bad key."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScheduleInputError(f"RULES.json is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        _fail("(top level)", "must be an object")
    known = {"cyclic_week", "shift_types", "max_paid_hours_share", "weekly_tours", "max_agents", "labour"}
    unknown = set(data) - known
    if unknown:
        _fail("(top level)", f"unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    cyclic = data.get("cyclic_week", False)
    if not isinstance(cyclic, bool):
        _fail("cyclic_week", f"must be true or false, got {cyclic!r}")
    raw_types = data.get("shift_types")
    if not isinstance(raw_types, list) or not raw_types:
        _fail("shift_types", "must be a non-empty list")
    types = tuple(_shift_type(t, f"shift_types[{i}]") for i, t in enumerate(raw_types))
    names = [t.name for t in types]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        _fail("shift_types", f"duplicate name(s) {', '.join(duplicates)}")

    def by_type(key: str) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            _fail(key, "must be an object keyed by shift type name")
        for name in value:
            if name not in names:
                _fail(f"{key}.{name}", f"unknown shift type; known: {', '.join(names)}")
        return value

    shares = {}
    for name, cap in by_type("max_paid_hours_share").items():
        if isinstance(cap, bool) or not isinstance(cap, int | float) or not 0 <= cap <= 1:
            _fail(f"max_paid_hours_share.{name}", f"must be a share between 0 and 1, got {cap!r}")
        shares[name] = float(cap)
    tours = {}
    for name, tour in by_type("weekly_tours").items():
        where = f"weekly_tours.{name}"
        if not isinstance(tour, dict):
            _fail(where, "must be an object")
        unknown = set(tour) - {"working_days", "consecutive_days_off"}
        if unknown:
            _fail(where, f"unknown key(s) {', '.join(sorted(unknown))}")
        days = _int(tour, "working_days", where, minimum=1)
        if days > 7:
            _fail(f"{where}.working_days", f"a week has 7 days, got {days}")
        off = _int(tour, "consecutive_days_off", where, default=7 - days)
        if off > 7 - days:
            _fail(f"{where}.consecutive_days_off", f"{off} consecutive days off do not fit in a week of {days} working days")
        shift_type = next(t for t in types if t.name == name)
        if 1440 % shift_type.start_every_minutes:
            _fail(f"shift_types[{names.index(name)}].start_every_minutes",
                  f"a tour type's start times repeat daily, so {shift_type.start_every_minutes} must divide 1440")
        tours[name] = Tour(working_days=days, consecutive_days_off=off)
    max_agents = {}
    for name, cap in by_type("max_agents").items():
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
            _fail(f"max_agents.{name}", f"must be a whole number of agents, got {cap!r}")
        max_agents[name] = cap
    labour = _labour(data.get("labour", {}))
    return Rules(cyclic_week=cyclic, shift_types=types, max_paid_hours_share=shares, weekly_tours=tours,
                 max_agents=max_agents, labour=labour)


def rules_check_against(*, rules: Rules, requirements: Requirements) -> None:
    """The rules and the requirement grid fit together (all times on the interval grid)."""
    step = requirements.interval_minutes
    for i, shift_type in enumerate(rules.shift_types):
        where = f"shift_types[{i}]"
        checks = [("length_minutes", shift_type.length_minutes), ("start_every_minutes", shift_type.start_every_minutes),
                  ("first_start_minutes", shift_type.first_start_minutes)]
        for j, b in enumerate(shift_type.breaks):
            key = "offset_minutes" if b.is_fixed else "earliest_offset_minutes"
            checks += [(f"breaks[{j}].length_minutes", b.length_minutes), (f"breaks[{j}].{key}", b.earliest_offset_minutes),
                       (f"breaks[{j}].latest_offset_minutes", b.latest_offset_minutes)]
        for key, value in checks:
            if value % step:
                _fail(f"{where}.{key}", f"{value} is not a multiple of REQ.csv's {step}-minute interval")
    local_start = requirements.start.hour * 60 + requirements.start.minute
    if rules.cyclic_week:
        if requirements.horizon_minutes != WEEK_MINUTES:
            _fail("cyclic_week", f"true needs REQ.csv to cover exactly one week (7 days), it covers "
                                 f"{requirements.horizon_minutes / 1440:g} days")
        if requirements.start.weekday() != 0 or local_start != 0:
            _fail("cyclic_week", f"true needs REQ.csv to start on a Monday at 00:00, it starts "
                                 f"{requirements.start.isoformat()}")
    if rules.weekly_tours:
        if requirements.horizon_minutes != WEEK_MINUTES or local_start != 0:
            _fail("weekly_tours", "needs REQ.csv to cover exactly one week starting at 00:00")


# --- REQ.csv ------------------------------------------------------------------------


def _csv_rows(text: str, name: str, required_columns: list[str]) -> tuple[list[str], list[tuple[int, dict]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required_columns if c not in header]
    if missing:
        raise ScheduleInputError(f"{name} line 1: missing column(s) {', '.join(missing)}; the header must include "
                                 f"{','.join(required_columns)}")
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            raise ScheduleInputError(f"{name} line {reader.line_num}: more values than columns in the header")
        if all((v or "").strip() == "" for v in row.values()):
            continue
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
    return header, rows


def requirements_parse(*, text: str) -> Requirements:
    """REQ.csv (``start,agents_required``) as :class:`Requirements`.

    Times need a UTC offset and a regular spacing; requirements are non-negative numbers,
    fractional ones rounded up (a staffing tool's 2.3 agents need 3 on the floor).
    """
    _, rows = _csv_rows(text, "REQ.csv", ["start", "agents_required"])
    starts, required = [], []
    for line, row in rows:
        try:
            start = datetime.fromisoformat(row["start"])
        except ValueError:
            raise ScheduleInputError(f"REQ.csv line {line}: start {row['start']!r} is not an ISO time") from None
        if start.tzinfo is None:
            raise ScheduleInputError(f"REQ.csv line {line}: start {row['start']!r} needs a UTC offset, e.g. +08:00")
        try:
            value = float(row["agents_required"])
        except ValueError:
            raise ScheduleInputError(f"REQ.csv line {line}: agents_required {row['agents_required']!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise ScheduleInputError(f"REQ.csv line {line}: agents_required must be a non-negative number, got {value:g}")
        starts.append((line, start))
        required.append(math.ceil(value - _CEIL_TOLERANCE) if value > _CEIL_TOLERANCE else 0)
    if len(rows) < 2:
        raise ScheduleInputError("REQ.csv: needs at least two intervals to know the interval length")
    step = starts[1][1] - starts[0][1]
    minutes = step.total_seconds() / 60
    if minutes <= 0 or minutes != int(minutes) or 1440 % int(minutes):
        raise ScheduleInputError(f"REQ.csv line {starts[1][0]}: the interval length must be a whole number of minutes "
                                 f"dividing a day, got {minutes:g} after the previous row")
    for (_, before), (line, after) in zip(starts, starts[1:]):
        if after - before != step:
            raise ScheduleInputError(f"REQ.csv line {line}: irregular spacing: {after.isoformat()} is "
                                     f"{(after - before).total_seconds() / 60:g} minutes after the previous row, "
                                     f"expected {minutes:g}")
    return Requirements(start=starts[0][1], interval_minutes=int(minutes), required=tuple(required))


# --- agents file ---------------------------------------------------------------------


def _weekday(token: str, where: str) -> int:
    key = token.strip()[:3].title()
    if key not in WEEKDAYS:
        raise ScheduleInputError(f"{where}: {token!r} is not a weekday (Mon..Sun)")
    return WEEKDAYS.index(key)


def _unavailable(value: str, where: str) -> tuple[tuple[int, int], ...]:
    """``Sat`` (whole day) or ``Mon 18:00-24:00`` items separated by ``|``, as week-minute ranges."""
    spans = []
    for item in filter(None, (v.strip() for v in value.split("|"))):
        day_text, _, hours = item.partition(" ")
        day = _weekday(day_text, where)
        if not hours.strip():
            spans.append((day * 1440, (day + 1) * 1440))
            continue
        try:
            begin_text, end_text = hours.strip().split("-")
            bh, bm = (int(x) for x in begin_text.split(":"))
            eh, em = (int(x) for x in end_text.split(":"))
        except ValueError:
            raise ScheduleInputError(f"{where}: {item!r} must look like 'Mon' or 'Mon 18:00-24:00'") from None
        begin, end = bh * 60 + bm, eh * 60 + em
        if not (0 <= begin < end <= 1440 and 0 <= bm < 60 and 0 <= em < 60):
            raise ScheduleInputError(f"{where}: {item!r} needs 00:00 <= start < end <= 24:00")
        spans.append((day * 1440 + begin, day * 1440 + end))
    return tuple(spans)


def agents_parse(*, text: str, rules: Rules) -> list[Agent]:
    """The agents CSV; empty optional cells take RULES.json's ``labour`` defaults."""
    columns = ["id", "name", "shift_types"]
    header, rows = _csv_rows(text, "agents file", columns)
    optional = {"max_hours_day", "max_hours_week", "min_rest_hours", "days_off_per_week", "max_consecutive_days",
                "unavailable", "prefers_off"}
    unknown = set(header) - set(columns) - optional
    if unknown:
        raise ScheduleInputError(f"agents file line 1: unknown column(s) {', '.join(sorted(unknown))}")
    names = {t.name for t in rules.shift_types}
    agents, seen = [], set()
    for line, row in rows:
        where = f"agents file line {line}"
        if not row["id"]:
            raise ScheduleInputError(f"{where}: id is empty")
        if row["id"] in seen:
            raise ScheduleInputError(f"{where}: id {row['id']!r} appears twice")
        seen.add(row["id"])
        types = tuple(t.strip() for t in row["shift_types"].split("|") if t.strip())
        if not types:
            raise ScheduleInputError(f"{where}: shift_types is empty")
        for t in types:
            if t not in names:
                raise ScheduleInputError(f"{where}: shift type {t!r} is not in RULES.json ({', '.join(sorted(names))})")

        def number(key: str, default, kind=float):
            text_value = row.get(key, "")
            if not text_value:
                return default
            try:
                value = kind(text_value)
            except ValueError:
                raise ScheduleInputError(f"{where}: {key} {text_value!r} is not a {'whole ' if kind is int else ''}number") from None
            if value < 0 or (isinstance(value, float) and not math.isfinite(value)):
                raise ScheduleInputError(f"{where}: {key} must not be negative, got {text_value}")
            return value

        labour = rules.labour
        agent = Agent(
            id=row["id"], name=row["name"], shift_types=types,
            max_hours_day=number("max_hours_day", labour.max_hours_day),
            max_hours_week=number("max_hours_week", labour.max_hours_week),
            min_rest_hours=number("min_rest_hours", labour.min_rest_hours),
            days_off_per_week=number("days_off_per_week", labour.days_off_per_week, int),
            max_consecutive_days=number("max_consecutive_days", labour.max_consecutive_days, int),
            unavailable=_unavailable(row.get("unavailable", ""), f"{where}: unavailable"),
            prefers_off=tuple(sorted({_weekday(d, f"{where}: prefers_off")
                                      for d in row.get("prefers_off", "").split("|") if d.strip()})),
        )
        if agent.days_off_per_week > 6:
            raise ScheduleInputError(f"{where}: days_off_per_week must be at most 6")
        if agent.max_consecutive_days < 1:
            raise ScheduleInputError(f"{where}: max_consecutive_days must be at least 1")
        agents.append(agent)
    if not agents:
        raise ScheduleInputError("agents file: no agents")
    return agents
