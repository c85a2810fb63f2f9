"""Tickets and escalation (工单): what the team cannot solve in the chat becomes a ticket with
an owner, a deadline and a history.

A **ticket** has a type (售后, 投诉, 物流异常, 产品反馈, 平台介入, 差评挽回, 回访), a status
moving along its type's **workflow** (``workflows.py``: shipped defaults, a shop may
override), an assignee, a team and possibly a **department** (物流/产品/运营) it is addressed
to. Every change writes a **ticket event**; comments are public replies, internal notes or
ask-backs to a department. The **SLA** (first response and resolution, per type and
priority) is counted in business time on a **work calendar** and paused while the ticket
waits on the customer. **Automation rules** (when → if → then) run on ticket changes and SLA
states; each run is logged.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.tickets.choices import (
    CommentKind,
    DepartmentKey,
    EventKind,
    Priority,
    RunResult,
    SlaState,
    Status,
    TicketType,
    Trigger,
)


class WorkCalendar(models.Model):
    """When a team or a department works (工作日历): weekly hours in its timezone, public
    holidays (from the Chinese calendar, and/or listed), extra working days (调休) and
    promotion days with their own hours. SLA clocks only run inside these hours.

    ``weekly_hours``: ``{"0": [["09:00", "18:00"]], ...}``, 0 = Monday;
    ``holidays`` / ``extra_workdays``: lists of ``YYYY-MM-DD``; ``promotion_days``:
    ``{"2026-11-11": [["00:00", "24:00"]]}``. ``is_default``: the calendar of tickets whose
    team and department have none."""

    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(_("timezone"), max_length=64, default="Asia/Shanghai")
    weekly_hours = models.JSONField(_("weekly hours"), default=dict, blank=True)
    use_public_holidays = models.BooleanField(_("Chinese public holidays"), default=True)
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    extra_workdays = models.JSONField(_("extra working days"), default=list, blank=True)
    promotion_days = models.JSONField(_("promotion days"), default=dict, blank=True)
    is_default = models.BooleanField(_("default calendar"), default=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("work calendar")
        verbose_name_plural = _("work calendars")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="tickets_calendar_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department tickets are addressed to (物流, 产品, 运营, 其他): its members see and
    answer only the tickets addressed to it. No shops: every shop."""

    key = models.SlugField(_("key"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKey.choices, default=DepartmentKey.OTHER)
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True,
                                     related_name="ticket_departments")
    shops = models.ManyToManyField("shops.Shop", verbose_name=_("shops"), blank=True, related_name="+")
    calendar = models.ForeignKey(WorkCalendar, verbose_name=_("work calendar"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="departments")

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TeamCalendar(models.Model):
    """The work calendar of a customer-service team (accounts.Team belongs to another app)."""

    team = models.OneToOneField("accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE,
                                related_name="ticket_calendar")
    calendar = models.ForeignKey(WorkCalendar, verbose_name=_("work calendar"), on_delete=models.CASCADE,
                                 related_name="teams")

    class Meta:
        verbose_name = _("team calendar")
        verbose_name_plural = _("team calendars")
        ordering = ["team"]


class SlaPolicy(models.Model):
    """The SLA of one ticket type and priority: minutes of business time to the first
    response and to resolution. Without a row the shipped defaults apply (``sla.py``)."""

    type = models.CharField(_("ticket type"), max_length=20, choices=TicketType.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))
    near_percent = models.PositiveSmallIntegerField(_("near breach at (%)"), default=80)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["type", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["type", "priority"], name="tickets_sla_type_priority"),
            models.CheckConstraint(condition=models.Q(near_percent__gte=1, near_percent__lte=100),
                                   name="tickets_sla_near_1_100"),
        ]


class WorkflowOverride(models.Model):
    """A shop's own workflow for one ticket type (validated like the shipped defaults)."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="+")
    type = models.CharField(_("ticket type"), max_length=20, choices=TicketType.choices)
    config = models.JSONField(_("workflow"))
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("workflow override")
        verbose_name_plural = _("workflow overrides")
        ordering = ["shop", "type"]
        constraints = [models.UniqueConstraint(fields=["shop", "type"], name="tickets_workflow_shop_type")]


class ShopTicketSettings(models.Model):
    """A shop's switches for automatic tickets (absent: everything on, 48 h stall)."""

    shop = models.OneToOneField("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="+")
    logistics_tickets = models.BooleanField(_("logistics exception tickets"), default=True)
    stall_hours = models.PositiveSmallIntegerField(_("no movement for (hours)"), default=48)
    review_recovery_tickets = models.BooleanField(_("bad-review recovery tickets"), default=True)
    bad_review_max_rating = models.PositiveSmallIntegerField(_("bad review up to (stars)"), default=2)
    follow_up_after_aftersale = models.BooleanField(_("follow-up after an after-sale closes"), default=True)

    class Meta:
        verbose_name = _("ticket settings")
        verbose_name_plural = _("ticket settings")
        ordering = ["shop"]


class Ticket(models.Model):
    """A case that needs another step, person or department (工单).

    ``details`` holds the type's own fields, validated per type (``details.py``).
    ``version`` grows with every change: a write that names the version it saw is refused
    when someone else changed the ticket since. ``source`` identifies what created the
    ticket automatically (``review:42``); unique per type, so automation runs only once.
    SLA: due times are business time on the ticket's calendar, extended by the business
    time spent paused (``paused_seconds``; ``paused_since`` while waiting on the customer)."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="+")
    type = models.CharField(_("ticket type"), max_length=20, choices=TicketType.choices)
    status = models.CharField(_("status"), max_length=32, choices=Status.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_tickets")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="tickets")
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="tickets")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    order = models.ForeignKey("commerce.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    review = models.ForeignKey("commerce.Review", verbose_name=pgettext_lazy("product review", "review"),
                               null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    aftersale = models.ForeignKey("commerce.AfterSale", verbose_name=_("after-sale"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    conversations = models.ManyToManyField("conversations.Conversation", verbose_name=_("conversations"),
                                           blank=True, related_name="tickets")
    parent = models.ForeignKey("self", verbose_name=_("created from"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="children")
    source = models.CharField(_("source"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("changed"))
    # SLA
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused (business seconds)"), default=0)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    sla_state = models.CharField(_("SLA state"), max_length=10, choices=SlaState.choices, default=SlaState.OK)
    sla_fired = models.JSONField(_("SLA states announced"), default=list, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("reopened"), default=0)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_all_tickets", "Can see every ticket of their shops"),
            ("view_team_tickets", "Can see the tickets of the teams they lead"),
            ("view_own_tickets", "Can see their own and their team's tickets"),
            ("view_department_tickets", "Can see the tickets addressed to their departments"),
            ("manage_ticket_settings", "Can set workflows, SLA policies, calendars, departments and rules"),
            ("view_ticket_report", "Can see the department SLA report"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["type", "source"], condition=~models.Q(source=""),
                                    name="tickets_ticket_source_unique"),
        ]
        indexes = [
            models.Index(fields=["shop", "status"], name="tickets_shop_status"),
            models.Index(fields=["assignee", "status"], name="tickets_assignee_status"),
            models.Index(fields=["department", "status"], name="tickets_department_status"),
            models.Index(fields=["team", "status"], name="tickets_team_status"),
            models.Index(fields=["sla_state", "closed_at"], name="tickets_sla_open"),
            models.Index(fields=["order"], name="tickets_order"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class TicketEvent(models.Model):
    """One change of a ticket (the audit trail and the source of ticket metrics): who, what
    kind, status from/to, the changed fields ``{"field": [before, after]}``, when."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"))
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="tickets_event_ticket_at")]


class TicketComment(models.Model):
    """A public reply, an internal note, or an ask-back to a department."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=CommentKind.choices, default=CommentKind.PUBLIC)
    body = models.TextField(_("text"))
    to_department = models.ForeignKey(Department, verbose_name=_("asked department"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("answered for"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("ticket comment")
        verbose_name_plural = _("ticket comments")
        ordering = ["at", "id"]


class AutomationRule(models.Model):
    """When → if → then. ``conditions``: ``[{"field", "op", "value"}]`` (all must hold);
    ``actions``: ``[{"action": "assign", ...}]`` (``automation.py`` lists them). No shop:
    every shop. Rules run in ``position`` order."""

    name = models.CharField(_("name"), max_length=100)
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    trigger = models.CharField(_("when"), max_length=16, choices=Trigger.choices)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    active = models.BooleanField(pgettext_lazy("automation rule", "active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class AutomationRun(models.Model):
    """One evaluation of a rule on a ticket: applied, skipped (conditions not met) or
    failed, with what the actions did or the error."""

    rule = models.ForeignKey(AutomationRule, verbose_name=_("automation rule"), on_delete=models.CASCADE,
                             related_name="runs")
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(_("when"), max_length=16, choices=Trigger.choices)
    result = models.CharField(_("result"), max_length=10, choices=RunResult.choices)
    detail = models.JSONField(_("detail"), default=list, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("automation run")
        verbose_name_plural = _("automation runs")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["rule", "at"], name="tickets_run_rule_at")]


class ScanMark(models.Model):
    """How far the automatic-ticket scan has read a kind of imported record."""

    key = models.CharField(_("key"), max_length=32, unique=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("scan mark")
        verbose_name_plural = _("scan marks")
        ordering = ["key"]
