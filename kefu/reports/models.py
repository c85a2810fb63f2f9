"""Scheduled reports: a supervisor's subscription, and the log of each delivery."""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.fields import EncryptedTextField
from kefu.reports.choices import Channel, DeliveryStatus, ReportFormat, ReportPeriod, Weekday


class Subscription(models.Model):
    """A standing order for a report (订阅): which period, for which shops, when, and where
    to — an e-mail address with the file attached, or a DingTalk, Feishu or WeCom group
    robot that gets the summary and a link.

    Times are in the site's timezone (Asia/Shanghai). A daily report goes out every day
    at ``send_time`` and covers yesterday; a weekly one on ``weekday`` and covers the last
    complete week; a monthly one on ``month_day`` (the month's last day when it is
    shorter) and covers last month. ``target`` (a webhook URL carries the robot's token)
    and ``secret`` are stored encrypted."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
        related_name="report_subscriptions",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    period = models.CharField(_("period"), max_length=8, choices=ReportPeriod.choices, default=ReportPeriod.DAILY)
    send_time = models.TimeField(_("send at"), default=time(9, 0))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, default=Weekday.MONDAY)
    month_day = models.PositiveSmallIntegerField(
        _("day of month"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    shops = models.ManyToManyField(
        "shops.Shop", verbose_name=_("shops"), blank=True, related_name="+",
        help_text=_("None: every shop the owner works for."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    target = EncryptedTextField(_("address or webhook URL"))
    secret = EncryptedTextField(_("signing secret"), blank=True)
    format = models.CharField(_("file format"), max_length=4, choices=ReportFormat.choices, default=ReportFormat.XLSX)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    active = models.BooleanField(pgettext_lazy("subscription", "active"), default=True)
    starts_at = models.DateTimeField(
        _("scheduled from"),
        help_text=_("Deliveries are scheduled from this moment on (set when the schedule changes)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["owner_id", "period", "send_time", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="report_subscription_weekday_range"),
            models.CheckConstraint(
                condition=models.Q(month_day__gte=1, month_day__lte=31), name="report_subscription_month_day_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_period_display()} · {self.get_channel_display()}"


class Delivery(models.Model):
    """One scheduled sending of a subscription's report, with its attempts and outcome.

    ``(subscription, scheduled_for)`` is unique, so scheduling twice creates nothing new.
    A failed attempt is retried at ``next_attempt_at`` (after 1, 5, then 30 minutes)
    until the attempts run out; then the delivery is *failed* and waits for a person's
    retry."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    scheduled_for = models.DateTimeField(_("scheduled for"))
    period_start = models.DateField(_("report period"))
    status = models.CharField(_("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    response = models.TextField(_("response"), blank=True)
    manual = models.BooleanField(_("sent by hand"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "scheduled_for"], name="report_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="report_delivery_due")]

    def __str__(self) -> str:
        return f"{self.subscription} @ {timezone.localtime(self.scheduled_for):%Y-%m-%d %H:%M}"

    @property
    def period(self):
        """The period the delivered report covers (``Period``)."""
        from kefu.reports.periods import period_containing

        return period_containing(self.subscription.period, self.period_start)
