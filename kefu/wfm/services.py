"""Every write of the rosters: plan a week, edit it by hand, publish it, agents' leave and
swap requests and the supervisor's decision. Each runs in a transaction, writes an audit
entry, and notifies people after commit.

Hand edits return the roster's violations after the change (``selectors.roster_check``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import Agent
from kefu.core.audit import audit_record
from kefu.core.errors import Conflict, PermissionDenied, ValidationError
from kefu.wfm import permissions
from kefu.wfm.models import (
    RequestKind,
    RequestStatus,
    Roster,
    RosterRequirement,
    RosterShift,
    RosterStatus,
    ScheduleRules,
    ShiftRequest,
)
from kefu.wfm.planning import plan_build
from kefu.wfm.schedule_input import ScheduleInputError
from kefu.wfm.selectors import (
    Violation,
    roster_check,
    rules_json_for_shop,
    rules_of,
    shift_rows,
    shop_tz,
    week_bounds,
)

logger = logging.getLogger("kefu.wfm")

# Roster status changes: (from, to) pairs allowed.
ROSTER_TRANSITIONS = {
    (RosterStatus.DRAFT, RosterStatus.PUBLISHED),
    (RosterStatus.PUBLISHED, RosterStatus.SUPERSEDED),
}


def _link(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # the pages are not mounted (a command run without them)
        return fallback


def _notify_after_commit(**kwargs) -> None:
    def send():
        from kefu.notify.services import notify

        try:
            notify(**kwargs)
        except Exception:  # a failing notification must not undo the change
            logger.exception("wfm notification %s failed", kwargs.get("event"))

    transaction.on_commit(send)


# --- rules -----------------------------------------------------------------------------


def schedule_rules_save(*, shop, text: str, actor, request=None) -> ScheduleRules:
    """Store the shop's rules (RULES.json text); a bad rule raises ``ValidationError`` naming the key."""
    permissions.manage_shop_check(actor, shop)
    try:
        data = json.loads(text)
        rules_of(data)
    except json.JSONDecodeError as error:
        raise ValidationError(_("The rules are not valid JSON: %(reason)s") % {"reason": error}) from None
    except ScheduleInputError as error:
        raise ValidationError(error.message) from None
    with transaction.atomic():
        rules, _created = ScheduleRules.objects.update_or_create(shop=shop, defaults={"rules": data,
                                                                                     "updated_by": actor})
        audit_record(actor=actor, action="wfm.rules_saved", target=rules, detail={"rules": data}, request=request)
    return rules


# --- planning --------------------------------------------------------------------------


def roster_generate(*, shop, week_start: date, promotions: list[dict], params: dict, actor, time_limit: float = 20.0,
                    request=None) -> Roster:
    """Forecast the week from the shop's own conversations, staff each interval, optimise the
    shifts and name the agents; stores a draft roster. ``promotions``: ``{name, start, end,
    uplift (None = learn)}``; ``params``: service target, AHT override, concurrency, shrinkage..."""
    permissions.manage_shop_check(actor, shop)
    rules_json = rules_json_for_shop(shop=shop)
    plan = plan_build(shop=shop, week_start=week_start, promotions=promotions, params=params, rules_json=rules_json,
                      time_limit=time_limit)
    summary = plan.summary
    staffing = {k: v for k, v in params.items()}
    forecast_params = {"promotions": plan.promotions, "model": plan.model,
                       "interval_minutes": params.get("interval_minutes") or 30}
    with transaction.atomic():
        roster = Roster.objects.create(
            shop=shop, week_start=week_start, created_by=actor if getattr(actor, "is_authenticated", False) else None,
            interval_minutes=forecast_params["interval_minutes"], forecast_params=forecast_params,
            staffing_params=staffing, rules=rules_json, cost=summary["cost"], optimal=summary["optimal"],
            gap=summary["gap"], shortfall=summary["shortfall"], unassigned=summary["unassigned"])
        RosterRequirement.objects.bulk_create([
            RosterRequirement(roster=roster, start=start, volume=round(volume, 3), aht=aht, agents_required=required)
            for start, volume, aht, required in plan.intervals])
        RosterShift.objects.bulk_create([RosterShift(roster=roster, **shift) for shift in plan.shifts])
        audit_record(actor=actor, action="wfm.roster_generated", target=roster, detail=summary, request=request)
    return roster


# --- hand edits ------------------------------------------------------------------------


def _editable(shift: RosterShift) -> None:
    if shift.roster.status == RosterStatus.SUPERSEDED:
        raise Conflict(_("This roster was replaced by a newer one; edit that one"))


def _after_edit(roster: Roster) -> list[Violation]:
    return roster_check(roster=roster).violations


def roster_shift_move(*, shift: RosterShift, start: datetime, actor, request=None) -> list[Violation]:
    """Move a shift (and its breaks) to start at ``start``; returns the violations after the move."""
    permissions.manage_shop_check(actor, shift.roster.shop)
    _editable(shift)
    roster = shift.roster
    step = timedelta(minutes=roster.interval_minutes)
    week_start, week_end = week_bounds(shop=roster.shop, week_start=roster.week_start)
    if (start - week_start) % step:
        raise ValidationError(_("A shift starts on the %(minutes)d-minute grid") % {"minutes": roster.interval_minutes})
    delta = start - shift.start
    end = shift.end + delta
    if start < week_start or (end > week_end and not rules_of(roster.rules).cyclic_week):
        raise ValidationError(_("The shift must lie inside the roster's week"))
    before = shift.start
    with transaction.atomic():
        shift.start, shift.end = start, end
        shift.breaks = [{**b, "start": (datetime.fromisoformat(b["start"]) + delta).isoformat()} for b in shift.breaks]
        shift.save(update_fields=["start", "end", "breaks"])
        audit_record(actor=actor, action="wfm.shift_moved", target=shift,
                     detail={"from": before.isoformat(), "to": start.isoformat()}, request=request)
    return _after_edit(roster)


def roster_shift_assign(*, shift: RosterShift, agent: Agent | None, actor, request=None) -> list[Violation]:
    """Give the shift to ``agent`` (an active agent of the shop) or leave it unassigned (None)."""
    permissions.manage_shop_check(actor, shift.roster.shop)
    _editable(shift)
    if agent is not None and (agent.shop_id != shift.roster.shop_id or not agent.active):
        raise ValidationError(_("%(agent)s is not an active agent of this shop") % {"agent": agent.name})
    before = shift.agent_id
    with transaction.atomic():
        shift.agent = agent
        shift.save(update_fields=["agent"])
        audit_record(actor=actor, action="wfm.shift_assigned", target=shift,
                     detail={"from": before, "to": agent.pk if agent else None}, request=request)
    return _after_edit(shift.roster)


def roster_shift_delete(*, shift: RosterShift, actor, request=None) -> list[Violation]:
    permissions.manage_shop_check(actor, shift.roster.shop)
    _editable(shift)
    roster = shift.roster
    with transaction.atomic():
        audit_record(actor=actor, action="wfm.shift_deleted", target=shift,
                     detail={"agent": shift.agent_id, "type": shift.shift_type, "start": shift.start.isoformat()},
                     request=request)
        shift.delete()
    return _after_edit(roster)


# --- publishing ------------------------------------------------------------------------


def _transition(roster: Roster, to: str) -> None:
    if (roster.status, to) not in ROSTER_TRANSITIONS:
        raise Conflict(_("A %(status)s roster cannot become %(to)s") % {
            "status": roster.get_status_display(), "to": RosterStatus(to).label})
    roster.status = to


def roster_publish(*, roster: Roster, actor, request=None) -> Roster:
    """Publish the draft (the week's earlier published roster is superseded) and tell each agent
    with shifts, linking to their shifts."""
    permissions.manage_shop_check(actor, roster.shop)
    with transaction.atomic():
        roster = Roster.objects.select_for_update().get(pk=roster.pk)
        previous = Roster.objects.select_for_update().filter(shop=roster.shop, week_start=roster.week_start,
                                                              status=RosterStatus.PUBLISHED).exclude(pk=roster.pk)
        for old in previous:
            _transition(old, RosterStatus.SUPERSEDED)
            old.save(update_fields=["status"])
        _transition(roster, RosterStatus.PUBLISHED)
        roster.published_at = timezone.now()
        roster.save(update_fields=["status", "published_at"])
        audit_record(actor=actor, action="wfm.roster_published", target=roster,
                     detail={"superseded": [old.pk for old in previous]}, request=request)
        users = list(get_user_model().objects.filter(agent__roster_shifts__roster=roster).distinct())
        _notify_after_commit(
            event="wfm.roster_published", recipients=users, shop=roster.shop, link=_link("wfm:my", "/wfm/my/"),
            title=_("Your shifts for the week of %(week)s are published") % {"week": roster.week_start.isoformat()},
            dedupe_key=f"roster-{roster.pk}")
    return roster


# --- requests --------------------------------------------------------------------------


def _local(shift: RosterShift) -> str:
    return shift.start.astimezone(shop_tz(shift.roster.shop)).strftime("%m-%d %H:%M")


def _managers_of(shop) -> list:
    users = get_user_model().objects.filter(is_active=True).filter(
        Q(groups__permissions__codename="manage_schedules", groups__permissions__content_type__app_label="wfm")
        | Q(user_permissions__codename="manage_schedules", user_permissions__content_type__app_label="wfm"))
    return list(users.filter(Q(shops=shop) | Q(shops__isnull=True)).distinct())


def shift_request_create(*, actor, shift: RosterShift, kind: str, target_agent: Agent | None = None, reason: str = "",
                         request=None) -> ShiftRequest:
    """An agent asks for leave on, or to hand to a colleague (swap), one of their own published shifts."""
    agent = permissions.own_agent_required(actor)
    shift.roster.refresh_from_db(fields=["status"])
    if shift.agent_id != agent.pk or shift.roster.status != RosterStatus.PUBLISHED:
        raise PermissionDenied(_("You can only ask about your own published shifts"))
    if shift.start <= timezone.now():
        raise ValidationError(_("This shift has already started"))
    if kind not in RequestKind.values:
        raise ValidationError(_("Unknown request kind %(kind)s") % {"kind": kind})
    if kind == RequestKind.SWAP:
        if target_agent is None:
            raise ValidationError(_("A swap names the colleague who takes the shift"))
        if target_agent.pk == agent.pk or target_agent.shop_id != shift.roster.shop_id or not target_agent.active:
            raise ValidationError(_("%(agent)s cannot take this shift: choose an active colleague of the same shop") % {
                "agent": target_agent.name})
    else:
        target_agent = None
    with transaction.atomic():
        if ShiftRequest.objects.filter(shift=shift, status=RequestStatus.PENDING).exists():
            raise Conflict(_("This shift already has a request waiting for a decision"))
        shift_request = ShiftRequest.objects.create(kind=kind, requester=agent, shift=shift, target_agent=target_agent,
                                                    reason=reason.strip())
        audit_record(actor=actor, action="wfm.request_created", target=shift_request,
                     detail={"kind": kind, "shift": shift.pk, "target": target_agent.pk if target_agent else None},
                     request=request)
        _notify_after_commit(
            event="wfm.request_created", recipients=_managers_of(shift.roster.shop), shop=shift.roster.shop,
            link=_link("wfm:requests", "/wfm/requests/"),
            title=_("%(agent)s asks for %(kind)s on %(start)s") % {
                "agent": agent.name, "kind": shift_request.get_kind_display(),
                "start": _local(shift)})
    return shift_request


def shift_request_check(*, shift_request: ShiftRequest) -> dict:
    """What approving would do: new labour-rule violations (refused) and lost coverage (a warning)."""
    shift = shift_request.shift
    roster = shift.roster
    rows = shift_rows(roster.shifts.all())
    new_agent = shift_request.target_agent_id if shift_request.kind == RequestKind.SWAP else None
    changed = [row if row.id != shift.pk else replace(row, agent_id=new_agent) for row in rows]
    before, after = roster_check(roster=roster, rows=rows), roster_check(roster=roster, rows=changed)
    known = {(v.kind, v.agent_id, v.message) for v in before.labour}
    broken = [v for v in after.labour if (v.kind, v.agent_id, v.message) not in known
              and v.agent_id in {new_agent, shift_request.requester_id}]
    return {"labour": [v.as_dict() for v in broken], "shortfall_before": before.shortfall,
            "shortfall_after": after.shortfall, "coverage_lowered": after.shortfall > before.shortfall,
            "coverage": [v.as_dict() for v in after.coverage if v.start and shift.start - timedelta(hours=1) <= v.start
                         < shift.end]}


def shift_request_decide(*, shift_request: ShiftRequest, approve: bool, actor, request=None) -> ShiftRequest:
    """Approve (after re-checking the rules and coverage) or reject; approval applies the change:
    leave → the shift becomes unassigned, swap → the colleague takes it. Both agents are told."""
    permissions.manage_shop_check(actor, shift_request.shift.roster.shop)
    with transaction.atomic():
        shift_request = ShiftRequest.objects.select_for_update(of=("self",)).select_related(
            "shift__roster__shop", "requester", "target_agent").get(pk=shift_request.pk)
        if shift_request.status != RequestStatus.PENDING:
            raise Conflict(_("This request was already decided"))
        shift = shift_request.shift
        if approve:
            if shift.agent_id != shift_request.requester_id or shift.roster.status != RosterStatus.PUBLISHED:
                raise Conflict(_("The shift changed since the request was made; reject it and ask for a new one"))
            check = shift_request_check(shift_request=shift_request)
            if check["labour"]:
                raise ValidationError(_("Approving would break a labour rule: %(rules)s") % {
                    "rules": "; ".join(v["message"] for v in check["labour"])}, detail=check)
            shift.agent = shift_request.target_agent if shift_request.kind == RequestKind.SWAP else None
            shift.save(update_fields=["agent"])
            shift_request.check_result = check
        shift_request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
        shift_request.decided_by = actor
        shift_request.decided_at = timezone.now()
        shift_request.save(update_fields=["status", "decided_by", "decided_at", "check_result"])
        audit_record(actor=actor, action="wfm.request_decided", target=shift_request,
                     detail={"status": shift_request.status, "check": shift_request.check_result}, request=request)
        people = [a.user for a in (shift_request.requester, shift_request.target_agent) if a is not None and a.user_id]
        title = (_("Your %(kind)s request for %(start)s was approved") if approve
                 else _("Your %(kind)s request for %(start)s was rejected")) % {
            "kind": shift_request.get_kind_display(), "start": _local(shift)}
        _notify_after_commit(event="wfm.request_decided", recipients=people, shop=shift.roster.shop,
                             link=_link("wfm:my", "/wfm/my/"), title=title)
    return shift_request
