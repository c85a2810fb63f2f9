"""kefu token create|list|revoke."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kefu.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_for_a_shop_prints_the_token_alone_on_the_last_line(shop):
    out, _ = _run("create", "--shop", "s1", "--name", "erp")
    plaintext = out.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    assert (token.shop, token.is_admin, token.name) == (shop, False, "erp")


def test_create_admin_token(db):
    _run("create", "--admin")
    assert ApiToken.objects.get().is_admin


@pytest.mark.parametrize("args", [["create"], ["create", "--shop", "s1", "--admin"]])
def test_create_needs_exactly_one_of_shop_and_admin(shop, args):
    with pytest.raises(CommandError):
        _run(*args)
    assert not ApiToken.objects.exists()


def test_create_for_an_unknown_shop_fails(db):
    with pytest.raises(CommandError, match="nope"):
        _run("create", "--shop", "nope")


def test_list_shows_prefixes_never_values(shop):
    out, _ = _run("create", "--shop", "s1", "--name", "erp")
    plaintext = out.strip().splitlines()[-1]
    listing, _ = _run("list")
    assert plaintext[:8] in listing
    assert plaintext not in listing


def test_revoke_by_prefix(shop):
    out, _ = _run("create", "--shop", "s1")
    prefix = out.strip().splitlines()[-1][:8]
    _run("revoke", prefix)
    assert ApiToken.objects.get().revoked_at is not None


def test_revoke_unknown_prefix_fails(db):
    with pytest.raises(CommandError):
        _run("revoke", "zzzzzzzz")


def test_revoke_twice_fails(shop):
    out, _ = _run("create", "--shop", "s1")
    prefix = out.strip().splitlines()[-1][:8]
    _run("revoke", prefix)
    with pytest.raises(CommandError):
        _run("revoke", prefix)
