"""Routing (分流): skill groups, each agent's live routing state, the waiting queue, and
the log of every assignment of a conversation to an agent.

Every write goes through ``kefu.routing.services``; the invariants the services keep
under concurrency (one active assignment per conversation, one queue entry per
conversation, never a negative load) are also database constraints."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.conversations.models import Stage
from kefu.presence.models import PresenceStatus
from kefu.routing.choices import AssignmentEnd, AssignmentReason, Strategy

DEFAULT_MAX_CONCURRENT = 5


class RoutingSettings(models.Model):
    """A shop's routing settings (one row per shop; a shop without one uses the defaults).
    Service hours are the shop's own (``Shop.service_hours``)."""

    shop = models.OneToOneField(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="routing_settings"
    )
    default_max_concurrent = models.PositiveSmallIntegerField(
        _("default concurrency cap"), default=DEFAULT_MAX_CONCURRENT,
        help_text=_("How many chats an agent handles at once unless their own cap says otherwise."),
    )
    sticky_enabled = models.BooleanField(_("return to the last agent"), default=True)
    sticky_window_hours = models.PositiveIntegerField(_("returning-customer window (hours)"), default=72)
    vip_priority = models.SmallIntegerField(_("VIP priority boost"), default=10)
    complaint_priority = models.SmallIntegerField(_("open complaint priority boost"), default=5)
    off_hours_message = models.TextField(
        _("off-hours message"), blank=True,
        default="您好，现在是非工作时间，我们上班后会第一时间回复您。",
    )
    auto_away_minutes = models.PositiveSmallIntegerField(
        _("automatic away after (minutes)"), default=15, help_text=_("0: never."),
    )

    class Meta:
        verbose_name = _("routing settings")
        verbose_name_plural = _("routing settings")
        ordering = ["shop"]

    def __str__(self) -> str:
        return str(self.shop)


class SkillGroup(models.Model):
    """A skill group of a shop (售前, 售后, VIP ...). A conversation goes to the most
    specific matching group: customer tags, then VIP, then stage, then a catch-all."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE,
                             related_name="skill_groups")
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True,
                             help_text=_("Empty: every stage."))
    for_vip = models.BooleanField(_("VIP customers"), default=False)
    customer_tags = models.JSONField(_("customer tags"), default=list, blank=True)
    strategy = models.CharField(_("strategy"), max_length=16, choices=Strategy.choices, default=Strategy.LEAST_LOAD)
    base_priority = models.SmallIntegerField(_("base priority"), default=0)
    overflow_group = models.ForeignKey(
        "self", verbose_name=_("overflow group"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overflow_after_seconds = models.PositiveIntegerField(_("overflow after (seconds)"), null=True, blank=True)
    members = models.ManyToManyField(
        "accounts.Agent", verbose_name=_("members"), through="SkillGroupMember", related_name="skill_groups"
    )

    class Meta:
        verbose_name = _("skill group")
        verbose_name_plural = _("skill groups")
        ordering = ["shop", "key"]
        constraints = [models.UniqueConstraint(fields=["shop", "key"], name="skill_group_shop_key_unique")]

    def __str__(self) -> str:
        return self.name


class SkillGroupMember(models.Model):
    """An agent in a skill group; ``max_concurrent`` overrides the agent's cap in this group."""

    group = models.ForeignKey(SkillGroup, verbose_name=_("skill group"), on_delete=models.CASCADE,
                              related_name="memberships")
    agent = models.ForeignKey("accounts.Agent", verbose_name=_("agent"), on_delete=models.CASCADE,
                              related_name="skill_memberships")
    max_concurrent = models.PositiveSmallIntegerField(_("concurrency cap"), null=True, blank=True,
                                                      help_text=_("Empty: the agent's own cap."))

    class Meta:
        verbose_name = _("skill group member")
        verbose_name_plural = _("skill group members")
        ordering = ["group", "agent"]
        constraints = [models.UniqueConstraint(fields=["group", "agent"], name="skill_group_member_unique")]

    def __str__(self) -> str:
        return f"{self.group} · {self.agent}"


class AgentRouting(models.Model):
    """An agent's live routing state: presence (mirror of their latest agent_status), how
    many chats they have now and their cap. Assigning locks this row."""

    agent = models.OneToOneField("accounts.Agent", verbose_name=_("agent"), on_delete=models.CASCADE,
                                 primary_key=True, related_name="routing")
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.CASCADE)
    status = models.CharField(_("status"), max_length=16, choices=PresenceStatus.choices,
                              default=PresenceStatus.OFFLINE)
    status_since = models.DateTimeField(_("status since"), null=True, blank=True)
    active_chats = models.PositiveIntegerField(_("active chats"), default=0)
    max_concurrent = models.PositiveSmallIntegerField(_("concurrency cap"), null=True, blank=True,
                                                      help_text=_("Empty: the shop's default cap."))
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent routing state")
        verbose_name_plural = _("agent routing states")
        ordering = ["agent"]
        permissions = [("manage_routing", "Can route and transfer conversations and set any agent's status")]
        indexes = [models.Index(fields=["status", "active_chats"], name="agent_routing_status_load")]

    def __str__(self) -> str:
        return f"{self.agent_id}: {self.status} {self.active_chats}"


class QueueEntry(models.Model):
    """A conversation waiting for an agent. Served by ``priority`` (higher first), then
    the time it entered the queue; the position is computed (``queue_position``)."""

    conversation = models.OneToOneField("conversations.Conversation", verbose_name=_("conversation"),
                                        on_delete=models.CASCADE, related_name="queue_entry")
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE)
    group = models.ForeignKey(SkillGroup, verbose_name=_("skill group"), on_delete=models.CASCADE,
                              related_name="queue")
    priority = models.SmallIntegerField(_("priority"), default=0)
    enqueued_at = models.DateTimeField(_("enqueued"))
    group_entered_at = models.DateTimeField(_("in this group since"))
    overflowed = models.BooleanField(_("overflowed"), default=False)
    off_hours = models.BooleanField(_("arrived off hours"), default=False)
    transfer = models.BooleanField(_("transfer"), default=False)

    class Meta:
        verbose_name = _("queue entry")
        verbose_name_plural = _("queue entries")
        ordering = ["group", "-priority", "enqueued_at", "id"]
        indexes = [models.Index(fields=["group", "-priority", "enqueued_at", "id"], name="queue_entry_order")]

    def __str__(self) -> str:
        return f"{self.conversation_id} in {self.group_id}"


class Assignment(models.Model):
    """One assignment of a conversation to an agent, kept after it ends: the history of
    routing, transfers and reassignments. At most one per conversation is active."""

    conversation = models.ForeignKey("conversations.Conversation", verbose_name=_("conversation"),
                                     on_delete=models.CASCADE, related_name="assignments", db_index=False)
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE)
    agent = models.ForeignKey("accounts.Agent", verbose_name=_("agent"), on_delete=models.CASCADE,
                              related_name="assignments", db_index=False)
    group = models.ForeignKey(SkillGroup, verbose_name=_("skill group"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    customer_ext = models.CharField(_("customer id"), max_length=128, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=AssignmentReason.choices)
    assigned_at = models.DateTimeField(_("assigned"))
    wait_seconds = models.PositiveIntegerField(_("wait (seconds)"), default=0)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=16, choices=AssignmentEnd.choices, blank=True)
    actor = models.ForeignKey("accounts.User", verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"], condition=models.Q(ended_at__isnull=True), name="assignment_one_active"
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "assigned_at"], name="assignment_conversation"),
            models.Index(fields=["agent", "assigned_at"], name="assignment_agent"),
            models.Index(fields=["shop", "customer_ext", "assigned_at"], name="assignment_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id} → {self.agent_id} ({self.reason})"
