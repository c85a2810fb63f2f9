"""POST /api/v1/events: authentication, scope, counts, rejections, limits; the OpenAPI schema."""

import json
from pathlib import Path

import orjson
import pytest
from django.conf import settings

from kefu.accounts.services import token_create
from kefu.conversations.models import Message
from kefu.intake.tests import records as r
from kefu.shops.models import Shop

pytestmark = pytest.mark.django_db
URL = "/api/v1/events"


@pytest.fixture
def admin_token():
    return token_create(admin=True, name="test", actor=None)[1]


def post(client, token, body, content_type="application/json"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(URL, data=body, content_type=content_type, headers=headers)


def test_a_batch_is_imported_with_counts_per_type(client, admin_token):
    # m2 carries a field events.md does not know: extensions are ignored, not errors
    batch = [r.shop(), r.customer(), r.conversation(), r.message("m1"), r.message("m2", mood="happy")]
    response = post(client, admin_token, orjson.dumps(batch))
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == {"conversation": 1, "customer": 1, "message": 2, "shop": 1}
    assert body["rejected_count"] == 0 and body["rejected"] == []
    assert Message.objects.count() == 2


def test_rejections_name_the_batch_index_and_the_reason(client, admin_token):
    batch = [r.shop(), r.customer(rating=1), r.conversation(rating=7), r.order(amount="12,5")]
    body = post(client, admin_token, orjson.dumps(batch)).json()
    assert [(x["index"], x["type"], x["id"]) for x in body["rejected"]] == [(2, "conversation", "v1"), (3, "order", "o1")]
    assert "rating" in body["rejected"][0]["reason"] and "amount" in body["rejected"][1]["reason"]
    assert body["created"] == {"customer": 1, "shop": 1}


def test_json_lines_body_is_accepted_and_a_repeat_is_unchanged(client, admin_token):
    body = b"\n".join(orjson.dumps(x) for x in [r.shop(), r.customer()])
    assert post(client, admin_token, body, "application/x-ndjson").json()["created"] == {"customer": 1, "shop": 1}
    again = post(client, admin_token, body, "application/x-ndjson").json()
    assert again["created"] == {} and again["unchanged"] == {"customer": 1, "shop": 1}


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_missing_or_unknown_token_is_401(client, token):
    response = post(client, token, orjson.dumps([r.shop()]))
    assert response.status_code == 401
    assert Shop.objects.count() == 0


def test_a_revoked_token_is_401(client):
    from kefu.accounts.services import token_revoke

    token, plaintext = token_create(admin=True, name="old", actor=None)
    token_revoke(token=token, actor=None)
    assert post(client, plaintext, orjson.dumps([r.shop()])).status_code == 401


def test_a_shop_token_reaches_only_its_shop(client, admin_token):
    post(client, admin_token, orjson.dumps([r.shop("s1"), r.shop("s2", name="二店")]))
    shop_token = token_create(shop=Shop.objects.get(ext_id="s1"), name="s1 feed", actor=None)[1]
    body = post(client, shop_token, orjson.dumps([r.customer("c1", "s1"), r.customer("c2", "s2")])).json()
    assert body["created"] == {"customer": 1}
    assert body["rejected"][0]["index"] == 1 and "outside this token's shop" in body["rejected"][0]["reason"]


def test_a_malformed_body_is_400_and_a_too_large_batch_413(client, admin_token, settings):
    response = post(client, admin_token, b"[{")
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_body"
    settings.KEFU_API_MAX_BATCH = 2
    response = post(client, admin_token, orjson.dumps([r.shop(), r.shop("s2"), r.shop("s3")]))
    assert response.status_code == 413 and Shop.objects.count() == 0


def test_a_batch_larger_than_the_form_upload_limit_is_accepted(client, admin_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    batch = [r.shop(), *(r.customer(f"c{n}") for n in range(50))]
    response = post(client, admin_token, orjson.dumps(batch))
    assert response.status_code == 200 and response.json()["created"] == {"customer": 50, "shop": 1}
    settings.KEFU_API_MAX_BODY_BYTES = 100
    assert post(client, admin_token, orjson.dumps(batch)).status_code == 413


def test_openapi_schema_is_served_and_matches_the_committed_copy(client):
    served = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/events" in served["paths"]
    committed = json.loads((Path(settings.BASE_DIR) / "docs" / "openapi.json").read_text())
    assert served == committed, "the API changed: regenerate docs/openapi.json with `kefu export_openapi`"
    assert client.get("/api/v1/docs").status_code == 200
