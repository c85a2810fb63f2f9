"""An agent going offline hands their chats back to the queue; a supervisor assigns a
waiting conversation by hand; the batch route; the query ceiling of routing one."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.conversations.models import Conversation
from kefu.core.errors import ValidationError
from kefu.core.testing.factories import CustomerFactory
from kefu.presence.models import PresenceStatus
from kefu.routing.models import AgentRouting, Assignment, QueueEntry
from kefu.routing.services import (
    agent_cap_set,
    agent_status_set,
    conversation_assign,
    conversation_end,
    route_conversation,
    route_conversations,
)

pytestmark = pytest.mark.django_db


def _loads():
    return dict(AgentRouting.objects.values_list("agent__name", "active_chats"))


def test_going_offline_requeues_open_chats_at_the_front_and_they_drain_to_others(presale, agents, online,
                                                                                 conversation, now):
    online(agents[0])  # cap 2: 小美 takes two, the third waits
    first, second = (route_conversation(conversation(ext_id=n), now=now) for n in ("first", "second"))
    waiting = route_conversation(conversation(ext_id="waiting"), now=now + timedelta(seconds=1))
    assert waiting.position == 1
    ended = route_conversation(conversation(ext_id="done"), now=now)  # queued too, then ended: stays ended
    conversation_end(Conversation.objects.get(ext_id="done"), now=now)
    assert not ended.assigned
    online(agents[1], agents[2], at=now + timedelta(seconds=2))  # 小丽 takes "waiting" (cap 2, room for one more)
    assert Assignment.objects.get(conversation__ext_id="waiting", ended_at__isnull=True).agent == agents[1]
    agent_status_set(agents[2], PresenceStatus.BUSY, at=now + timedelta(seconds=3))  # only 小丽 keeps room
    late = route_conversation(conversation(ext_id="late"), now=now + timedelta(seconds=4))
    assert late.assignment.agent == agents[1]  # 小丽 now full

    agent_status_set(agents[0], PresenceStatus.OFFLINE, at=now + timedelta(minutes=1), drain=False)
    # Both of 小美's chats wait again, ahead of everything, oldest first; her load is zero.
    history = list(Assignment.objects.filter(agent=agents[0]).order_by("id").values_list("end_reason", flat=True))
    assert history == ["agent_offline", "agent_offline"]
    assert _loads()["小美"] == 0
    queued = [e.conversation.ext_id for e in QueueEntry.objects.order_by("-priority", "enqueued_at", "id")]
    assert queued == ["first", "second"]
    assert Conversation.objects.get(ext_id="first").assigned_agent is None
    assert (first.assignment.agent, second.assignment.agent) == (agents[0], agents[0])

    # 小王 back online: the queue drains to him (cap 2), the history keeps both assignments.
    online(agents[2], at=now + timedelta(minutes=2))
    assert QueueEntry.objects.count() == 0
    again = Assignment.objects.filter(conversation__ext_id="first").order_by("id")
    assert [(a.agent.name, a.end_reason) for a in again] == [("小美", "agent_offline"), ("小王", "")]
    assert _loads() == {"小美": 0, "小丽": 2, "小王": 2}


def test_going_offline_drains_at_once_to_whoever_has_room(presale, agents, online, conversation, now):
    online(agents[0], agents[1])
    chat = conversation()
    first = route_conversation(chat, now=now).assignment
    agent_status_set(first.agent, PresenceStatus.OFFLINE, at=now + timedelta(minutes=1))
    other = Assignment.objects.get(conversation=chat, ended_at__isnull=True)
    assert other.agent != first.agent and other.reason == "routed"
    assert other.wait_seconds == 0  # served at once: no wait counted
    assert _loads()[first.agent.name] == 0 and QueueEntry.objects.count() == 0


def test_away_or_busy_keeps_the_chats(presale, agents, online, conversation, now):
    online(agents[0])
    route_conversation(conversation(), now=now)
    agent_status_set(agents[0], PresenceStatus.AWAY, at=now)
    agent_status_set(agents[0], PresenceStatus.BUSY, at=now)
    assert Assignment.objects.get().ended_at is None and _loads()["小美"] == 1


def test_a_supervisor_assigns_a_waiting_conversation_by_hand(presale, agents, conversation, now, supervisor):
    agent_status_set(agents[2], PresenceStatus.BUSY, at=now)  # present, but routing gives them nothing
    chat = conversation()
    assert route_conversation(chat, now=now).position == 1
    assignment = conversation_assign(chat, agent=agents[2], actor=supervisor, now=now + timedelta(seconds=60))
    assert (assignment.agent, assignment.reason, assignment.actor) == (agents[2], "manual", supervisor)
    assert assignment.wait_seconds == 60 and not QueueEntry.objects.filter(conversation=chat).exists()
    chat.refresh_from_db()
    assert chat.assigned_agent == agents[2] and _loads()["小王"] == 1


def test_manual_assignment_goes_over_the_cap_only_when_forced(presale, agents, online, conversation, now,
                                                              supervisor):
    online(agents[0])
    agent_cap_set(agents[0], max_concurrent=1)
    route_conversation(conversation(), now=now)
    chat = conversation()
    assert not route_conversation(chat, now=now).assigned
    with pytest.raises(ValidationError) as full:
        conversation_assign(chat, agent=agents[0], actor=supervisor, now=now)
    assert full.value.code == "agent_full"
    forced = conversation_assign(chat, agent=agents[0], actor=supervisor, force=True, now=now)
    assert forced.reason == "manual" and _loads()["小美"] == 2


def test_manual_assignment_refuses_assigned_ended_offline_and_foreign(presale, agents, online, conversation, now,
                                                                      supervisor, other_shop):
    from kefu.accounts.tests.factories import AgentFactory

    online(agents[0])
    assigned = conversation()
    route_conversation(assigned, now=now)
    cases = [(assigned, agents[1], "already_assigned")]
    ended = conversation()
    conversation_end(ended, now=now)
    cases.append((ended, agents[0], "conversation_ended"))
    cases.append((conversation(), agents[2], "agent_offline"))  # never came online
    cases.append((conversation(), AgentFactory(shop=other_shop), "other_shop"))
    for chat, agent, code in cases:
        with pytest.raises(ValidationError) as error:
            conversation_assign(chat, agent=agent, actor=supervisor, now=now)
        assert error.value.code == code


def test_the_batch_routes_each_like_one_call(presale, agents, online, conversation, now):
    online(*agents)
    customer = CustomerFactory(shop=presale.shop)
    back = route_conversation(conversation(customer=customer), now=now).assignment
    chats = [conversation(customer=customer)] + [conversation() for _ in range(4)]
    results = route_conversations(chats, now=now + timedelta(seconds=1))
    assert [r.assigned for r in results] == [True] * 5  # 6 chats in all: cap 2 × 3 agents
    assert results[0].assignment.agent == back.agent and results[0].assignment.reason == "sticky"
    assert not route_conversations([conversation()], now=now)[0].assigned  # full team: it waits
    assert _loads() == {"小美": 2, "小丽": 2, "小王": 2}


def test_routing_a_new_conversation_has_a_query_ceiling(presale, agents, online, conversation, now):
    online(*agents)
    chat = conversation(customer=CustomerFactory(shop=presale.shop, ext_id="c-new"))
    with CaptureQueriesContext(connection) as queries:
        assert route_conversation(chat, now=now).assigned
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # lock+read the conversation, the shop's groups, pick+lock the agent, raise the load,
    # insert the assignment, the conversation's agent and its rollup mark.
    assert len(statements) <= 7, statements
