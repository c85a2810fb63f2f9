"""Manual tags: added and removed on the customer page by those allowed, audited."""

import pytest
from django.urls import reverse

from kefu.accounts.roles import Role
from kefu.core.models import AuditEntry
from kefu.core.testing.factories import CustomerFactory
from kefu.customers.models import CustomerTag

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(shop):
    return CustomerFactory(shop=shop, tags=["导入标签"])


def test_add_and_remove_are_audited(supervisor_client, supervisor, customer):
    supervisor_client.post(reverse("customer_tag_add", args=[customer.pk]), {"name": "  老客  户 "})
    tag = CustomerTag.objects.get()
    assert (tag.name, tag.created_by) == ("老客 户", supervisor)
    page = supervisor_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert 'data-manual-tag="老客 户"' in page and "导入标签" in page
    supervisor_client.post(reverse("customer_tag_remove", args=[customer.pk, tag.pk]))
    assert not CustomerTag.objects.exists()
    details = list(AuditEntry.objects.order_by("id").values_list("action", "detail"))
    assert details == [("customer.tag_add", {"tag": "老客 户"}), ("customer.tag_remove", {"tag": "老客 户"})]
    customer.refresh_from_db()
    assert customer.tags == ["导入标签"]  # imported tags stay as they are


def test_the_same_tag_twice_is_an_error_not_a_duplicate(supervisor_client, customer):
    url = reverse("customer_tag_add", args=[customer.pk])
    supervisor_client.post(url, {"name": "老客"})
    response = supervisor_client.post(url, {"name": "老客"}, follow=True)
    assert CustomerTag.objects.count() == 1
    assert "已有这个标签" in response.content.decode()


def test_roles_without_the_permission_cannot_tag(client_for, make_user, customer):
    client = client_for(make_user(Role.QA))
    assert client.post(reverse("customer_tag_add", args=[customer.pk]), {"name": "x"}).status_code == 403
    assert not CustomerTag.objects.exists() and not AuditEntry.objects.exists()


def test_another_shops_customer_cannot_be_tagged(client_for, make_user, other_shop, customer):
    client = client_for(make_user(Role.SUPERVISOR, shops=[other_shop]))
    assert client.post(reverse("customer_tag_add", args=[customer.pk]), {"name": "x"}).status_code == 404
