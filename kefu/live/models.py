"""The live chat's own state. Conversations and messages themselves are the same records
imported ones are (``kefu.conversations``); here is only what the live channel adds."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.live.choices import Disposition


def widget_secret_new() -> str:
    return secrets.token_urlsafe(32)


class WidgetSettings(models.Model):
    """A shop's chat widget: the secret its web shop signs customer tokens with, and the
    texts the customer sees."""

    shop = models.OneToOneField("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE,
                                related_name="widget_settings")
    enabled = models.BooleanField(_("enabled"), default=True)
    secret = models.CharField(_("signing secret"), max_length=64, default=widget_secret_new)
    greeting = models.CharField(_("greeting"), max_length=300, blank=True)
    rating_invitation = models.CharField(_("rating invitation"), max_length=300, blank=True)
    allowed_origins = models.TextField(
        _("allowed origins"), blank=True,
        help_text=_("The web shop addresses that may embed the widget, one per line (empty: any)."),
    )

    class Meta:
        verbose_name = _("chat widget settings")
        verbose_name_plural = _("chat widget settings")

    def __str__(self) -> str:
        return str(self.shop)

    def origins(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()]


class LiveState(models.Model):
    """What the live channel knows of one of its conversations beyond the record: read
    marks of each side, the rating invitation, the disposition (咨询类型) it ended with."""

    conversation = models.OneToOneField("conversations.Conversation", verbose_name=_("conversation"),
                                        on_delete=models.CASCADE, primary_key=True, related_name="live")
    customer_read_at = models.DateTimeField(_("customer read up to"), null=True, blank=True)
    agent_read_at = models.DateTimeField(_("agent read up to"), null=True, blank=True)
    rating_invited_at = models.DateTimeField(_("rating invited"), null=True, blank=True)
    disposition = models.CharField(_("disposition"), max_length=16, choices=Disposition.choices, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ended by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("live conversation state")
        verbose_name_plural = _("live conversation states")


class Whisper(models.Model):
    """A note to the agent on a live conversation (耳语): the customer never sees it, and it
    is not a message of the conversation, so no figure counts it."""

    conversation = models.ForeignKey("conversations.Conversation", verbose_name=_("conversation"),
                                     on_delete=models.CASCADE, related_name="whispers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("whisper")
        verbose_name_plural = _("whispers")
        ordering = ["created_at", "id"]
