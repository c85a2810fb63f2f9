"""SLA on business time: a work calendar's arithmetic and the tickets' SLA clocks.

``BusinessCalendar`` answers two questions across nights, weekends, public holidays,
调休 working days and promotion days: "what moment is N working seconds after this one?"
(``add_seconds``) and "how many working seconds lie between these two moments?"
(``working_seconds``). A ticket's due times are its creation plus the allowance of its
SLA policy plus the working time it spent paused (waiting on the customer), so a pause
pushes them out by exactly its length in business time. The working time used, pauses
excluded, only grows: a breached clock stays breached.

``tickets_tick`` (periodic) opens the automatic tickets and moves each open ticket's SLA
state, firing the ``sla_near`` / ``sla_breached`` rules and notifications once per state.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import ValidationError
from kefu.tickets.choices import SLA_STATE_ORDER, Priority, SlaState

# Office hours, Monday to Friday, for teams and departments without a calendar of their own.
DEFAULT_WEEKLY_HOURS = {str(day): [["09:00", "18:00"]] for day in range(5)}
DEFAULT_TIMEZONE = "Asia/Shanghai"
# Minutes of business time: (first response, resolution), per priority, for every type
# without an ``SlaPolicy`` row.
DEFAULT_SLA_MINUTES = {
    Priority.URGENT: (30, 4 * 60),
    Priority.HIGH: (60, 9 * 60),
    Priority.NORMAL: (120, 18 * 60),
    Priority.LOW: (240, 36 * 60),
}
DEFAULT_NEAR_PERCENT = 80
_MAX_DAYS = 3 * 366  # a calendar with (almost) no working time must not loop for ever


def _minutes(text: str) -> int:
    hours, _sep, minutes = text.partition(":")
    value = int(hours) * 60 + int(minutes)
    if not (0 <= int(minutes) < 60) or not (0 <= value <= 24 * 60):
        raise ValueError(text)
    return value


def _windows(spec) -> tuple[tuple[int, int], ...]:
    """``[["09:00", "12:00"], ["13:00", "18:00"]]`` -> minute ranges, checked and sorted."""
    if not isinstance(spec, list):
        raise ValueError("a list of [start, end]")
    windows = []
    for pair in spec:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError("a list of [start, end]")
        start, end = _minutes(pair[0]), _minutes(pair[1])
        if end <= start:
            raise ValueError(f"{pair[0]}-{pair[1]} ends before it starts")
        windows.append((start, end))
    windows.sort()
    for (_s1, e1), (s2, _e2) in zip(windows, windows[1:]):
        if s2 < e1:
            raise ValueError("overlapping hours")
    return tuple(windows)


def _dates(values) -> frozenset[date]:
    if not isinstance(values, list):
        raise ValueError("a list of YYYY-MM-DD")
    return frozenset(date.fromisoformat(v) for v in values)


@cache
def _public_day(day: date) -> str:
    """"holiday" (a named Chinese public holiday), "workday" (a 调休 weekend working day)
    or "" (an ordinary day, or a year the package has no data for)."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a declared dependency
        return ""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    if on_holiday and name:
        return "holiday"
    if not on_holiday and day.weekday() >= 5:
        return "workday"
    return ""


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = DEFAULT_TIMEZONE
    weekly: dict = field(default_factory=lambda: {int(k): _windows(v) for k, v in DEFAULT_WEEKLY_HOURS.items()})
    use_public_holidays: bool = True
    holidays: frozenset = frozenset()
    extra_workdays: frozenset = frozenset()
    promotion_days: dict = field(default_factory=dict)
    key: object = None  # the WorkCalendar's id, or None for the built-in one

    @classmethod
    def from_config(cls, *, timezone=DEFAULT_TIMEZONE, weekly_hours=None, use_public_holidays=True, holidays=(),
                    extra_workdays=(), promotion_days=None, key=None) -> "BusinessCalendar":
        """A calendar from a ``WorkCalendar``'s fields; ``ValidationError`` when they are wrong."""
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValidationError(_("Unknown timezone %(tz)s.") % {"tz": timezone}, code="bad_calendar") from None
        try:
            weekly_hours = DEFAULT_WEEKLY_HOURS if weekly_hours is None else weekly_hours
            if not isinstance(weekly_hours, dict) or set(weekly_hours) - {str(d) for d in range(7)}:
                raise ValueError("weekly hours are keyed 0 (Monday) to 6 (Sunday)")
            weekly = {int(day): _windows(spec) for day, spec in weekly_hours.items()}
            promotions = {date.fromisoformat(day): _windows(spec) for day, spec in (promotion_days or {}).items()}
            calendar = cls(timezone, weekly, bool(use_public_holidays), _dates(list(holidays)),
                           _dates(list(extra_workdays)), promotions, key)
        except (ValueError, TypeError) as error:
            raise ValidationError(
                _("The calendar is not valid: %(error)s") % {"error": str(error)}, code="bad_calendar"
            ) from None
        if not any(calendar.weekly.values()):
            raise ValidationError(_("A calendar needs working hours on at least one weekday."), code="bad_calendar")
        return calendar

    @classmethod
    def from_model(cls, calendar) -> "BusinessCalendar":
        return cls.from_config(
            timezone=calendar.timezone, weekly_hours=calendar.weekly_hours or DEFAULT_WEEKLY_HOURS,
            use_public_holidays=calendar.use_public_holidays, holidays=calendar.holidays or [],
            extra_workdays=calendar.extra_workdays or [], promotion_days=calendar.promotion_days or {},
            key=calendar.pk,
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _workday_hours(self) -> tuple:
        # A 调休 working day keeps the hours of the first weekday that has any.
        for day in range(7):
            if self.weekly.get(day):
                return self.weekly[day]
        return ()

    def day_windows(self, day: date) -> tuple[tuple[int, int], ...]:
        """The working minute ranges of one local day."""
        if day in self.promotion_days:
            return self.promotion_days[day]
        if day in self.extra_workdays:
            return self.weekly.get(day.weekday()) or self._workday_hours()
        if day in self.holidays:
            return ()
        if self.use_public_holidays:
            public = _public_day(day)
            if public == "holiday":
                return ()
            if public == "workday":
                return self.weekly.get(day.weekday()) or self._workday_hours()
        return self.weekly.get(day.weekday(), ())

    def _day_intervals(self, day: date):
        tz = self.tz
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        for start, end in self.day_windows(day):
            yield midnight + timedelta(minutes=start), midnight + timedelta(minutes=end)

    def working_seconds(self, start: datetime, end: datetime) -> int:
        """Working seconds in [start, end) (0 when end is not after start)."""
        if end <= start:
            return 0
        tz = self.tz
        day, last = start.astimezone(tz).date() - timedelta(days=1), end.astimezone(tz).date()
        total = 0.0
        while day <= last:
            for a, b in self._day_intervals(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return int(total)

    def add_seconds(self, start: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of working time after ``start`` (``start`` itself for 0
        when it lies inside working hours; the next opening otherwise)."""
        remaining = timedelta(seconds=seconds)
        tz = self.tz
        day = start.astimezone(tz).date() - timedelta(days=1)
        for _i in range(_MAX_DAYS):
            for a, b in self._day_intervals(day):
                if b <= start:
                    continue
                lo = max(a, start)
                if lo + remaining <= b:
                    return lo + remaining
                remaining -= b - lo
            day += timedelta(days=1)
        raise ValidationError(_("The calendar has too little working time to place a due time."), code="bad_calendar")

    def add_minutes(self, start: datetime, minutes: float) -> datetime:
        return self.add_seconds(start, minutes * 60)


BUILTIN_CALENDAR = BusinessCalendar()


# ---- the calendar and policy of a ticket ----------------------------------------------------


def calendar_for_ticket(ticket, *, cache: dict | None = None) -> BusinessCalendar:
    """The owning department's calendar, else the team's, else the default calendar, else
    the built-in office hours."""
    from kefu.tickets.models import TeamCalendar, WorkCalendar

    def looked_up(key, query):
        # With a cache (a tick over every open ticket), each team's and the default
        # calendar are looked up once.
        if cache is None:
            return query()
        if key not in cache:
            cache[key] = query()
        return cache[key]

    calendar_id = None
    if ticket.department_id:
        calendar_id = ticket.department.calendar_id
    if calendar_id is None and ticket.team_id:
        calendar_id = looked_up(("team", ticket.team_id), lambda: TeamCalendar.objects.filter(
            team_id=ticket.team_id).values_list("calendar_id", flat=True).first())
    if calendar_id is None:
        calendar_id = looked_up(("default",), lambda: WorkCalendar.objects.filter(
            is_default=True).values_list("pk", flat=True).first())
    if calendar_id is None:
        return BUILTIN_CALENDAR
    if cache is not None and calendar_id in cache:
        return cache[calendar_id]
    calendar = BusinessCalendar.from_model(WorkCalendar.objects.get(pk=calendar_id))
    if cache is not None:
        cache[calendar_id] = calendar
    return calendar


def near_percent_default() -> int:
    return int(getattr(settings, "KEFU_TICKETS_SLA_NEAR_PERCENT", DEFAULT_NEAR_PERCENT))


def policy_for(type: str, priority: str, *, cache: dict | None = None) -> tuple[int, int, int]:
    """(first response minutes, resolution minutes, near-breach percent). With ``cache``
    (a dict the caller keeps), the policies are read once."""
    from kefu.tickets.models import SlaPolicy

    columns = ("first_response_minutes", "resolution_minutes", "near_percent")
    if cache is not None:
        if "policies" not in cache:
            cache["policies"] = {
                (row[0], row[1]): row[2:] for row in SlaPolicy.objects.values_list("type", "priority", *columns)
            }
        row = cache["policies"].get((type, priority))
    else:
        row = SlaPolicy.objects.filter(type=type, priority=priority).values_list(*columns).first()
    if row:
        return row
    first, resolution = DEFAULT_SLA_MINUTES[Priority(priority)]
    return first, resolution, near_percent_default()


# ---- a ticket's clocks --------------------------------------------------------------------


def sla_dues(ticket, calendar: BusinessCalendar, policy) -> tuple[datetime, datetime]:
    first, resolution, _near = policy
    paused = ticket.paused_seconds
    return (
        calendar.add_seconds(ticket.created_at, first * 60 + paused),
        calendar.add_seconds(ticket.created_at, resolution * 60 + paused),
    )


def _clock_state(*, met_at, due, used: int, allowance: int, near_percent: int) -> str:
    if met_at is not None:
        return SlaState.BREACHED if due is not None and met_at > due else SlaState.OK
    if used >= allowance:
        return SlaState.BREACHED
    if used * 100 >= allowance * near_percent:
        return SlaState.NEAR
    return SlaState.OK


def worst(*states: str) -> str:
    return max(states, key=SLA_STATE_ORDER.index)


def sla_used_seconds(ticket, calendar: BusinessCalendar, now: datetime) -> int:
    """Working seconds the ticket has used so far, pauses excluded."""
    end = ticket.paused_since or now
    return max(0, calendar.working_seconds(ticket.created_at, end) - ticket.paused_seconds)


def sla_state_compute(ticket, calendar: BusinessCalendar, policy, now: datetime) -> str:
    first, resolution, near = policy
    used = sla_used_seconds(ticket, calendar, now)
    return worst(
        _clock_state(met_at=ticket.first_responded_at, due=ticket.first_response_due, used=used,
                     allowance=first * 60, near_percent=near),
        _clock_state(met_at=ticket.resolved_at, due=ticket.resolution_due, used=used,
                     allowance=resolution * 60, near_percent=near),
    )


def sla_apply(ticket, *, now: datetime, calendar: BusinessCalendar | None = None) -> None:
    """Set the ticket's due times and SLA state from its policy and calendar (unsaved)."""
    calendar = calendar or calendar_for_ticket(ticket)
    policy = policy_for(ticket.type, ticket.priority)
    ticket.first_response_due, ticket.resolution_due = sla_dues(ticket, calendar, policy)
    ticket.sla_state = sla_state_compute(ticket, calendar, policy, now)


def sla_pause(ticket, *, now: datetime) -> None:
    if ticket.paused_since is None:
        ticket.paused_since = now


def sla_resume(ticket, *, now: datetime, calendar: BusinessCalendar | None = None) -> None:
    if ticket.paused_since is None:
        return
    calendar = calendar or calendar_for_ticket(ticket)
    ticket.paused_seconds += calendar.working_seconds(ticket.paused_since, now)
    ticket.paused_since = None


@dataclass
class SlaClock:
    """What a ticket page shows: due times, working time used and left, paused or not."""

    state: str
    first_response_due: datetime | None
    resolution_due: datetime | None
    used_seconds: int
    resolution_allowance_seconds: int
    remaining_seconds: int
    paused: bool


def sla_clock(ticket, *, now: datetime | None = None) -> SlaClock:
    now = now or timezone.now()
    calendar = calendar_for_ticket(ticket)
    first, resolution, _near = policy_for(ticket.type, ticket.priority)
    used = sla_used_seconds(ticket, calendar, ticket.resolved_at or now)
    return SlaClock(ticket.sla_state, ticket.first_response_due, ticket.resolution_due, used, resolution * 60,
                    resolution * 60 - used, ticket.paused_since is not None)


# ---- periodic ----------------------------------------------------------------------------


def sla_refresh(*, now: datetime | None = None) -> int:
    """Move the SLA state of every open ticket; fire sla_near / sla_breached once per state.
    Returns how many tickets changed state."""
    from kefu.tickets.models import Ticket

    now = now or timezone.now()
    calendars: dict = {}
    policies: dict = {}
    changed = 0
    tickets = Ticket.objects.filter(closed_at__isnull=True)
    for ticket in tickets.select_related("department").iterator(chunk_size=500):
        if ticket.sla_state == SlaState.BREACHED and SlaState.BREACHED in (ticket.sla_fired or []):
            continue  # terminal: the working time used only grows
        calendar = calendar_for_ticket(ticket, cache=calendars)
        state = sla_state_compute(ticket, calendar, policy_for(ticket.type, ticket.priority, cache=policies), now)
        fire = state in (SlaState.NEAR, SlaState.BREACHED) and state not in (ticket.sla_fired or [])
        if state == ticket.sla_state and not fire:
            continue
        from kefu.tickets.services import ticket_sla_state_set

        if ticket_sla_state_set(ticket=ticket, state=state, fire=fire, now=now):
            changed += 1
    return changed


def sla_recompute_for_calendar(*, calendar_id: int | None, now: datetime | None = None) -> int:
    """After a calendar changed: recompute the due times and states of the open tickets
    counted on it. Returns how many tickets were recomputed."""
    from kefu.tickets.models import Ticket

    now = now or timezone.now()
    count = 0
    calendars: dict = {}
    for ticket in Ticket.objects.filter(closed_at__isnull=True).select_related("department").iterator(chunk_size=500):
        calendar = calendar_for_ticket(ticket, cache=calendars)
        if calendar.key != calendar_id:
            continue
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            before = (locked.first_response_due, locked.resolution_due, locked.sla_state)
            sla_apply(locked, now=now, calendar=calendar)
            if before != (locked.first_response_due, locked.resolution_due, locked.sla_state):
                locked.save(update_fields=["first_response_due", "resolution_due", "sla_state"])
                count += 1
    return count


def tickets_tick(now=None) -> dict:
    """Periodic: open the automatic tickets of newly imported data, then move SLA states."""
    from kefu.tickets.auto import tickets_auto_create

    now = now or timezone.now()
    created = tickets_auto_create(now=now)
    return {"created": created, "sla_changed": sla_refresh(now=now)}
