from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    """The live side: the customer chat widget, the agent workspace and the supervisor's
    live monitor, over WebSockets (Django Channels)."""

    name = "kefu.live"
    label = "live"
    verbose_name = _("Live chat")
