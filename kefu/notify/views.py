"""Notification pages: the inbox, one's preferences, and (supervisors, administrators) the
group robots and the send log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import KefuError
from kefu.notify import services
from kefu.notify.choices import SendStatus
from kefu.notify.events import CHANNELS
from kefu.notify.forms import PreferencesForm, RobotEndpointForm
from kefu.notify.permissions import can_manage_notifications, notifications_manage_check
from kefu.notify.selectors import (
    notification_get_for_user,
    notification_list_for_user,
    notification_unread_count,
    preference_table_for_user,
    robot_get_for_user,
    robot_list_for_user,
    send_get_for_user,
    send_list_for_user,
)

PER_PAGE = 50


@login_required
@require_GET
def inbox(request):
    page = Paginator(notification_list_for_user(request.user).select_related("shop"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "unread": notification_unread_count(request.user),
               "can_manage": can_manage_notifications(request.user)}
    return render(request, "notify/inbox.html", context)


@login_required
@require_GET
def notification_open(request, pk: int):
    """Opening a notification marks it read and goes where it points. A GET on purpose: it is
    a read receipt (like opening an e-mail), the same however often it happens."""
    notification = notification_get_for_user(user=request.user, notification_id=pk)
    services.notification_read(notification=notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(link)
    return redirect("notify:inbox")


@login_required
@require_POST
def read_all(request):
    count = services.notifications_read_all(user=request.user)
    if count:
        messages.success(request, _("All notifications marked read."))
    return redirect("notify:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    can_manage = can_manage_notifications(request.user)
    channels = CHANNELS if can_manage else tuple(c for c in CHANNELS if c != "robot")
    table = preference_table_for_user(request.user)
    form = PreferencesForm(request.POST or None, table=table, channels=channels)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, choices=form.choices())
        messages.success(request, _("Notification preferences saved."))
        return redirect("notify:preferences")
    context = {"form": form, "channels": channels, "can_manage": can_manage, "has_email": bool(request.user.email)}
    return render(request, "notify/preferences.html", context)


@login_required
@require_GET
def robot_list(request):
    notifications_manage_check(request.user)
    return render(request, "notify/robot_list.html", {"robots": robot_list_for_user(request.user), "can_manage": True})


@login_required
@require_http_methods(["GET", "POST"])
def robot_edit(request, pk: int | None = None):
    notifications_manage_check(request.user)
    robot = robot_get_for_user(user=request.user, robot_id=pk) if pk else None
    form = RobotEndpointForm(request.POST or None, instance=robot, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if robot is None:
                services.robot_endpoint_create(actor=request.user, request=request, **form.service_fields())
                messages.success(request, _("Robot added."))
            else:
                # ModelForm has already copied the fields onto the instance; the service decides what is kept.
                robot.refresh_from_db()
                services.robot_endpoint_update(robot=robot, actor=request.user, request=request,
                                               **form.service_fields())
                messages.success(request, _("Robot saved."))
            return redirect("notify:robot_list")
        except KefuError as error:
            field = error.detail.get("field")
            form.add_error(field if field in form.fields else None, str(error.message))
    return render(request, "notify/robot_form.html", {"form": form, "robot": robot, "can_manage": True})


@login_required
@require_POST
def robot_deactivate(request, pk: int):
    notifications_manage_check(request.user)
    robot = robot_get_for_user(user=request.user, robot_id=pk)
    services.robot_endpoint_deactivate(robot=robot, actor=request.user, request=request)
    messages.success(request, _("Robot deactivated: it gets no more messages."))
    return redirect("notify:robot_list")


@login_required
@require_POST
def robot_test(request, pk: int):
    notifications_manage_check(request.user)
    robot = robot_get_for_user(user=request.user, robot_id=pk)
    try:
        send = services.robot_endpoint_test(robot=robot, actor=request.user, request=request)
    except KefuError as error:
        messages.error(request, str(error.message))
        return redirect("notify:robot_list")
    send.refresh_from_db()
    _send_message(request, send)
    return redirect("notify:send_list")


@login_required
@require_GET
def send_list(request):
    notifications_manage_check(request.user)
    status = request.GET.get("status") if request.GET.get("status") in SendStatus.values else None
    page = Paginator(send_list_for_user(request.user, status=status), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": SendStatus.choices, "can_manage": True}
    return render(request, "notify/send_list.html", context)


@login_required
@require_POST
def send_retry(request, pk: int):
    notifications_manage_check(request.user)
    send = send_get_for_user(user=request.user, send_id=pk)
    try:
        send = services.send_retry(send=send, actor=request.user, request=request)
    except KefuError as error:
        messages.error(request, str(error.message))
    else:
        send.refresh_from_db()
        _send_message(request, send)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notify:send_list"
    return redirect(target)


def _send_message(request, send) -> None:
    # With a queue the attempt happens later; in-process (immediate tasks) it is already done.
    if send.status == SendStatus.SENT:
        messages.success(request, _("The message was sent."))
    elif send.status == SendStatus.FAILED or send.last_error:
        messages.error(request, _("Sending failed: %(error)s") % {"error": send.last_error})
    else:
        messages.info(request, _("The message is queued and will be sent in a moment."))
