"""The roster pages (排班), mounted at /wfm/: weeks, planning a week, the roster grid with
its coverage curve and hand edits, publishing, the agent's own shifts and requests, the
supervisor's request queue, the shop's scheduling rules. Pages call services and
selectors only."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.accounts.models import Agent
from kefu.accounts.permissions import shops_for_user
from kefu.core.errors import KefuError, PermissionDenied
from kefu.wfm import permissions
from kefu.wfm.forms import AssignForm, DecideForm, MoveForm, PlanForm, PromotionFormSet, RulesForm, ShiftRequestForm
from kefu.wfm.models import RequestStatus, RosterStatus
from kefu.wfm.selectors import (
    next_monday,
    roster_chart,
    roster_check,
    roster_grid,
    rules_json_for_shop,
    shop_tz,
)
from kefu.wfm.services import (
    roster_generate,
    roster_publish,
    roster_shift_assign,
    roster_shift_delete,
    roster_shift_move,
    schedule_rules_save,
    shift_request_create,
    shift_request_decide,
)

GENERATE_TIME_LIMIT = 20.0  # seconds per solve (shifts, then names): the page answers within ~a minute at worst


@login_required
@require_GET
def overview(request):
    if not permissions.can_manage(request.user):
        if permissions.own_agent(request.user) is not None:
            return redirect("wfm:my")
        raise PermissionDenied()
    rosters = permissions.rosters_visible_to(request.user).order_by("-week_start", "-id")
    pending = permissions.shift_requests_visible_to(request.user).filter(status=RequestStatus.PENDING).count()
    return render(request, "wfm/overview.html", {"rosters": rosters, "pending": pending})


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    permissions.manage_required(request.user)
    shops = shops_for_user(request.user)
    errors = []
    if request.method == "POST":
        shop = shops.filter(pk=request.POST.get("shop")).first()
        with timezone.override(shop_tz(shop) if shop else timezone.get_current_timezone()):
            form = PlanForm(request.POST, shops=shops)
            promotions = PromotionFormSet(request.POST, prefix="promo")
            valid = form.is_valid() and promotions.is_valid()
        if valid:
            promos = [{"name": p["name"], "start": p["start"], "end": p["end"], "uplift": p.get("uplift")}
                      for p in promotions.cleaned_data if p.get("name")]
            try:
                roster = roster_generate(shop=form.cleaned_data["shop"], week_start=form.cleaned_data["week_start"],
                                         promotions=promos, params=form.params(), actor=request.user,
                                         time_limit=GENERATE_TIME_LIMIT, request=request)
            except KefuError as error:
                errors.append(error.message)
            else:
                messages.success(request, _("Roster generated: review it, edit it, then publish it."))
                return redirect("wfm:roster", pk=roster.pk)
    else:
        shop = shops.first()
        form = PlanForm(shops=shops, initial={"week_start": next_monday(shop=shop) if shop else None})
        promotions = PromotionFormSet(prefix="promo")
    status = 400 if errors or (request.method == "POST" and (form.errors or promotions.errors)) else 200
    return render(request, "wfm/plan_new.html", {"form": form, "promotions": promotions, "errors": errors},
                  status=status)


def _roster_context(request, roster) -> dict:
    check = roster_check(roster=roster)
    grid = roster_grid(roster=roster)
    tz = shop_tz(roster.shop)
    pending = permissions.shift_requests_visible_to(request.user).filter(
        shift__roster=roster, status=RequestStatus.PENDING).count()
    return {
        "roster": roster, "grid": grid, "violations": check.violations, "shortfall": check.shortfall,
        "chart": roster_chart(roster=roster, check=check), "tz": tz,
        "agents": grid["agents"], "editable": roster.status != RosterStatus.SUPERSEDED,
        "required_hours": sum(check.required) * roster.interval_minutes / 60,
        "scheduled_hours": sum(check.scheduled) * roster.interval_minutes / 60,
        "pending": pending,
    }


@login_required
@require_GET
def roster_detail(request, pk: int):
    roster = permissions.roster_get_for_user(request.user, pk)
    return render(request, "wfm/roster.html", _roster_context(request, roster))


def _after_edit(request, shift_roster_pk: int, violations) -> object:
    if violations:
        messages.warning(request, _("Saved. %(n)d rule violation(s) now: see the list.") % {"n": len(violations)})
    else:
        messages.success(request, _("Saved. No rule is broken."))
    return redirect(reverse("wfm:roster", args=[shift_roster_pk]) + "#violations")


@login_required
@require_POST
def shift_edit(request, pk: int, action: str):
    shift = permissions.shift_get_for_manager(request.user, pk)
    roster = shift.roster
    try:
        if action == "move":
            with timezone.override(shop_tz(roster.shop)):
                form = MoveForm(request.POST)
                valid = form.is_valid()
            if not valid:
                messages.error(request, _("Give the new start as a date and time"))
                return redirect("wfm:roster", pk=roster.pk)
            violations = roster_shift_move(shift=shift, start=form.cleaned_data["start"], actor=request.user,
                                           request=request)
        elif action == "assign":
            agents = Agent.objects.filter(shop=roster.shop, active=True)
            form = AssignForm(request.POST, agents=agents)
            if not form.is_valid():
                messages.error(request, _("Choose an active agent of the shop"))
                return redirect("wfm:roster", pk=roster.pk)
            violations = roster_shift_assign(shift=shift, agent=form.cleaned_data["agent"], actor=request.user,
                                             request=request)
        else:
            violations = roster_shift_delete(shift=shift, actor=request.user, request=request)
    except KefuError as error:
        messages.error(request, error.message)
        return redirect("wfm:roster", pk=roster.pk)
    return _after_edit(request, roster.pk, violations)


@login_required
@require_POST
def roster_publish_view(request, pk: int):
    roster = permissions.roster_get_for_user(request.user, pk)
    try:
        roster_publish(roster=roster, actor=request.user, request=request)
    except KefuError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Published: the agents were notified."))
    return redirect("wfm:roster", pk=roster.pk)


@login_required
@require_GET
def my_shifts(request):
    agent = permissions.own_agent_required(request.user)
    tz = shop_tz(agent.shop) if agent.shop else timezone.get_current_timezone()
    shifts = list(permissions.own_shifts(request.user).filter(end__gte=timezone.now()).order_by("start"))
    pending = set(permissions.shift_requests_visible_to(request.user).filter(
        status=RequestStatus.PENDING).values_list("shift_id", flat=True))
    for shift in shifts:
        shift.local_start, shift.local_end = shift.start.astimezone(tz), shift.end.astimezone(tz)
        shift.has_pending = shift.pk in pending
    colleagues = Agent.objects.filter(shop=agent.shop, active=True).exclude(pk=agent.pk)
    requests = permissions.shift_requests_visible_to(request.user)[:50]
    for item in requests:
        item.local_start = item.shift.start.astimezone(tz)
    return render(request, "wfm/my.html", {"agent": agent, "shifts": shifts, "requests": requests,
                                            "form": ShiftRequestForm(colleagues=colleagues)})


@login_required
@require_POST
def my_request(request, shift_pk: int):
    agent = permissions.own_agent_required(request.user)
    shift = permissions.own_shift_get(request.user, shift_pk)
    colleagues = Agent.objects.filter(shop=agent.shop, active=True).exclude(pk=agent.pk)
    form = ShiftRequestForm(request.POST, colleagues=colleagues)
    if not form.is_valid():
        messages.error(request, _("The request is incomplete: %(errors)s") % {
            "errors": "; ".join(e for errs in form.errors.values() for e in errs)})
        return redirect("wfm:my")
    try:
        shift_request_create(actor=request.user, shift=shift, kind=form.cleaned_data["kind"],
                             target_agent=form.cleaned_data["target_agent"], reason=form.cleaned_data["reason"],
                             request=request)
    except KefuError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Request sent to your supervisor."))
    return redirect("wfm:my")


@login_required
@require_GET
def requests_queue(request):
    permissions.manage_required(request.user)
    items = list(permissions.shift_requests_visible_to(request.user).order_by("status", "-created_at")[:200])
    for item in items:
        tz = shop_tz(item.shift.roster.shop)
        item.local_start, item.local_end = item.shift.start.astimezone(tz), item.shift.end.astimezone(tz)
    return render(request, "wfm/requests.html", {"items": items})


@login_required
@require_POST
def request_decide(request, pk: int):
    item = permissions.shift_request_get_for_manager(request.user, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Approve or reject"))
        return redirect("wfm:requests")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        decided = shift_request_decide(shift_request=item, approve=approve, actor=request.user, request=request)
    except KefuError as error:
        messages.error(request, error.message)
        return redirect("wfm:requests")
    if approve and decided.check_result.get("coverage_lowered"):
        messages.warning(request, _("Approved. Coverage is now lower: %(before)d → %(after)d agent-intervals short.") % {
            "before": decided.check_result["shortfall_before"], "after": decided.check_result["shortfall_after"]})
    else:
        messages.success(request, _("Approved.") if approve else _("Rejected."))
    return redirect("wfm:requests")


@login_required
@require_http_methods(["GET", "POST"])
def rules_settings(request):
    permissions.manage_required(request.user)
    shops = shops_for_user(request.user)
    shop = shops.filter(pk=request.GET.get("shop") or request.POST.get("shop")).first() or shops.first()
    errors = []
    if request.method == "POST" and shop is not None:
        form = RulesForm(request.POST)
        if form.is_valid():
            try:
                schedule_rules_save(shop=shop, text=form.cleaned_data["rules"], actor=request.user, request=request)
            except KefuError as error:
                errors.append(error.message)
            else:
                messages.success(request, _("Rules saved."))
                return redirect(reverse("wfm:settings") + f"?shop={shop.pk}")
    else:
        text = json.dumps(rules_json_for_shop(shop=shop), ensure_ascii=False, indent=2) if shop else ""
        form = RulesForm(initial={"rules": text})
    return render(request, "wfm/settings.html", {"form": form, "shops": shops, "shop": shop, "errors": errors},
                  status=400 if errors else 200)
