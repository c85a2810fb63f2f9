"""Metric rollups: facts derived from the raw events, one row per item a metric counts.

Pages, reports and the CLI aggregate these rows and never rescan messages. Each row
carries the shop-local day, week (Monday) and month its item belongs to (metrics.md,
"Belonging to a period"), so grouping by time is a plain GROUP BY on both databases.

The rows are rebuilt per conversation and per customer when their events change
(``kefu.metrics.rollups``): ``RollupMark`` rows say what changed and are drained by a
background task."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class _Dated(models.Model):
    """The shop-local day, week (its Monday) and month (its first day) of an item."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, db_index=False, related_name="+")
    day = models.DateField()
    week = models.DateField()
    month = models.DateField()

    class Meta:
        abstract = True


class ConversationFact(_Dated):
    """A conversation with at least one customer message. ``day`` is that of its first
    customer message (``start``)."""

    conversation = models.OneToOneField(
        "conversations.Conversation", primary_key=True, on_delete=models.CASCADE, related_name="fact"
    )
    customer_key = models.CharField(max_length=200)  # "<shop pk>:<customer source id>"
    customer_day = models.CharField(max_length=220)  # customer_key + "|" + day: a customer-day
    presale = models.BooleanField()
    start = models.DateTimeField()
    hour = models.PositiveSmallIntegerField()  # shop-local hour of ``start``, for hourly curves
    in_hours = models.BooleanField()
    last_message_at = models.DateTimeField()
    duration = models.FloatField()  # seconds, last message - first message (any sender)
    customer_messages = models.IntegerField()
    human_replies = models.IntegerField()
    first_response = models.FloatField(null=True)  # seconds; null: no first response
    first_responder = models.ForeignKey(
        "accounts.Agent", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    last_replier = models.ForeignKey("accounts.Agent", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    last_reply_at = models.DateTimeField(null=True)
    last_reply_ext = models.CharField(max_length=128, blank=True)
    assigned_agent = models.ForeignKey(
        "accounts.Agent", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    rating = models.PositiveSmallIntegerField(null=True)
    fcr = models.BooleanField(null=True)  # null: no human reply

    class Meta:
        verbose_name = _("conversation fact")
        verbose_name_plural = _("conversation facts")
        indexes = [
            models.Index(fields=["shop", "day"], name="convfact_shop_day"),
            models.Index(fields=["shop", "start"], name="convfact_shop_start"),
            models.Index(fields=["customer_key"], name="convfact_customer"),
        ]


class AgentConversationFact(_Dated):
    """An agent's part in a conversation: received (sent a human reply), and the
    customer messages of the bursts attributed to the agent."""

    fact = models.ForeignKey(ConversationFact, on_delete=models.CASCADE, related_name="agent_facts")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.CASCADE, related_name="+", db_index=False)
    start = models.DateTimeField()
    received = models.BooleanField()
    human_replies = models.IntegerField()
    attributed_customer_messages = models.IntegerField()

    class Meta:
        verbose_name = _("agent's part in a conversation")
        verbose_name_plural = _("agents' parts in conversations")
        constraints = [models.UniqueConstraint(fields=["fact", "agent"], name="agentconvfact_unique")]
        indexes = [
            models.Index(fields=["agent", "day"], name="agentconvfact_agent_day"),
            models.Index(fields=["shop", "day"], name="agentconvfact_shop_day"),
        ]


class BurstFact(_Dated):
    """A burst (一次提问): ``response`` is null when unanswered; ``agent`` as attributed."""

    fact = models.ForeignKey(ConversationFact, on_delete=models.CASCADE, related_name="bursts")
    start = models.DateTimeField()
    in_hours = models.BooleanField()
    customer_messages = models.IntegerField()
    response = models.FloatField(null=True)
    agent = models.ForeignKey("accounts.Agent", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("burst fact")
        verbose_name_plural = _("burst facts")
        indexes = [
            models.Index(fields=["shop", "day"], name="burstfact_shop_day"),
            models.Index(fields=["agent", "day"], name="burstfact_agent_day"),
        ]


class InquiryFact(_Dated):
    """An inquiry (询单): a customer-day with a pre-sale conversation."""

    customer_key = models.CharField(max_length=200)
    start = models.DateTimeField()
    hour = models.PositiveSmallIntegerField()  # shop-local hour of ``start``
    ordered = models.BooleanField(default=False)
    paid = models.BooleanField(default=False)
    agent = models.ForeignKey("accounts.Agent", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("inquiry fact")
        verbose_name_plural = _("inquiry facts")
        constraints = [models.UniqueConstraint(fields=["customer_key", "day"], name="inquiryfact_unique")]
        indexes = [models.Index(fields=["shop", "day"], name="inquiryfact_shop_day")]


class OrderFact(_Dated):
    """An order with its credit (rule 2 of Sales). ``day`` is that of ``created_at``."""

    order = models.OneToOneField("commerce.Order", primary_key=True, on_delete=models.CASCADE, related_name="fact")
    customer_key = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True)
    paid_day = models.DateField(null=True)
    paid_week = models.DateField(null=True)
    paid_month = models.DateField(null=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    driven = models.BooleanField()  # inquiry-driven (询单下单); else silent (静默下单)
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    agent = models.ForeignKey("accounts.Agent", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("order credit")
        verbose_name_plural = _("order credits")
        indexes = [
            models.Index(fields=["shop", "day"], name="orderfact_shop_day"),
            models.Index(fields=["shop", "paid_day"], name="orderfact_shop_paid_day"),
            models.Index(fields=["customer_key"], name="orderfact_customer"),
        ]


class ReviewFact(_Dated):
    review = models.OneToOneField("commerce.Review", primary_key=True, on_delete=models.CASCADE, related_name="fact")
    created_at = models.DateTimeField()
    rating = models.PositiveSmallIntegerField()
    agent = models.ForeignKey("accounts.Agent", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("review fact")
        verbose_name_plural = _("review facts")
        indexes = [models.Index(fields=["shop", "day"], name="reviewfact_shop_day")]


class AfterSaleFact(_Dated):
    """An after-sale; ``day`` is that of ``opened_at``, ``closed_*`` of ``closed_at``."""

    aftersale = models.OneToOneField(
        "commerce.AfterSale", primary_key=True, on_delete=models.CASCADE, related_name="fact"
    )
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True)
    closed_day = models.DateField(null=True)
    closed_week = models.DateField(null=True)
    closed_month = models.DateField(null=True)
    duration = models.FloatField(null=True)  # seconds, closed_at - opened_at
    platform_intervened = models.BooleanField()
    judged_against_seller = models.BooleanField()
    agent = models.ForeignKey("accounts.Agent", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("after-sale fact")
        verbose_name_plural = _("after-sale facts")
        indexes = [
            models.Index(fields=["shop", "day"], name="aftersalefact_shop_day"),
            models.Index(fields=["shop", "closed_day"], name="aftersalefact_shop_closed"),
        ]


class LevelScope(models.TextChoices):
    SHOP = "shop", _("shop")
    AGENT = "agent", _("agent")
    TEAM = "team", _("team")


class DayLevel(models.Model):
    """The second rollup level: the additive components of the metrics (kefu.metrics.engine)
    of one shop-local day, for the shop, an agent or a team (``member`` is the agent's or
    team's pk, 0 for the shop). Whole-day periods add these rows up instead of scanning the
    facts; components that are not additive over days (distinct customers over a period)
    or that depend on the as-of moment are computed from the facts at query time.

    Rebuilt from the facts for the (shop, day)s a refresh touches
    (``kefu.metrics.levels``); ``LevelState`` says whether a shop's rows can be used."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, db_index=False, related_name="+")
    day = models.DateField()
    week = models.DateField()
    month = models.DateField()
    scope = models.CharField(max_length=5, choices=LevelScope.choices)
    member = models.BigIntegerField(default=0)
    values = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            models.UniqueConstraint(fields=["shop", "scope", "day", "member"], name="daylevel_unique"),
        ]


class LevelState(models.Model):
    """Whether a shop's daily rollups are complete, and the agent-to-team assignment their
    team rows were built with (a team change makes the engine fall back to the facts for
    teams until the next refresh rebuilds them)."""

    shop = models.OneToOneField("shops.Shop", on_delete=models.CASCADE, primary_key=True, related_name="+")
    teams_digest = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("daily rollup state")
        verbose_name_plural = _("daily rollup states")


class MarkKind(models.TextChoices):
    CONVERSATION = "conversation", _("conversation")
    CUSTOMER = "customer", _("customer")
    ORDER_EXT = "order_ext", _("order")
    SHOP = "shop", _("shop")


class RollupMark(models.Model):
    """Something whose rollups are stale. Marks are drained in id order: a mark written
    while a refresh runs has a higher id and waits for the next refresh."""

    kind = models.CharField(max_length=16, choices=MarkKind.choices)
    shop_id = models.BigIntegerField()
    key = models.CharField(max_length=200)  # conversation pk, customer source id, order source id, "" for a shop

    class Meta:
        verbose_name = _("rollup mark")
        verbose_name_plural = _("rollup marks")
