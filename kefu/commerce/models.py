"""Orders, after-sales (售后), reviews (评价) and logistics events (物流)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import SourceRecord, unresolved_reference_index


class AfterSaleKind(models.TextChoices):
    REFUND = "refund", _("Refund")
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    REPAIR = "repair", _("Repair")
    RESHIP = "reship", _("Reship")


class AfterSaleStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class LogisticsStatus(models.TextChoices):
    SHIPPED = "shipped", _("Shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    STALLED = "stalled", _("Stalled")
    LOST = "lost", _("Lost")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    RETURNED = "returned", _("Returned")
    DELIVERED = "delivered", _("Delivered")


class Order(SourceRecord):
    """An order of a shop's customer. ``amount`` is in yuan, exact."""

    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, db_index=False  # leads an index in Meta
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL,
        db_index=False,  # leads an index in Meta
    )
    customer_ext = models.CharField(_("customer id"), max_length=128)
    created_at = models.DateTimeField(_("created"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=32, blank=True)
    items = models.JSONField(_("items"), default=list, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["ext_id", "shop"], name="order_shop_ext_id_unique")]
        indexes = [
            models.Index(fields=["shop", "created_at"], name="order_shop_created"),
            models.Index(fields=["customer", "created_at"], name="order_customer_created"),
            models.Index(fields=["shop", "customer_ext"], name="order_shop_customer_ext"),
            unresolved_reference_index("customer", "order_customer_unresolved"),
        ]


class AfterSale(SourceRecord):
    """An after-sale case (refund, return, exchange, repair, reship) of an order."""

    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, db_index=False  # leads an index in Meta
    )
    order = models.ForeignKey(Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL)
    order_ext = models.CharField(_("order id"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=AfterSaleKind.choices)
    opened_at = models.DateTimeField(_("opened"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AfterSaleStatus.choices, default=AfterSaleStatus.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    platform_intervened = models.BooleanField(_("platform intervened"), default=False)
    judged_against_seller = models.BooleanField(_("judged against seller"), default=False)

    class Meta:
        verbose_name = _("after-sale")
        verbose_name_plural = _("after-sales")
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["ext_id", "shop"], name="aftersale_shop_ext_id_unique")]
        indexes = [
            models.Index(fields=["shop", "opened_at"], name="aftersale_shop_opened"),
            models.Index(fields=["shop", "order_ext"], name="aftersale_shop_order_ext"),
            unresolved_reference_index("order", "as_order_unresolved"),
        ]


class Review(SourceRecord):
    """A product review (评价) of an order, rated 1-5."""

    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, db_index=False  # leads an index in Meta
    )
    order = models.ForeignKey(Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL)
    order_ext = models.CharField(_("order id"), max_length=128)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL
    )
    customer_ext = models.CharField(_("customer id"), max_length=128, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"))
    created_at = models.DateTimeField(_("created"))
    sku = models.CharField(_("SKU"), max_length=128, blank=True)
    text = models.TextField(_("text"), blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ext_id", "shop"], name="review_shop_ext_id_unique"),
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_5"),
        ]
        indexes = [
            models.Index(fields=["shop", "created_at"], name="review_shop_created"),
            models.Index(fields=["shop", "order_ext"], name="review_shop_order_ext"),
            unresolved_reference_index("order", "review_order_unresolved"),
            unresolved_reference_index("customer", "review_customer_unresolved"),
        ]


class LogisticsEvent(SourceRecord):
    """A logistics status change of an order's parcel."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL, db_index=False  # leads an index in Meta
    )
    order_ext = models.CharField(_("order id"), max_length=128)
    at = models.DateTimeField(_("time"))
    status = models.CharField(_("status"), max_length=16, choices=LogisticsStatus.choices)
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("logistics event")
        verbose_name_plural = _("logistics events")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["ext_id", "shop"], name="logistics_shop_ext_id_unique")]
        indexes = [
            models.Index(fields=["order", "at"], name="logistics_order_at"),
            unresolved_reference_index("order", "logi_order_unresolved"),
        ]
