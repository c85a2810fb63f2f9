"""/api/v1/routing: route, status, queue, agents — for sessions and tokens, with the
forbidden cases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.accounts.roles import Role
from kefu.accounts.services import token_create
from kefu.accounts.tests.factories import AgentFactory
from kefu.core.testing.factories import ConversationFactory, ShopFactory
from kefu.presence.models import AgentStatus
from kefu.routing.services import agent_status_set, skill_group_create

pytestmark = pytest.mark.django_db
URL = "/api/v1/routing"


@pytest.fixture
def s1_supervisor(make_user, shop):
    return make_user(Role.SUPERVISOR, username="zhuguan1", display_name="王主管", shops=[shop])


@pytest.fixture
def group(shop, agent_user, other_agent_user):
    return skill_group_create(shop=shop, key="presale", name="售前",
                              members=[agent_user.agent, other_agent_user.agent])


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_supervisor_routes_a_conversation(client_for, s1_supervisor, group, agent_user):
    agent_status_set(agent_user.agent, "online")
    chat = ConversationFactory(shop=group.shop)
    response = client_for(s1_supervisor).post(f"{URL}/conversations/{chat.pk}/route", {},
                                              content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "assigned" and body["assignment"]["agent_id"] == agent_user.agent.pk
    assert body["group"] == "presale"
    queued = client_for(s1_supervisor).post(f"{URL}/conversations/{ConversationFactory(shop=group.shop).pk}/route",
                                            {"group": "presale"}, content_type="application/json").json()
    assert queued["status"] == "assigned"  # cap 5: room for more


def test_a_conversation_that_waits_gets_its_position(client, shop, group):
    token = token_create(name="widget", shop=shop, actor=None)[1]
    chat = ConversationFactory(shop=shop)
    body = client.post(f"{URL}/conversations/{chat.pk}/route", {}, content_type="application/json",
                       **_bearer(token)).json()
    assert (body["status"], body["position"], body["assignment"]) == ("queued", 1, None)
    queue = client.get(f"{URL}/queue", **_bearer(token)).json()
    assert queue["count"] == 1 and queue["items"][0]["position"] == 1 and queue["items"][0]["group"] == "presale"
    assert queue["longest_wait_seconds"] >= 0


def test_route_is_refused_to_agents_and_other_shops(client, client_for, agent_user, shop, group):
    chat = ConversationFactory(shop=shop)
    refused = client_for(agent_user).post(f"{URL}/conversations/{chat.pk}/route", {}, content_type="application/json")
    assert refused.status_code == 403
    other_token = token_create(name="other", shop=ShopFactory(ext_id="s9"), actor=None)[1]
    hidden = client.post(f"{URL}/conversations/{chat.pk}/route", {}, content_type="application/json",
                         **_bearer(other_token))
    assert hidden.status_code == 404
    assert client.post(f"{URL}/conversations/{chat.pk}/route", {}, content_type="application/json").status_code == 401


def test_an_agent_sets_their_own_status_only(client_for, agent_user, other_agent_user, s1_supervisor):
    client = client_for(agent_user)
    response = client.post(f"{URL}/agents/{agent_user.agent.pk}/status", {"status": "busy", "note": "午饭"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "busy" and response.json()["cap"] == 5
    assert AgentStatus.objects.filter(agent=agent_user.agent, status="busy", note="午饭").exists()
    other = client.post(f"{URL}/agents/{other_agent_user.agent.pk}/status", {"status": "offline"},
                        content_type="application/json")
    assert other.status_code == 403
    by_supervisor = client_for(s1_supervisor).post(f"{URL}/agents/{other_agent_user.agent.pk}/status",
                                                   {"status": "online"}, content_type="application/json")
    assert by_supervisor.status_code == 200
    bad = client.post(f"{URL}/agents/{agent_user.agent.pk}/status", {"status": "sleeping"},
                      content_type="application/json")
    assert bad.status_code in (400, 422)


def test_a_supervisor_of_another_shop_does_not_see_the_agent(client_for, make_user, other_shop, agent_user):
    outsider = make_user(Role.SUPERVISOR, username="zg2", shops=[other_shop])
    response = client_for(outsider).post(f"{URL}/agents/{agent_user.agent.pk}/status", {"status": "online"},
                                         content_type="application/json")
    assert response.status_code == 404


def test_agents_list_with_load_and_cap_and_a_query_ceiling(client_for, s1_supervisor, shop, group, agent_user):
    for n in range(8):
        agent_status_set(AgentFactory(shop=shop, name=f"客服{n}"), "online")
    agent_status_set(agent_user.agent, "online")
    client = client_for(s1_supervisor)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"{URL}/agents", {"shop": "s1"}).json()
    assert body["count"] == 10 and len(queries) <= 8  # 小丽 too (offline, in the group)
    mine = next(i for i in body["items"] if i["id"] == agent_user.agent.pk)
    assert (mine["status"], mine["active_chats"], mine["cap"]) == ("online", 0, 5)


def test_lists_are_refused_to_agents_and_scoped_to_shops(client_for, agent_user, make_user, other_shop, shop, group):
    agent = client_for(agent_user)
    assert agent.get(f"{URL}/agents").status_code == 403
    assert agent.get(f"{URL}/queue").status_code == 403
    ConversationFactory(shop=shop)
    from kefu.routing.services import route_conversation

    route_conversation(ConversationFactory(shop=shop))
    outsider = client_for(make_user(Role.SUPERVISOR, username="zg3", shops=[other_shop]))
    assert outsider.get(f"{URL}/queue").json()["count"] == 0
    assert outsider.get(f"{URL}/queue", {"shop": "s1"}).json()["count"] == 0
    lead = client_for(make_user(Role.TEAM_LEAD, username="zz", shops=[shop]))
    assert lead.get(f"{URL}/queue").json()["count"] == 1


def test_a_supervisor_assigns_a_waiting_conversation_by_hand(client_for, s1_supervisor, group, agent_user):
    from kefu.routing.services import agent_cap_set, route_conversation

    agent_status_set(agent_user.agent, "online")
    agent_cap_set(agent_user.agent, max_concurrent=1)
    route_conversation(ConversationFactory(shop=group.shop))  # 小美 now full
    chat = ConversationFactory(shop=group.shop)
    assert not route_conversation(chat).assigned
    client = client_for(s1_supervisor)
    url = f"{URL}/conversations/{chat.pk}/assign"
    full = client.post(url, {"agent_id": agent_user.agent.pk}, content_type="application/json")
    assert full.status_code == 400 and full.json()["error"]["code"] == "agent_full"
    forced = client.post(url, {"agent_id": agent_user.agent.pk, "force": True}, content_type="application/json")
    assert forced.status_code == 200, forced.content
    assert (forced.json()["reason"], forced.json()["agent_id"]) == ("manual", agent_user.agent.pk)


def test_manual_assignment_is_refused_to_agents_and_other_shops(client, client_for, agent_user, group, make_user,
                                                                other_shop):
    chat = ConversationFactory(shop=group.shop)
    body = {"agent_id": agent_user.agent.pk}
    url = f"{URL}/conversations/{chat.pk}/assign"
    assert client_for(agent_user).post(url, body, content_type="application/json").status_code == 403
    outsider = client_for(make_user(Role.SUPERVISOR, username="zg4", shops=[other_shop]))
    assert outsider.post(url, body, content_type="application/json").status_code == 404
    other_token = token_create(name="other", shop=other_shop, actor=None)[1]
    assert client.post(url, body, content_type="application/json", **_bearer(other_token)).status_code == 404
    foreign_agent = AgentFactory(shop=other_shop)
    supervisor = client_for(make_user(Role.SUPERVISOR, username="zg5", shops=[group.shop, other_shop]))
    foreign = supervisor.post(url, {"agent_id": foreign_agent.pk}, content_type="application/json")
    assert foreign.status_code == 404  # an agent of another shop is not one this conversation can go to
    assert client.post(url, body, content_type="application/json").status_code == 401
