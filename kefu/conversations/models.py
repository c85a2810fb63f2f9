"""Conversations (会话) between a customer and the shop, and their messages."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import SourceRecord, unresolved_reference_index


class Stage(models.TextChoices):
    PRESALE = "presale", _("Pre-sale")
    AFTERSALE = "aftersale", _("After-sale")


class Sender(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Bot")
    SYSTEM = "system", _("System")


class Conversation(SourceRecord):
    """One chat session. References to records that have not arrived yet are kept as
    source ids (``*_ext``) and linked when the record arrives (events.md)."""

    # shop and assigned_agent lead composite indexes (Meta.indexes), so no index of their own.
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL
    )
    customer_ext = models.CharField(_("customer id"), max_length=128)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=64, blank=True)
    # The effective stage: as given, else aftersale when the conversation names an order.
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    order = models.ForeignKey(
        "commerce.Order", verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL
    )
    order_ext = models.CharField(_("order id"), max_length=128, blank=True)
    assigned_agent = models.ForeignKey(
        "accounts.Agent", verbose_name=_("assigned agent"), null=True, blank=True, on_delete=models.SET_NULL,
        db_index=False,
    )
    assigned_agent_ext = models.CharField(_("assigned agent id"), max_length=128, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ext_id", "shop"], name="conversation_shop_ext_id_unique"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="conversation_rating_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "started_at"], name="conversation_shop_started"),
            models.Index(fields=["assigned_agent", "started_at"], name="conversation_agent_started"),
            models.Index(fields=["shop", "customer_ext"], name="conversation_shop_customer"),
            unresolved_reference_index("customer", "conv_customer_unresolved"),
            unresolved_reference_index("order", "conv_order_unresolved"),
            unresolved_reference_index("assigned_agent", "conv_agent_unresolved"),
        ]


class Message(SourceRecord):
    """One message of a conversation. ``sender=agent`` with ``is_auto=False`` is a human reply."""

    # The foreign keys below without their own index lead a composite index (Meta.indexes):
    # one index less to maintain for each of a 双11 day's million messages.
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, db_index=False)
    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="messages",
        db_index=False,
    )
    sent_at = models.DateTimeField(_("sent"))
    sender = models.CharField(_("sender"), max_length=16, choices=Sender.choices)
    agent = models.ForeignKey(
        "accounts.Agent", verbose_name=_("agent"), null=True, blank=True, on_delete=models.SET_NULL
    )
    agent_ext = models.CharField(_("agent id"), max_length=128, blank=True)
    is_auto = models.BooleanField(_("automatic"), default=False)
    text = models.TextField(_("text"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "ext_id"]
        constraints = [models.UniqueConstraint(fields=["ext_id", "shop"], name="message_shop_ext_id_unique")]
        indexes = [
            models.Index(fields=["conversation", "sent_at"], name="message_conversation_sent"),
            models.Index(fields=["shop", "sent_at"], name="message_shop_sent"),
            unresolved_reference_index("agent", "message_agent_unresolved"),
        ]

    @property
    def is_human_reply(self) -> bool:
        return self.sender == Sender.AGENT and not self.is_auto
