"""Every transition goes through ``ticket_transition``: every disallowed (from, to) pair of
every shipped workflow is refused and writes nothing; workflow configuration is validated."""

import pytest

from kefu.core.errors import ValidationError
from kefu.tickets.choices import TicketType
from kefu.tickets.configuration import workflow_override_set
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.services import ticket_transition
from kefu.tickets.tests.factories import TicketFactory
from kefu.tickets.workflows import default_workflows, workflow_validate

pytestmark = pytest.mark.django_db

DISALLOWED = [
    (type, from_status, to_status)
    for type, workflow in default_workflows().items()
    for from_status in workflow.statuses
    for to_status in [*workflow.statuses, "no_such_status"]
    if not workflow.allows(from_status, to_status)
]
ALLOWED = [
    (type, from_status, to_status)
    for type, workflow in default_workflows().items()
    for from_status, targets in workflow.transitions.items()
    for to_status in targets
]


def test_every_type_has_a_default_workflow():
    assert set(default_workflows()) == set(TicketType.values)


@pytest.mark.parametrize(("type", "from_status", "to_status"), DISALLOWED)
def test_a_disallowed_transition_is_refused_and_writes_nothing(shop, supervisor, type, from_status, to_status):
    ticket = TicketFactory(shop=shop, type=type, status=from_status)
    with pytest.raises(ValidationError) as refused:
        ticket_transition(ticket=ticket, to_status=to_status, actor=supervisor)
    assert refused.value.code == "transition_not_allowed"
    ticket.refresh_from_db()
    assert ticket.status == from_status and ticket.version == 1
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize(("type", "from_status", "to_status"), ALLOWED)
def test_an_allowed_transition_writes_one_event(shop, supervisor, type, from_status, to_status):
    ticket = TicketFactory(shop=shop, type=type, status=from_status)
    ticket = ticket_transition(ticket=ticket, to_status=to_status, actor=supervisor)
    assert ticket.status == to_status and ticket.version == 2
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "transitioned", from_status, to_status, supervisor
    )


def _config(**changes):
    config = {
        "initial": "new",
        "transitions": {"new": ["in_progress"], "in_progress": ["closed"], "closed": []},
        "paused": [], "resolved": ["closed"], "closed": ["closed"],
    }
    config.update(changes)
    return config


@pytest.mark.parametrize("config", [
    _config(initial="nowhere"),
    _config(transitions={"new": ["gone"], "closed": []}),
    _config(transitions={"new": ["new", "closed"], "closed": []}),
    _config(transitions={"new": ["closed"], "closed": [], "orphan": ["closed"]}, labels={"orphan": "孤儿"}),
    _config(transitions={"new": ["custom"], "custom": ["closed"], "closed": []}),  # custom status without a label
    _config(closed=[]),
    _config(resolved=[]),
    _config(paused=["closed"]),
    "not a workflow",
])
def test_a_bad_workflow_is_refused(config):
    with pytest.raises(ValidationError):
        workflow_validate(config)


def test_a_shop_override_replaces_the_default(shop, supervisor):
    workflow_override_set(actor=supervisor, shop=shop, type="product_feedback", config=_config(
        transitions={"new": ["triaged", "closed"], "triaged": ["closed"], "closed": []},
        labels={"triaged": "已分诊"},
    ))
    ticket = TicketFactory(shop=shop, type="product_feedback", status="new")
    ticket = ticket_transition(ticket=ticket, to_status="triaged", actor=supervisor)
    assert ticket.status == "triaged"
    with pytest.raises(ValidationError):
        ticket_transition(ticket=ticket, to_status="new", actor=supervisor)


def test_an_override_that_strands_open_tickets_is_refused(shop, supervisor):
    TicketFactory(shop=shop, type="product_feedback", status="in_progress")
    with pytest.raises(ValidationError):
        workflow_override_set(actor=supervisor, shop=shop, type="product_feedback",
                              config=_config(transitions={"new": ["closed"], "closed": []}))
    assert Ticket.objects.count() == 1
