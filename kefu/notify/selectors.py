"""Reads of the notify app for pages and the API, scoped to the user."""

from django.db.models import F, QuerySet

from kefu.core.errors import NotFound
from kefu.notify.events import CHANNELS, EVENTS, event_get
from kefu.notify.models import Notification, NotificationPreference, RobotEndpoint, Send
from kefu.notify.permissions import robot_scope, send_scope


def notification_list_for_user(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's inbox: unread first, then newest first."""
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")


def notification_unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get_for_user(*, user, notification_id) -> Notification:
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is None:
        raise NotFound()
    return notification


def preferences_for_users(users, event: str) -> dict[int, dict[str, bool]]:
    """``{user_id: {"in_app": bool, "email": bool, "robot": bool}}`` for one event: each
    person's choice, else the event's registered defaults."""
    default = {channel: event_get(event).default(channel) for channel in CHANNELS}
    chosen = {
        row["user_id"]: {channel: row[channel] for channel in CHANNELS}
        for row in NotificationPreference.objects.filter(user__in=[u.pk for u in users], event=event).values(
            "user_id", *CHANNELS
        )
    }
    return {user.pk: chosen.get(user.pk, default) for user in users}


def preference_table_for_user(user) -> list[dict]:
    """Every registered event with the user's effective choices, for the preferences page."""
    chosen = {row.event: row for row in NotificationPreference.objects.filter(user=user)}
    table = []
    for event in sorted(EVENTS.values(), key=lambda e: e.key):
        row = chosen.get(event.key)
        values = {c: getattr(row, c) if row else event.default(c) for c in CHANNELS}
        table.append({"event": event, "values": values, "chosen": row is not None})
    return table


def robot_list_for_user(user) -> QuerySet[RobotEndpoint]:
    return robot_scope(RobotEndpoint.objects.all(), user).select_related("shop", "created_by")


def robot_get_for_user(*, user, robot_id) -> RobotEndpoint:
    robot = robot_list_for_user(user).filter(pk=robot_id).first()
    if robot is None:
        raise NotFound()
    return robot


def send_list_for_user(user, *, status: str | None = None) -> QuerySet[Send]:
    sends = send_scope(Send.objects.all(), user)
    if status:
        sends = sends.filter(status=status)
    return sends.select_related("recipient", "robot", "shop")


def send_get_for_user(*, user, send_id) -> Send:
    send = send_list_for_user(user).filter(pk=send_id).first()
    if send is None:
        raise NotFound()
    return send
