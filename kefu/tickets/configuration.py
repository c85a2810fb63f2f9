"""Writes of the ticket configuration: work calendars, SLA policies, workflow overrides,
departments, team calendars, a shop's automatic-ticket switches and automation rules.
Each needs ``tickets.manage_ticket_settings`` (``actor=None``: the system) and validates
before it saves; a calendar change moves the due times of the open tickets counted on it."""

from django.db import transaction

from kefu.tickets.automation import rule_validate
from kefu.tickets.choices import Priority, TicketType
from kefu.tickets.models import (
    AutomationRule,
    Department,
    ShopTicketSettings,
    SlaPolicy,
    TeamCalendar,
    WorkCalendar,
    WorkflowOverride,
)
from kefu.tickets.permissions import check_can_manage
from kefu.tickets.sla import BusinessCalendar, sla_recompute_for_calendar
from kefu.tickets.workflows import workflow_validate

CALENDAR_FIELDS = ("name", "timezone", "weekly_hours", "use_public_holidays", "holidays", "extra_workdays",
                   "promotion_days", "is_default")


def work_calendar_save(*, actor, calendar: WorkCalendar | None = None, now=None, **fields) -> WorkCalendar:
    """Create or change a work calendar; the open tickets on it get new due times."""
    check_can_manage(actor)
    calendar = calendar or WorkCalendar()
    for name, value in fields.items():
        if name not in CALENDAR_FIELDS:
            raise TypeError(name)
        setattr(calendar, name, value)
    BusinessCalendar.from_model(calendar)  # validates
    with transaction.atomic():
        if calendar.is_default:
            WorkCalendar.objects.exclude(pk=calendar.pk).filter(is_default=True).update(is_default=False)
        calendar.save()
        sla_recompute_for_calendar(calendar_id=calendar.pk, now=now)
    return calendar


def team_calendar_set(*, actor, team, calendar: WorkCalendar | None) -> None:
    check_can_manage(actor)
    with transaction.atomic():
        if calendar is None:
            TeamCalendar.objects.filter(team=team).delete()
        else:
            TeamCalendar.objects.update_or_create(team=team, defaults={"calendar": calendar})
            sla_recompute_for_calendar(calendar_id=calendar.pk)


def sla_policy_set(*, actor, type: str, priority: str, first_response_minutes: int, resolution_minutes: int,
                   near_percent: int = 80) -> SlaPolicy:
    from kefu.core.errors import ValidationError

    check_can_manage(actor)
    if type not in TicketType.values or priority not in Priority.values:
        raise ValidationError(code="bad_policy")
    if not (0 < first_response_minutes <= resolution_minutes) or not (1 <= near_percent <= 100):
        raise ValidationError(code="bad_policy")
    policy, _created = SlaPolicy.objects.update_or_create(
        type=type, priority=priority,
        defaults={"first_response_minutes": first_response_minutes, "resolution_minutes": resolution_minutes,
                  "near_percent": near_percent},
    )
    return policy


def workflow_override_set(*, actor, shop, type: str, config: dict | None) -> WorkflowOverride | None:
    """A shop's own workflow for a type (None: back to the default). Open tickets whose
    status the new workflow lacks would be stranded, so that is refused."""
    from django.utils.translation import gettext_lazy as _

    from kefu.core.errors import ValidationError
    from kefu.tickets.models import Ticket

    check_can_manage(actor)
    if config is None:
        WorkflowOverride.objects.filter(shop=shop, type=type).delete()
        return None
    workflow = workflow_validate(config)
    stranded = Ticket.objects.filter(shop=shop, type=type, closed_at__isnull=True).exclude(
        status__in=workflow.statuses
    )
    if stranded.exists():
        raise ValidationError(_("Open tickets are in statuses this workflow lacks."), code="bad_workflow")
    override, _created = WorkflowOverride.objects.update_or_create(shop=shop, type=type, defaults={"config": config})
    return override


def department_save(*, actor, key: str, name: str, kind: str = "other", members=None, shops=None,
                    calendar=None) -> Department:
    check_can_manage(actor)
    department, _created = Department.objects.update_or_create(
        key=key, defaults={"name": name, "kind": kind, "calendar": calendar}
    )
    if members is not None:
        department.members.set(members)
    if shops is not None:
        department.shops.set(shops)
    return department


def shop_ticket_settings_set(*, actor, shop, **fields) -> ShopTicketSettings:
    check_can_manage(actor)
    config, _created = ShopTicketSettings.objects.update_or_create(shop=shop, defaults=fields)
    return config


def automation_rule_save(*, actor, rule: AutomationRule | None = None, name: str, trigger: str, conditions=(),
                         actions=(), shop=None, active: bool = True, position: int = 0) -> AutomationRule:
    check_can_manage(actor)
    conditions, actions = list(conditions), list(actions)
    rule_validate(trigger=trigger, conditions=conditions, actions=actions)
    rule = rule or AutomationRule(created_by=actor)
    rule.name, rule.trigger, rule.conditions, rule.actions = name, trigger, conditions, actions
    rule.shop, rule.active, rule.position = shop, active, position
    rule.save()
    return rule
