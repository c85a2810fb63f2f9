"""Who may see and do what with tickets; applied to querysets.

Visibility (``tickets_visible_to``), limited in every case to the user's shops:

- ``tickets.view_all_tickets`` (supervisor, administrator): every ticket;
- ``tickets.view_team_tickets`` (team lead): the tickets of the teams they lead, and their own;
- ``tickets.view_own_tickets`` (agent): assigned to them, created by them, or of their team;
- ``tickets.view_department_tickets`` (物流/产品/运营): ONLY the tickets addressed to their
  departments (the ticket's department, or an ask-back to it). A department user is in a
  department as a member, or by holding the role of the same key (``logistics`` ...).

Doing: ``tickets.add_ticket`` to open tickets, ``tickets.change_ticket`` to change the ones
one sees; assigning to someone else needs the team or all reach (or a department
member handing over inside the department). ``actor=None`` is the system (imports,
automation, an API token already scoped to its shop).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from kefu.accounts.permissions import scope_to_shops, shop_ids_for_user
from kefu.accounts.selectors import user_agent, user_roles
from kefu.accounts.roles import DEPARTMENT_ROLES
from kefu.core.errors import NotFound, PermissionDenied
from kefu.tickets.models import Department, Ticket, TicketComment

VIEW_ALL = "tickets.view_all_tickets"
VIEW_TEAM = "tickets.view_team_tickets"
VIEW_OWN = "tickets.view_own_tickets"
VIEW_DEPARTMENT = "tickets.view_department_tickets"
ADD = "tickets.add_ticket"
CHANGE = "tickets.change_ticket"
MANAGE = "tickets.manage_ticket_settings"
REPORT = "tickets.view_ticket_report"


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def user_department_ids(user) -> list[int]:
    """The departments the user answers for: as a member, or by the role of the same key."""
    if not _active(user):
        return []
    cached = getattr(user, "_kefu_ticket_departments", None)
    if cached is None:
        role_keys = [str(role) for role in user_roles(user) if role in DEPARTMENT_ROLES]
        cached = list(
            Department.objects.filter(Q(members=user) | Q(key__in=role_keys)).values_list("pk", flat=True).distinct()
        )
        user._kefu_ticket_departments = cached
    return cached


def department_condition(department_ids) -> Q:
    asked = TicketComment.objects.filter(ticket_id=OuterRef("pk"), to_department_id__in=department_ids)
    return Q(department_id__in=department_ids) | Q(Exists(asked))


def tickets_visible_to(user) -> QuerySet[Ticket]:
    """Every ticket the user may see (see the module's docstring)."""
    if not _active(user):
        return Ticket.objects.none()
    tickets = scope_to_shops(Ticket.objects.all(), user)
    if user.has_perm(VIEW_ALL):
        return tickets
    condition = Q(pk__in=[])
    agent = user_agent(user)
    if user.has_perm(VIEW_TEAM):
        condition |= Q(team__lead=user) | Q(assignee=user) | Q(created_by=user)
        if agent is not None and agent.team_id:
            condition |= Q(team_id=agent.team_id)
    if user.has_perm(VIEW_OWN):
        condition |= Q(assignee=user) | Q(created_by=user)
        if agent is not None and agent.team_id:
            condition |= Q(team_id=agent.team_id)
    if user.has_perm(VIEW_DEPARTMENT):
        departments = user_department_ids(user)
        if departments:
            condition |= department_condition(departments)
    return tickets.filter(condition)


def ticket_get_for_user(*, user, ticket_id) -> Ticket:
    """The ticket if the user may see it; the same ``NotFound`` for missing and hidden."""
    ticket = (
        tickets_visible_to(user)
        .select_related("shop", "assignee", "team", "department", "customer", "order", "review", "aftersale")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound()
    return ticket


def user_covers_shop(user, shop_id: int) -> bool:
    shop_ids = shop_ids_for_user(user)
    return shop_ids is None or shop_id in shop_ids


def check_can_create(actor, shop_id: int) -> None:
    if actor is None:
        return
    if not _active(actor) or not actor.has_perm(ADD):
        raise PermissionDenied()
    if not user_covers_shop(actor, shop_id):
        raise PermissionDenied()


def check_can_change(actor, ticket: Ticket) -> None:
    """Visible (else ``NotFound``) and changeable (else ``PermissionDenied``)."""
    if actor is None:
        return
    if not tickets_visible_to(actor).filter(pk=ticket.pk).exists():
        raise NotFound()
    if not actor.has_perm(CHANGE):
        raise PermissionDenied()


def check_can_assign(actor, ticket: Ticket, assignee) -> None:
    check_can_change(actor, ticket)
    if actor is None or actor.has_perm(VIEW_ALL) or actor.has_perm(VIEW_TEAM):
        return
    if assignee is not None and assignee.pk == actor.pk:
        return  # taking a ticket one sees
    departments = set(user_department_ids(actor))
    if (
        assignee is not None
        and ticket.department_id in departments
        and ticket.department_id in set(user_department_ids(assignee))
    ):
        return  # handing over inside the department
    raise PermissionDenied()


def check_can_manage(actor) -> None:
    if actor is None:
        return
    if not _active(actor) or not actor.has_perm(MANAGE):
        raise PermissionDenied()


def can_view_report(user) -> bool:
    return _active(user) and user.has_perm(REPORT)
