"""Personal data is stored encrypted and read back as plain text."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from kefu.core import crypto
from kefu.customers.models import Customer
from kefu.intake.services import events_import
from kefu.intake.tests import records as r

PHONE, ADDRESS = "13812345678", "上海市浦东新区张江路88号"


def stored(customer_pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, address FROM customers_customer WHERE id = %s", [customer_pk])
        return cursor.fetchone()


@pytest.mark.django_db
def test_imported_phone_and_address_are_encrypted_in_the_database_and_plain_in_the_model():
    events_import(records=r.numbered([r.shop(), r.customer(phone=PHONE, address=ADDRESS)]))
    customer = Customer.objects.get()
    assert (customer.phone, customer.address) == (PHONE, ADDRESS)
    raw_phone, raw_address = stored(customer.pk)
    assert raw_phone.startswith(crypto.PREFIX) and PHONE not in raw_phone
    assert raw_address.startswith(crypto.PREFIX) and "张江路" not in raw_address


@pytest.mark.django_db
def test_orm_writes_are_encrypted_too_and_empty_stays_empty(shop):
    customer = Customer.objects.create(shop=shop, ext_id="c9", src_hash="x", imported_at="2026-11-11T00:00Z",
                                       updated_at="2026-11-11T00:00Z", phone=PHONE)
    assert stored(customer.pk)[0] != PHONE and stored(customer.pk)[1] == ""
    assert Customer.objects.get(pk=customer.pk).phone == PHONE


def test_values_from_before_encryption_are_read_as_they_are():
    assert crypto.text_decrypt(PHONE) == PHONE


def test_a_rotated_key_list_still_reads_old_values(monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("KEFU_DATA_KEY", old)
    crypto.data_cipher.cache_clear()
    token = crypto.text_encrypt(PHONE)
    monkeypatch.setenv("KEFU_DATA_KEY", f"{new},{old}")
    crypto.data_cipher.cache_clear()
    assert crypto.text_decrypt(token) == PHONE
    monkeypatch.setenv("KEFU_DATA_KEY", new)
    crypto.data_cipher.cache_clear()
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        crypto.text_decrypt(token)
    monkeypatch.delenv("KEFU_DATA_KEY")
    crypto.data_cipher.cache_clear()


def test_production_needs_a_data_key(monkeypatch, settings):
    monkeypatch.delenv("KEFU_DATA_KEY", raising=False)
    settings.PRODUCTION = True
    crypto.data_cipher.cache_clear()
    with pytest.raises(ImproperlyConfigured, match="KEFU_DATA_KEY"):
        crypto.text_encrypt(PHONE)
    settings.PRODUCTION = False
    crypto.data_cipher.cache_clear()
