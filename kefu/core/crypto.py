"""Encryption of personal data at rest (customers' phone numbers and addresses).

The key is ``KEFU_DATA_KEY`` (Fernet keys, comma-separated, newest first, so a key can be
rotated); the embedded tier generates one into its data directory on first use, and
production refuses to run without it. It is deliberately not derived from SECRET_KEY:
rotating the session secret must not make the stored data unreadable.
"""

import functools
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1:"  # marks a stored value as ciphertext


@functools.cache
def data_cipher() -> MultiFernet:
    keys = os.environ.get("KEFU_DATA_KEY", "")
    if not keys:
        if settings.PRODUCTION:
            raise ImproperlyConfigured("KEFU_DATA_KEY must be set when KEFU_ENV=production (see README).")
        keys = _embedded_key(Path(settings.DATA_DIR) / "data_key")
    return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])


def _embedded_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


def text_encrypt(value: str) -> str:
    if not value:
        return value
    return PREFIX + data_cipher().encrypt(value.encode()).decode()


def text_decrypt(value: str) -> str:
    if not value or not value.startswith(PREFIX):
        return value
    try:
        return data_cipher().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "Stored personal data cannot be decrypted with KEFU_DATA_KEY: the key is wrong or was removed."
        ) from None
