"""Template helpers of the ticket pages: business durations, status labels, the tickets
linked to a conversation (for the conversation page's 创建工单 panel)."""

from django import template
from django.utils.translation import gettext as _

from kefu.tickets.choices import Priority, Status, TicketType

register = template.Library()


@register.filter
def bizduration(seconds) -> str:
    """Business seconds as hours and minutes (absolute value: the caller says left/overdue)."""
    if seconds is None or seconds == "":
        return "—"
    total = abs(int(seconds)) // 60
    hours, minutes = divmod(total, 60)
    if hours and minutes:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


@register.filter
def type_label(type_key: str) -> str:
    return str(TicketType(type_key).label) if type_key in TicketType.values else type_key


@register.filter
def priority_label(priority: str) -> str:
    return str(Priority(priority).label) if priority in Priority.values else priority


@register.simple_tag
def conversation_tickets(user, conversation):
    """The tickets linked to ``conversation`` that ``user`` sees."""
    from kefu.tickets.views._queries import tickets_for_conversation

    return list(tickets_for_conversation(user, conversation)[:20])


@register.simple_tag
def ticket_types():
    return TicketType.choices


@register.simple_tag
def ticket_departments():
    from kefu.tickets.models import Department

    return list(Department.objects.order_by("name", "id"))
