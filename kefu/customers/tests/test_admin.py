"""The customer admin masks personal data for staff without the permission."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from kefu.core.models import AuditEntry
from kefu.core.testing.factories import CustomerFactory
from kefu.customers.models import Customer
from kefu.customers.tests.test_services import grant_personal_data

pytestmark = pytest.mark.django_db

PHONE, ADDRESS = "13812341234", "上海市浦东新区张江路88号"


@pytest.fixture
def customer(shop):
    return CustomerFactory(shop=shop, phone=PHONE, address=ADDRESS)


def test_list_and_change_form_are_masked_without_the_permission(admin_user, client_for, customer):
    client = client_for(admin_user)
    for url in (
        reverse("admin:customers_customer_changelist"),
        reverse("admin:customers_customer_change", args=[customer.pk]),
    ):
        page = client.get(url).content.decode()
        assert "138****1234" in page
        assert PHONE not in page and "张江路" not in page
    assert not AuditEntry.objects.exists()


def test_saving_a_masked_form_keeps_the_personal_data(admin_user, client_for, customer):
    admin_user.user_permissions.add(Permission.objects.get(codename="change_customer"))
    client_for(admin_user).post(
        reverse("admin:customers_customer_change", args=[customer.pk]),
        {"shop": customer.shop.pk, "nick": "renamed", "vip_level": "", "tags": "[]"},
    )
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.nick == "renamed"
    assert (customer.phone, customer.address) == (PHONE, ADDRESS)


def test_change_form_is_unmasked_and_audited_with_the_permission(admin_user, client_for, customer):
    client = client_for(grant_personal_data(admin_user))
    page = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert PHONE in page
    assert AuditEntry.objects.filter(action="customer.view_personal_data", target_id=str(customer.pk)).count() == 1


def test_phone_cannot_be_searched_because_it_is_stored_encrypted(admin_user, client_for, customer):
    url = reverse("admin:customers_customer_changelist") + f"?q={PHONE}"
    assert client_for(admin_user).get(url).context["cl"].result_count == 0
    assert client_for(grant_personal_data(admin_user)).get(url).context["cl"].result_count == 0
