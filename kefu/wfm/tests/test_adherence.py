"""Attendance and adherence on hand-made status timelines: each case worked out by hand."""

from datetime import date, datetime, timedelta, timezone

import pytest

from kefu.wfm.adherence import (
    AdherenceInputError,
    AttendanceRules,
    ScheduledShift,
    StatusChange,
    attendance_month,
    shift_attendance,
)

CST = timezone(timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=CST)


def shift(day=16, start=9, end=18, breaks=((13, 14),), agent="a1") -> ScheduledShift:
    return ScheduledShift(agent=agent, start=at(day, start), end=at(day, end),
                          breaks=tuple((at(day, b0), at(day, b1)) for b0, b1 in breaks))


def timeline(*changes, agent="a1") -> list[StatusChange]:
    return [StatusChange(agent=agent, at=moment, status=status) for moment, status in changes]


def one(shifts, events, **kwargs):
    (result,) = shift_attendance(shifts=shifts, events=events, **kwargs)
    return result


def test_on_time_full_day_with_away_during_the_break_is_fully_adherent():
    events = timeline((at(16, 8, 55), "online"), (at(16, 10), "busy"), (at(16, 13), "away"),
                      (at(16, 14), "online"), (at(16, 18, 2), "offline"))
    result = one([shift()], events)
    assert result.clock_in == at(16, 8, 55) and result.clock_out == at(16, 18, 2)
    assert not result.late and not result.left_early and not result.absent
    assert result.scheduled_minutes == 8 * 60
    assert result.adherence == 1.0
    assert len(result.intervals) == 16 and all(i.adherence == 1.0 for i in result.intervals)


def test_late_beyond_the_grace_counts_the_minutes_from_the_start():
    result = one([shift()], timeline((at(16, 9, 12), "online"), (at(16, 18), "offline")))
    assert result.late_minutes == 12
    assert result.adherent_minutes == 8 * 60 - 12
    first = result.intervals[0]
    assert first.start == at(16, 9) and first.scheduled_minutes == 30 and first.adherent_minutes == 18
    assert first.adherence == pytest.approx(0.6)


def test_late_within_the_grace_is_on_time_but_still_costs_adherence():
    result = one([shift()], timeline((at(16, 9, 4), "online"), (at(16, 18), "offline")))
    assert result.late_minutes == 0 and not result.late
    assert result.adherent_minutes == 8 * 60 - 4
    strict = one([shift()], timeline((at(16, 9, 4), "online"), (at(16, 18), "offline")),
                 rules=AttendanceRules(late_grace_minutes=0))
    assert strict.late_minutes == 4


def test_early_leave_beyond_the_grace():
    result = one([shift()], timeline((at(16, 9), "online"), (at(16, 17, 20), "offline")))
    assert result.clock_out == at(16, 17, 20)
    assert result.early_leave_minutes == 40 and result.left_early
    assert result.adherent_minutes == 8 * 60 - 40
    lenient = one([shift()], timeline((at(16, 9), "online"), (at(16, 17, 20), "offline")),
                  rules=AttendanceRules(early_leave_grace_minutes=45))
    assert not lenient.left_early


def test_no_working_status_during_the_shift_is_an_absence():
    # Online the evening before and after the shift, away through it: absent.
    events = timeline((at(15, 20), "online"), (at(15, 23), "offline"), (at(16, 9), "away"), (at(16, 19, 30), "online"))
    result = one([shift()], events)
    assert result.absent and result.clock_in is None and result.clock_out is None
    assert result.late_minutes == 0 and result.early_leave_minutes == 0
    assert result.adherence == 0.0


def test_away_outside_a_break_and_working_during_the_break():
    # Away 10:00-10:30 (not a break) costs adherence; working through the break neither adds nor costs.
    events = timeline((at(16, 9), "online"), (at(16, 10), "away"), (at(16, 10, 30), "busy"), (at(16, 18), "offline"))
    result = one([shift()], events)
    assert result.scheduled_minutes == 480 and result.adherent_minutes == 450
    assert result.adherence == pytest.approx(450 / 480)
    assert not result.late and not result.left_early
    assert [i.adherence for i in result.intervals if i.start == at(16, 10)] == [0.0]
    assert not any(i.start == at(16, 13) for i in result.intervals)  # the break is not scheduled work


def test_a_night_shift_crossing_midnight_belongs_to_the_day_it_starts():
    night = ScheduledShift(agent="a1", start=at(16, 22), end=at(17, 6), breaks=((at(17, 2), at(17, 2, 30)),))
    events = timeline((at(16, 22, 7), "online"), (at(17, 2), "away"), (at(17, 2, 30), "online"), (at(17, 5, 30), "offline"))
    result = one([night], events)
    assert result.day == date(2026, 11, 16)
    assert result.late_minutes == 7 and result.early_leave_minutes == 30
    assert result.scheduled_minutes == 450
    assert result.adherent_minutes == 450 - 7 - 30
    assert [i.start for i in result.intervals][:2] == [at(16, 22), at(16, 22, 30)]
    assert result.intervals[-1].start == at(17, 5, 30) and result.intervals[-1].adherent_minutes == 0


def test_clock_in_window_and_an_open_timeline():
    # Online since the previous evening (outside the window): clock-in is the window start; the
    # last status holds on unless ``until`` cuts the timeline.
    events = timeline((at(15, 20), "online"))
    result = one([shift()], events)
    assert result.clock_in == at(16, 8) and result.clock_out == at(16, 19)
    assert result.adherence == 1.0
    cut = one([shift()], events, until=at(16, 12))
    assert cut.clock_out == at(16, 12) and cut.early_leave_minutes == 6 * 60


def test_other_agents_statuses_do_not_count():
    events = timeline((at(16, 9), "online"), agent="a2")
    result = one([shift(agent="a1")], events)
    assert result.absent


def test_monthly_attendance_summary():
    shifts = [shift(day=d) for d in (16, 17, 18, 19)] + [shift(day=30, agent="a1"), shift(day=1, agent="a1")]
    shifts[-1] = ScheduledShift(agent="a1", start=datetime(2026, 12, 1, 9, tzinfo=CST), end=datetime(2026, 12, 1, 18, tzinfo=CST))
    events = timeline(
        (at(16, 9), "online"), (at(16, 18), "offline"),  # on time
        (at(17, 9, 20), "online"), (at(17, 17), "offline"),  # late 20, early 60
        # 18th: absent
        (at(19, 9, 10), "online"), (at(19, 18), "offline"),  # late 10
        (at(30, 9), "online"), (at(30, 18), "offline"),
    )
    results = shift_attendance(shifts=shifts, events=events)
    (november,) = attendance_month(results=results, year=2026, month=11)
    assert november.month == "2026-11"
    assert (november.days_scheduled, november.days_worked, november.absences) == (5, 4, 1)
    assert (november.late_count, november.late_minutes) == (2, 30)
    assert (november.early_leave_count, november.early_leave_minutes) == (1, 60)
    assert november.absent_days == [date(2026, 11, 18)]
    assert november.late_days == [date(2026, 11, 17), date(2026, 11, 19)]
    assert november.adherence == pytest.approx((480 * 5 - 20 - 60 - 480 - 10) / (480 * 5))
    (december,) = attendance_month(results=results, year=2026, month=12)
    assert december.days_scheduled == 1 and december.absences == 1  # offline since Nov 30 18:00


@pytest.mark.parametrize(
    ("shifts", "events", "message"),
    [
        ([ScheduledShift("a1", at(16, 18), at(16, 9))], [], "shift 0 .*'a1'.*end .* is not after start"),
        ([ScheduledShift("a1", at(16, 9), at(16, 18), ((at(16, 17), at(16, 19)),))], [], "break .* is not inside"),
        ([ScheduledShift("a1", datetime(2026, 11, 16, 9), at(16, 18))], [], "shift 0 .*start.*timezone"),
        ([], [StatusChange("a1", at(16, 9), "lunch")], "status event 0 .*unknown status 'lunch'"),
    ],
)
def test_bad_input_is_named(shifts, events, message):
    with pytest.raises(AdherenceInputError, match=message):
        shift_attendance(shifts=shifts, events=events)
