"""The ticket lists (/tickets/): tabs per reach, filters, the SLA state of every row, and
bulk assign / transition through the single-ticket services."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import PermissionDenied
from kefu.tickets import permissions
from kefu.tickets.choices import Status
from kefu.tickets.forms import TicketFilterForm
from kefu.tickets.selectors import ticket_list
from kefu.tickets.services import tickets_bulk_assign, tickets_bulk_transition
from kefu.tickets.views._queries import assignable_users, sla_views
from kefu.tickets.views.common import default_tab, tabs_for, tickets_required

PAGE_SIZE = 25


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(user, tab, data: dict):
    assignee = data.get("assignee") or ""
    tickets = ticket_list(
        user,
        scope=tab.scope,
        type=data.get("type") or None,
        status=data.get("status") or None,
        open_only=not data.get("status") and not data.get("closed") and tab.key != "breaching",
        assignee_id=int(assignee) if assignee.isdigit() else None,
        department=data.get("department") or None,
        sla_state=data.get("sla") or None,
        created_from=_day_start(data["created_from"]) if data.get("created_from") else None,
        created_to=_day_start(data["created_to"] + timedelta(days=1)) if data.get("created_to") else None,
        q=(data.get("q") or "").strip(),
    )
    if data.get("priority"):
        tickets = tickets.filter(priority=data["priority"])
    if assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    return tickets


@login_required
@require_GET
def ticket_list_view(request):
    user = request.user
    tickets_required(user)
    tabs = tabs_for(user)
    keys = [tab.key for tab in tabs]
    current = request.GET.get("tab") or default_tab(user)
    if current not in keys:
        current = keys[0]
    tab = next(t for t in tabs if t.key == current)
    users = list(assignable_users(user))
    form = TicketFilterForm(request.GET, users=users)
    data = dict(form.cleaned_data) if form.is_valid() else {}
    data["closed"] = request.GET.get("closed") == "1"
    page = Paginator(_filtered(user, tab, data), PAGE_SIZE).get_page(request.GET.get("page"))
    slas = sla_views(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "tabs": tabs,
        "tab": tab,
        "form": form,
        "show_closed": data["closed"],
        "page": page,
        "rows": [(ticket, slas[ticket.pk]) for ticket in page.object_list],
        "query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k not in ("tab", "page")),
        "bulk_users": users,
        "bulk_statuses": Status.choices,
        "can_bulk": user.has_perm(permissions.CHANGE),
        "can_create": user.has_perm(permissions.ADD),
    }
    return render(request, "tickets/list.html", context)


@login_required
@require_POST
def bulk_view(request):
    """Assign or move the selected tickets, each through its own service call; the page
    then says, per ticket, what was done or why not."""
    user = request.user
    tickets_required(user)
    if not user.has_perm(permissions.CHANGE):
        raise PermissionDenied()
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    back = request.POST.get("back") or ""
    if not back.startswith("/tickets/"):
        back = "/tickets/"
    if not ids:
        messages.error(request, _("Select at least one ticket."))
        return redirect(back)
    action = request.POST.get("action")
    if action == "assign":
        assignee_id = request.POST.get("assignee", "")
        assignee = None
        if assignee_id.isdigit():
            assignee = get_user_model().objects.filter(pk=int(assignee_id), is_active=True).first()
        results = tickets_bulk_assign(ticket_ids=ids, assignee=assignee, actor=user)
        done = _("Assign to %(name)s") % {"name": assignee or _("nobody")}
    elif action == "transition" and request.POST.get("to_status") in Status.values:
        to_status = request.POST["to_status"]
        results = tickets_bulk_transition(ticket_ids=ids, to_status=to_status, actor=user,
                                          note=request.POST.get("note", "")[:500])
        done = _("Move to %(status)s") % {"status": Status(to_status).label}
    else:
        messages.error(request, _("Choose what to do with the selected tickets."))
        return redirect(back)
    titles = dict(permissions.tickets_visible_to(user).filter(pk__in=ids).values_list("pk", "title"))
    rows = [{"id": pk, "title": titles.get(pk, ""), "ok": outcome == "ok", "message": outcome}
            for pk, outcome in results.items()]
    context = {
        "action": done,
        "rows": rows,
        "ok_count": sum(row["ok"] for row in rows),
        "failed_count": sum(not row["ok"] for row in rows),
        "back": back,
    }
    return render(request, "tickets/bulk_result.html", context)
