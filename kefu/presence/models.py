"""Agent presence: the timeline of each agent's status (online, busy, away, offline)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import SourceRecord


class PresenceStatus(models.TextChoices):
    ONLINE = "online", _("Online")
    BUSY = "busy", _("Busy")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentStatus(SourceRecord):
    """A status change: the agent is in ``status`` from ``at`` until their next record.

    ``shop`` is the agent's shop (empty for an agent who serves every shop)."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.CASCADE)
    agent = models.ForeignKey(
        "accounts.Agent", verbose_name=_("agent"), on_delete=models.CASCADE, db_index=False  # leads an index in Meta
    )
    at = models.DateTimeField(_("time"))
    status = models.CharField(_("status"), max_length=16, choices=PresenceStatus.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("agent status")
        verbose_name_plural = _("agent statuses")
        ordering = ["agent", "at", "ext_id"]
        constraints = [
            models.UniqueConstraint(fields=["ext_id", "shop"], name="agent_status_shop_ext_id_unique"),
            models.UniqueConstraint(
                fields=["ext_id"], condition=models.Q(shop__isnull=True), name="agent_status_shopless_ext_id_unique"
            ),
        ]
        indexes = [models.Index(fields=["agent", "at"], name="agent_status_agent_at")]
