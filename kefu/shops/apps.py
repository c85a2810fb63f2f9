"""App config of kefu.shops."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopsConfig(AppConfig):
    name = "kefu.shops"
    label = "shops"
    verbose_name = _("Shops")
