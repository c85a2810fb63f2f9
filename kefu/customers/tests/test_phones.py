"""The phone lookup hash: same number, same hash whatever its spelling; never the number
itself; kept in step by saves, by the intake's bulk writes and by the backfill."""

import pytest

from kefu.core.testing.factories import CustomerFactory
from kefu.customers.models import Customer
from kefu.customers.phones import HASH_PREFIX, phone_lookup_hash, phone_normalise
from kefu.customers.services import customer_phone_hashes_refresh
from kefu.intake.services import events_import
from kefu.intake.tests import records as r

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("spelling", ["13812341234", "138 1234 1234", "+86 138-1234-1234", "8613812341234",
                                      "0086 138 1234 1234"])
def test_spellings_of_one_number_share_a_hash(spelling):
    assert phone_normalise(spelling) == "13812341234"
    assert phone_lookup_hash(spelling) == phone_lookup_hash("13812341234")


def test_hash_hides_the_number():
    digest = phone_lookup_hash("13812341234")
    assert digest.startswith(HASH_PREFIX) and len(digest) == len(HASH_PREFIX) + 64
    assert "13812341234" not in digest
    assert phone_lookup_hash("13812341235") != digest
    assert phone_lookup_hash("") == "" and phone_lookup_hash("无") == ""


def test_save_keeps_the_hash_in_step(shop):
    customer = CustomerFactory(shop=shop, phone="13812341234")
    assert Customer.objects.filter(phone_hash="13812341234").get() == customer  # filter values are hashed too
    customer.phone = "13900000000"
    customer.save()
    assert Customer.objects.filter(phone_hash=phone_lookup_hash("139 0000 0000")).exists()
    assert not Customer.objects.filter(phone_hash="13812341234").exists()


def test_intake_writes_hash_and_consent_on_create_and_update():
    events_import(records=r.numbered([r.shop(), r.customer(phone="13812341234", marketing_consent=True)]))
    customer = Customer.objects.get()
    assert customer.marketing_consent is True
    assert customer.phone_hash == phone_lookup_hash("13812341234")
    events_import(records=r.numbered([r.shop(), r.customer(phone="+86 139 0000 0000")]))
    customer = Customer.objects.get()
    assert customer.phone_hash == phone_lookup_hash("13900000000")
    assert customer.marketing_consent is False  # a record without consent has none


def test_intake_rejects_a_consent_that_is_not_a_boolean():
    _run, summary = events_import(records=r.numbered([r.shop(), r.customer(marketing_consent="yes")]))
    assert not Customer.objects.exists()
    assert "marketing_consent" in summary.rejected[0].reason


def test_refresh_recomputes_stale_hashes(shop):
    customer = CustomerFactory(shop=shop, phone="13812341234")
    Customer.objects.filter(pk=customer.pk).update(phone_hash=HASH_PREFIX + "stale")
    assert customer_phone_hashes_refresh() == 1
    assert Customer.objects.get().phone_hash == phone_lookup_hash("13812341234")
    assert customer_phone_hashes_refresh() == 0


def test_rehash_command(shop):
    from io import StringIO

    from django.core.management import call_command

    customer = CustomerFactory(shop=shop, phone="13812341234")
    Customer.objects.filter(pk=customer.pk).update(phone_hash="")
    out = StringIO()
    call_command("customers_rehash_phones", stdout=out)
    assert out.getvalue().strip() == "phone lookup hashes recomputed: 1"
