"""The ticket events people are told about, sent through the shared notification service
(``kefu.notify``) after the transaction commits. A failing notification never undoes
the ticket change: it is logged."""

import logging

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("kefu.tickets")

EVENTS = (
    ("tickets.assigned", _("Ticket assigned to you")),
    ("tickets.commented", _("New comment on a ticket")),
    ("tickets.escalated", _("Ticket escalated")),
    ("tickets.sla_near", _("Ticket SLA near breach")),
    ("tickets.sla_breached", _("Ticket SLA breached")),
    ("tickets.automation", _("Ticket automation rule")),
)


def events_register() -> None:
    """Declare the ticket events to the notification service (from ``AppConfig.ready``)."""
    try:
        from kefu.notify.events import event_register
    except ImportError:  # the notification app is not installed
        return
    for key, label in EVENTS:
        event_register(key, label, default_channels=("in_app",))


def ticket_link(ticket) -> str:
    try:
        return reverse("tickets:detail", args=[ticket.pk])
    except NoReverseMatch:
        return f"/tickets/{ticket.pk}/"


def ticket_notify(*, ticket, event: str, title, body="", recipients=(), robots=(), dedupe_key: str = "") -> None:
    """Send after commit; recipients without a login or duplicates are dropped."""
    users, seen = [], set()
    for user in recipients:
        if user is not None and user.pk not in seen and user.is_active:
            seen.add(user.pk)
            users.append(user)
    if not users and not robots:
        return
    title, body, link, shop = str(title), str(body), ticket_link(ticket), ticket.shop

    def send():
        try:
            from kefu.notify.services import notify
        except ImportError:
            return
        try:
            notify(event=event, title=title, body=body, link=link, recipients=users, robots=tuple(robots), shop=shop,
                   dedupe_key=dedupe_key)
        except Exception:  # noqa: BLE001 - the ticket change stands; the failure is logged
            logger.exception("ticket notification %s for ticket %s failed", event, ticket.pk)

    transaction.on_commit(send)
