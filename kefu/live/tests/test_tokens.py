import time

import pytest

from kefu.core.errors import PermissionDenied, ValidationError
from kefu.live.tokens import customer_token_make, customer_token_read

SECRET = "s3cret"


def test_a_token_names_the_shop_and_customer():
    token = customer_token_make(secret=SECRET, shop_ext="s1", customer_ext="c-42", nick="小王")
    claim = customer_token_read(token, secret=SECRET)
    assert (claim.shop_ext, claim.customer_ext, claim.nick) == ("s1", "c-42", "小王")


def test_a_token_signed_with_another_secret_is_refused():
    token = customer_token_make(secret="other", shop_ext="s1", customer_ext="c-42")
    with pytest.raises(PermissionDenied) as caught:
        customer_token_read(token, secret=SECRET)
    assert caught.value.code == "token_forged"


def test_a_changed_payload_breaks_the_signature():
    token = customer_token_make(secret=SECRET, shop_ext="s1", customer_ext="c-42")
    other = customer_token_make(secret=SECRET, shop_ext="s1", customer_ext="c-43")
    forged = other.split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(PermissionDenied):
        customer_token_read(forged, secret=SECRET)


def test_an_expired_token_is_refused():
    token = customer_token_make(secret=SECRET, shop_ext="s1", customer_ext="c-42", ttl_seconds=60)
    with pytest.raises(PermissionDenied) as caught:
        customer_token_read(token, secret=SECRET, now=time.time() + 61)
    assert caught.value.code == "token_expired"


@pytest.mark.parametrize("token", ["", "garbage", "!!!.abc", "W10.abc"])
def test_malformed_tokens_are_refused_clearly(token):
    with pytest.raises((ValidationError, PermissionDenied)):
        customer_token_read(token, secret=SECRET)
