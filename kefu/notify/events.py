"""The events people can be notified of, registered by the apps that raise them.

An app registers its events in its ``AppConfig.ready()``::

    event_register("tickets.escalated", _("A ticket was escalated"), default_channels=("in_app", "email"))

``default_channels`` says what a person gets when they have not chosen (the preferences
page lists every registered event): ``in_app`` (the inbox) and ``email``. Group robots are
different: the caller of ``notify()`` names them, so a robot gets every event it is named
for unless the person who set it up turned that event off (the "robot" preference, on by
default)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CHANNELS = ("in_app", "email", "robot")


@dataclass(frozen=True)
class Event:
    key: str
    label: str
    default_channels: tuple[str, ...]

    def default(self, channel: str) -> bool:
        return channel == "robot" or channel in self.default_channels


EVENTS: dict[str, Event] = {}


def event_register(key: str, label, *, default_channels=("in_app",)) -> Event:
    """Make ``key`` known (registering the same key again replaces it: ``ready()`` may run twice)."""
    unknown = set(default_channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown notification channel(s): {', '.join(sorted(unknown))}")
    event = Event(key=key, label=label, default_channels=tuple(default_channels))
    EVENTS[key] = event
    return event


def event_get(key: str) -> Event:
    try:
        return EVENTS[key]
    except KeyError:
        raise ValueError(f"unregistered notification event: {key!r} (call event_register in AppConfig.ready)") from None


def events_register() -> None:
    """The notify app's own event: a test message, to check a robot or one's e-mail."""
    event_register("notify.test", _("Test message"), default_channels=("in_app", "email"))
