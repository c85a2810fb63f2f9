"""Fixtures shared by every test: shops, users per role (with a logged-in client), an
agent linked to a login.

The database needs nothing special: SQLite by default; with ``DATABASE_URL=postgres://…``
pytest-django creates ``test_<name>`` itself. The role groups exist because
``roles_sync`` runs after migrate (and after each flush of transactional tests)."""

import pytest
from django.test import Client

from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import AgentFactory, TeamFactory, UserFactory
from kefu.core.testing.factories import ShopFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Production hashing takes ~0.3 s a password by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    # Background tasks run at once, in the test's process. (Inside a test's transaction
    # on_commit hooks never fire: tests that import data refresh the rollups themselves.)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    # Tests change data between page loads: the dashboard must show it at once.
    settings.KEFU_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _language_reset():
    # A test that switches the language must not leave it switched for the next one.
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def shop(db):
    return ShopFactory(ext_id="s1", name="旗舰店")


@pytest.fixture
def other_shop(db):
    return ShopFactory(ext_id="s2", name="二号店")


@pytest.fixture
def make_user(db):
    """``make_user(Role.AGENT, shops=[shop], agent_shop=shop)``: a user with roles, limited
    to ``shops`` (none: every shop); with ``agent_shop`` also an Agent linked to the login."""

    def make(*roles, shops=(), agent_shop=None, team=None, **fields):
        user = UserFactory(roles=list(roles), shops=list(shops), **fields)
        if agent_shop is not None:
            AgentFactory(shop=agent_shop, user=user, team=team, name=user.display_name)
        return user

    return make


@pytest.fixture
def client_for(db):
    """``client_for(user)``: a new test client logged in as ``user``."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def supervisor(make_user):
    return make_user(Role.SUPERVISOR, username="zhuguan", display_name="王主管")


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN, username="guanliyuan", display_name="管理员")


@pytest.fixture
def team(db):
    return TeamFactory(name="售前一组")


@pytest.fixture
def team_lead(make_user, shop, team):
    lead = make_user(Role.TEAM_LEAD, username="zuzhang", display_name="组长李", agent_shop=shop, team=team)
    team.lead = lead
    team.save()
    return lead


@pytest.fixture
def agent_user(make_user, shop, team):
    return make_user(Role.AGENT, username="xiaomei", display_name="小美", agent_shop=shop, team=team)


@pytest.fixture
def other_agent_user(make_user, shop):
    return make_user(Role.AGENT, username="xiaoli", display_name="小丽", agent_shop=shop)


@pytest.fixture
def qa_user(make_user):
    return make_user(Role.QA, username="zhijian", display_name="质检员周")


@pytest.fixture
def logistics_user(make_user):
    return make_user(Role.LOGISTICS, username="wuliu", display_name="物流陈")


@pytest.fixture
def supervisor_client(client_for, supervisor):
    return client_for(supervisor)


@pytest.fixture
def agent_client(client_for, agent_user):
    return client_for(agent_user)
