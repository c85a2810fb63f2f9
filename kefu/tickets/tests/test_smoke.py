import pytest

from kefu.tickets.models import TicketEvent
from kefu.tickets.services import ticket_transition

pytestmark = pytest.mark.django_db


def test_a_ticket_opens_and_moves(open_ticket, agent_user):
    ticket = open_ticket()
    assert ticket.status == "new" and ticket.version == 1 and ticket.first_response_due
    ticket = ticket_transition(ticket=ticket, to_status="in_progress", actor=agent_user, expected_version=1)
    assert ticket.status == "in_progress" and ticket.version == 2
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == ["created", "transitioned"]
