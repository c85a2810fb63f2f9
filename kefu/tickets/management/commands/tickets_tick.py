"""``kefu tickets_tick``: run the ticket tick once (automatic tickets, SLA states)."""

from django.core.management.base import BaseCommand

from kefu.tickets.sla import tickets_tick


class Command(BaseCommand):
    help = "Open the automatic tickets of newly imported data and move the tickets' SLA states, once."

    def handle(self, *args, **options):
        result = tickets_tick()
        self.stdout.write(f"tickets opened: {result['created']}, SLA states changed: {result['sla_changed']}")
