"""One ticket (/tickets/<id>/): header, SLA clock, linked records, the type's details,
the allowed transitions, assign, edit, comments and the timeline. Every change goes
through the ticket services; a stale form shows the service's Conflict and keeps what
was typed."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.permissions import customer_list_for_user
from kefu.core.errors import Conflict, KefuError
from kefu.tickets import permissions
from kefu.tickets.choices import CommentKind
from kefu.tickets.forms import AssignForm, CommentForm, TicketEditForm, detail_display
from kefu.tickets.models import Department, TicketEvent
from kefu.tickets.selectors import ticket_detail
from kefu.tickets.services import ticket_assign, ticket_comment, ticket_transition, ticket_update
from kefu.tickets.views._queries import assignable_users, department_member_users, sla_view
from kefu.tickets.views.common import tickets_required
from kefu.tickets.views.timeline import timeline_rows


def assign_candidates(user, ticket) -> list:
    """Who the user may give the ticket to: anyone for leads and supervisors; themselves
    and, inside the ticket's department, its members for the others."""
    if user.has_perm(permissions.VIEW_ALL) or user.has_perm(permissions.VIEW_TEAM):
        return list(assignable_users(user))
    people = {user.pk: user}
    if ticket.department_id and ticket.department_id in permissions.user_department_ids(user):
        people.update({u.pk: u for u in department_member_users(ticket.department_id)})
    if ticket.assignee_id:
        people.setdefault(ticket.assignee_id, ticket.assignee)
    return sorted(people.values(), key=lambda u: str(u))


def _attempts(ticket) -> list[dict]:
    return [{**attempt, "at": datetime.fromisoformat(attempt["at"]) if attempt.get("at") else None}
            for attempt in (ticket.details or {}).get("contact_attempts", [])]


def _render(request, pk, *, edit_form=None, assign_form=None, comment_form=None, note="", errors=(), conflict=False,
            status=200, open_panel=""):
    user = request.user
    detail = ticket_detail(user=user, ticket_id=pk)
    ticket = detail.ticket
    can_change = user.has_perm(permissions.CHANGE)
    candidates = assign_candidates(user, ticket) if can_change else []
    customer_visible = bool(
        ticket.customer_id and customer_list_for_user(user).filter(pk=ticket.customer_id).exists()
    )
    context = {
        "ticket": ticket,
        "detail": detail,
        "sla": sla_view(ticket),
        "timeline": timeline_rows(detail.timeline, ticket),
        "details_rows": detail_display(ticket.type, ticket.details, ticket.shop.timezone),
        "evidence": (ticket.details or {}).get("evidence", []) if ticket.type == "platform_dispute" else None,
        "attempts": _attempts(ticket) if ticket.type == "review_recovery" else None,
        "can_change": can_change,
        "transitions": detail.allowed_transitions if can_change else [],
        "edit_form": edit_form or TicketEditForm(ticket=ticket),
        "assign_form": assign_form or AssignForm(users=candidates, ticket=ticket),
        "comment_form": comment_form or CommentForm(),
        "note": note,
        "errors": errors,
        "conflict": conflict,
        "open_panel": open_panel,
        "customer_visible": customer_visible,
        "now": timezone.now(),
    }
    return render(request, "tickets/detail.html", context, status=status)


def _fail(request, pk, error: KefuError, **forms):
    """Re-show the page with the service's message; a conflict keeps the typed values
    on the ticket's current version so that saving again applies them knowingly."""
    conflict = isinstance(error, Conflict)
    return _render(request, pk, errors=[error.message], conflict=conflict, status=409 if conflict else 400, **forms)


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


SIMPLE_FIELDS = ("title", "description", "priority", "department", "assignee")


def _current_data(request, pk):
    """The posted data on the version the ticket has now (after a conflict): what the
    person typed is kept, but a field someone else changed meanwhile and the person left
    as they saw it takes its new value, so that saving again does not undo that change."""
    data = request.POST.copy()
    ticket = permissions.ticket_get_for_user(user=request.user, ticket_id=pk)
    seen = _version(request) or ticket.version
    data["version"] = str(ticket.version)
    first_before = {}
    for event in TicketEvent.objects.filter(ticket=ticket, version__gt=seen).order_by("at", "id"):
        for field, pair in (event.changes or {}).items():
            if field in SIMPLE_FIELDS and isinstance(pair, list) and len(pair) == 2:
                first_before.setdefault(field, pair[0])
    for field, before in first_before.items():
        if field in data and str(data.get(field) or "") == str(before if before is not None else ""):
            current = getattr(ticket, f"{field}_id" if field in ("department", "assignee") else field)
            data[field] = "" if current is None else str(current)
    return data, ticket


@login_required
@require_GET
def ticket_detail_view(request, pk: int):
    tickets_required(request.user)
    return _render(request, pk)


@login_required
@require_POST
def ticket_transition_view(request, pk: int):
    tickets_required(request.user)
    ticket = permissions.ticket_get_for_user(user=request.user, ticket_id=pk)
    to_status = request.POST.get("to_status", "")
    note = request.POST.get("note", "")
    try:
        ticket = ticket_transition(ticket=ticket, to_status=to_status, actor=request.user,
                                   expected_version=_version(request), note=note[:500])
    except KefuError as error:
        return _fail(request, pk, error, note=note, open_panel="transition")
    messages.success(request, _("Status changed to %(status)s.") % {"status": ticket_detail(
        user=request.user, ticket_id=pk).status_label})
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def ticket_assign_view(request, pk: int):
    tickets_required(request.user)
    ticket = permissions.ticket_get_for_user(user=request.user, ticket_id=pk)
    candidates = assign_candidates(request.user, ticket)
    form = AssignForm(request.POST, users=candidates)
    if not form.is_valid():
        return _render(request, pk, assign_form=form, status=400, open_panel="assign")
    assignee_id = form.cleaned_data["assignee"]
    assignee = get_user_model().objects.filter(pk=int(assignee_id)).first() if assignee_id else None
    try:
        ticket_assign(ticket=ticket, assignee=assignee, actor=request.user, expected_version=form.cleaned_data["version"])
    except KefuError as error:
        data, current = _current_data(request, pk)
        return _fail(request, pk, error, assign_form=AssignForm(data, users=candidates), open_panel="assign")
    messages.success(request, _("Assigned to %(name)s.") % {"name": assignee or _("nobody")})
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def ticket_edit_view(request, pk: int):
    tickets_required(request.user)
    ticket = permissions.ticket_get_for_user(user=request.user, ticket_id=pk)
    form = TicketEditForm(request.POST, ticket=ticket)
    if not form.is_valid():
        return _render(request, pk, edit_form=form, status=400, open_panel="edit")
    department_id = form.cleaned_data["department"]
    fields = {
        "title": form.cleaned_data["title"],
        "description": form.cleaned_data["description"],
        "priority": form.cleaned_data["priority"],
        "tags": form.tags_value(),
        "department": Department.objects.filter(pk=int(department_id)).first() if department_id else None,
        "details": form.details_value(request.POST, timezone.now()),
    }
    try:
        ticket_update(ticket=ticket, actor=request.user, expected_version=form.cleaned_data["version"], **fields)
    except KefuError as error:
        data, current = _current_data(request, pk)
        return _fail(request, pk, error, edit_form=TicketEditForm(data, ticket=current), open_panel="edit")
    messages.success(request, _("Ticket saved."))
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def ticket_comment_view(request, pk: int):
    tickets_required(request.user)
    ticket = permissions.ticket_get_for_user(user=request.user, ticket_id=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render(request, pk, comment_form=form, status=400)
    department_id = form.cleaned_data["to_department"]
    kind = form.cleaned_data["kind"]
    to_department = None
    if kind == CommentKind.ASK_BACK and department_id:
        to_department = Department.objects.filter(pk=int(department_id)).first()
    try:
        ticket_comment(ticket=ticket, actor=request.user, body=form.cleaned_data["body"], kind=kind,
                       to_department=to_department)
    except KefuError as error:
        return _fail(request, pk, error, comment_form=form)
    messages.success(request, _("Comment added."))
    return redirect("tickets:detail", pk=pk)
