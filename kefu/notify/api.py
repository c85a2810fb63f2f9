"""Notifications API: the signed-in person's inbox (``GET /api/v1/notifications``) and
marking one read (``POST /api/v1/notifications/{id}/read``).

An inbox belongs to a person, and API tokens belong to a shop or to the whole installation,
so these routes authenticate with the browser's session (the pages' bell and scripts);
a POST needs the CSRF token like any form."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.security import SessionAuth

from kefu.notify import services
from kefu.notify.schemas import ErrorOut, InboxOut, NotificationOut
from kefu.notify.selectors import (
    notification_get_for_user,
    notification_list_for_user,
    notification_unread_count,
)

router = Router(tags=["notifications"])
MAX_LIMIT = 200


@router.get(
    "/notifications",
    auth=SessionAuth(),
    response={200: InboxOut, 401: ErrorOut},
    summary="My notifications",
    description=(
        "The caller's inbox, unread first, then newest first: `count` items match (`unread_only` "
        "narrows them), `unread` are unread in all, `items` is the page asked for."
    ),
    openapi_extra={"responses": {200: {"description": "The inbox"}, 401: {"description": "Not signed in"}}},
)
def notifications_get(request: HttpRequest, unread_only: bool = Query(False), limit: int = Query(50, ge=1, le=MAX_LIMIT),
                      offset: int = Query(0, ge=0)):
    notifications = notification_list_for_user(request.auth, unread_only=unread_only)
    return {
        "count": notifications.count(),
        "unread": notification_unread_count(request.auth),
        "items": list(notifications[offset: offset + limit]),
    }


@router.post(
    "/notifications/{notification_id}/read",
    auth=SessionAuth(),
    response={200: NotificationOut, 401: ErrorOut, 404: ErrorOut},
    summary="Mark a notification read",
    openapi_extra={"responses": {
        200: {"description": "The notification, now read"},
        401: {"description": "Not signed in"},
        404: {"description": "No such notification in the caller's inbox"},
    }},
)
def notification_read(request: HttpRequest, notification_id: int):
    notification = notification_get_for_user(user=request.auth, notification_id=notification_id)
    return services.notification_read(notification=notification)
