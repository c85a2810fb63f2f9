"""Customers of a shop, with their personal data (shown masked, see ``kefu.customers.masking``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.fields import EncryptedTextField
from kefu.core.models import SourceRecord


class Customer(SourceRecord):
    """A buyer of one shop (the ``customer`` record). Phone and address are personal data."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE)
    nick = models.CharField(_("nickname"), max_length=200, blank=True)
    vip_level = models.CharField(_("VIP level"), max_length=32, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # Personal data: encrypted at rest, shown masked (kefu.customers.masking).
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["shop", "ext_id"]
        constraints = [models.UniqueConstraint(fields=["ext_id", "shop"], name="customer_shop_ext_id_unique")]

    def __str__(self) -> str:
        return self.nick or self.ext_id
