"""Two people transition the same ticket at the same moment (PostgreSQL: real row locks).
One wins; the other gets a clear Conflict; the events match the versions, none lost."""

import threading

import pytest
from django.db import connection, connections

from kefu.core.errors import Conflict
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.services import ticket_create, ticket_transition

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_simultaneous_transitions_one_wins_one_conflicts(shop, s1_supervisor, supervisor):
    ticket = ticket_create(shop=shop, type="complaint", title="并发", actor=s1_supervisor)
    barrier = threading.Barrier(2)
    results = {}

    def attempt(name, user, to_status):
        try:
            barrier.wait(timeout=10)
            done = ticket_transition(ticket=Ticket(pk=ticket.pk), to_status=to_status, actor=user, expected_version=1)
            results[name] = ("ok", done.status)
        except Conflict as error:
            results[name] = ("conflict", str(error.message))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=("supervisor", s1_supervisor, "in_progress")),
        threading.Thread(target=attempt, args=("other", supervisor, "escalated")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    outcomes = sorted(result[0] for result in results.values())
    assert outcomes == ["conflict", "ok"], results
    loser = next(r for r in results.values() if r[0] == "conflict")
    assert "刷新" in loser[1]  # a clear message: reload and try again
    ticket.refresh_from_db()
    winner = next(r for r in results.values() if r[0] == "ok")
    assert ticket.status == winner[1] and ticket.version == 2
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("id").values_list("kind", "version", "to_status"))
    assert events == [("created", 1, "new"), ("transitioned", 2, winner[1])]
