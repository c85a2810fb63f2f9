"""``kefu demo``: the demo data is imported once and reused; the logins work and persist."""

import pytest
from django.core.management import call_command

from kefu.accounts.models import User
from kefu.conversations.models import Conversation
from kefu.demo import services
from kefu.intake.models import ImportRun

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_demo_data_is_imported_without_rejections_and_then_reused():
    summary = services.demo_data_ensure(agents=4, days=2)
    assert summary is not None and summary.rejected == []
    assert summary.created["conversation"] > 0 and summary.created["message"] > 0
    assert Conversation.objects.count() == summary.created["conversation"]
    assert services.demo_data_ensure(agents=4, days=2) is None
    assert ImportRun.objects.count() == 1


def test_demo_logins_are_created_once_and_their_passwords_kept(client, data_dir):
    first = services.demo_logins_ensure()
    again = services.demo_logins_ensure()
    assert [(x.username, x.password) for x in first] == [(x.username, x.password) for x in again]
    supervisor = next(x for x in first if x.role == "supervisor")
    assert client.login(username=supervisor.username, password=supervisor.password)
    assert User.objects.get(username="zhuguan").groups.filter(name="supervisor").exists()
    assert oct((data_dir / services.LOGINS_FILE).stat().st_mode & 0o777) == "0o600"


def test_the_demo_command_prepares_everything_without_serving(capsys):
    call_command("demo", "--no-serve", "--agents", "3", "--days", "1")
    out = capsys.readouterr().out
    assert "zhuguan" in out and "Ready in" in out
    assert Conversation.objects.exists()
    assert "/live/w/?token=" in out  # the live chat is ready to try


def test_the_demo_live_chat_has_skill_groups_and_a_working_widget(client):
    from kefu.routing.models import SkillGroup

    services.demo_data_ensure(agents=4, days=1)
    addresses = services.demo_live_ensure()
    assert set(SkillGroup.objects.values_list("key", flat=True)) == {"presale", "aftersale"}
    assert all(group.memberships.exists() for group in SkillGroup.objects.all())
    assert services.demo_live_ensure() and SkillGroup.objects.count() == 2  # idempotent
    assert client.get(addresses[0]).status_code == 200
