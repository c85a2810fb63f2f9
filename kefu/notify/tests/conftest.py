"""Fixtures of the notify tests: robots on loopback, and ``run`` to let after-commit work happen."""

import pytest

from kefu.notify.services import robot_endpoint_create


@pytest.fixture(autouse=True)
def _loopback_robots(settings):
    settings.KEFU_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.KEFU_BASE_URL = "https://kefu.example.cn"


@pytest.fixture
def make_robot(supervisor):
    def make(receiver, *, secret: str = "", **fields):
        fields.setdefault("name", f"{receiver.platform} 群")
        return robot_endpoint_create(actor=fields.pop("actor", supervisor), channel=receiver.platform,
                                     url=receiver.url, secret=secret, **fields)

    return make
