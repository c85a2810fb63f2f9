"""Reads of tickets for pages, the API and reports: filtered lists (my tickets, my team's,
my department's, breaching soon), a ticket's timeline and SLA clock, and the department
SLA report. Every list starts from ``tickets_visible_to(user)``."""

from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from django.db.models import Q, QuerySet

from kefu.accounts.selectors import user_agent
from kefu.tickets.choices import SlaState
from kefu.tickets.models import Ticket, TicketComment, TicketEvent
from kefu.tickets.permissions import (
    can_view_report,
    ticket_get_for_user,
    tickets_visible_to,
    user_department_ids,
)
from kefu.tickets.sla import calendar_for_ticket
from kefu.tickets.workflows import workflow_for

SCOPES = ("all", "mine", "team", "department", "breaching")


def _with_relations(tickets: QuerySet) -> QuerySet:
    return tickets.select_related("shop", "assignee", "team", "department", "customer", "order")


def ticket_list(
    user,
    *,
    scope: str = "all",
    type: str | None = None,
    status: str | None = None,
    open_only: bool = False,
    assignee_id: int | None = None,
    department: str | int | None = None,
    team_id: int | None = None,
    sla_state: str | None = None,
    shop_id: int | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    order_id: int | None = None,
    customer_id: int | None = None,
    q: str = "",
    base: QuerySet[Ticket] | None = None,
) -> QuerySet[Ticket]:
    """The user's visible tickets narrowed by ``scope`` and filters (the one filter of the
    pages and the API). ``breaching`` lists open tickets near or past their SLA, the
    closest deadline first; other scopes newest first. ``base`` replaces the user's
    visible tickets (an API token's shop)."""
    tickets = _with_relations(base if base is not None else tickets_visible_to(user))
    if scope == "mine":
        tickets = tickets.filter(assignee=user)
    elif scope == "team":
        agent = user_agent(user)
        condition = Q(team__lead=user)
        if agent is not None and agent.team_id:
            condition |= Q(team_id=agent.team_id)
        tickets = tickets.filter(condition)
    elif scope == "department":
        tickets = tickets.filter(department_id__in=user_department_ids(user))
    elif scope == "breaching":
        tickets = tickets.filter(closed_at__isnull=True, sla_state__in=[SlaState.NEAR, SlaState.BREACHED])
    if type:
        tickets = tickets.filter(type=type)
    if status:
        tickets = tickets.filter(status=status)
    if open_only:
        tickets = tickets.filter(closed_at__isnull=True)
    if assignee_id is not None:
        tickets = tickets.filter(assignee_id=assignee_id)
    if department is not None and department != "":
        tickets = tickets.filter(department_id=department) if str(department).isdigit() else tickets.filter(
            department__key=department
        )
    if team_id is not None:
        tickets = tickets.filter(team_id=team_id)
    if sla_state:
        tickets = tickets.filter(sla_state=sla_state)
    if shop_id is not None:
        tickets = tickets.filter(shop_id=shop_id)
    if created_from is not None:
        tickets = tickets.filter(created_at__gte=created_from)
    if created_to is not None:
        tickets = tickets.filter(created_at__lt=created_to)
    if order_id is not None:
        tickets = tickets.filter(order_id=order_id)
    if customer_id is not None:
        tickets = tickets.filter(customer_id=customer_id)
    if q:
        tickets = tickets.filter(Q(title__icontains=q) | Q(order__ext_id=q) | Q(customer__nick__icontains=q))
    if scope == "breaching":
        return tickets.order_by("resolution_due", "id")
    return tickets.order_by("-created_at", "-id")


def tickets_for_token(token) -> QuerySet[Ticket]:
    """The tickets an API token reaches: its shop's, or every shop's for an admin token."""
    return Ticket.objects.all() if token.is_admin else Ticket.objects.filter(shop_id=token.shop_id)


def tickets_mine(user) -> QuerySet[Ticket]:
    return ticket_list(user, scope="mine", open_only=True)


def tickets_of_team(user) -> QuerySet[Ticket]:
    return ticket_list(user, scope="team", open_only=True)


def tickets_of_department(user) -> QuerySet[Ticket]:
    return ticket_list(user, scope="department", open_only=True)


def tickets_breaching_soon(user) -> QuerySet[Ticket]:
    return ticket_list(user, scope="breaching")


# ---- one ticket ------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # "event" or "comment"
    event: TicketEvent | None = None
    comment: TicketComment | None = None


@dataclass
class TicketDetail:
    ticket: Ticket
    timeline: list[TimelineEntry]
    allowed_transitions: list[tuple[str, str]]  # (status, label)
    status_label: str
    conversations: list = field(default_factory=list)


def ticket_timeline(ticket: Ticket) -> list[TimelineEntry]:
    """Every change and comment, in time order (an event and its comment: the comment after)."""
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "id")
    comments = TicketComment.objects.filter(ticket=ticket).select_related(
        "author", "to_department", "department"
    ).order_by("at", "id")
    entries = [TimelineEntry(e.at, "event", event=e) for e in events]
    entries += [TimelineEntry(c.at, "comment", comment=c) for c in comments]
    return sorted(entries, key=lambda e: (e.at, e.kind == "comment"))


def ticket_detail(*, user, ticket_id: int) -> TicketDetail:
    """The ticket page: the ticket (visible to the user, else NotFound), its timeline, the
    statuses it may move to, its linked conversations."""
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    workflow = workflow_for(shop_id=ticket.shop_id, type=ticket.type)
    return TicketDetail(
        ticket=ticket,
        timeline=ticket_timeline(ticket),
        allowed_transitions=[(s, workflow.label(s)) for s in workflow.transitions.get(ticket.status, ())],
        status_label=workflow.label(ticket.status),
        conversations=list(ticket.conversations.select_related("customer").order_by("started_at")),
    )


# ---- the department SLA report ------------------------------------------------------------------


@dataclass
class SlaReportRow:
    """One department or team: its tickets created in the period, how long customers waited
    (business time, seconds), the share that breached, and what is still open."""

    group: str  # "department" or "team"
    key: str
    name: str
    tickets: int = 0
    open: int = 0
    breached: int = 0
    first_response: list = field(default_factory=list, repr=False)
    resolution: list = field(default_factory=list, repr=False)

    @property
    def breached_share(self) -> float | None:
        return self.breached / self.tickets if self.tickets else None

    @property
    def first_response_avg(self) -> float | None:
        return sum(self.first_response) / len(self.first_response) if self.first_response else None

    @property
    def first_response_median(self) -> float | None:
        return median(self.first_response) if self.first_response else None

    @property
    def resolution_avg(self) -> float | None:
        return sum(self.resolution) / len(self.resolution) if self.resolution else None

    @property
    def resolution_median(self) -> float | None:
        return median(self.resolution) if self.resolution else None


def department_sla_report(*, user, start: datetime, end: datetime, shop_id: int | None = None) -> list[SlaReportRow]:
    """Per department, then per team: first-response and resolution times in business
    time, share breached and open count of the tickets created in [start, end) — who
    keeps customers waiting. Rows with the slowest average first response first."""
    if not can_view_report(user):
        return []
    tickets = tickets_visible_to(user).filter(created_at__gte=start, created_at__lt=end).select_related(
        "department", "team"
    )
    if shop_id is not None:
        tickets = tickets.filter(shop_id=shop_id)
    rows: dict[tuple[str, str], SlaReportRow] = {}
    calendars: dict = {}
    for ticket in tickets.iterator(chunk_size=1000):
        calendar = calendar_for_ticket(ticket, cache=calendars)
        groups = []
        if ticket.department_id:
            groups.append(("department", ticket.department.key, ticket.department.name))
        if ticket.team_id:
            groups.append(("team", str(ticket.team_id), ticket.team.name))
        for group, key, name in groups:
            row = rows.setdefault((group, key), SlaReportRow(group, key, name))
            row.tickets += 1
            row.open += ticket.closed_at is None
            row.breached += ticket.sla_state == SlaState.BREACHED
            if ticket.first_responded_at:
                row.first_response.append(calendar.working_seconds(ticket.created_at, ticket.first_responded_at))
            if ticket.resolved_at:
                row.resolution.append(
                    max(0, calendar.working_seconds(ticket.created_at, ticket.resolved_at) - ticket.paused_seconds)
                )
    return sorted(
        rows.values(),
        key=lambda r: (r.group != "department", -(r.first_response_avg or 0), r.name),
    )
