"""The bell of the site layout: how many unread notifications the signed-in person has."""

from django import template

from kefu.notify.permissions import can_manage_notifications
from kefu.notify.selectors import notification_unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    return notification_unread_count(user)


@register.simple_tag
def manages_notifications(user) -> bool:
    return can_manage_notifications(user)
