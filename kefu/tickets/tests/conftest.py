"""Fixtures of the ticket tests: people of every role on the first shop, the logistics
department with its member, and a helper that opens tickets through the service."""

import pytest

from kefu.accounts.roles import Role
from kefu.tickets.models import Department
from kefu.tickets.services import ticket_create


@pytest.fixture
def logistics(db):
    return Department.objects.get(key="logistics")


@pytest.fixture
def product(db):
    return Department.objects.get(key="product")


@pytest.fixture
def s1_supervisor(make_user, shop):
    return make_user(Role.SUPERVISOR, username="zhuguan1", display_name="王主管", shops=[shop])


@pytest.fixture
def wuliu(make_user, shop, logistics):
    user = make_user(Role.LOGISTICS, username="wuliu1", display_name="物流陈", shops=[shop])
    logistics.members.add(user)
    return user


@pytest.fixture
def chanpin(make_user, shop):
    return make_user(Role.PRODUCT, username="chanpin1", display_name="产品赵", shops=[shop])


@pytest.fixture
def open_ticket(shop, agent_user):
    """``open_ticket(type=..., **fields)``: a ticket opened by 小美 through the service."""

    def make(type="aftersale", title="退货退款", actor=None, **fields):
        fields.setdefault("assignee", agent_user)
        return ticket_create(shop=shop, type=type, title=title, actor=actor or agent_user, **fields)

    return make
