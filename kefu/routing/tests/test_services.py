"""Routing rules, one per test: strategy, cap, stickiness, priority, overflow, off hours,
transfers, presence (status events, draining, automatic away)."""

from datetime import timedelta

import pytest

from kefu.accounts.tests.factories import AgentFactory
from kefu.conversations.models import Conversation
from kefu.core.errors import ValidationError
from kefu.core.testing.factories import CustomerFactory
from kefu.presence.models import AgentStatus, PresenceStatus
from kefu.routing.models import AgentRouting, Assignment, QueueEntry
from kefu.routing.selectors import queue_entries, queue_summary
from kefu.routing.services import (
    agent_activity_touch,
    agent_cap_set,
    agent_status_set,
    conversation_end,
    conversation_transfer,
    presence_auto_away,
    queue_drain,
    route_conversation,
    routing_settings_update,
    routing_tick,
    skill_group_create,
)
from kefu.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def _agent_of(result):
    return result.assignment.agent.name


def test_least_load_goes_to_the_agent_with_fewest_chats(presale, agents, online, conversation, now):
    online(*agents)
    names = [_agent_of(route_conversation(conversation(), now=now)) for _ in range(3)]
    assert sorted(names) == ["小丽", "小王", "小美"]  # one each before anyone gets a second
    conversation_end(Conversation.objects.filter(assigned_agent__name="小丽").get(), now=now)
    assert _agent_of(route_conversation(conversation(), now=now + timedelta(seconds=1))) == "小丽"


def test_round_robin_takes_turns_whatever_the_load(shop, agents, online, conversation, now):
    group = skill_group_create(shop=shop, key="rr", name="轮询", strategy="round_robin", members=agents)
    online(*agents)
    order = [_agent_of(route_conversation(conversation(), now=now + timedelta(seconds=n))) for n in range(6)]
    assert order[:3] == order[3:] and len(set(order[:3])) == 3
    # Ending 小美's chats does not make her the next one: the turn goes on.
    for c in Conversation.objects.filter(assigned_agent__name=order[0]):
        conversation_end(c, now=now + timedelta(seconds=7))
    assert _agent_of(route_conversation(conversation(), now=now + timedelta(seconds=8), group=group)) == order[0]


def test_no_agent_goes_over_the_cap_and_the_rest_wait(presale, agents, online, conversation, now):
    online(*agents)
    agent_cap_set(agents[0], max_concurrent=1)  # her own cap: 1; the others the shop's: 2
    results = [route_conversation(conversation(), now=now) for _ in range(7)]
    assigned = [r for r in results if r.assigned]
    assert len(assigned) == 5
    loads = dict(AgentRouting.objects.values_list("agent__name", "active_chats"))
    assert loads == {"小美": 1, "小丽": 2, "小王": 2}
    waiting = [r for r in results if not r.assigned]
    assert [r.position for r in waiting] == [1, 2]


def test_a_member_cap_in_the_group_overrides_the_agents_own(shop, agents, online, conversation, now):
    group = skill_group_create(shop=shop, key="vip", name="VIP", members=[(agents[0], 3)])
    online(agents[0])
    results = [route_conversation(conversation(), group=group, now=now) for _ in range(4)]
    assert [r.assigned for r in results] == [True, True, True, False]


def test_a_returning_customer_goes_back_to_the_last_agent(presale, agents, online, conversation, now):
    online(*agents)
    customer = CustomerFactory(shop=presale.shop, ext_id="c-back")
    first = route_conversation(conversation(customer=customer), now=now)
    conversation_end(first.assignment.conversation, now=now)
    for _ in range(2):  # the others now have fewer chats than her... or as many: stickiness wins anyway
        route_conversation(conversation(), now=now)
    again = route_conversation(conversation(customer=customer), now=now + timedelta(hours=1))
    assert again.assignment.agent_id == first.assignment.agent_id
    assert again.assignment.reason == "sticky"


def test_stickiness_gives_way_when_the_last_agent_is_away_or_turned_off(presale, agents, online, conversation, now):
    online(*agents)
    customer = CustomerFactory(shop=presale.shop)
    first = route_conversation(conversation(customer=customer), now=now).assignment
    agent_status_set(first.agent, PresenceStatus.AWAY, at=now)
    second = route_conversation(conversation(customer=customer), now=now).assignment
    assert second.agent_id != first.agent_id and second.reason == "routed"
    routing_settings_update(shop=presale.shop, sticky_enabled=False)
    agent_status_set(first.agent, PresenceStatus.ONLINE, at=now)
    third = route_conversation(conversation(customer=customer), now=now).assignment
    assert third.reason == "routed"


def test_vip_and_open_complaints_go_first_in_the_queue(shop, agents, conversation, now, online):
    group = skill_group_create(shop=shop, key="all", name="全部", members=[agents[0]])
    routing_settings_update(shop=shop, default_max_concurrent=1)
    plain = route_conversation(conversation(ext_id="plain"), now=now)
    assert plain.position == 1  # nobody online: it waits
    vip = route_conversation(conversation(ext_id="vip", customer=CustomerFactory(shop=shop, vip_level="V3")),
                             now=now + timedelta(seconds=1))
    angry_customer = CustomerFactory(shop=shop)
    ticket_create(shop=shop, type="complaint", title="投诉", customer=angry_customer)
    angry = route_conversation(conversation(ext_id="angry", stage="aftersale", customer=angry_customer),
                               now=now + timedelta(seconds=2))
    later = route_conversation(conversation(ext_id="later"), now=now + timedelta(seconds=3))
    assert (vip.position, angry.position, later.position) == (1, 2, 4)
    rows = queue_summary(queue_entries(shop_ids=[shop.pk]), now=now + timedelta(seconds=10))
    assert [r.entry.conversation.ext_id for r in rows.rows] == ["vip", "angry", "plain", "later"]
    assert [r.position for r in rows.rows] == [1, 2, 3, 4] and rows.longest_wait_seconds == 10
    online(agents[0], at=now + timedelta(seconds=20))
    assert Assignment.objects.get().conversation.ext_id == "vip"
    assert group.queue.count() == 3


def test_a_new_arrival_does_not_jump_the_queue(presale, agents, online, conversation, now):
    online(agents[0])
    agent_cap_set(agents[0], max_concurrent=1)
    route_conversation(conversation(), now=now)
    waiting = route_conversation(conversation(), now=now)
    assert waiting.position == 1
    conversation_end(Assignment.objects.get().conversation, now=now + timedelta(seconds=30))
    waiting.entry.refresh_from_db() if QueueEntry.objects.filter(pk=waiting.entry.pk).exists() else None
    assert Assignment.objects.filter(ended_at__isnull=True).get().conversation_id == waiting.entry.conversation_id
    assert Assignment.objects.filter(ended_at__isnull=True).get().wait_seconds == 30


def test_overflow_to_another_group_after_n_seconds(shop, agents, online, conversation, now):
    vip = skill_group_create(shop=shop, key="vip", name="VIP", members=[agents[1]])
    presale = skill_group_create(shop=shop, key="presale", name="售前", stage="presale", members=[agents[0]],
                                 overflow_group=vip, overflow_after_seconds=60)
    online(agents[1])  # only the VIP group has someone
    waiting = route_conversation(conversation(), now=now)
    assert waiting.entry.group == presale
    assert queue_drain(now + timedelta(seconds=59)) == {"overflowed": 0, "assigned": 0}
    assert queue_drain(now + timedelta(seconds=60)) == {"overflowed": 1, "assigned": 1}
    assignment = Assignment.objects.get()
    assert (assignment.agent, assignment.group, assignment.reason, assignment.wait_seconds) == (
        agents[1], vip, "overflow", 60)


def test_off_hours_queue_with_the_message_and_are_served_when_hours_begin(shop, presale, agents, online,
                                                                          conversation, now):
    shop.service_hours = "09:00-18:00"
    shop.save()
    routing_settings_update(shop=shop, off_hours_message="下班啦，明早九点回复您", auto_away_minutes=0)
    online(*agents)
    night = now + timedelta(hours=10)  # 22:00 in Shanghai
    result = route_conversation(conversation(), now=night)
    assert not result.assigned and result.off_hours and result.message == "下班啦，明早九点回复您"
    assert result.position == 1
    assert routing_tick(night + timedelta(hours=1))["assigned"] == 0
    morning = now + timedelta(hours=21)  # 09:00 the next day
    assert routing_tick(morning)["assigned"] == 1


def test_transfer_to_an_agent_and_to_a_group_keeps_the_history(shop, presale, agents, online, conversation, now,
                                                               supervisor):
    online(*agents)
    aftersale = skill_group_create(shop=shop, key="aftersale", name="售后", stage="aftersale", members=[agents[2]])
    chat = conversation()
    first = route_conversation(chat, now=now).assignment
    target = next(a for a in agents if a != first.agent)
    moved = conversation_transfer(chat, to_agent=target, actor=supervisor, now=now + timedelta(minutes=1))
    assert moved.assignment.agent == target and moved.assignment.reason == "transfer"
    regrouped = conversation_transfer(chat, to_group=aftersale, now=now + timedelta(minutes=2))
    assert regrouped.assignment.agent == agents[2] and regrouped.assignment.group == aftersale
    history = list(Assignment.objects.filter(conversation=chat).values_list("agent__name", "reason", "end_reason"))
    assert history == [(first.agent.name, "routed", "transferred"), (target.name, "transfer", "transferred"),
                       ("小王", "transfer", "")]
    loads = dict(AgentRouting.objects.values_list("agent__name", "active_chats"))
    assert loads == {"小美": 0, "小丽": 0, "小王": 1}
    chat.refresh_from_db()
    assert chat.assigned_agent == agents[2]


def test_transfer_refuses_an_offline_or_full_agent(presale, agents, online, conversation, now):
    online(agents[0], agents[1])
    agent_cap_set(agents[1], max_concurrent=1)
    route_conversation(conversation(), now=now)  # 小美 (least load, lowest id)
    chat = conversation()
    second = route_conversation(chat, now=now).assignment  # 小丽 now full
    assert second.agent == agents[1]
    other = conversation()
    route_conversation(other, now=now)
    with pytest.raises(ValidationError) as full:
        conversation_transfer(other, to_agent=agents[1], now=now)
    assert full.value.code == "agent_full"
    with pytest.raises(ValidationError) as offline:
        conversation_transfer(other, to_agent=agents[2], now=now)
    assert offline.value.code == "agent_offline"


def test_coming_online_drains_the_queue(presale, agents, online, conversation, now):
    waiting = [route_conversation(conversation(), now=now) for _ in range(3)]
    assert [w.position for w in waiting] == [1, 2, 3]
    online(agents[0], at=now + timedelta(seconds=5))  # cap 2: takes the first two
    assert Assignment.objects.filter(agent=agents[0]).count() == 2
    assert QueueEntry.objects.get().conversation_id == waiting[2].entry.conversation_id


def test_ending_a_conversation_drains_the_queue(presale, agents, online, conversation, now):
    online(agents[0])
    agent_cap_set(agents[0], max_concurrent=1)
    busy = route_conversation(conversation(), now=now)
    route_conversation(conversation(), now=now)
    conversation_end(busy.assignment.conversation, now=now + timedelta(seconds=3))
    assert QueueEntry.objects.count() == 0
    assert AgentRouting.objects.get(agent=agents[0]).active_chats == 1
    ended = Conversation.objects.get(pk=busy.assignment.conversation_id)
    assert ended.ended_at == now + timedelta(seconds=3)
    assert conversation_end(ended, now=now) is None  # twice: nothing more happens


def test_routing_an_assigned_conversation_returns_the_same_assignment(presale, agents, online, conversation, now):
    online(*agents)
    chat = conversation()
    assert route_conversation(chat, now=now).assignment == route_conversation(chat, now=now).assignment
    assert Assignment.objects.count() == 1


def test_status_changes_are_agent_status_events(agents, now):
    agent_status_set(agents[0], PresenceStatus.ONLINE, at=now)
    agent_status_set(agents[0], PresenceStatus.ONLINE, at=now + timedelta(minutes=1))  # no change: no event
    agent_status_set(agents[0], PresenceStatus.BUSY, at=now + timedelta(minutes=2), note="开会")
    rows = list(AgentStatus.objects.filter(agent=agents[0]).order_by("at"))
    assert [(r.status, r.note, r.shop_id) for r in rows] == [("online", "", agents[0].shop_id),
                                                             ("busy", "开会", agents[0].shop_id)]
    assert all(r.ext_id.startswith("kefu-") and len(r.ext_id) > 20 for r in rows)
    assert AgentRouting.objects.get(agent=agents[0]).status == "busy"
    with pytest.raises(ValidationError):
        agent_status_set(agents[0], "sleeping")


def test_idle_agents_become_away_automatically(shop, agents, now):
    routing_settings_update(shop=shop, auto_away_minutes=10)
    agent_status_set(agents[0], PresenceStatus.ONLINE, at=now)
    agent_status_set(agents[1], PresenceStatus.ONLINE, at=now)
    agent_activity_touch(agents[1], at=now + timedelta(minutes=8))
    assert presence_auto_away(now + timedelta(minutes=9)) == 0
    assert presence_auto_away(now + timedelta(minutes=10)) == 1
    assert dict(AgentRouting.objects.values_list("agent__name", "status")) == {"小美": "away", "小丽": "online"}
    event = AgentStatus.objects.filter(agent=agents[0]).latest("at")
    assert (event.status, event.note) == ("away", "auto away")
    assert routing_tick(now + timedelta(minutes=18))["away"] == 1


def test_groups_are_chosen_by_tags_vip_and_stage(shop, agents, online, conversation, now):
    presale = skill_group_create(shop=shop, key="presale", name="售前", stage="presale", members=[agents[0]])
    aftersale = skill_group_create(shop=shop, key="aftersale", name="售后", stage="aftersale", members=[agents[1]])
    vip = skill_group_create(shop=shop, key="vip", name="VIP", for_vip=True, members=[agents[2]])
    wholesale = skill_group_create(shop=shop, key="b2b", name="批发", customer_tags=["批发"], members=[agents[2]])
    cases = [
        (conversation(stage="presale"), presale),
        (conversation(stage="aftersale"), aftersale),
        (conversation(customer=CustomerFactory(shop=shop, vip_level="V1")), vip),
        (conversation(customer=CustomerFactory(shop=shop, vip_level="V1", tags=["批发"])), wholesale),
    ]
    for chat, group in cases:
        assert route_conversation(chat, now=now).entry.group == group


def test_a_shop_without_groups_is_refused_clearly(shop, conversation, now):
    with pytest.raises(ValidationError) as error:
        route_conversation(conversation(), now=now)
    assert error.value.code == "no_skill_group"


def test_an_inactive_agent_gets_nothing(presale, agents, online, conversation, now):
    online(agents[0])
    agents[0].active = False
    agents[0].save()
    assert not route_conversation(conversation(), now=now).assigned
    assert AgentFactory._meta.model.objects.filter(assignments__isnull=False).count() == 0
