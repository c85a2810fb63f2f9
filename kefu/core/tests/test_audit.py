"""audit_record: one row per audited action, with who, what and from where."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from kefu.core.audit import audit_record
from kefu.core.models import AuditEntry
from kefu.core.testing.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_audit_record_names_the_target_and_actor(supervisor):
    customer = CustomerFactory()
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    entry = audit_record(actor=supervisor, action="customer.view", target=customer, detail={"a": 1}, request=request)
    entry.refresh_from_db()
    assert (entry.actor, entry.action, entry.target_type, entry.target_id) == (
        supervisor,
        "customer.view",
        "customers.customer",
        str(customer.pk),
    )
    assert entry.detail == {"a": 1}
    assert entry.ip == "10.0.0.7"  # never the client-chosen X-Forwarded-For


def test_audit_record_accepts_a_type_and_id_and_no_actor():
    entry = audit_record(actor=AnonymousUser(), action="system.backup", target=("backup", "2026-11-11"))
    assert entry.actor is None
    assert (entry.target_type, entry.target_id) == ("backup", "2026-11-11")
    assert AuditEntry.objects.count() == 1
