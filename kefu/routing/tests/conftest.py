"""Fixtures of the routing tests: a shop with 售前/售后/VIP groups and agents, and a
helper that opens conversations."""

from datetime import datetime, timezone as dt_timezone

import pytest

from kefu.accounts.tests.factories import AgentFactory
from kefu.core.testing.factories import ConversationFactory, CustomerFactory
from kefu.presence.models import PresenceStatus
from kefu.routing.services import agent_status_set, routing_settings_update, skill_group_create

# 2026-11-11 12:00 in Shanghai: inside any usual service hours.
NOON = datetime(2026, 11, 11, 4, 0, tzinfo=dt_timezone.utc)


@pytest.fixture
def now():
    return NOON


@pytest.fixture
def agents(shop, now):
    """Three online agents of the shop: 小美, 小丽, 小王."""
    made = [AgentFactory(shop=shop, ext_id=f"a{n}", name=name) for n, name in enumerate(["小美", "小丽", "小王"], 1)]
    return made


@pytest.fixture
def presale(shop, agents):
    routing_settings_update(shop=shop, default_max_concurrent=2)
    return skill_group_create(shop=shop, key="presale", name="售前", stage="presale", members=agents)


@pytest.fixture
def online(now):
    def make(*agents, at=None):
        for agent in agents:
            agent_status_set(agent, PresenceStatus.ONLINE, at=at or now)

    return make


@pytest.fixture
def conversation(shop, now):
    """``conversation(stage=..., customer=..., **fields)``: a new conversation of the shop."""

    def make(**fields):
        fields.setdefault("started_at", now)
        fields.setdefault("customer", CustomerFactory(shop=shop))
        return ConversationFactory(shop=shop, **fields)

    return make
