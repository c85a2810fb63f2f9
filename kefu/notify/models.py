"""Notifications: a person's inbox, their choices of channel per event, the group robots
messages go to, and the log of every e-mail and robot message sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.fields import EncryptedTextField
from kefu.notify.choices import RobotChannel, SendChannel, SendStatus

_DEDUPED = ~models.Q(dedupe_key="")


class Notification(models.Model):
    """One item of a person's in-app inbox (站内通知): what happened (``event``), a title, an
    optional body and a link to the thing itself. Unread until opened (``read_at``).

    With a ``dedupe_key`` (e.g. a ticket's id and SLA stage) a person is told once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event", "dedupe_key"], condition=_DEDUPED, name="notify_notification_once"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notify_notification_unread")]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A person's choice for one event: in the inbox, by e-mail, and (for robots they set up)
    to group robots. Without a row the event's registered defaults apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField(_("event"), max_length=64)
    in_app = models.BooleanField(_("in-app"))
    email = models.BooleanField(_("e-mail"))
    robot = models.BooleanField(_("group robot"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user_id", "event"]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notify_preference_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.event}"


class RobotEndpoint(models.Model):
    """A DingTalk, Feishu / Lark or WeCom group robot (群机器人) that notifications can be
    posted to, for one shop or for all. ``url`` (its token is in it) and ``secret`` are
    stored encrypted; a deactivated robot gets nothing."""

    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("platform"), max_length=10, choices=RobotChannel.choices)
    url = EncryptedTextField(_("webhook URL"))
    secret = EncryptedTextField(_("signing secret"), blank=True)
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text=_("None: a robot for every shop."),
    )
    active = models.BooleanField(pgettext_lazy("robot", "active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Send(models.Model):
    """One outbound message, an e-mail to a person or a post to a group robot, with its
    attempts and outcome (the send log). ``target`` describes where it went without
    secrets: the e-mail address, or the robot's name and host.

    A failed attempt is retried at ``next_attempt_at`` (after 1, 5, then 30 minutes) until
    the attempts run out; then the send is *failed* and waits for a person's retry."""

    channel = models.CharField(_("channel"), max_length=10, choices=SendChannel.choices)
    target = models.CharField(_("sent to"), max_length=300)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    robot = models.ForeignKey(
        RobotEndpoint, verbose_name=_("group robot"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="sends",
    )
    event = models.CharField(_("event"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=SendStatus.choices, default=SendStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    response = models.TextField(_("response"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification send")
        verbose_name_plural = _("notification sends")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(recipient__isnull=False, robot__isnull=False), name="notify_send_one_addressee"
            ),
            models.UniqueConstraint(
                fields=["recipient", "channel", "event", "dedupe_key"], condition=_DEDUPED,
                name="notify_send_recipient_once",
            ),
            models.UniqueConstraint(fields=["robot", "event", "dedupe_key"], condition=_DEDUPED,
                                    name="notify_send_robot_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_send_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target}: {self.title}"
