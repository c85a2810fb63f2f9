"""Reads the ticket pages need that the backend's selectors do not offer (yet).

- ``sla_views``: the SLA state of many tickets with the time left (or overdue) on their
  running clock, in business time, with a constant number of queries (calendars and
  policies loaded once) — the list pages show it on every row;
- ``assignable_users``: who may take tickets of the shops the viewer works for;
- ``tickets_for_conversation``: the tickets linked to a conversation that the user sees.

Candidates to move into ``kefu.tickets.selectors``."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from kefu.accounts.permissions import shop_ids_for_user
from kefu.tickets.choices import SlaState
from kefu.tickets.models import SlaPolicy, TeamCalendar, WorkCalendar
from kefu.tickets.permissions import tickets_visible_to
from kefu.tickets.sla import (
    BUILTIN_CALENDAR,
    DEFAULT_SLA_MINUTES,
    BusinessCalendar,
    near_percent_default,
    sla_used_seconds,
)


@dataclass
class SlaView:
    """What a page shows of a ticket's SLA: the state, which clock runs (``first_response``,
    ``resolution`` or ``""`` when both are met), its due time and the business seconds left
    (negative: overdue), whether the clock is paused; and both clocks for the ticket page."""

    state: str
    clock: str
    due: datetime | None
    remaining: int | None
    paused: bool
    first_response_left: int | None = None
    resolution_left: int | None = None
    first_response_met_late: bool | None = None
    resolution_met_late: bool | None = None
    calendar_name: str = ""

    @property
    def overdue(self) -> bool:
        return self.remaining is not None and self.remaining < 0


class _Resolver:
    """Calendars and SLA policies, read once for a page."""

    def __init__(self):
        rows = list(WorkCalendar.objects.all())
        self.names = {row.pk: row.name for row in rows}
        self.calendars = {row.pk: BusinessCalendar.from_model(row) for row in rows}
        self.default_id = next((row.pk for row in rows if row.is_default), None)
        self.team_calendars = dict(TeamCalendar.objects.values_list("team_id", "calendar_id"))
        self.policies = {
            (row.type, row.priority): (row.first_response_minutes, row.resolution_minutes, row.near_percent)
            for row in SlaPolicy.objects.all()
        }
        self.near = near_percent_default()

    def calendar_id(self, ticket):
        # The same order as ``sla.calendar_for_ticket``: department, team, default.
        calendar_id = ticket.department.calendar_id if ticket.department_id else None
        if calendar_id is None and ticket.team_id:
            calendar_id = self.team_calendars.get(ticket.team_id)
        return calendar_id if calendar_id is not None else self.default_id

    def calendar(self, ticket) -> BusinessCalendar:
        calendar_id = self.calendar_id(ticket)
        return self.calendars.get(calendar_id, BUILTIN_CALENDAR) if calendar_id is not None else BUILTIN_CALENDAR

    def policy(self, ticket) -> tuple[int, int, int]:
        found = self.policies.get((ticket.type, ticket.priority))
        if found:
            return found
        first, resolution = DEFAULT_SLA_MINUTES[ticket.priority]
        return first, resolution, self.near


def _view(ticket, resolver: _Resolver, now: datetime) -> SlaView:
    first, resolution, _near = resolver.policy(ticket)
    used = sla_used_seconds(ticket, resolver.calendar(ticket), ticket.resolved_at or now)
    first_left = None if ticket.first_responded_at else first * 60 - used
    resolution_left = None if ticket.resolved_at else resolution * 60 - used
    if first_left is not None:
        clock, due, remaining = "first_response", ticket.first_response_due, first_left
    elif resolution_left is not None:
        clock, due, remaining = "resolution", ticket.resolution_due, resolution_left
    else:
        clock, due, remaining = "", None, None
    calendar_id = resolver.calendar_id(ticket)
    return SlaView(
        state=ticket.sla_state,
        clock=clock,
        due=due,
        remaining=remaining,
        paused=ticket.paused_since is not None,
        first_response_left=first_left,
        resolution_left=resolution_left,
        first_response_met_late=(
            None if not ticket.first_responded_at or not ticket.first_response_due
            else ticket.first_responded_at > ticket.first_response_due
        ),
        resolution_met_late=(
            None if not ticket.resolved_at or not ticket.resolution_due else ticket.resolved_at > ticket.resolution_due
        ),
        calendar_name=resolver.names.get(calendar_id, "") if calendar_id is not None else "",
    )


def sla_views(tickets, *, now: datetime | None = None) -> dict[int, SlaView]:
    """``{ticket id: SlaView}`` for tickets loaded with their department."""
    tickets = list(tickets)
    if not tickets:
        return {}
    now = now or timezone.now()
    resolver = _Resolver()
    return {ticket.pk: _view(ticket, resolver, now) for ticket in tickets}


def sla_view(ticket, *, now: datetime | None = None) -> SlaView:
    return sla_views([ticket], now=now)[ticket.pk]


def assignable_users(user):
    """Active people who may work on tickets, limited to the viewer's shops (people without
    a shop list work for every shop)."""
    users = get_user_model().objects.filter(
        is_active=True, groups__permissions__codename="change_ticket",
        groups__permissions__content_type__app_label="tickets",
    )
    shop_ids = shop_ids_for_user(user)
    if shop_ids is not None:
        users = users.filter(Q(shops__in=shop_ids) | Q(shops__isnull=True))
    return users.distinct().order_by("display_name", "username")


def tickets_for_conversation(user, conversation):
    """The tickets linked to the conversation that the user may see, newest first."""
    return (
        tickets_visible_to(user)
        .filter(conversations=conversation)
        .select_related("department", "assignee")
        .order_by("-created_at", "-id")
    )


SLA_STATE_CSS = {SlaState.OK: "ok", SlaState.NEAR: "near", SlaState.BREACHED: "breached"}


def order_in_shop(*, shop, ext_id: str):
    """The shop's order with this number, or None."""
    from kefu.commerce.models import Order

    ext_id = (ext_id or "").strip()
    return Order.objects.filter(shop=shop, ext_id=ext_id).select_related("customer").first() if ext_id else None


def names_of(*, user_ids=(), department_ids=(), team_ids=()) -> dict:
    """Display names of the people, departments and teams an event's changes refer to."""
    from kefu.accounts.models import Team
    from kefu.tickets.models import Department

    User = get_user_model()
    return {
        "assignee": {u.pk: str(u) for u in User.objects.filter(pk__in=set(user_ids))} if user_ids else {},
        "department": dict(Department.objects.filter(pk__in=set(department_ids)).values_list("pk", "name"))
        if department_ids else {},
        "team": dict(Team.objects.filter(pk__in=set(team_ids)).values_list("pk", "name")) if team_ids else {},
    }


def department_member_users(department_id: int | None):
    """Active members of a department (as members or by the role of the same key)."""
    from kefu.tickets.models import Department

    department = Department.objects.filter(pk=department_id).first() if department_id else None
    if department is None:
        return get_user_model().objects.none()
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(Q(ticket_departments=department) | Q(groups__name=department.key))
        .distinct().order_by("display_name", "username")
    )


# ---- settings --------------------------------------------------------------------------


def automation_rules():
    from django.db.models import Count

    from kefu.tickets.models import AutomationRule

    return AutomationRule.objects.select_related("shop").annotate(run_count=Count("runs")).order_by("position", "id")


def automation_runs(*, rule_id: int | None = None, limit: int = 100):
    from kefu.tickets.models import AutomationRun

    runs = AutomationRun.objects.select_related("rule", "ticket")
    if rule_id is not None:
        runs = runs.filter(rule_id=rule_id)
    return runs.order_by("-at", "-id")[:limit]


def sla_policy_rows() -> list[dict]:
    """Every type × priority: its policy row, or the shipped default."""
    from kefu.tickets.choices import Priority, TicketType

    found = {(p.type, p.priority): p for p in SlaPolicy.objects.all()}
    rows = []
    for type_key, type_label in TicketType.choices:
        for priority, priority_label in Priority.choices:
            policy = found.get((type_key, priority))
            first, resolution = DEFAULT_SLA_MINUTES[priority]
            rows.append({
                "type": type_key, "type_label": type_label, "priority": priority, "priority_label": priority_label,
                "first": policy.first_response_minutes if policy else first,
                "resolution": policy.resolution_minutes if policy else resolution,
                "near": policy.near_percent if policy else near_percent_default(),
                "custom": policy is not None,
            })
    return rows


def work_calendars():
    return WorkCalendar.objects.prefetch_related("departments", "teams__team").order_by("name", "id")


def departments_with_members():
    from kefu.tickets.models import Department

    return Department.objects.select_related("calendar").prefetch_related("members").order_by("name", "id")
