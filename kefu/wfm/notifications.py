"""The roster events people are told about (``kefu.notify``), registered from ``AppConfig.ready``.

Kept apart from the services so that starting Django does not import the solver."""

from django.utils.translation import gettext_lazy as _

EVENTS = (
    ("wfm.roster_published", _("Roster published")),
    ("wfm.request_created", _("Shift request to decide")),
    ("wfm.request_decided", _("Shift request decided")),
)


def events_register() -> None:
    from kefu.notify.events import event_register

    for key, label in EVENTS:
        event_register(key, label, default_channels=("in_app",))
