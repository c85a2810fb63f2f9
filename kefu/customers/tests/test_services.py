"""customer_personal_data: unmasked and audited only for those allowed."""

import pytest
from django.contrib.auth.models import Permission

from kefu.core.models import AuditEntry
from kefu.core.testing.factories import CustomerFactory
from kefu.customers.services import customer_personal_data

pytestmark = pytest.mark.django_db


def grant_personal_data(user):
    user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    return type(user).objects.get(pk=user.pk)  # fresh object: permission caches are per instance


def test_agent_gets_masked_values_and_nothing_is_audited(agent_user):
    customer = CustomerFactory(phone="13812341234", address="上海市浦东新区张江路88号")
    data = customer_personal_data(customer=customer, user=agent_user)
    assert (data.phone, data.address, data.masked) == ("138****1234", "上海市浦东新区****", True)
    assert not AuditEntry.objects.exists()


def test_supervisor_without_the_permission_gets_masked_values(supervisor):
    customer = CustomerFactory(phone="13812341234")
    assert customer_personal_data(customer=customer, user=supervisor).phone == "138****1234"


def test_granted_supervisor_gets_unmasked_values_and_one_audit_entry_per_view(supervisor):
    user = grant_personal_data(supervisor)
    customer = CustomerFactory(phone="13812341234", address="上海市浦东新区张江路88号")
    data = customer_personal_data(customer=customer, user=user)
    customer_personal_data(customer=customer, user=user)
    assert (data.phone, data.address, data.masked) == ("13812341234", "上海市浦东新区张江路88号", False)
    entries = AuditEntry.objects.filter(action="customer.view_personal_data", actor=user)
    assert entries.count() == 2
    assert entries.first().target_id == str(customer.pk)
