"""Fixtures of the review tests: reviewers of the first shop, an agent with a login, and
inspected conversations written directly (``factories.inspected``)."""

import pytest

from kefu.accounts.roles import Role


@pytest.fixture
def reviewer(make_user, shop):
    return make_user(Role.QA, username="zhijian1", display_name="质检员周", shops=[shop])


@pytest.fixture
def reviewer2(make_user, shop):
    return make_user(Role.QA, username="zhijian2", display_name="质检员吴", shops=[shop])


@pytest.fixture
def reviewer3(make_user, shop):
    return make_user(Role.QA, username="zhijian3", display_name="质检员郑", shops=[shop])


@pytest.fixture
def s1_supervisor(make_user, shop):
    return make_user(Role.SUPERVISOR, username="zhuguan1", display_name="王主管", shops=[shop])


@pytest.fixture
def agent(agent_user):
    """小美's agent record (linked to the ``agent_user`` login)."""
    return agent_user.agent
