from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "kefu.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from kefu.notify.events import events_register

        events_register()
