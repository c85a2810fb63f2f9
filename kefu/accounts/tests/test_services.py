"""User and token services."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.accounts.models import ApiToken
from kefu.accounts.roles import Role
from kefu.accounts.services import token_create, token_revoke, token_touch, user_create
from kefu.core.errors import Conflict, ValidationError
from kefu.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_user_create_puts_the_user_in_the_role_groups_and_shops(admin_user, shop):
    user = user_create(username="li", password="s3cret-pass!", roles=[Role.AGENT], shops=[shop], actor=admin_user)
    assert list(user.groups.values_list("name", flat=True)) == ["agent"]
    assert list(user.shops.all()) == [shop]
    assert not user.is_staff
    assert user.check_password("s3cret-pass!")
    assert AuditEntry.objects.filter(action="user.create", target_id=str(user.pk), actor=admin_user).exists()


def test_user_create_gives_supervisors_the_admin_site(admin_user):
    assert user_create(username="wang", roles=[Role.SUPERVISOR], actor=admin_user).is_staff


def test_user_create_without_password_cannot_log_in(admin_user):
    assert not user_create(username="zhao", actor=admin_user).has_usable_password()


def test_user_create_refuses_a_taken_username(admin_user):
    user_create(username="li", actor=admin_user)
    with pytest.raises(Conflict):
        user_create(username="li", actor=admin_user)


def test_token_create_stores_only_digest_and_prefix(shop, admin_user):
    token, plaintext = token_create(shop=shop, name="erp", actor=admin_user)
    token.refresh_from_db()
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    assert token.prefix == plaintext[:8] and len(token.prefix) == 8
    assert len(plaintext) >= 40
    stored = [str(value) for value in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]).get()]
    assert plaintext not in stored
    assert token.created_by == admin_user
    assert AuditEntry.objects.filter(action="api_token.create", target_id=str(token.pk)).exists()


def test_admin_token_has_no_shop():
    token, _ = token_create(admin=True, name="ops", actor=None)
    assert token.is_admin and token.shop is None


@pytest.mark.parametrize("admin", [True, False])
def test_token_is_either_shop_or_admin(shop, admin):
    with pytest.raises(ValidationError):
        token_create(shop=shop if admin else None, admin=admin, name="x", actor=None)


def test_token_revoke_sets_revoked_at_and_refuses_twice(shop, admin_user):
    token, _ = token_create(shop=shop, name="erp", actor=admin_user)
    token_revoke(token=token, actor=admin_user)
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(Conflict):
        token_revoke(token=token, actor=admin_user)
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_token_touch_writes_at_most_once_a_minute(shop):
    token, _ = token_create(shop=shop, name="erp", actor=None)
    first = timezone.now()
    token_touch(token=token, now=first)
    token_touch(token=token, now=first + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == first
    token_touch(token=token, now=first + timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == first + timedelta(seconds=61)
