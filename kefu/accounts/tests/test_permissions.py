"""Scoping: who sees which conversations, customers and shops."""

import pytest

from kefu.accounts.permissions import (
    conversation_get_for_user,
    conversation_list_for_user,
    customer_get_for_user,
    customer_list_for_user,
    shops_for_user,
)
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import AgentFactory
from kefu.conversations.models import Sender
from kefu.core.errors import NotFound
from kefu.core.testing.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_empty_shops_means_every_shop(supervisor, shop, other_shop):
    assert set(shops_for_user(supervisor)) == {shop, other_shop}


def test_shops_limit_the_user(make_user, shop, other_shop):
    assert list(shops_for_user(make_user(Role.SUPERVISOR, shops=[shop]))) == [shop]


def test_agent_sees_conversations_assigned_to_them_or_they_wrote_in(agent_user, other_agent_user, shop):
    mine_assigned = ConversationFactory(shop=shop, assigned_agent=agent_user.agent)
    mine_written = ConversationFactory(shop=shop, assigned_agent=other_agent_user.agent)
    MessageFactory(conversation=mine_written, sender=Sender.AGENT, agent=agent_user.agent)
    ConversationFactory(shop=shop, assigned_agent=other_agent_user.agent)
    ConversationFactory(shop=shop)
    assert set(conversation_list_for_user(agent_user)) == {mine_assigned, mine_written}


def test_agent_without_agent_record_sees_nothing(make_user, shop):
    ConversationFactory(shop=shop)
    assert not conversation_list_for_user(make_user(Role.AGENT)).exists()


def test_team_lead_sees_their_teams_conversations(team_lead, agent_user, other_agent_user, shop):
    team_conversation = ConversationFactory(shop=shop, assigned_agent=agent_user.agent)
    ConversationFactory(shop=shop, assigned_agent=other_agent_user.agent)  # other_agent has no team
    assert list(conversation_list_for_user(team_lead)) == [team_conversation]


def test_supervisor_sees_every_conversation_of_their_shops(make_user, shop, other_shop):
    in_shop = ConversationFactory(shop=shop)
    ConversationFactory(shop=other_shop)
    assert list(conversation_list_for_user(make_user(Role.SUPERVISOR, shops=[shop]))) == [in_shop]


@pytest.mark.parametrize("role", [Role.LOGISTICS, Role.PRODUCT, Role.OPERATIONS])
def test_department_users_see_no_conversation(make_user, shop, role):
    ConversationFactory(shop=shop)
    assert not conversation_list_for_user(make_user(role)).exists()


def test_conversation_get_gives_the_same_error_for_missing_and_forbidden(agent_user, shop):
    other = ConversationFactory(shop=shop)
    with pytest.raises(NotFound) as forbidden:
        conversation_get_for_user(user=agent_user, conversation_id=other.pk)
    with pytest.raises(NotFound) as missing:
        conversation_get_for_user(user=agent_user, conversation_id=other.pk + 1000)
    assert forbidden.value.as_dict() == missing.value.as_dict()


def test_agent_sees_only_customers_of_their_conversations(agent_user, shop):
    mine = ConversationFactory(shop=shop, assigned_agent=agent_user.agent)
    other = ConversationFactory(shop=shop)
    assert list(customer_list_for_user(agent_user)) == [mine.customer]
    with pytest.raises(NotFound):
        customer_get_for_user(user=agent_user, customer_id=other.customer.pk)


def test_shop_limited_supervisor_cannot_get_other_shops_customer(make_user, shop, other_shop):
    user = make_user(Role.SUPERVISOR, shops=[shop])
    stranger = ConversationFactory(shop=other_shop).customer
    with pytest.raises(NotFound):
        customer_get_for_user(user=user, customer_id=stranger.pk)


def test_department_users_see_no_customer(logistics_user, shop):
    ConversationFactory(shop=shop)
    assert not customer_list_for_user(logistics_user).exists()


def test_shopless_agent_serves_every_shop(make_user, shop, other_shop):
    user = make_user(Role.AGENT)
    AgentFactory(shop=None, user=user)
    conversation = ConversationFactory(shop=other_shop, assigned_agent=user.agent)
    assert list(conversation_list_for_user(user)) == [conversation]
