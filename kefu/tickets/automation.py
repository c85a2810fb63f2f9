"""Automation rules (when → if → then) and their run log.

Conditions, all of which must hold: ``{"field": ..., "op": ..., "value": ...}`` with fields
``type status priority sla_state department team_id assignee_id shop_id tags
escalation_level details.<key>`` and ops ``eq ne in not_in contains empty not_empty``.

Actions, in order, each through the ticket services (so each writes its event):

- ``{"action": "assign", "user_id": 7}`` or ``{"action": "assign", "to": "team_lead" | "department"}``
- ``{"action": "reassign", "to": "team_lead" | "supervisor"}`` (the next level)
- ``{"action": "set_field", "field": "priority" | "department" | "title", "value": ...}``
- ``{"action": "add_tag", "tag": "大促"}``
- ``{"action": "notify", "to": ["assignee", "team_lead", "department"], "user_ids": [], "robot_ids": []}``
- ``{"action": "create_follow_up", "due_days": 3, "script": "..."}``
- ``{"action": "raise_priority"}``, ``{"action": "escalate"}`` (a complaint's next level)

Rules do not trigger rules: actions taken by a rule run no further rules (no loops).
"""

import contextvars
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import KefuError, ValidationError
from kefu.tickets.choices import Priority, RunResult, SlaState, Status, TicketType, Trigger
from kefu.tickets.details import ESCALATION_LEVELS
from kefu.tickets.models import AutomationRule, AutomationRun, Department

FIELDS = ("type", "status", "priority", "sla_state", "department", "team_id", "assignee_id", "shop_id", "tags",
          "escalation_level")
OPS = ("eq", "ne", "in", "not_in", "contains", "empty", "not_empty")
ACTIONS = ("assign", "reassign", "set_field", "add_tag", "notify", "create_follow_up", "raise_priority", "escalate")
SETTABLE = ("priority", "department", "title")

_running = contextvars.ContextVar("kefu_tickets_automation", default=False)


# ---- validation ------------------------------------------------------------------------


def _bad(message, **params):
    raise ValidationError(message % params if params else message, code="bad_rule")


def rule_validate(*, trigger: str, conditions, actions) -> None:
    if trigger not in Trigger.values:
        _bad(_("Unknown trigger."))
    if not isinstance(conditions, list):
        _bad(_("Conditions must be a list."))
    for condition in conditions:
        if not isinstance(condition, dict):
            _bad(_("A condition is an object with field, op and value."))
        field = condition.get("field", "")
        if field not in FIELDS and not (isinstance(field, str) and field.startswith("details.")):
            _bad(_("Unknown condition field %(field)s."), field=field)
        if condition.get("op", "eq") not in OPS:
            _bad(_("Unknown condition operator %(op)s."), op=condition.get("op"))
        if condition.get("op") in ("in", "not_in") and not isinstance(condition.get("value"), list):
            _bad(_("The in and not_in operators need a list."))
    if not isinstance(actions, list) or not actions:
        _bad(_("A rule needs at least one action."))
    for action in actions:
        kind = action.get("action") if isinstance(action, dict) else None
        if kind not in ACTIONS:
            _bad(_("Unknown action %(action)s."), action=kind)
        if kind == "assign" and not (action.get("user_id") or action.get("to") in ("team_lead", "department")):
            _bad(_("assign needs a user_id, or to: team_lead or department."))
        if kind == "reassign" and action.get("to") not in ("team_lead", "supervisor"):
            _bad(_("reassign goes to team_lead or supervisor."))
        if kind == "set_field":
            if action.get("field") not in SETTABLE:
                _bad(_("set_field can set %(fields)s."), fields=", ".join(SETTABLE))
            if action["field"] == "priority" and action.get("value") not in Priority.values:
                _bad(_("Unknown priority."))
            if action["field"] == "department" and not Department.objects.filter(key=action.get("value")).exists():
                _bad(_("Unknown department."))
        if kind == "add_tag" and not str(action.get("tag", "")).strip():
            _bad(_("add_tag needs a tag."))


# ---- conditions ----------------------------------------------------------------------------


def _field_value(ticket, field: str):
    if field == "department":
        return ticket.department.key if ticket.department_id else ""
    if field == "escalation_level":
        return (ticket.details or {}).get("escalation_level", "")
    if field.startswith("details."):
        return (ticket.details or {}).get(field.removeprefix("details."), "")
    return getattr(ticket, field)


def condition_holds(ticket, condition: dict) -> bool:
    value = _field_value(ticket, condition["field"])
    op, expected = condition.get("op", "eq"), condition.get("value")
    if op == "eq":
        return value == expected
    if op == "ne":
        return value != expected
    if op == "in":
        return value in expected
    if op == "not_in":
        return value not in expected
    if op == "contains":
        return expected in (value or [])
    if op == "empty":
        return value in (None, "", [], {})
    return value not in (None, "", [], {})


# ---- actions -------------------------------------------------------------------------------


def _supervisor_for(ticket):
    from kefu.accounts.roles import Role

    User = get_user_model()
    users = User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).filter(
        Q(shops__isnull=True) | Q(shops=ticket.shop_id)
    ).distinct().order_by("pk")
    return users.first()


def _department_member(ticket):
    if not ticket.department_id:
        return None
    return ticket.department.members.filter(is_active=True).order_by("pk").first()


def _apply(rule, ticket, action: dict, now) -> str:
    from kefu.tickets import services

    kind = action["action"]
    User = get_user_model()
    if kind in ("assign", "reassign"):
        to = action.get("to")
        if action.get("user_id"):
            user = User.objects.filter(pk=action["user_id"], is_active=True).first()
        elif to == "team_lead":
            user = ticket.team.lead if ticket.team_id else None
        elif to == "department":
            user = _department_member(ticket)
        else:
            user = _supervisor_for(ticket)
        if user is None:
            return f"{kind}: nobody to assign"
        services.ticket_assign(ticket=ticket, assignee=user, actor=None, now=now)
        return f"{kind}: {user.pk}"
    if kind == "set_field":
        value = action["value"]
        if action["field"] == "department":
            value = Department.objects.get(key=value)
        services.ticket_update(ticket=ticket, actor=None, now=now, **{action["field"]: value})
        return f"set {action['field']}"
    if kind == "add_tag":
        services.ticket_update(ticket=ticket, actor=None, now=now, tags=[*ticket.tags, str(action["tag"]).strip()])
        return f"tag {action['tag']}"
    if kind == "raise_priority":
        ticket.refresh_from_db()
        services.ticket_update(ticket=ticket, actor=None, now=now, priority=services.priority_raised(ticket.priority))
        return "priority raised"
    if kind == "escalate":
        if ticket.type != TicketType.COMPLAINT:
            return "escalate: not a complaint"
        level = (ticket.details or {}).get("escalation_level", ESCALATION_LEVELS[0])
        index = ESCALATION_LEVELS.index(level)
        if index + 1 >= len(ESCALATION_LEVELS):
            return "escalate: already at the top level"
        services.ticket_update(ticket=ticket, actor=None, now=now,
                               details={"escalation_level": ESCALATION_LEVELS[index + 1]})
        return f"escalated to {ESCALATION_LEVELS[index + 1]}"
    if kind == "notify":
        from kefu.tickets.notifications import ticket_notify

        recipients = list(User.objects.filter(pk__in=action.get("user_ids", []), is_active=True))
        targets = action.get("to", [])
        if "assignee" in targets and ticket.assignee_id:
            recipients.append(ticket.assignee)
        if "team_lead" in targets and ticket.team_id and ticket.team.lead_id:
            recipients.append(ticket.team.lead)
        if "department" in targets and ticket.department_id:
            recipients += list(ticket.department.members.filter(is_active=True))
        ticket_notify(ticket=ticket, event="tickets.automation", title=action.get("title") or f"{rule.name}: {ticket.title}",
                      body=action.get("body", ""), recipients=recipients, robots=action.get("robot_ids", []),
                      dedupe_key=f"rule:{rule.pk}:{ticket.pk}:{ticket.version}")
        return f"notified {len(recipients)} people, {len(action.get('robot_ids', []))} robots"
    if kind == "create_follow_up":
        due = (now + timedelta(days=int(action.get("due_days", 3)))).date().isoformat()
        child = services.ticket_create(
            shop=ticket.shop, type=TicketType.FOLLOW_UP, title=f"{TicketType.FOLLOW_UP.label} · {ticket.title}"[:200],
            actor=None, details={"script": action.get("script", ""), "due_date": due}, assignee=ticket.assignee,
            team=ticket.team, customer=ticket.customer, order=ticket.order, review=ticket.review,
            aftersale=ticket.aftersale, parent=ticket, source=f"rule:{rule.pk}:{ticket.pk}", now=now,
        )
        return f"follow-up #{child.pk}"
    raise ValidationError(_("Unknown action %(action)s.") % {"action": kind}, code="bad_rule")


# ---- running -------------------------------------------------------------------------------


def rules_for(ticket, trigger: str):
    return AutomationRule.objects.filter(active=True, trigger=trigger).filter(
        Q(shop__isnull=True) | Q(shop_id=ticket.shop_id)
    ).order_by("position", "id")


def automation_run(*, ticket, trigger: str, now) -> bool:
    """Run the active rules of ``trigger`` on the ticket, logging each run. Inside a rule's
    actions nothing runs (no rule triggers another). Returns whether any rule applied.

    A failing rule is logged as failed and its partial changes undone (a savepoint); the
    change that triggered it stands."""
    if _running.get():
        return False
    applied = False
    token = _running.set(True)
    try:
        for rule in rules_for(ticket, trigger):
            if not all(condition_holds(ticket, c) for c in rule.conditions or []):
                AutomationRun.objects.create(rule=rule, ticket=ticket, trigger=trigger, result=RunResult.SKIPPED, at=now)
                continue
            done = []
            try:
                with transaction.atomic():
                    for action in rule.actions:
                        done.append(_apply(rule, ticket, action, now))
                        ticket.refresh_from_db()
                result = RunResult.APPLIED
                applied = True
            except (KefuError, LookupError, ValueError, TypeError) as error:
                ticket.refresh_from_db()
                done.append(f"error: {getattr(error, 'message', error)}")
                result = RunResult.FAILED
            AutomationRun.objects.create(rule=rule, ticket=ticket, trigger=trigger, result=result, detail=done, at=now)
    finally:
        _running.reset(token)
    return applied


# Names used by the automation page to offer choices.
STATUS_CHOICES = Status.choices
SLA_CHOICES = SlaState.choices
