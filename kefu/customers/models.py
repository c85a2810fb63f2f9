"""Customers of a shop, with their personal data (shown masked, see ``kefu.customers.masking``),
the tags people give them, and the saved segments (filters) used for campaign outreach."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.fields import EncryptedTextField
from kefu.core.models import SourceRecord
from kefu.customers.phones import PhoneLookupField


class Customer(SourceRecord):
    """A buyer of one shop (the ``customer`` record). Phone and address are personal data.

    ``tags`` are the tags the record was imported with; tags given in Kefu are
    ``CustomerTag`` rows; automatic tags are computed (``kefu.customers.tags``)."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE)
    nick = models.CharField(_("nickname"), max_length=200, blank=True)
    vip_level = models.CharField(_("VIP level"), max_length=32, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # Personal data: encrypted at rest, shown masked (kefu.customers.masking).
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    # Keyed hash of the normalised phone: the only way to find a customer by number.
    phone_hash = PhoneLookupField(_("phone lookup hash"))
    # Consent to marketing messages (events.md extension, docs/events-extensions.md):
    # without it a customer is never part of a campaign export.
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["shop", "ext_id"]
        constraints = [models.UniqueConstraint(fields=["ext_id", "shop"], name="customer_shop_ext_id_unique")]
        indexes = [
            models.Index(fields=["shop", "phone_hash"], name="customer_shop_phone_hash"),
            models.Index(fields=["shop", "nick"], name="customer_shop_nick"),
        ]
        permissions = [
            ("tag_customer", "Can add and remove the manual tags of customers"),
            ("manage_segments", "Can create, change and delete saved customer segments"),
            ("export_segments", "Can export a segment's consenting customers for campaign outreach"),
        ]

    def __str__(self) -> str:
        return self.nick or self.ext_id


class CustomerTag(models.Model):
    """A tag a person gave a customer in Kefu (adding and removing it is audited)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="manual_tags"
    )
    name = models.CharField(_("name"), max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("added"))

    class Meta:
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["customer", "name"], name="customer_tag_unique")]
        indexes = [models.Index(fields=["name"], name="customer_tag_name")]

    def __str__(self) -> str:
        return self.name


class Segment(models.Model):
    """A saved search of customers (its filters), for campaign outreach lists.

    ``shop`` empty: every shop of whoever uses it (always limited to that user's shops)."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
