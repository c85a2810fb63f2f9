"""Business-time arithmetic and the tickets' SLA clocks: nights, weekends, a public holiday,
a 调休 working day, a promotion day, a pause while waiting on the customer, a calendar
change, the near-breach threshold and the tick firing once per state."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.core.errors import ValidationError
from kefu.tickets.configuration import sla_policy_set, work_calendar_save
from kefu.tickets.models import AutomationRun, TicketEvent
from kefu.tickets.services import ticket_comment, ticket_transition
from kefu.tickets.sla import BusinessCalendar, sla_refresh, tickets_tick
from kefu.tickets.tests.factories import AutomationRuleFactory

SH = ZoneInfo("Asia/Shanghai")
OFFICE = BusinessCalendar()  # Monday-Friday 09:00-18:00, Chinese public holidays


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# ---- the calendar ---------------------------------------------------------------------------


def test_minutes_inside_one_working_day():
    assert OFFICE.add_minutes(at("2026-11-09 10:00"), 120) == at("2026-11-09 12:00")
    assert OFFICE.working_seconds(at("2026-11-09 10:00"), at("2026-11-09 12:00")) == 7200


def test_a_night_is_skipped():
    # Monday 17:00 + 2 working hours: 1 h on Monday, 1 h from Tuesday 09:00.
    assert OFFICE.add_minutes(at("2026-11-09 17:00"), 120) == at("2026-11-10 10:00")
    assert OFFICE.working_seconds(at("2026-11-09 17:00"), at("2026-11-10 10:00")) == 7200


def test_a_moment_outside_hours_starts_at_the_next_opening():
    assert OFFICE.add_minutes(at("2026-11-09 22:00"), 30) == at("2026-11-10 09:30")
    assert OFFICE.add_minutes(at("2026-11-10 06:00"), 0) == at("2026-11-10 09:00")


def test_a_weekend_is_skipped():
    # Friday 17:30 + 1 h: 30 min on Friday, 30 min on Monday.
    assert OFFICE.add_minutes(at("2026-11-13 17:30"), 60) == at("2026-11-16 09:30")
    assert OFFICE.working_seconds(at("2026-11-13 17:30"), at("2026-11-16 09:30")) == 3600


def test_a_public_holiday_is_skipped():
    # Wednesday 30 Sep 2026 17:00 + 2 h: National Day runs 1-7 Oct; work resumes Thursday 8 Oct.
    assert OFFICE.add_minutes(at("2026-09-30 17:00"), 120) == at("2026-10-08 10:00")
    assert OFFICE.working_seconds(at("2026-09-30 00:00"), at("2026-10-08 00:00")) == 9 * 3600


def test_a_tiaoxiu_saturday_is_a_working_day():
    # Saturday 10 Oct 2026 is worked (调休), with the weekday hours.
    assert OFFICE.working_seconds(at("2026-10-10 00:00"), at("2026-10-11 00:00")) == 9 * 3600
    assert OFFICE.add_minutes(at("2026-10-09 17:00"), 120) == at("2026-10-10 10:00")


def test_listed_holidays_extra_workdays_and_promotion_days():
    calendar = BusinessCalendar.from_config(
        holidays=["2026-11-10"], extra_workdays=["2026-11-14"],
        promotion_days={"2026-11-11": [["00:00", "24:00"]]}, use_public_holidays=False,
    )
    assert calendar.working_seconds(at("2026-11-10 00:00"), at("2026-11-11 00:00")) == 0
    assert calendar.working_seconds(at("2026-11-11 00:00"), at("2026-11-12 00:00")) == 24 * 3600
    assert calendar.working_seconds(at("2026-11-14 00:00"), at("2026-11-15 00:00")) == 9 * 3600
    assert calendar.add_minutes(at("2026-11-09 17:00"), 120) == at("2026-11-11 01:00")


def test_split_hours_and_another_timezone():
    calendar = BusinessCalendar.from_config(timezone="UTC", weekly_hours={
        str(d): [["09:00", "12:00"], ["13:00", "18:00"]] for d in range(7)
    })
    start = datetime(2026, 11, 9, 11, 0, tzinfo=ZoneInfo("UTC"))
    assert calendar.add_minutes(start, 120) == datetime(2026, 11, 9, 14, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize("config", [
    {"weekly_hours": {"0": [["18:00", "09:00"]]}},
    {"weekly_hours": {"7": [["09:00", "18:00"]]}},
    {"weekly_hours": {"0": [["09:00", "12:00"], ["11:00", "13:00"]]}},
    {"weekly_hours": {}},
    {"timezone": "Mars/Olympus"},
    {"holidays": ["2026-13-01"]},
])
def test_a_bad_calendar_is_refused(config):
    with pytest.raises(ValidationError):
        BusinessCalendar.from_config(**config)


# ---- tickets -------------------------------------------------------------------------------------


def test_due_times_are_business_time(open_ticket):
    # Normal priority: first response 2 h, resolution 18 h of office time.
    ticket = open_ticket(now=at("2026-11-13 17:00"))  # a Friday
    assert ticket.first_response_due == at("2026-11-16 10:00")
    assert ticket.resolution_due == at("2026-11-17 17:00")


def test_a_pause_while_waiting_on_the_customer_moves_the_due_times(open_ticket, agent_user):
    ticket = open_ticket(now=at("2026-11-09 09:00"))
    ticket = ticket_transition(ticket=ticket, to_status="in_progress", actor=agent_user, now=at("2026-11-09 10:00"))
    ticket = ticket_transition(ticket=ticket, to_status="waiting_customer", actor=agent_user,
                               now=at("2026-11-09 11:00"))
    assert ticket.paused_since == at("2026-11-09 11:00")
    # The customer answers the next morning: 7 + 1 = 8 working hours paused.
    ticket = ticket_transition(ticket=ticket, to_status="in_progress", actor=agent_user, now=at("2026-11-10 10:00"))
    assert ticket.paused_seconds == 8 * 3600 and ticket.paused_since is None
    assert ticket.resolution_due == BusinessCalendar().add_minutes(at("2026-11-09 09:00"), 18 * 60 + 8 * 60)


def test_the_clock_stands_still_while_paused(open_ticket, agent_user):
    ticket = open_ticket(now=at("2026-11-09 09:00"))
    ticket = ticket_transition(ticket=ticket, to_status="in_progress", actor=agent_user, now=at("2026-11-09 09:30"))
    ticket_comment(ticket=ticket, actor=agent_user, body="已联系顾客", now=at("2026-11-09 09:40"))
    ticket_transition(ticket=ticket, to_status="waiting_customer", actor=agent_user, now=at("2026-11-09 10:00"))
    # A week later it is still not near its 18 h: only 1 working hour was used.
    sla_refresh(now=at("2026-11-16 10:00"))
    ticket.refresh_from_db()
    assert ticket.sla_state == "ok"


def test_near_and_breach_states_and_the_threshold(open_ticket, agent_user):
    ticket = open_ticket(now=at("2026-11-09 09:00"))
    sla_refresh(now=at("2026-11-09 10:30"))  # 90 of 120 minutes of first response: 75 %
    ticket.refresh_from_db()
    assert ticket.sla_state == "ok"
    sla_refresh(now=at("2026-11-09 10:40"))  # 83 %
    ticket.refresh_from_db()
    assert ticket.sla_state == "near"
    sla_refresh(now=at("2026-11-09 11:01"))
    ticket.refresh_from_db()
    assert ticket.sla_state == "breached"
    assert list(TicketEvent.objects.filter(ticket=ticket, kind="sla").values_list("changes", flat=True)) == [
        {"sla_state": ["ok", "near"]}, {"sla_state": ["near", "breached"]}
    ]


def test_a_policy_sets_the_allowance_and_threshold(open_ticket):
    sla_policy_set(actor=None, type="aftersale", priority="normal", first_response_minutes=60,
                   resolution_minutes=600, near_percent=50)
    ticket = open_ticket(now=at("2026-11-09 09:00"))
    assert ticket.first_response_due == at("2026-11-09 10:00")
    sla_refresh(now=at("2026-11-09 09:31"))
    ticket.refresh_from_db()
    assert ticket.sla_state == "near"


def test_the_tick_fires_the_sla_rules_once_per_state(open_ticket):
    near = AutomationRuleFactory(trigger="sla_near", actions=[{"action": "add_tag", "tag": "快超时"}])
    breached = AutomationRuleFactory(trigger="sla_breached", actions=[{"action": "raise_priority"}])
    ticket = open_ticket(now=at("2026-11-09 09:00"))
    for minute in ("10:40", "10:45", "11:01", "11:30", "12:00"):
        tickets_tick(now=at(f"2026-11-09 {minute}"))
    ticket.refresh_from_db()
    assert AutomationRun.objects.filter(rule=near).count() == 1
    assert AutomationRun.objects.filter(rule=breached).count() == 1
    assert ticket.tags == ["快超时"] and ticket.priority == "high"
    assert ticket.sla_fired == ["near", "breached"]


def test_a_calendar_change_moves_the_open_tickets_due_times(open_ticket, agent_user, team):
    calendar = work_calendar_save(actor=None, name="售后组", is_default=True,
                                  weekly_hours={str(d): [["09:00", "18:00"]] for d in range(5)})
    ticket = open_ticket(now=at("2026-11-09 17:00"))
    assert ticket.first_response_due == at("2026-11-10 10:00")
    # The team now works evenings too: the due time comes earlier.
    work_calendar_save(actor=None, calendar=calendar,
                       weekly_hours={str(d): [["09:00", "22:00"]] for d in range(7)}, now=at("2026-11-09 17:05"))
    ticket.refresh_from_db()
    assert ticket.first_response_due == at("2026-11-09 19:00")


def test_a_resolved_ticket_keeps_its_state(open_ticket, agent_user):
    ticket = open_ticket(now=at("2026-11-09 09:00"))
    ticket = ticket_transition(ticket=ticket, to_status="in_progress", actor=agent_user, now=at("2026-11-09 09:10"))
    ticket = ticket_transition(ticket=ticket, to_status="resolved", actor=agent_user, now=at("2026-11-09 09:20"))
    assert ticket.first_responded_at == at("2026-11-09 09:20") and ticket.resolved_at == at("2026-11-09 09:20")
    sla_refresh(now=at("2026-11-20 09:00"))
    ticket.refresh_from_db()
    assert ticket.sla_state == "ok"


def test_reopening_restarts_the_resolution_clock(open_ticket, agent_user):
    ticket = open_ticket(now=at("2026-11-09 09:00"))
    ticket = ticket_transition(ticket=ticket, to_status="in_progress", actor=agent_user, now=at("2026-11-09 09:10"))
    ticket = ticket_transition(ticket=ticket, to_status="resolved", actor=agent_user, now=at("2026-11-09 09:20"))
    ticket = ticket_transition(ticket=ticket, to_status="in_progress", actor=agent_user, now=at("2026-11-09 09:30"))
    assert ticket.resolved_at is None and ticket.reopened_count == 1
    assert ticket.created_at + timedelta(hours=1) > ticket.first_responded_at


def test_the_tick_reads_calendars_and_policies_once_whatever_the_number_of_open_tickets(
    django_assert_max_num_queries, team
):
    from kefu.tickets.tests.factories import TicketFactory

    sla_policy_set(actor=None, type="complaint", priority="high", first_response_minutes=60, resolution_minutes=600)
    created = at("2026-11-09 10:00")
    TicketFactory.create_batch(40, type="complaint", priority="high", team=team, created_at=created)
    TicketFactory.create_batch(40, created_at=created)
    sla_refresh(now=at("2026-11-09 10:05"))  # every ticket's first state
    with django_assert_max_num_queries(8):  # nothing changed: reads only, not per ticket
        assert sla_refresh(now=at("2026-11-09 10:06")) == 0
