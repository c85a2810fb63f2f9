"""The fixed vocabularies of notifications: where a message goes and how its sending went."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RobotChannel(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu / Lark robot")
    WECOM = "wecom", _("WeCom robot")


class SendChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu / Lark robot")
    WECOM = "wecom", _("WeCom robot")


class SendStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery", "Pending")
    SENT = "sent", pgettext_lazy("delivery", "Sent")
    FAILED = "failed", pgettext_lazy("delivery", "Failed")
