"""Ticket settings for supervisors: automation rules and their run log, SLA policies,
work calendars, departments and their members. Writes go through
``kefu.tickets.configuration``, which checks ``tickets.manage_ticket_settings``."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.accounts.permissions import shops_for_user
from kefu.core.errors import KefuError
from kefu.tickets.configuration import automation_rule_save, department_save, sla_policy_set, work_calendar_save
from kefu.tickets.forms import CalendarForm, DepartmentForm, RuleForm
from kefu.tickets.models import AutomationRule, Department, WorkCalendar
from kefu.tickets.views._queries import (
    automation_rules,
    automation_runs,
    departments_with_members,
    sla_policy_rows,
    work_calendars,
)
from kefu.tickets.views.common import manage_required


@login_required
@require_GET
def settings_index(request):
    manage_required(request.user)
    return redirect("tickets:rules")


# ---- automation rules --------------------------------------------------------------------


@login_required
@require_GET
def rule_list(request):
    manage_required(request.user)
    return render(request, "tickets/rules.html", {"rules": automation_rules(), "runs": automation_runs(limit=30)})


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int | None = None):
    manage_required(request.user)
    rule = get_object_or_404(AutomationRule, pk=pk) if pk else None
    shops = list(shops_for_user(request.user))
    errors = []
    if request.method == "POST":
        form = RuleForm(request.POST, shops=shops)
        if form.is_valid():
            data = form.cleaned_data
            shop = next((s for s in shops if str(s.pk) == data["shop"]), None)
            try:
                automation_rule_save(actor=request.user, rule=rule, name=data["name"], trigger=data["trigger"],
                                     conditions=data["conditions"] or [], actions=data["actions"] or [],
                                     shop=shop, active=data["active"], position=data["position"] or 0)
            except KefuError as error:
                errors.append(error.message)
            else:
                messages.success(request, _("Rule saved."))
                return redirect("tickets:rules")
    else:
        initial = {"active": True, "position": 0, "conditions": [], "actions": []}
        if rule is not None:
            initial = {"name": rule.name, "trigger": rule.trigger, "shop": str(rule.shop_id or ""),
                       "conditions": rule.conditions, "actions": rule.actions, "position": rule.position,
                       "active": rule.active}
        form = RuleForm(initial=initial, shops=shops)
    context = {"form": form, "rule": rule, "errors": errors,
               "runs": automation_runs(rule_id=rule.pk, limit=50) if rule else []}
    return render(request, "tickets/rule_form.html", context, status=400 if errors or form.errors else 200)


@login_required
@require_POST
def rule_toggle(request, pk: int):
    manage_required(request.user)
    rule = get_object_or_404(AutomationRule, pk=pk)
    try:
        automation_rule_save(actor=request.user, rule=rule, name=rule.name, trigger=rule.trigger,
                             conditions=rule.conditions, actions=rule.actions, shop=rule.shop,
                             active=not rule.active, position=rule.position)
    except KefuError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Rule switched on.") if rule.active else _("Rule switched off."))
    return redirect("tickets:rules")


# ---- SLA policies ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def policy_list(request):
    manage_required(request.user)
    if request.method == "POST":
        try:
            sla_policy_set(actor=request.user, type=request.POST.get("type", ""),
                           priority=request.POST.get("priority", ""),
                           first_response_minutes=int(request.POST.get("first", "0") or 0),
                           resolution_minutes=int(request.POST.get("resolution", "0") or 0),
                           near_percent=int(request.POST.get("near", "80") or 80))
        except (KefuError, ValueError):
            messages.error(request, _("Not saved: the first response must be at least one minute and no longer "
                                      "than the resolution; near breach between 1 and 100 %."))
        else:
            messages.success(request, _("SLA policy saved."))
        return redirect("tickets:policies")
    return render(request, "tickets/policies.html", {"rows": sla_policy_rows()})


# ---- work calendars ----------------------------------------------------------------------


@login_required
@require_GET
def calendar_list(request):
    manage_required(request.user)
    return render(request, "tickets/calendars.html", {"calendars": work_calendars()})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request, pk: int | None = None):
    manage_required(request.user)
    calendar = get_object_or_404(WorkCalendar, pk=pk) if pk else None
    errors = []
    if request.method == "POST":
        form = CalendarForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                work_calendar_save(
                    actor=request.user, calendar=calendar, name=data["name"], timezone=data["timezone"],
                    weekly_hours=data["weekly_hours"] or {}, use_public_holidays=data["use_public_holidays"],
                    holidays=form.lines(data["holidays"]), extra_workdays=form.lines(data["extra_workdays"]),
                    promotion_days=data["promotion_days"] or {}, is_default=data["is_default"],
                )
            except KefuError as error:
                errors.append(error.message)
            else:
                messages.success(request, _("Calendar saved: the due times of its open tickets were recomputed."))
                return redirect("tickets:calendars")
    else:
        initial = {"timezone": "Asia/Shanghai", "use_public_holidays": True,
                   "weekly_hours": {str(d): [["09:00", "18:00"]] for d in range(5)}}
        if calendar is not None:
            initial = {"name": calendar.name, "timezone": calendar.timezone, "weekly_hours": calendar.weekly_hours,
                       "use_public_holidays": calendar.use_public_holidays,
                       "holidays": "\n".join(calendar.holidays or []),
                       "extra_workdays": "\n".join(calendar.extra_workdays or []),
                       "promotion_days": calendar.promotion_days, "is_default": calendar.is_default}
        form = CalendarForm(initial=initial)
    context = {"form": form, "calendar": calendar, "errors": errors}
    return render(request, "tickets/calendar_form.html", context, status=400 if errors or form.errors else 200)


# ---- departments -------------------------------------------------------------------------


def _member_candidates():
    return get_user_model().objects.filter(is_active=True).order_by("display_name", "username")


@login_required
@require_GET
def department_list(request):
    manage_required(request.user)
    return render(request, "tickets/departments.html", {"departments": departments_with_members()})


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, pk: int):
    manage_required(request.user)
    department = get_object_or_404(Department, pk=pk)
    calendars, users = list(WorkCalendar.objects.order_by("name")), list(_member_candidates())
    if request.method == "POST":
        form = DepartmentForm(request.POST, calendars=calendars, users=users)
        if form.is_valid():
            data = form.cleaned_data
            department_save(
                actor=request.user, key=department.key, name=data["name"], kind=data["kind"],
                calendar=next((c for c in calendars if str(c.pk) == data["calendar"]), None),
                members=[u for u in users if str(u.pk) in set(data["members"])],
            )
            messages.success(request, _("Department saved."))
            return redirect("tickets:departments")
    else:
        form = DepartmentForm(initial={
            "name": department.name, "kind": department.kind, "calendar": str(department.calendar_id or ""),
            "members": [str(pk) for pk in department.members.values_list("pk", flat=True)],
        }, calendars=calendars, users=users)
    return render(request, "tickets/department_form.html", {"form": form, "department": department},
                  status=400 if form.errors else 200)
