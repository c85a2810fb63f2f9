from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WfmConfig(AppConfig):
    """Workforce management (排班): forecast, staffing, schedules, adherence."""

    name = "kefu.wfm"
    label = "wfm"
    verbose_name = _("Workforce management")

    def ready(self) -> None:
        from kefu.wfm.notifications import events_register

        events_register()
