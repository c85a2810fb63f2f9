"""The fixed vocabularies of tickets: types, priorities, statuses, SLA states, comment and
event kinds, automation triggers. Statuses and transitions per type are configuration
(``workflows.py``); the status keys known to the shipped defaults are listed here so that
they have translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketType(models.TextChoices):
    AFTERSALE = "aftersale", _("After-sales")  # 售后
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    LOGISTICS = "logistics", _("Logistics exception")  # 物流异常
    PRODUCT_FEEDBACK = "product_feedback", _("Product feedback")  # 产品反馈
    PLATFORM_DISPUTE = "platform_dispute", _("Platform dispute")  # 平台介入
    REVIEW_RECOVERY = "review_recovery", _("Bad-review recovery")  # 差评挽回
    FOLLOW_UP = "follow_up", _("Follow-up visit")  # 回访


class Priority(models.TextChoices):
    LOW = "low", pgettext_lazy("priority", "Low")
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    HIGH = "high", pgettext_lazy("priority", "High")
    URGENT = "urgent", pgettext_lazy("priority", "Urgent")


PRIORITY_ORDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


class Status(models.TextChoices):
    """The statuses of the shipped workflows (a shop's override may add its own keys)."""

    NEW = "new", pgettext_lazy("ticket status", "New")
    IN_PROGRESS = "in_progress", pgettext_lazy("ticket status", "In progress")
    WAITING_CUSTOMER = "waiting_customer", pgettext_lazy("ticket status", "Waiting on customer")
    WAITING_DEPARTMENT = "waiting_department", pgettext_lazy("ticket status", "Waiting on department")
    ESCALATED = "escalated", pgettext_lazy("ticket status", "Escalated")
    PLATFORM_REVIEW = "platform_review", pgettext_lazy("ticket status", "Platform reviewing")
    RESOLVED = "resolved", pgettext_lazy("ticket status", "Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("ticket status", "Cancelled")


class SlaState(models.TextChoices):
    OK = "ok", pgettext_lazy("sla", "On track")
    NEAR = "near", pgettext_lazy("sla", "Near breach")
    BREACHED = "breached", pgettext_lazy("sla", "Breached")


SLA_STATE_ORDER = [SlaState.OK, SlaState.NEAR, SlaState.BREACHED]


class DepartmentKey(models.TextChoices):
    LOGISTICS = "logistics", _("Logistics")  # 物流
    PRODUCT = "product", _("Product")  # 产品
    OPERATIONS = "operations", _("Operations")  # 运营
    OTHER = "other", _("Other")  # 其他


class CommentKind(models.TextChoices):
    PUBLIC = "public", pgettext_lazy("comment", "Reply")
    INTERNAL = "internal", pgettext_lazy("comment", "Internal note")
    ASK_BACK = "ask_back", pgettext_lazy("comment", "Ask back")


class EventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("ticket event", "Created")
    UPDATED = "updated", pgettext_lazy("ticket event", "Updated")
    ASSIGNED = "assigned", pgettext_lazy("ticket event", "Assigned")
    TRANSITIONED = "transitioned", pgettext_lazy("ticket event", "Status changed")
    COMMENTED = "commented", pgettext_lazy("ticket event", "Commented")
    FIRST_RESPONSE = "first_response", pgettext_lazy("ticket event", "First response")
    SLA = "sla", pgettext_lazy("ticket event", "SLA state changed")
    ESCALATED = "escalated", pgettext_lazy("ticket event", "Escalated")
    AUTOMATION = "automation", pgettext_lazy("ticket event", "Automation")


class Trigger(models.TextChoices):
    CREATED = "created", pgettext_lazy("trigger", "Ticket created")
    UPDATED = "updated", pgettext_lazy("trigger", "Ticket updated")
    TRANSITIONED = "transitioned", pgettext_lazy("trigger", "Status changed")
    SLA_NEAR = "sla_near", pgettext_lazy("trigger", "SLA near breach")
    SLA_BREACHED = "sla_breached", pgettext_lazy("trigger", "SLA breached")


class RunResult(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("automation run", "Applied")
    SKIPPED = "skipped", pgettext_lazy("automation run", "Conditions not met")
    FAILED = "failed", pgettext_lazy("automation run", "Failed")
