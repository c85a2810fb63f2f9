"""Who may manage group robots and read the send log, and over which shops.

Everyone signed in has an inbox and preferences. Supervisors and administrators (the
``notify.manage_notifications`` permission, see ``kefu.accounts.roles``) manage robots and
read the log: the robots and sends of their shops, and those for every shop."""

from django.db.models import QuerySet

from kefu.accounts.permissions import scope_to_shops
from kefu.core.errors import PermissionDenied

MANAGE_PERMISSION = "notify.manage_notifications"


def can_manage_notifications(user) -> bool:
    return bool(getattr(user, "is_active", False)) and user.has_perm(MANAGE_PERMISSION)


def notifications_manage_check(user) -> None:
    if not can_manage_notifications(user):
        raise PermissionDenied()


def robot_scope(queryset: QuerySet, user) -> QuerySet:
    return scope_to_shops(queryset, user, shared_null=True)


def send_scope(queryset: QuerySet, user) -> QuerySet:
    return scope_to_shops(queryset, user, shared_null=True)
