"""A shop whose live chat is staffed: 售前 group with 小美 and 小丽 online."""

import pytest

from kefu.live.selectors import widget_settings_for
from kefu.live.tokens import customer_token_make
from kefu.presence.models import PresenceStatus
from kefu.routing.services import agent_status_set, routing_settings_update, skill_group_create


@pytest.fixture
def staffed(shop, agent_user, other_agent_user):
    routing_settings_update(shop=shop, default_max_concurrent=3)
    agents = [agent_user.agent, other_agent_user.agent]
    group = skill_group_create(shop=shop, key="presale", name="售前", stage="presale", members=agents)
    for agent in agents:
        agent_status_set(agent, PresenceStatus.ONLINE)
    return group


@pytest.fixture
def token_for(shop):
    """``token_for("c1", nick="...")``: the shop's signed token for a customer."""

    def make(customer_ext: str, nick: str = "", **kwargs) -> str:
        return customer_token_make(secret=widget_settings_for(shop).secret, shop_ext=shop.ext_id,
                                   customer_ext=customer_ext, nick=nick, **kwargs)

    return make
