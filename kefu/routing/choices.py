"""The fixed vocabularies of routing (分流)."""

from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Strategy(models.TextChoices):
    LEAST_LOAD = "least_load", _("Least load")
    ROUND_ROBIN = "round_robin", _("Round robin")


class AssignmentReason(models.TextChoices):
    ROUTED = "routed", pgettext_lazy("assignment reason", "Routed")
    STICKY = "sticky", pgettext_lazy("assignment reason", "Returning customer")
    OVERFLOW = "overflow", pgettext_lazy("assignment reason", "Overflow")
    TRANSFER = "transfer", pgettext_lazy("assignment reason", "Transfer")
    MANUAL = "manual", pgettext_lazy("assignment reason", "Manual")


class AssignmentEnd(models.TextChoices):
    ENDED = "ended", pgettext_lazy("assignment end", "Conversation ended")
    TRANSFERRED = "transferred", pgettext_lazy("assignment end", "Transferred")
    AGENT_OFFLINE = "agent_offline", pgettext_lazy("assignment end", "Agent went offline (requeued)")
