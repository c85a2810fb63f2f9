"""Every write of the notify app, and the one way to tell people something: ``notify()``.

``notify()`` puts in-app notifications in the inboxes at once and turns e-mails and robot
messages into ``Send`` rows, each handed to a task after commit. ``send_attempt`` (the
task's body) sends one; a failure is logged on the row and retried after 1, 5 and 30
minutes (``KEFU_NOTIFY_RETRY_MINUTES``), then the send is *failed* until someone retries
it. ``notify_tick`` (the worker's minute loop) enqueues the retries that have come due."""

import logging
import urllib.parse
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.audit import audit_record
from kefu.core.errors import Conflict, ValidationError
from kefu.notify.channels import DeliveryError, email_send, robot_send, webhook_validate
from kefu.notify.choices import RobotChannel, SendChannel, SendStatus
from kefu.notify.conf import absolute_url, attempt_failure_record
from kefu.notify.events import CHANNELS, EVENTS, event_get
from kefu.notify.models import Notification, NotificationPreference, RobotEndpoint, Send
from kefu.notify.selectors import preferences_for_users

logger = logging.getLogger(__name__)

# A send handed to the queue is not handed again for this long (a worker that died
# mid-send frees it after that).
LEASE = timedelta(minutes=15)
ROBOT_FIELDS = ("name", "channel", "url", "secret", "shop", "active")


# ---- notify ---------------------------------------------------------------------------


@transaction.atomic
def notify(*, event: str, title: str, body: str = "", link: str = "", recipients=(), robots=(), shop=None,
           dedupe_key: str = "") -> list:
    """Tell ``recipients`` (users) and ``robots`` (RobotEndpoint instances or ids) about ``event``.
    In-app notifications are created at once; e-mails and robot messages become Send rows delivered
    by a task after commit, retried with back-off (1, 5, 30 minutes by default) and logged.
    With ``dedupe_key``, a (recipient or robot, event, dedupe_key) already notified is skipped.

    Each person gets what their preferences for ``event`` say (else the event's registered
    defaults): no e-mail without an address, nothing for an inactive account. A robot gets
    the message when it is active and the person who set it up has robot messages of
    ``event`` on. Returns the Notification and Send rows created, in that order."""
    event_get(event)  # an unregistered event is a programming error: fail loudly
    title = (title or "").strip()[:200]
    fields = {"event": event, "title": title, "body": body or "", "link": link or "", "shop": shop,
              "dedupe_key": dedupe_key or ""}
    users = [u for u in _users(recipients) if u.is_active]
    robot_list = _robots(robots)
    if dedupe_key:
        users = [u for u in users if u.pk not in _users_already_told(users, event, dedupe_key)]
        told = set(Send.objects.filter(robot__in=robot_list, event=event, dedupe_key=dedupe_key)
                   .values_list("robot_id", flat=True))
        robot_list = [r for r in robot_list if r.pk not in told]

    now = timezone.now()
    notifications, sends = [], []
    preferences = preferences_for_users(users, event)
    for user in users:
        wants = preferences[user.pk]
        if wants["in_app"]:
            notification = _create(Notification, recipient=user, **fields)
            if notification is not None:
                notifications.append(notification)
        if wants["email"] and (user.email or "").strip():
            send = _create(Send, channel=SendChannel.EMAIL, target=user.email.strip(), recipient=user,
                           next_attempt_at=now, **fields)
            if send is not None:
                sends.append(send)
    owners = preferences_for_users([r.created_by for r in robot_list if r.created_by_id], event)
    default_robot = event_get(event).default("robot")
    for robot in robot_list:
        if not owners.get(robot.created_by_id, {"robot": default_robot})["robot"]:
            continue
        send = _create(Send, channel=robot.channel, target=robot_target(robot), robot=robot,
                       next_attempt_at=now, **fields)
        if send is not None:
            sends.append(send)
    for send in sends:
        _send_enqueue(send, now)
    return [*notifications, *sends]


def _users(recipients) -> list:
    User = get_user_model()
    ids = [r for r in recipients if not isinstance(r, User)]
    users = [r for r in recipients if isinstance(r, User)]
    if ids:
        users += list(User.objects.filter(pk__in=ids))
    unique = {}
    for user in users:
        unique.setdefault(user.pk, user)
    return list(unique.values())


def _robots(robots) -> list[RobotEndpoint]:
    ids = {r.pk if isinstance(r, RobotEndpoint) else int(r) for r in robots}
    if not ids:
        return []
    return list(RobotEndpoint.objects.filter(pk__in=ids, active=True).select_related("created_by").order_by("id"))


def _users_already_told(users, event: str, dedupe_key: str) -> set[int]:
    ids = [u.pk for u in users]
    told = set(Notification.objects.filter(recipient__in=ids, event=event, dedupe_key=dedupe_key)
               .values_list("recipient_id", flat=True))
    told |= set(Send.objects.filter(recipient__in=ids, event=event, dedupe_key=dedupe_key)
                .values_list("recipient_id", flat=True))
    return told


def _create(model, **fields):
    """Create a row; with a dedupe key, one that a concurrent notify() created first is skipped."""
    if not fields["dedupe_key"]:
        return model.objects.create(**fields)
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


def robot_target(robot: RobotEndpoint) -> str:
    """How the log names a robot: its name and host, never the token in its URL."""
    host = urllib.parse.urlsplit(robot.url).hostname or ""
    return f"{robot.name} ({host})" if host else robot.name


# ---- sending --------------------------------------------------------------------------


def _send_enqueue(send: Send, now: datetime) -> None:
    """Hand the send's next attempt to the task queue, after commit. The attempt number
    travels with it, so a send queued twice is still attempted once."""
    from kefu.notify.tasks import send_deliver

    Send.objects.filter(pk=send.pk).update(next_attempt_at=now + LEASE)
    send_id, attempt = send.pk, send.attempts
    transaction.on_commit(lambda: send_deliver.enqueue(send_id, attempt))


def send_attempt(*, send_id: int, attempt: int, now: datetime | None = None) -> Send | None:
    """Attempt number ``attempt + 1`` of a send. Returns None when another worker already
    made this attempt (or the send is done)."""
    now = now or timezone.now()
    claimed = Send.objects.filter(pk=send_id, status=SendStatus.PENDING, attempts=attempt).update(
        attempts=attempt + 1, last_attempt_at=now, next_attempt_at=now + LEASE
    )
    if not claimed:
        return None
    send = Send.objects.select_related("recipient", "robot").get(pk=send_id)
    reason = _unsendable(send)
    try:
        if reason:
            raise DeliveryError(reason)
        response = _deliver(send)
    except Exception as error:  # noqa: BLE001 - every failure is logged on the send and retried
        if not isinstance(error, DeliveryError):
            logger.exception("notification send %s failed", send_id)
        attempt_failure_record(send, error, now, final=bool(reason))
    else:
        send.status = SendStatus.SENT
        send.sent_at = now
        send.next_attempt_at = None
        send.last_error = ""
        send.response = response[:2000]
        send.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error", "response"])
    return send


def _unsendable(send: Send) -> str:
    """Why the send can never go out (no retry helps), or ""."""
    if send.channel == SendChannel.EMAIL:
        if send.recipient is None or not send.recipient.is_active:
            return _("The recipient's account is no longer active.")
    elif send.robot is None or not send.robot.active:
        return _("The group robot was removed or deactivated.")
    return ""


def _deliver(send: Send) -> str:
    url = absolute_url(send.link)
    if send.channel == SendChannel.EMAIL:
        text = "\n\n".join(part for part in (send.body, url) if part)
        return email_send(to=[send.target], subject=send.title, body=text)
    lines = [f"#### {send.title}", send.body]
    if url:
        label = _("Open in Kefu")
        lines.append(f"[{label}]({url})")
    robot = send.robot
    return robot_send(robot.channel, url=robot.url, secret=robot.secret, title=send.title,
                      markdown="\n\n".join(line for line in lines if line))


@transaction.atomic
def send_retry(*, send: Send, actor, now: datetime | None = None, request=None) -> Send:
    """Try a failed (or still pending) send again now; a sent one is not sent twice."""
    now = now or timezone.now()
    send = Send.objects.select_for_update().get(pk=send.pk)
    if send.status == SendStatus.SENT:
        raise Conflict(_("This message has already been sent."))
    send.status = SendStatus.PENDING
    send.next_attempt_at = now
    send.save(update_fields=["status", "next_attempt_at"])
    audit_record(actor=actor, action="notify.send_retry", target=send, request=request)
    _send_enqueue(send, now)
    return send


def notify_tick(now: datetime | None = None) -> dict:
    """Enqueue the sends whose next attempt has come. Safe to run any number of times."""
    now = now or timezone.now()
    enqueued = 0
    with transaction.atomic():
        due = Send.objects.filter(status=SendStatus.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at", "id")
        for send in due:
            _send_enqueue(send, now)
            enqueued += 1
    return {"enqueued": enqueued}


# ---- the inbox ------------------------------------------------------------------------


def notification_read(*, notification: Notification, now: datetime | None = None) -> Notification:
    """Mark one notification read (opening it does); reading it again changes nothing."""
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_read_all(*, user, now: datetime | None = None) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now or timezone.now())


@transaction.atomic
def preferences_save(*, user, choices: dict[str, dict[str, bool]]) -> None:
    """Store ``{event: {"in_app": bool, "email": bool, "robot": bool}}`` for ``user``; a
    channel left out keeps its current value (or the event's default)."""
    unknown = set(choices) - set(EVENTS)
    if unknown:
        raise ValidationError(_("Unknown event: %(event)s") % {"event": ", ".join(sorted(unknown))})
    current = {row.event: row for row in NotificationPreference.objects.filter(user=user, event__in=choices)}
    for event, values in choices.items():
        row = current.get(event)
        merged = {c: getattr(row, c) if row else event_get(event).default(c) for c in CHANNELS}
        merged |= {c: bool(v) for c, v in values.items() if c in CHANNELS}
        NotificationPreference.objects.update_or_create(user=user, event=event, defaults=merged)


# ---- group robots ---------------------------------------------------------------------


def _robot_clean(robot: RobotEndpoint) -> None:
    robot.url = (robot.url or "").strip()
    if robot.channel not in RobotChannel.values:
        raise ValidationError(_("Choose a robot platform."), detail={"field": "channel"})
    try:
        webhook_validate(robot.channel, robot.url)
    except DjangoValidationError as error:
        raise ValidationError(" ".join(error.messages), detail={"field": "url"}) from None
    if not robot.name.strip():
        raise ValidationError(_("Give the robot a name."), detail={"field": "name"})


def _robot_audit(robot: RobotEndpoint) -> dict:
    # Never the URL or the secret: both are the robot's credentials.
    return {"name": robot.name, "channel": robot.channel, "shop": robot.shop_id, "active": robot.active}


@transaction.atomic
def robot_endpoint_create(*, actor, request=None, **fields) -> RobotEndpoint:
    unknown = set(fields) - set(ROBOT_FIELDS)
    if unknown:
        raise ValueError(f"unknown robot field(s): {', '.join(sorted(unknown))}")
    robot = RobotEndpoint(created_by=actor, **fields)
    _robot_clean(robot)
    robot.save()
    audit_record(actor=actor, action="notify.robot_create", target=robot, detail=_robot_audit(robot), request=request)
    return robot


@transaction.atomic
def robot_endpoint_update(*, robot: RobotEndpoint, actor, request=None, **changes) -> RobotEndpoint:
    """Change a robot. A blank ``secret`` keeps the stored one."""
    unknown = set(changes) - set(ROBOT_FIELDS)
    if unknown:
        raise ValueError(f"unknown robot field(s): {', '.join(sorted(unknown))}")
    if not changes.get("secret"):
        changes.pop("secret", None)
    for name, value in changes.items():
        setattr(robot, name, value)
    _robot_clean(robot)
    robot.save()
    audit_record(actor=actor, action="notify.robot_update", target=robot, detail=_robot_audit(robot), request=request)
    return robot


@transaction.atomic
def robot_endpoint_deactivate(*, robot: RobotEndpoint, actor, request=None) -> RobotEndpoint:
    """A deactivated robot gets nothing more (its log stays); editing can switch it back on."""
    robot.active = False
    robot.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action="notify.robot_deactivate", target=robot, detail=_robot_audit(robot),
                 request=request)
    return robot


@transaction.atomic
def robot_endpoint_test(*, robot: RobotEndpoint, actor, request=None) -> Send:
    """Send the robot a test message now (through ``notify``, so it is logged like any other)."""
    if not robot.active:
        raise Conflict(_("This robot is deactivated."))
    created = notify(
        event="notify.test",
        title=_("Kefu test message"),
        body=_("%(name)s can receive Kefu notifications.") % {"name": robot.name},
        robots=[robot],
        shop=robot.shop,
    )
    sends = [row for row in created if isinstance(row, Send)]
    if not sends:
        raise Conflict(_("Robot messages of test messages are off in your notification preferences."))
    audit_record(actor=actor, action="notify.robot_test", target=robot, request=request)
    return sends[0]
