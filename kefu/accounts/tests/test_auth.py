"""API token authentication (missing, invalid, revoked → 401) and the shop scope of a token."""

from datetime import timedelta

import pytest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.testing import TestClient

from kefu.accounts.auth import ApiTokenAuth, token_shop_scope
from kefu.accounts.services import token_create, token_revoke
from kefu.core.errors import PermissionDenied, install_api_error_handlers

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client():
    # A tiny test-only API: one route that needs a token, one that touches a shop.
    api = NinjaAPI(urls_namespace="test-auth")
    install_api_error_handlers(api)

    @api.get("/whoami", auth=ApiTokenAuth())
    def whoami(request):
        return {"token_id": request.auth.pk, "prefix": request.auth.prefix}

    @api.post("/shops/{shop_id}/things", auth=ApiTokenAuth())
    def touch_shop(request, shop_id: str):
        token_shop_scope(request.auth, shop_id)
        return {"ok": True}

    return TestClient(api)


def _bearer(plaintext):
    return {"Authorization": f"Bearer {plaintext}"}


def test_valid_token_authenticates_and_sets_request_auth(api_client, shop):
    token, plaintext = token_create(shop=shop, name="erp", actor=None)
    response = api_client.get("/whoami", headers=_bearer(plaintext))
    assert response.status_code == 200
    assert response.json() == {"token_id": token.pk, "prefix": token.prefix}


def test_missing_token_is_401(api_client):
    response = api_client.get("/whoami")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_invalid_token_is_401(api_client, shop, header):
    token_create(shop=shop, name="erp", actor=None)
    assert api_client.get("/whoami", headers={"Authorization": header}).status_code == 401


def test_revoked_token_is_401(api_client, shop):
    token, plaintext = token_create(shop=shop, name="erp", actor=None)
    token_revoke(token=token, actor=None)
    assert api_client.get("/whoami", headers=_bearer(plaintext)).status_code == 401


def test_use_updates_last_used_at_at_most_once_a_minute(api_client, shop):
    token, plaintext = token_create(shop=shop, name="erp", actor=None)
    api_client.get("/whoami", headers=_bearer(plaintext))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api_client.get("/whoami", headers=_bearer(plaintext))
    token.refresh_from_db()
    assert token.last_used_at == first
    type(token).objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api_client.get("/whoami", headers=_bearer(plaintext))
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)
    assert token.last_used_at <= timezone.now()


def test_shop_token_touching_another_shop_is_a_domain_error(api_client, shop, other_shop):
    _, plaintext = token_create(shop=shop, name="erp", actor=None)
    response = api_client.post(f"/shops/{other_shop.ext_id}/things", headers=_bearer(plaintext))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "shop_scope"


def test_shop_token_may_touch_its_own_shop(api_client, shop):
    _, plaintext = token_create(shop=shop, name="erp", actor=None)
    assert api_client.post(f"/shops/{shop.ext_id}/things", headers=_bearer(plaintext)).status_code == 200


def test_admin_token_may_touch_every_shop(shop, other_shop):
    token, _ = token_create(admin=True, name="ops", actor=None)
    token_shop_scope(token, shop.ext_id)
    token_shop_scope(token, other_shop.ext_id)


def test_token_shop_scope_raises_permission_denied(shop, other_shop):
    token, _ = token_create(shop=shop, name="erp", actor=None)
    with pytest.raises(PermissionDenied) as raised:
        token_shop_scope(token, other_shop.ext_id)
    assert raised.value.code == "shop_scope"
