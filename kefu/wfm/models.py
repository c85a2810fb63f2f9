"""Rosters (排班表) in the database: a shop's week of shifts, planned from its own forecast,
edited by hand, published to the agents; agents' leave and swap requests on published shifts.

Times are stored in UTC and shown in the shop's timezone; a roster's week starts on a
Monday at 00:00 shop time.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class RequestKind(models.TextChoices):
    LEAVE = "leave", _("Leave")
    SWAP = "swap", _("Swap")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ScheduleRules(models.Model):
    """A shop's scheduling rules: the RULES.json of ``kefu schedule`` (shift types, breaks,
    labour rules). A shop without a row uses the defaults of ``kefu.wfm.selectors``."""

    shop = models.OneToOneField("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE,
                                related_name="schedule_rules")
    rules = models.JSONField(_("rules"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("scheduling rules")
        verbose_name_plural = _("scheduling rules")
        ordering = ["shop"]

    def __str__(self) -> str:
        return str(self.shop)


class Roster(models.Model):
    """One planned week of a shop: the inputs it was made from (forecast, staffing and the
    rules), the optimiser's summary, and its status (draft → published → superseded)."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="rosters")
    week_start = models.DateField(_("week start"))
    status = models.CharField(_("status"), max_length=12, choices=RosterStatus.choices, default=RosterStatus.DRAFT)
    interval_minutes = models.PositiveSmallIntegerField(_("interval (minutes)"), default=30)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    forecast_params = models.JSONField(_("forecast parameters"), default=dict, blank=True)
    staffing_params = models.JSONField(_("staffing parameters"), default=dict, blank=True)
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    cost = models.FloatField(_("cost"), default=0)
    optimal = models.BooleanField(_("proven optimal"), default=False)
    gap = models.FloatField(_("optimality gap"), default=0)
    shortfall = models.PositiveIntegerField(_("shortfall (agent-intervals)"), default=0)
    unassigned = models.PositiveIntegerField(_("unassigned shifts"), default=0)

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        ordering = ["-week_start", "-id"]
        permissions = [
            ("manage_schedules", "Can plan, edit and publish rosters and decide shift requests"),
            ("view_own_shifts", "Can see their own published shifts and request leave or swaps"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["shop", "week_start"], condition=models.Q(status="published"),
                                    name="wfm_roster_one_published_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.shop} {self.week_start:%Y-%m-%d}"


class RosterRequirement(models.Model):
    """One interval of the roster's week: the forecast volume and the agents it needs."""

    roster = models.ForeignKey(Roster, verbose_name=_("roster"), on_delete=models.CASCADE, related_name="requirements")
    start = models.DateTimeField(_("interval start"))
    volume = models.FloatField(_("forecast volume"))
    aht = models.FloatField(_("handle time (seconds)"), null=True, blank=True)
    agents_required = models.PositiveIntegerField(_("agents required"))

    class Meta:
        verbose_name = _("roster requirement")
        verbose_name_plural = _("roster requirements")
        ordering = ["roster", "start"]
        constraints = [models.UniqueConstraint(fields=["roster", "start"], name="wfm_requirement_unique")]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} {self.agents_required}"


class RosterShift(models.Model):
    """One shift of a roster, worked by an agent (or unassigned: nobody could take it)."""

    roster = models.ForeignKey(Roster, verbose_name=_("roster"), on_delete=models.CASCADE, related_name="shifts")
    agent = models.ForeignKey("accounts.Agent", verbose_name=_("agent"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="roster_shifts")
    shift_type = models.CharField(_("shift type"), max_length=40)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    breaks = models.JSONField(_("breaks"), default=list, blank=True)
    paid_minutes = models.PositiveIntegerField(_("paid minutes"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start", "shift_type", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                              name="wfm_shift_ends_after_start")]
        indexes = [models.Index(fields=["roster", "agent"], name="wfm_shift_roster_agent")]

    def __str__(self) -> str:
        return f"{self.shift_type} {self.start:%Y-%m-%d %H:%M}"


class ShiftRequest(models.Model):
    """An agent's request on one of their published shifts: leave (the shift becomes
    unassigned) or a swap (a named colleague takes it). The supervisor's decision re-checks
    coverage and the labour rules; ``check`` keeps what that check found."""

    kind = models.CharField(_("kind"), max_length=8, choices=RequestKind.choices)
    requester = models.ForeignKey("accounts.Agent", verbose_name=_("requester"), on_delete=models.CASCADE,
                                  related_name="shift_requests")
    shift = models.ForeignKey(RosterShift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="requests")
    target_agent = models.ForeignKey("accounts.Agent", verbose_name=_("colleague"), null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="shift_requests_received")
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    check_result = models.JSONField(_("re-check result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("shift request")
        verbose_name_plural = _("shift requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind="leave", target_agent__isnull=True)
                                   | models.Q(kind="swap", target_agent__isnull=False),
                                   name="wfm_request_swap_names_colleague"),
            models.UniqueConstraint(fields=["shift"], condition=models.Q(status="pending"),
                                    name="wfm_request_one_pending_per_shift"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.shift}"
