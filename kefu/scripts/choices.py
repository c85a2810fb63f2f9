"""The choices of the script library: a script's scope and status, the variables."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Scope(models.TextChoices):
    SHOP = "shop", pgettext_lazy("script scope", "Shop-wide")  # 全店
    PERSONAL = "personal", pgettext_lazy("script scope", "Personal")  # 个人


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("script status", "Draft")
    PENDING = "pending", pgettext_lazy("script status", "Pending approval")
    APPROVED = "approved", pgettext_lazy("script status", "Approved")
    REJECTED = "rejected", pgettext_lazy("script status", "Rejected")
    ARCHIVED = "archived", pgettext_lazy("script status", "Archived")


# The variables a script body may use, written ``{客户昵称}``; filled by ``script_render``.
VARIABLES = {
    "客户昵称": _("the customer's nickname"),
    "订单号": _("the order id"),
    "物流单号": _("the tracking number of the order's latest logistics record"),
    "商品名": _("the product name"),
    "店铺名": _("the shop name"),
    "客服昵称": _("the agent's name"),
}
