"""Ticket services: creation (by hand, from a conversation, idempotent by source), updates,
assignment, comments and first response, ask-backs, escalation, versions, bulk actions."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kefu.core.errors import Conflict, ValidationError
from kefu.core.testing.factories import ConversationFactory, OrderFactory, ShopFactory
from kefu.tickets.models import Ticket, TicketComment, TicketEvent
from kefu.tickets.selectors import ticket_detail, tickets_breaching_soon, tickets_mine, tickets_of_department
from kefu.tickets.services import (
    ticket_assign,
    ticket_comment,
    ticket_create,
    ticket_create_from_conversation,
    ticket_transition,
    ticket_update,
    tickets_bulk_assign,
    tickets_bulk_transition,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_a_ticket_from_a_conversation_links_customer_order_and_conversation(shop, agent_user):
    order = OrderFactory(shop=shop)
    conversation = ConversationFactory(shop=shop, customer=order.customer, order=order,
                                       assigned_agent=agent_user.agent)
    ticket = ticket_create_from_conversation(conversation_id=conversation.pk, actor=agent_user, type="aftersale",
                                             details={"kind": "return"})
    assert (ticket.customer, ticket.order, ticket.assignee) == (order.customer, order, agent_user)
    assert list(ticket.conversations.all()) == [conversation]
    assert ticket.team == agent_user.agent.team and ticket.details == {"kind": "return"}
    assert TicketEvent.objects.get(ticket=ticket).kind == "created"


def test_an_agent_cannot_open_a_ticket_from_someone_elses_conversation(shop, agent_user):
    conversation = ConversationFactory(shop=shop)
    from kefu.core.errors import NotFound

    with pytest.raises(NotFound):
        ticket_create_from_conversation(conversation_id=conversation.pk, actor=agent_user, type="complaint")


def test_creation_with_a_source_happens_once(shop):
    first = ticket_create(shop=shop, type="review_recovery", title="差评", source="review:1")
    again = ticket_create(shop=shop, type="review_recovery", title="差评", source="review:1")
    assert first.pk == again.pk and Ticket.objects.count() == 1


def test_details_are_validated_per_type(open_ticket):
    with pytest.raises(ValidationError):
        open_ticket(type="complaint", details={"escalation_level": "ceo"})
    with pytest.raises(ValidationError):
        open_ticket(type="logistics", details={"colour": "red"})
    with pytest.raises(ValidationError):
        open_ticket(type="platform_dispute", details={"platform_deadline": "2026-11-12T18:00:00"})  # no offset
    ticket = open_ticket(type="platform_dispute", details={
        "platform": "tmall", "platform_deadline": "2026-11-12T18:00:00+08:00",
        "evidence": [{"item": "聊天记录截图", "done": True}, {"item": "物流凭证"}],
    })
    assert ticket.details["evidence"][1] == {"item": "物流凭证", "done": False}
    assert ticket.details["outcome"] == ""


def test_links_must_belong_to_the_ticket_shop(open_ticket):
    with pytest.raises(ValidationError):
        open_ticket(order=OrderFactory(shop=ShopFactory()))


def test_update_merges_details_and_writes_the_changes(open_ticket, agent_user):
    ticket = open_ticket(type="review_recovery")
    ticket = ticket_update(ticket=ticket, actor=agent_user, expected_version=1, details={"outcome": "compensated"},
                           priority="high")
    assert ticket.details["outcome"] == "compensated" and ticket.version == 2
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert event.kind == "updated" and event.changes["priority"] == ["normal", "high"]


def test_a_stale_version_is_a_conflict_and_writes_nothing(open_ticket, agent_user):
    ticket = open_ticket()
    ticket_update(ticket=ticket, actor=agent_user, title="新标题")
    with pytest.raises(Conflict) as conflict:
        ticket_transition(ticket=ticket, to_status="in_progress", actor=agent_user, expected_version=1)
    assert conflict.value.code == "version_conflict" and "刷新" in str(conflict.value.message)
    ticket.refresh_from_db()
    assert ticket.status == "new" and TicketEvent.objects.filter(ticket=ticket).count() == 2


def test_raising_a_complaint_level_is_an_escalation(open_ticket, team_lead, agent_user):
    ticket = open_ticket(type="complaint", details={"large_order_dispute": True})
    assert ticket.details["escalation_level"] == "team_lead"
    ticket = ticket_update(ticket=ticket, actor=team_lead, details={"escalation_level": "supervisor"})
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert event.kind == "escalated" and ticket.details["large_order_dispute"] is True


def test_assigning_moves_the_team_and_writes_an_event(open_ticket, team_lead, other_agent_user):
    ticket = open_ticket()
    ticket = ticket_assign(ticket=ticket, assignee=other_agent_user, actor=team_lead)
    assert ticket.assignee == other_agent_user
    assert TicketEvent.objects.filter(ticket=ticket, kind="assigned").count() == 1


def test_a_department_answer_is_the_first_response(open_ticket, agent_user, wuliu, logistics):
    ticket = open_ticket(type="logistics", department=logistics)
    ticket_comment(ticket=ticket, actor=agent_user, body="请物流查件", kind="internal")
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None  # an internal note is not a response
    comment = ticket_comment(ticket=ticket, actor=wuliu, body="已联系快递，明天派送", kind="internal")
    ticket.refresh_from_db()
    assert comment.department == logistics and ticket.first_responded_at == comment.at
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["created", "commented", "commented", "first_response"]


def test_an_ask_back_shows_the_ticket_to_the_asked_department(open_ticket, agent_user, product, chanpin):
    ticket = open_ticket(type="aftersale")
    assert not tickets_of_department(chanpin).exists()
    from kefu.tickets.permissions import tickets_visible_to

    assert not tickets_visible_to(chanpin).filter(pk=ticket.pk).exists()
    ticket_comment(ticket=ticket, actor=agent_user, body="这个尺码偏小吗？", kind="ask_back", to_department=product)
    assert tickets_visible_to(chanpin).filter(pk=ticket.pk).exists()
    ticket_comment(ticket=ticket, actor=chanpin, body="偏小一码", kind="public")
    assert TicketComment.objects.filter(ticket=ticket).count() == 2


def test_an_empty_comment_is_refused(open_ticket, agent_user):
    with pytest.raises(ValidationError):
        ticket_comment(ticket=open_ticket(), actor=agent_user, body="  ")


def test_bulk_actions_go_through_the_single_services_and_report_each(open_ticket, team_lead, agent_user,
                                                                      other_agent_user, shop):
    one, two = open_ticket(), open_ticket()
    hidden = ticket_create(shop=ShopFactory(), type="complaint", title="别的店")
    results = tickets_bulk_assign(ticket_ids=[one.pk, two.pk, hidden.pk], assignee=other_agent_user, actor=team_lead)
    assert results[one.pk] == "ok" and results[two.pk] == "ok" and results[hidden.pk] != "ok"
    assert TicketEvent.objects.filter(kind="assigned").count() == 2
    results = tickets_bulk_transition(ticket_ids=[one.pk, two.pk], to_status="resolved", actor=team_lead)
    assert set(results.values()) != {"ok"}  # new → resolved is not allowed for after-sales
    results = tickets_bulk_transition(ticket_ids=[one.pk, two.pk], to_status="in_progress", actor=team_lead)
    assert set(results.values()) == {"ok"}


def test_lists_for_the_pages(open_ticket, agent_user, wuliu, logistics):
    mine = open_ticket()
    department = open_ticket(type="logistics", department=logistics, assignee=None)
    assert list(tickets_mine(agent_user)) == [mine]
    assert list(tickets_of_department(wuliu)) == [department]
    assert list(tickets_breaching_soon(agent_user)) == []
    detail = ticket_detail(user=agent_user, ticket_id=mine.pk)
    assert [entry.event.kind for entry in detail.timeline] == ["created"]
    assert ("in_progress", "处理中") in detail.allowed_transitions


def test_closing_sets_closed_at(open_ticket, agent_user):
    ticket = open_ticket(now=datetime(2026, 11, 9, 9, tzinfo=SH))
    for status in ("in_progress", "resolved", "closed"):
        ticket = ticket_transition(ticket=ticket, to_status=status, actor=agent_user)
    assert ticket.closed_at is not None and ticket.version == 4
