"""Ticket events reach people through the shared notification service, after commit."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kefu.notify.models import Notification
from kefu.tickets.services import ticket_assign, ticket_comment, ticket_update
from kefu.tickets.sla import sla_refresh

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_an_assignment_is_notified_after_commit(open_ticket, team_lead, other_agent_user,
                                                django_capture_on_commit_callbacks):
    ticket = open_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_assign(ticket=ticket, assignee=other_agent_user, actor=team_lead)
    note = Notification.objects.get(recipient=other_agent_user)
    assert note.event == "tickets.assigned" and ticket.title in note.title and note.link.endswith(f"{ticket.pk}/")


def test_a_breach_tells_the_assignee_and_the_team_lead_once(open_ticket, agent_user, team_lead,
                                                            django_capture_on_commit_callbacks):
    ticket = open_ticket(now=datetime(2026, 11, 9, 9, tzinfo=SH))
    assert ticket.team == team_lead.agent.team
    with django_capture_on_commit_callbacks(execute=True):
        sla_refresh(now=datetime(2026, 11, 9, 12, tzinfo=SH))
        sla_refresh(now=datetime(2026, 11, 9, 13, tzinfo=SH))
    breached = Notification.objects.filter(event="tickets.sla_breached")
    assert sorted(breached.values_list("recipient__username", flat=True)) == ["xiaomei", "zuzhang"]


def test_comments_and_escalations_are_notified(open_ticket, agent_user, team_lead, s1_supervisor,
                                               django_capture_on_commit_callbacks):
    ticket = open_ticket(type="complaint")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_comment(ticket=ticket, actor=team_lead, body="我来跟进")
        ticket_update(ticket=ticket, actor=team_lead, details={"escalation_level": "supervisor"})
    assert Notification.objects.filter(recipient=agent_user, event="tickets.commented").count() == 1
    assert Notification.objects.filter(recipient=s1_supervisor, event="tickets.escalated").count() == 1
