"""Model fields shared by the apps."""

from django.db import models

from kefu.core.crypto import text_decrypt, text_encrypt


class EncryptedTextField(models.TextField):
    """Text stored encrypted (``kefu.core.crypto``), read back as plain text.

    The database holds only ciphertext, so it cannot be searched or filtered by value;
    an empty value stays empty (blank is not a secret)."""

    encrypted = True

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return text_encrypt(value) if isinstance(value, str) else value

    def from_db_value(self, value, expression, connection):
        return text_decrypt(value) if isinstance(value, str) else value
