"""``GET /api/v1/metrics``: the same figures as ``kefu metrics``, scoped by the token."""

import io
import json

import pytest
from django.core.management import call_command

from kefu.accounts.services import token_create
from kefu.intake.services import events_import
from kefu.metrics.rollups import rollups_refresh
from kefu.shops.models import Shop

pytestmark = pytest.mark.django_db
T = "2026-11-11T10:00:{:02d}+08:00"


@pytest.fixture
def records():
    events_import(records=enumerate([
        {"type": "shop", "id": "s1", "name": "旗舰店", "platform": "tmall"},
        {"type": "shop", "id": "s2", "name": "二号店", "platform": "jd"},
        {"type": "agent", "id": "a1", "name": "小美", "shop_id": "s1"},
        {"type": "conversation", "id": "v1", "shop_id": "s1", "customer_id": "c1", "started_at": T.format(0)},
        {"type": "message", "id": "m1", "conversation_id": "v1", "sent_at": T.format(0), "sender": "customer"},
        {"type": "message", "id": "m2", "conversation_id": "v1", "sent_at": T.format(9), "sender": "agent",
         "agent_id": "a1"},
        {"type": "conversation", "id": "v2", "shop_id": "s2", "customer_id": "c2", "started_at": T.format(0)},
        {"type": "message", "id": "m3", "conversation_id": "v2", "sent_at": T.format(0), "sender": "customer"},
    ], 1))
    rollups_refresh()


def get(client, token, **params):
    return client.get("/api/v1/metrics", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_gives_what_the_cli_gives(client, records):
    token = token_create(admin=True, name="t", actor=None)[1]
    response = get(client, token, **{"from": "2026-11-11", "to": "2026-11-12", "by": "shop"})
    assert response.status_code == 200
    out = io.StringIO()
    call_command("metrics", "--from", "2026-11-11", "--to", "2026-11-12", "--by", "shop", "--format", "json", stdout=out)
    assert response.json() == json.loads(out.getvalue())


def test_a_shop_token_sees_only_its_shop(client, records):
    token = token_create(shop=Shop.objects.get(ext_id="s2"), name="t", actor=None)[1]
    whole = get(client, token, **{"from": "2026-11-11", "to": "2026-11-12", "metrics": "conversations,reply_rate"})
    assert whole.json() == [{"group": {}, "metrics": {"conversations": 1, "reply_rate": 0.0}}]
    refused = get(client, token, **{"from": "2026-11-11", "to": "2026-11-12", "shop": "s1"})
    assert refused.status_code == 403


@pytest.mark.parametrize("params, code", [
    ({"from": "2026-11-11", "to": "2026-11-11T00:00:00+08:00"}, "bad_period"),
    ({"from": "2026-11-11", "to": "2026-11-12", "by": "year"}, "bad_grouping"),
    ({"from": "2026-11-11", "to": "2026-11-12", "metrics": "nope"}, "unknown_metric"),
])
def test_bad_queries_say_why(client, records, params, code):
    token = token_create(admin=True, name="t", actor=None)[1]
    response = get(client, token, **params)
    assert response.status_code == 400 and response.json()["error"]["code"] == code


def test_definitions_and_authentication(client):
    assert client.get("/api/v1/metrics/definitions").status_code == 401
    token = token_create(admin=True, name="t", actor=None)[1]
    definitions = client.get("/api/v1/metrics/definitions", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert definitions[0]["key"] == "conversations" and definitions[0]["name_zh"] == "咨询量"
