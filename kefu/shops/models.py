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


class Promotion(models.Model):
    """A sales promotion (大促: 双11, 618, 年货节 ...) whose service the team reviews.

    Dates are shop-local days, ``main_end`` included. The optional pre-sale (预售/预热)
    runs from ``presale_start`` up to ``main_start``. A campaign review compares the
    promotion with the same length of time before it and after it; ``after_days`` sets
    the after window instead (e.g. 7 days of after-sales). No shop: every shop."""

    name = models.CharField(_("name"), max_length=100)
    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), null=True, blank=True, on_delete=models.CASCADE, related_name="promotions",
        help_text=_("Empty: every shop."),
    )
    presale_start = models.DateField(_("pre-sale start"), null=True, blank=True)
    main_start = models.DateField(_("main start"))
    main_end = models.DateField(_("main end"), help_text=_("The last day of the main phase (included)."))
    after_days = models.PositiveSmallIntegerField(
        _("after window (days)"), null=True, blank=True,
        help_text=_("Empty: as long as the promotion (pre-sale and main phase)."),
    )

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-main_start", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(main_end__gte=models.F("main_start")), name="promotion_main_order"),
            models.CheckConstraint(
                condition=models.Q(presale_start__isnull=True) | models.Q(presale_start__lt=models.F("main_start")),
                name="promotion_presale_before_main",
            ),
            models.CheckConstraint(
                condition=models.Q(after_days__isnull=True) | models.Q(after_days__gte=1), name="promotion_after_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name
