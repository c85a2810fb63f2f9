"""Conversation pages: scoped lists, the same 404 for forbidden and missing, escaped chat text."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from kefu.accounts.roles import Role
from kefu.conversations.models import Sender
from kefu.core.testing.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_agent_list_shows_only_their_conversations(agent_client, agent_user, other_agent_user, shop):
    ConversationFactory(shop=shop, ext_id="mine-1", assigned_agent=agent_user.agent)
    ConversationFactory(shop=shop, ext_id="theirs-1", assigned_agent=other_agent_user.agent)
    html = agent_client.get(reverse("conversation_list")).content.decode()
    assert 'data-conversation="mine-1"' in html
    assert "theirs-1" not in html


def test_agent_gets_the_same_404_for_another_agents_conversation_and_a_missing_one(
    agent_client, other_agent_user, shop
):
    theirs = ConversationFactory(shop=shop, assigned_agent=other_agent_user.agent)
    forbidden = agent_client.get(reverse("conversation_detail", args=[theirs.pk]))
    missing = agent_client.get(reverse("conversation_detail", args=[theirs.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404
    assert _main(forbidden) == _main(missing)


def _main(response) -> str:
    # The page body; the layout around it differs by the URL (language switch's "next").
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


@pytest.mark.parametrize("role", [Role.LOGISTICS, Role.PRODUCT, Role.OPERATIONS])
def test_department_users_cannot_see_conversations(make_user, client_for, shop, role):
    conversation = ConversationFactory(shop=shop)
    client = client_for(make_user(role))
    assert client.get(reverse("conversation_list")).status_code == 403
    assert client.get(reverse("conversation_detail", args=[conversation.pk])).status_code == 404


def test_user_limited_to_shop_a_cannot_see_shop_b(make_user, client_for, shop, other_shop):
    client = client_for(make_user(Role.SUPERVISOR, shops=[shop]))
    theirs = ConversationFactory(shop=other_shop, ext_id="shop-b-1")
    assert "shop-b-1" not in client.get(reverse("conversation_list")).content.decode()
    assert client.get(reverse("conversation_detail", args=[theirs.pk])).status_code == 404


def test_team_lead_sees_their_team(client_for, team_lead, agent_user, other_agent_user, shop):
    ConversationFactory(shop=shop, ext_id="team-1", assigned_agent=agent_user.agent)
    ConversationFactory(shop=shop, ext_id="other-1", assigned_agent=other_agent_user.agent)
    html = client_for(team_lead).get(reverse("conversation_list")).content.decode()
    assert "team-1" in html and "other-1" not in html


def test_chat_text_is_escaped(supervisor_client, shop):
    conversation = ConversationFactory(shop=shop)
    MessageFactory(conversation=conversation, text="<script>alert(1)</script>")
    MessageFactory(conversation=conversation, sender=Sender.AGENT, text='<img src=x onerror="alert(2)">')
    html = supervisor_client.get(reverse("conversation_detail", args=[conversation.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_messages_are_in_order_with_senders(supervisor_client, shop, agent_user):
    conversation = ConversationFactory(shop=shop)
    first = MessageFactory(conversation=conversation, text="第一句")
    MessageFactory(
        conversation=conversation,
        sender=Sender.AGENT,
        agent=agent_user.agent,
        is_auto=True,
        text="第二句",
        sent_at=first.sent_at + timedelta(seconds=5),
    )
    html = supervisor_client.get(reverse("conversation_detail", args=[conversation.pk])).content.decode()
    assert html.index("第一句") < html.index("第二句")
    assert "msg-auto" in html


def test_unanswered_filter(supervisor_client, shop):
    answered = ConversationFactory(shop=shop, ext_id="answered-1")
    MessageFactory(conversation=answered)
    MessageFactory(conversation=answered, sender=Sender.AGENT)
    waiting = ConversationFactory(shop=shop, ext_id="waiting-1")
    MessageFactory(conversation=waiting)
    html = supervisor_client.get(reverse("conversation_list") + "?unanswered=1").content.decode()
    assert "waiting-1" in html and "answered-1" not in html


def test_conversation_list_query_count_does_not_grow_with_rows(
    supervisor_client, shop, agent_user, django_assert_max_num_queries
):
    for _ in range(30):
        conversation = ConversationFactory(shop=shop, assigned_agent=agent_user.agent)
        MessageFactory(conversation=conversation)
        MessageFactory(conversation=conversation, sender=Sender.AGENT, agent=agent_user.agent)
    with django_assert_max_num_queries(10):
        response = supervisor_client.get(reverse("conversation_list"))
    assert response.content.decode().count("data-conversation=") == 30


def test_agent_list_query_count(agent_client, agent_user, shop, django_assert_max_num_queries):
    for _ in range(30):
        ConversationFactory(shop=shop, assigned_agent=agent_user.agent)
    with django_assert_max_num_queries(12):
        agent_client.get(reverse("conversation_list"))


def test_home_query_count(supervisor_client, shop, django_assert_max_num_queries):
    from kefu.web.tests.scenario import build_scenario

    build_scenario(shop=shop)
    with django_assert_max_num_queries(40):
        supervisor_client.get(reverse("home"))


def test_conversation_detail_query_count(supervisor_client, shop, django_assert_max_num_queries):
    conversation = ConversationFactory(shop=shop)
    for _ in range(40):
        MessageFactory(conversation=conversation)
    # 13: the navigation asks whether the login has an agent record (the workspace link).
    with django_assert_max_num_queries(13):
        supervisor_client.get(reverse("conversation_detail", args=[conversation.pk]))
