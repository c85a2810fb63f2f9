"""Fixtures of the metric pages' tests: the service day of ``data`` imported through intake."""

from datetime import date, datetime

import pytest

from kefu.accounts.roles import Role
from kefu.dashboards.tests.data import past_day_import, today_and_last_week


@pytest.fixture
def past_day(db) -> date:
    return past_day_import()


@pytest.fixture
def today_data(db) -> datetime:
    return today_and_last_week()


@pytest.fixture
def shops(past_day):
    from kefu.shops.models import Shop

    return Shop.objects.get(ext_id="s1"), Shop.objects.get(ext_id="s2")


@pytest.fixture
def agents(past_day):
    from kefu.accounts.models import Agent

    return {agent.ext_id: agent for agent in Agent.objects.all()}


@pytest.fixture
def s1_supervisor(make_user, shops):
    return make_user(Role.SUPERVISOR, username="zhuguan1", shops=[shops[0]])


@pytest.fixture
def xiaomei(make_user, agents):
    """小美's login: an agent, linked to her agent record."""
    user = make_user(Role.AGENT, username="xiaomei_a1", shops=[agents["a1"].shop])
    agent = agents["a1"]
    agent.user = user
    agent.save(update_fields=["user"])
    return user
