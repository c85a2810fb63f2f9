"""Automation rules: when → if → then, each run logged; no rule triggers another."""

import pytest

from kefu.core.errors import ValidationError
from kefu.tickets.configuration import automation_rule_save
from kefu.tickets.models import AutomationRun, Ticket
from kefu.tickets.services import ticket_transition, ticket_update
from kefu.tickets.tests.factories import AutomationRuleFactory

pytestmark = pytest.mark.django_db


def test_a_rule_on_creation_with_conditions(open_ticket, logistics, wuliu):
    rule = AutomationRuleFactory(trigger="created", conditions=[{"field": "type", "op": "eq", "value": "logistics"}],
                                 actions=[{"action": "assign", "to": "department"}, {"action": "add_tag", "tag": "物流"}])
    skipped = open_ticket(type="aftersale")
    matched = open_ticket(type="logistics", department=logistics, assignee=None)
    assert matched.assignee == wuliu and matched.tags == ["物流"]
    runs = {run.ticket_id: run for run in AutomationRun.objects.filter(rule=rule)}
    assert runs[skipped.pk].result == "skipped"
    assert runs[matched.pk].result == "applied" and runs[matched.pk].detail == [f"assign: {wuliu.pk}", "tag 物流"]
    assert skipped.assignee is not None and skipped.tags == []


def test_set_field_raise_priority_and_escalate(open_ticket, agent_user):
    AutomationRuleFactory(trigger="updated", conditions=[{"field": "details.malicious", "op": "eq", "value": True}],
                          actions=[{"action": "raise_priority"}, {"action": "escalate"},
                                   {"action": "set_field", "field": "department", "value": "operations"}])
    ticket = open_ticket(type="complaint")
    ticket = ticket_update(ticket=ticket, actor=agent_user, details={"malicious": True})
    assert ticket.priority == "high" and ticket.details["escalation_level"] == "supervisor"
    assert ticket.department.key == "operations"
    assert list(ticket.events.values_list("kind", flat=True)) == ["created", "updated", "updated", "escalated",
                                                                   "updated"]


def test_create_follow_up_once(open_ticket, agent_user):
    rule = AutomationRuleFactory(trigger="transitioned", conditions=[{"field": "status", "op": "eq", "value": "closed"}],
                                 actions=[{"action": "create_follow_up", "due_days": 3, "script": "您好，回访一下"}])
    ticket = open_ticket()
    for status in ("in_progress", "resolved", "closed"):
        ticket = ticket_transition(ticket=ticket, to_status=status, actor=agent_user)
    follow_up = Ticket.objects.get(type="follow_up")
    assert follow_up.parent == ticket and follow_up.details["script"] == "您好，回访一下"
    assert follow_up.assignee == agent_user
    assert AutomationRun.objects.filter(rule=rule, result="applied").count() == 1


def test_a_failing_rule_is_logged_and_the_change_stands(open_ticket):
    rule = AutomationRuleFactory(trigger="created", actions=[{"action": "add_tag", "tag": "先加"},
                                                              {"action": "set_field", "field": "priority",
                                                               "value": "whatever"}])
    ticket = open_ticket()
    run = AutomationRun.objects.get(rule=rule)
    assert run.result == "failed" and run.detail[-1].startswith("error")
    ticket.refresh_from_db()
    assert ticket.tags == [] and ticket.status == "new"  # the rule's partial changes are undone


def test_rules_do_not_trigger_rules(open_ticket):
    AutomationRuleFactory(trigger="created", actions=[{"action": "raise_priority"}])
    second = AutomationRuleFactory(trigger="updated", actions=[{"action": "raise_priority"}])
    ticket = open_ticket()
    assert ticket.priority == "high"
    assert not AutomationRun.objects.filter(rule=second).exists()


def test_inactive_and_other_shop_rules_do_not_run(open_ticket, other_shop):
    AutomationRuleFactory(trigger="created", active=False)
    AutomationRuleFactory(trigger="created", shop=other_shop)
    open_ticket()
    assert not AutomationRun.objects.exists()


@pytest.mark.parametrize(("trigger", "conditions", "actions"), [
    ("whenever", [], [{"action": "raise_priority"}]),
    ("created", [{"field": "colour", "op": "eq", "value": 1}], [{"action": "raise_priority"}]),
    ("created", [{"field": "type", "op": "like", "value": 1}], [{"action": "raise_priority"}]),
    ("created", [{"field": "type", "op": "in", "value": "complaint"}], [{"action": "raise_priority"}]),
    ("created", [], []),
    ("created", [], [{"action": "explode"}]),
    ("created", [], [{"action": "assign"}]),
    ("created", [], [{"action": "set_field", "field": "status", "value": "closed"}]),
    ("created", [], [{"action": "set_field", "field": "department", "value": "nowhere"}]),
])
def test_a_bad_rule_is_refused(trigger, conditions, actions):
    with pytest.raises(ValidationError):
        automation_rule_save(actor=None, name="坏规则", trigger=trigger, conditions=conditions, actions=actions)
