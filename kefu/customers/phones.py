"""The keyed hash of a customer's phone number, for exact lookup.

Phone numbers are stored encrypted with a random nonce (``kefu.core.crypto``), so the
database cannot compare them. Next to the ciphertext each customer keeps
``HMAC-SHA256(lookup key, normalised number)``: equal numbers give equal hashes, and the
hash tells nothing about the number without the key. The lookup key is derived from the
newest key of ``KEFU_DATA_KEY``; after rotating that key run ``kefu customers_rehash_phones``.
"""

import hashlib
import hmac
import os
import re
from pathlib import Path

from django.conf import settings
from django.db import models

from kefu.core import crypto

HASH_PREFIX = "hm1:"  # marks a stored value as a hash (never a phone number)
_LABEL = b"kefu.customers.phone_lookup.v1"


def phone_normalise(phone: str | None) -> str:
    """Digits only, without the mainland country code: ``+86 138-1234-1234`` → ``13812341234``."""
    if not phone:
        return ""
    text = phone.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith(("+", "00")):
        digits = digits.removeprefix("00")
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def _lookup_key() -> bytes:
    crypto.data_cipher()  # refuses to run in production without KEFU_DATA_KEY
    keys = [key.strip() for key in os.environ.get("KEFU_DATA_KEY", "").split(",") if key.strip()]
    newest = keys[0] if keys else crypto._embedded_key(Path(settings.DATA_DIR) / "data_key")
    return hmac.new(newest.encode(), _LABEL, hashlib.sha256).digest()


def phone_lookup_hash(phone: str | None) -> str:
    """The stored lookup hash of ``phone``; empty when it holds no digit."""
    digits = phone_normalise(phone)
    if not digits:
        return ""
    return HASH_PREFIX + hmac.new(_lookup_key(), digits.encode(), hashlib.sha256).hexdigest()


class PhoneLookupField(models.Field):
    """The lookup hash of the model's ``phone``: computed on every save from ``phone``;
    a plain number assigned to it (the intake's bulk writes, a filter value) is hashed on
    the way to the database, a stored hash is left as it is."""

    description = "Keyed hash of a phone number"

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 72
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "CharField"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return ""
        value = str(value)
        return value if value.startswith(HASH_PREFIX) else phone_lookup_hash(value)

    def pre_save(self, model_instance, add):
        value = phone_lookup_hash(getattr(model_instance, "phone", ""))
        setattr(model_instance, self.attname, value)
        return value


def phone_hashes_refresh(*, model, batch: int = 2000) -> int:
    """Recompute every stored lookup hash of ``model`` (the Customer model, or its
    historical version in a migration); returns how many changed."""
    changed = []
    count = 0
    for customer in model.objects.only("pk", "phone", "phone_hash").iterator(chunk_size=batch):
        wanted = phone_lookup_hash(customer.phone)
        if customer.phone_hash != wanted:
            customer.phone_hash = wanted
            changed.append(customer)
        if len(changed) == batch:
            model.objects.bulk_update(changed, ["phone_hash"])
            count += len(changed)
            changed = []
    if changed:
        model.objects.bulk_update(changed, ["phone_hash"])
        count += len(changed)
    return count
