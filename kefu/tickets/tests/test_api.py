"""/api/v1/tickets: create, list, get, update, transition (409 on conflict), comment — with
the permissions of the services, for sessions and tokens."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.accounts.services import token_create
from kefu.core.testing.factories import OrderFactory, ReviewFactory, ShopFactory
from kefu.tickets.models import TicketEvent
from kefu.tickets.services import ticket_create

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def test_an_agent_opens_lists_and_moves_a_ticket(client_for, agent_user, shop):
    client = client_for(agent_user)
    order = OrderFactory(shop=shop, ext_id="o1")
    response = client.post(URL, {"type": "aftersale", "title": "退货", "shop_id": "s1", "order_id": "o1",
                                 "assignee_id": agent_user.pk, "details": {"kind": "return"}},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["order_id"] == "o1" and body["customer_id"] == order.customer.ext_id and body["version"] == 1
    listing = client.get(URL, {"type": "aftersale"}).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == body["id"]
    assert {"id", "type", "status", "order_id", "customer_id", "review_id"} <= listing["items"][0].keys()
    moved = client.post(f"{URL}/{body['id']}/transition", {"to_status": "in_progress", "expected_version": 1},
                        content_type="application/json")
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    stale = client.post(f"{URL}/{body['id']}/transition", {"to_status": "resolved", "expected_version": 1},
                        content_type="application/json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    refused = client.post(f"{URL}/{body['id']}/transition", {"to_status": "new"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "transition_not_allowed"
    assert TicketEvent.objects.filter(ticket_id=body["id"]).count() == 2


def test_patch_and_comment(client_for, agent_user, shop, product):
    client = client_for(agent_user)
    ticket = ticket_create(shop=shop, type="product_feedback", title="尺码偏小", assignee=agent_user)
    patched = client.patch(f"{URL}/{ticket.pk}", {"expected_version": 1, "details": {"kind": "size", "sku": "SKU-1"},
                                                  "department": "product"}, content_type="application/json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["details"]["sku"] == "SKU-1" and patched.json()["department"] == "product"
    stale = client.patch(f"{URL}/{ticket.pk}", {"expected_version": 1, "title": "x"}, content_type="application/json")
    assert stale.status_code == 409
    comment = client.post(f"{URL}/{ticket.pk}/comments", {"body": "请确认尺码表", "kind": "ask_back",
                                                          "to_department": "product"}, content_type="application/json")
    assert comment.status_code == 201 and comment.json()["to_department"] == "product"


def test_list_filters_and_a_review_link(client_for, s1_supervisor, shop):
    review = ReviewFactory(shop=shop, ext_id="r1", rating=1)
    ticket_create(shop=shop, type="review_recovery", title="差评", review=review)
    ticket_create(shop=shop, type="complaint", title="投诉", priority="urgent")
    client = client_for(s1_supervisor)
    items = client.get(URL, {"type": "review_recovery"}).json()["items"]
    assert [(i["review_id"], i["order_id"]) for i in items] == [("r1", review.order.ext_id)]
    assert client.get(URL, {"status": "new"}).json()["count"] == 2
    assert client.get(URL, {"sla_state": "breached"}).json()["count"] == 0
    assert client.get(URL, {"limit": 1}).json()["count"] == 2 and len(client.get(URL, {"limit": 1}).json()["items"]) == 1


def test_the_list_has_a_query_ceiling(client_for, s1_supervisor, shop):
    for n in range(10):
        ticket_create(shop=shop, type="aftersale", title=f"工单{n}", order=OrderFactory(shop=shop))
    client = client_for(s1_supervisor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).json()["count"] == 10
    assert len(queries) <= 12


def test_every_role_is_refused_what_it_may_not_do(client_for, shop, agent_user, other_agent_user, qa_user, wuliu,
                                                  logistics):
    mine = ticket_create(shop=shop, type="aftersale", title="小美的", assignee=agent_user)
    dept = ticket_create(shop=shop, type="logistics", title="物流的", department=logistics)
    other = ticket_create(shop=ShopFactory(ext_id="s9"), type="complaint", title="别家")
    # An agent: not another agent's ticket, not another shop's.
    client = client_for(other_agent_user)
    assert client.get(f"{URL}/{mine.pk}").status_code == 404
    assert client.get(f"{URL}/{other.pk}").status_code == 404
    assert client.post(f"{URL}/{mine.pk}/transition", {"to_status": "in_progress"},
                       content_type="application/json").status_code == 404
    assert client.get(URL).json()["count"] == 0
    # The logistics department: only its own ticket; may not open tickets.
    client = client_for(wuliu)
    assert [i["id"] for i in client.get(URL).json()["items"]] == [dept.pk]
    assert client.patch(f"{URL}/{mine.pk}", {"title": "x"}, content_type="application/json").status_code == 404
    assert client.post(URL, {"type": "complaint", "title": "x", "shop_id": "s1"},
                       content_type="application/json").status_code == 403
    # QA: nothing.
    client = client_for(qa_user)
    assert client.get(URL).json()["count"] == 0
    assert client.post(f"{URL}/{mine.pk}/comments", {"body": "x"}, content_type="application/json").status_code == 404
    # An agent may not hand a ticket to someone else.
    client = client_for(agent_user)
    assert client.patch(f"{URL}/{mine.pk}", {"assignee_id": other_agent_user.pk},
                        content_type="application/json").status_code == 403


def test_anonymous_is_refused(client):
    assert client.get(URL).status_code == 401


def test_a_shop_token_reaches_only_its_shop(client, shop):
    token = token_create(shop=shop, name="erp", actor=None)[1]
    headers = {"Authorization": f"Bearer {token}"}
    other = ticket_create(shop=ShopFactory(ext_id="s9"), type="complaint", title="别家")
    created = client.post(URL, {"type": "complaint", "title": "API 投诉"}, content_type="application/json",
                          headers=headers)
    assert created.status_code == 201 and created.json()["shop_id"] == "s1"
    assert client.get(URL, headers=headers).json()["count"] == 1
    assert client.get(f"{URL}/{other.pk}", headers=headers).status_code == 404
    assert client.post(URL, {"type": "complaint", "title": "x", "shop_id": "s9"}, content_type="application/json",
                       headers=headers).status_code == 403
