"""The customer page: masked by default, "show full information" for permitted roles (POST, CSRF, audited)."""

import pytest
from django.test import Client
from django.urls import reverse

from kefu.accounts.roles import Role
from kefu.core.models import AuditEntry
from kefu.core.testing.factories import ConversationFactory, CustomerFactory, OrderFactory
from kefu.customers.tests.test_services import grant_personal_data

pytestmark = pytest.mark.django_db

PHONE, ADDRESS = "13812341234", "上海市浦东新区张江路88号"


@pytest.fixture
def customer(shop):
    return CustomerFactory(shop=shop, nick="tb_8812", phone=PHONE, address=ADDRESS)


def test_anonymous_is_sent_to_login(client, customer):
    page = client.get(reverse("customer_detail", args=[customer.pk]))
    reveal = client.post(reverse("customer_reveal", args=[customer.pk]))
    for response in (page, reveal):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_agent_sees_masked_data_and_no_reveal_button(agent_client, agent_user, customer):
    ConversationFactory(shop=customer.shop, customer=customer, assigned_agent=agent_user.agent)
    page = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert "138****1234" in page and "上海市浦东新区****" in page
    assert PHONE not in page and "张江路" not in page
    assert reverse("customer_reveal", args=[customer.pk]) not in page


def test_agent_cannot_reveal(agent_client, agent_user, customer):
    ConversationFactory(shop=customer.shop, customer=customer, assigned_agent=agent_user.agent)
    response = agent_client.post(reverse("customer_reveal", args=[customer.pk]))
    assert response.status_code == 403
    assert PHONE not in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_agent_cannot_open_a_customer_they_do_not_serve(agent_client, customer):
    assert agent_client.get(reverse("customer_detail", args=[customer.pk])).status_code == 404


def test_granted_supervisor_reveals_and_it_is_audited(client_for, supervisor, customer):
    client = client_for(grant_personal_data(supervisor))
    page = client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert PHONE not in page
    assert reverse("customer_reveal", args=[customer.pk]) in page
    response = client.post(reverse("customer_reveal", args=[customer.pk]))
    assert response.status_code == 200
    assert PHONE in response.content.decode() and ADDRESS in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_id) == ("customer.view_personal_data", supervisor, str(customer.pk))


def test_htmx_reveal_returns_the_fragment(client_for, supervisor, customer):
    client = client_for(grant_personal_data(supervisor))
    response = client.post(reverse("customer_reveal", args=[customer.pk]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert PHONE in body
    assert "<html" not in body


def test_reveal_needs_post(client_for, supervisor, customer):
    client = client_for(grant_personal_data(supervisor))
    assert client.get(reverse("customer_reveal", args=[customer.pk])).status_code == 405
    assert not AuditEntry.objects.exists()


def test_reveal_needs_the_csrf_token(supervisor, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(grant_personal_data(supervisor))
    assert client.post(reverse("customer_reveal", args=[customer.pk])).status_code == 403
    assert not AuditEntry.objects.exists()


def test_shop_limited_user_cannot_see_another_shops_customer(make_user, client_for, other_shop, customer):
    user = grant_personal_data(make_user(Role.SUPERVISOR, shops=[other_shop]))
    client = client_for(user)
    assert client.get(reverse("customer_detail", args=[customer.pk])).status_code == 404
    assert client.post(reverse("customer_reveal", args=[customer.pk])).status_code == 404
    assert not AuditEntry.objects.exists()


def test_customer_page_lists_orders_for_roles_that_see_them(supervisor_client, customer):
    OrderFactory(shop=customer.shop, customer=customer, ext_id="o-777")
    assert "o-777" in supervisor_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
