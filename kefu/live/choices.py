from django.db import models
from django.utils.translation import gettext_lazy as _


class Disposition(models.TextChoices):
    """What the conversation was about (咨询类型), chosen by the agent when ending it."""

    PRODUCT = "product", _("Product question")
    SIZE = "size", _("Size")
    STOCK = "stock", _("Stock")
    SHIPPING = "shipping", _("Shipping")
    LOGISTICS = "logistics", _("Logistics")
    RETURN = "return", _("Return or exchange")
    COMPLAINT = "complaint", _("Complaint")
    PROMOTION = "promotion", _("Promotion or discount")
    INVOICE = "invoice", _("Invoice")
    OTHER = "other", _("Other")
