"""Quality inspection (质检): rules as versioned data, each conversation's inspection and
its findings (spec/qa.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class RuleKind(models.TextChoices):
    KEYWORD = "keyword", _("Word list")
    REGEX = "regex", _("Regular expression")
    SLOW_REPLY = "slow_reply", _("Response delay")
    MISSED_QUESTION = "missed_question", _("Unanswered question")
    NO_GREETING = "no_greeting", _("Missing greeting")
    NO_CLOSING = "no_closing", _("Missing closing")
    UNRESOLVED_COMPLAINT = "unresolved_complaint", _("Complaint left unresolved")


class Target(models.TextChoices):
    HUMAN_REPLIES = "human_replies", _("Agents' replies")
    CUSTOMER_MESSAGES = "customer_messages", _("Customers' messages")
    FIRST_HUMAN_REPLY = "first_human_reply", _("First reply")
    LAST_HUMAN_REPLY = "last_human_reply", _("Last reply")
    BURSTS = "bursts", _("Questions")
    CONVERSATION = "conversation", _("Whole conversation")


class Rule(models.Model):
    """One version of a rule. Rows are never changed: an edit writes the next version, so a
    finding names exactly the rule that made it. ``shop`` empty: the default of every shop
    without a version of its own."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.CASCADE)
    key = models.SlugField(_("key"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=RuleKind.choices)
    target = models.CharField(_("looks at"), max_length=32, choices=Target.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("changed"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection rule")
        verbose_name_plural = _("inspection rules")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "key", "version"], name="qa_rule_version_unique"),
            models.UniqueConstraint(
                fields=["key", "version"], condition=models.Q(shop__isnull=True), name="qa_default_rule_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Inspection(models.Model):
    """The automatic inspection of one conversation (the latest; re-inspection replaces it)."""

    conversation = models.OneToOneField(
        "conversations.Conversation", verbose_name=_("conversation"), on_delete=models.CASCADE,
        related_name="inspection",
    )
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, db_index=False)
    # The conversation's first customer message, and its shop-local day, week and month
    # (metrics.md: a conversation belongs to the period of its first customer message).
    start = models.DateTimeField(_("started"))
    day = models.DateField(_("day"))
    week = models.DateField(_("week"))
    month = models.DateField(_("month"))
    agent = models.ForeignKey(
        "accounts.Agent", verbose_name=_("agent"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # the conversation's last replier: whose service the score judges
    score = models.PositiveSmallIntegerField(_("score"))
    flagged = models.BooleanField(_("needs review"), default=False)  # a critical finding
    last_message_at = models.DateTimeField(_("last message"))  # what was inspected
    inspected_at = models.DateTimeField(_("inspected"))

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["shop", "day"], name="qa_inspection_shop_day"),
            models.Index(fields=["agent", "day"], name="qa_inspection_agent_day"),
        ]


class FindingStatus(models.TextChoices):
    PENDING = "pending", _("Not reviewed")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="findings")
    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="findings")
    rule_key = models.SlugField(_("rule"), max_length=64)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    deduction = models.PositiveSmallIntegerField(_("deduction"))
    message_ids = models.JSONField(_("messages"), default=list)  # source ids, in conversation order
    evidence = models.CharField(_("evidence"), max_length=500)
    agent = models.ForeignKey(
        "accounts.Agent", verbose_name=_("agent"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("review"), max_length=16, choices=FindingStatus.choices,
                              default=FindingStatus.PENDING)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "id"]
        indexes = [models.Index(fields=["rule_key", "status"], name="qa_finding_rule_status")]
