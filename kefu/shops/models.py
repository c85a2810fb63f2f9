"""Shops: the storefronts (Tmall, JD, PDD, Douyin, a web shop) the team serves."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import SourceRecord


class Platform(models.TextChoices):
    TAOBAO = "taobao", _("Taobao")
    TMALL = "tmall", _("Tmall")
    JD = "jd", _("JD")
    PDD = "pdd", _("Pinduoduo")
    DOUYIN = "douyin", _("Douyin")
    WEB = "web", _("Web shop")
    OTHER = "other", _("Other")


class Shop(SourceRecord):
    """A storefront. Its timezone cuts days, weeks and months; its service hours decide
    which questions count for response-time figures (metrics.md)."""

    name = models.CharField(_("name"), max_length=200)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    timezone = models.CharField(_("timezone"), max_length=64, default="Asia/Shanghai")
    service_hours = models.CharField(_("service hours"), max_length=11, default="00:00-24:00")
    settings = models.JSONField(_("settings"), default=dict, blank=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["ext_id"], name="shop_ext_id_unique")]

    def __str__(self) -> str:
        return self.name
