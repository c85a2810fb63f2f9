"""The search page /customers/ and the customer page: filters, scoping, phone lookup per
role, masking, XSS, and query-count ceilings that do not grow with the data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.accounts.roles import Role
from kefu.core.models import AuditEntry
from kefu.core.testing.factories import ConversationFactory, CustomerFactory, ReviewFactory
from kefu.customers.models import CustomerTag
from kefu.customers.tests.helpers import paid_order, returns, says
from kefu.customers.tests.test_services import grant_personal_data
from kefu.tickets.services import ticket_create, ticket_update

pytestmark = pytest.mark.django_db

URL = "/customers/"


def found(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [row.ext_id for row in response.context["rows"]]


@pytest.fixture
def people(shop):
    rich = CustomerFactory(shop=shop, ext_id="c-rich", nick="大户王", vip_level="V2", phone="13900001111")
    plain = CustomerFactory(shop=shop, ext_id="c-plain", nick="小李", phone="+86 138-0000-2222")
    paid_order(rich, amount="6000.00", days_ago=3)
    paid_order(plain, amount="50.00", days_ago=40)
    return rich, plain


def test_search_by_nick_and_id(supervisor_client, people):
    assert found(supervisor_client, q="大户") == ["c-rich"]
    assert found(supervisor_client, q="c-plain") == ["c-plain"]
    assert found(supervisor_client, q="c-pl") == []  # ids match exactly


def test_search_by_vip_level_tag_value_and_last_order(supervisor_client, people):
    rich, plain = people
    CustomerTag.objects.create(customer=plain, name="老客", created_at=timezone.now())
    assert found(supervisor_client, vip_level="V2") == ["c-rich"]
    assert found(supervisor_client, vip_level="*") == ["c-rich"]
    assert found(supervisor_client, tag="老客") == ["c-plain"]
    assert found(supervisor_client, auto_tag="vip") == ["c-rich"]
    assert found(supervisor_client, value_min="100", value_max="6000") == ["c-rich"]
    assert found(supervisor_client, value_max="50.00") == ["c-plain"]
    day = timezone.localdate() - timedelta(days=10)
    assert found(supervisor_client, last_order_from=day.isoformat()) == ["c-rich"]
    assert found(supervisor_client, last_order_to=day.isoformat()) == ["c-plain"]


def test_search_by_imported_tag(supervisor_client, shop):
    CustomerFactory(shop=shop, ext_id="c-imp", tags=["高价值", "b"])
    CustomerFactory(shop=shop, ext_id="c-other", tags=["高价值客户"])
    assert found(supervisor_client, tag="高价值") == ["c-imp"]


def test_bad_filters_are_form_errors(supervisor_client, people):
    response = supervisor_client.get(URL, {"value_min": "100", "value_max": "10", "last_order_from": "2026-05-02",
                                           "last_order_to": "2026-05-01", "auto_tag": "nope"})
    form = response.context["form"]
    assert set(form.errors) == {"value_max", "last_order_to", "auto_tag"}
    assert response.context["rows"] == []
    assert 'data-error="value_max"' in response.content.decode()


def test_phone_search_is_exact_and_only_for_the_personal_data_permission(client_for, make_user, people):
    client = client_for(grant_personal_data(make_user(Role.SUPERVISOR)))
    assert found(client, phone="138 0000 2222") == ["c-plain"]  # normalised: same number
    assert found(client, phone="13900001111") == ["c-rich"]
    assert found(client, phone="1390000") == []  # part of a number finds nothing
    plain_client = client_for(make_user(Role.SUPERVISOR))
    page = plain_client.get(URL, {"phone": "13900001111"})
    assert "phone" not in page.context["form"].fields
    assert sorted(row.ext_id for row in page.context["rows"]) == ["c-plain", "c-rich"]  # the field is ignored


def test_phone_is_masked_in_the_list_and_page(supervisor_client, people):
    rich, _plain = people
    for url in (URL, reverse("customer_detail", args=[rich.pk])):
        assert "13900001111" not in supervisor_client.get(url).content.decode()


def test_shop_scoping(make_user, client_for, shop, other_shop, people):
    stranger = CustomerFactory(shop=other_shop, ext_id="c-away", nick="外店客")
    user = make_user(Role.SUPERVISOR, shops=[other_shop])
    client = client_for(user)
    assert found(client) == ["c-away"]
    assert client.get(reverse("customer_detail", args=[people[0].pk])).status_code == 404
    assert client.get(reverse("customer_detail", args=[stranger.pk])).status_code == 200


def test_agent_sees_only_the_customers_they_served(agent_client, agent_user, people):
    ConversationFactory(shop=people[1].shop, customer=people[1], assigned_agent=agent_user.agent)
    assert found(agent_client) == ["c-plain"]


def test_department_users_cannot_search(client_for, logistics_user):
    assert client_for(logistics_user).get(URL).status_code == 403


def test_hostile_nickname_is_escaped(supervisor_client, shop):
    hostile = CustomerFactory(shop=shop, nick='<script>alert("x")</script>', tags=["<img src=x onerror=alert(1)>"])
    CustomerTag.objects.create(customer=hostile, name="<b>vip</b>", created_at=timezone.now())
    for url in (URL, reverse("customer_detail", args=[hostile.pk])):
        html = supervisor_client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>vip</b>" not in html
        assert "&lt;script&gt;" in html


def test_customer_page_shows_every_section(client_for, supervisor, shop):
    customer = CustomerFactory(shop=shop, nick="回头客")
    order = paid_order(customer, amount="120.50")
    paid_order(customer, amount="79.50")
    ReviewFactory(shop=shop, order=order, customer=customer, rating=1, text="质量很差，线头多")
    conversation = says(customer, "能便宜点吗", "包邮吗", "少点吧")
    returns(customer, 1)
    ticket_create(shop=shop, type="complaint", title="投诉物流慢", actor=supervisor, customer=customer)
    follow = ticket_create(shop=shop, type="follow_up", title="售后回访", actor=supervisor, customer=customer)
    ticket_update(ticket=follow, actor=supervisor, details={"result": "客户满意，已解决"})
    html = client_for(supervisor).get(reverse("customer_detail", args=[customer.pk])).content.decode()
    for text in ("质量很差，线头多", "投诉物流慢", "售后回访", "客户满意，已解决", f"/conversations/{conversation.pk}/",
                 'data-auto-tag="bargainer"', 'data-auto-tag="bad_review_risk"', "399.00"):
        assert text in html, text
    assert any(f"“{said}”" in html for said in ("能便宜点吗", "包邮吗", "少点吧"))  # an example of the bargaining
    assert 'data-figure="aov">133.00' in html  # (120.50 + 79.50 + the returned order's 199.00) / 3


def test_tickets_on_the_page_respect_ticket_visibility(agent_client, agent_user, other_agent_user, shop):
    customer = CustomerFactory(shop=shop)
    ConversationFactory(shop=shop, customer=customer, assigned_agent=agent_user.agent)
    ticket_create(shop=shop, type="complaint", title="别人的工单", actor=other_agent_user, assignee=other_agent_user,
                  customer=customer)
    html = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert "别人的工单" not in html


def test_list_query_count_does_not_grow_with_the_page(supervisor_client, shop, django_assert_max_num_queries):
    for n in range(30):
        customer = CustomerFactory(shop=shop, vip_level="V1" if n % 2 else "")
        paid_order(customer)
        CustomerTag.objects.create(customer=customer, name="老客", created_at=timezone.now())
    with django_assert_max_num_queries(15):  # 14: session, user, permissions, layout, 5 of the search
        response = supervisor_client.get(URL, {"auto_tag": "vip"})
    assert len(response.context["rows"]) == 15


def test_detail_query_count(supervisor_client, shop, supervisor, django_assert_max_num_queries):
    customer = CustomerFactory(shop=shop)
    for _ in range(5):
        paid_order(customer)
        says(customer, "便宜点", "包邮", "少点")
        ticket_create(shop=shop, type="follow_up", title="回访", actor=supervisor, customer=customer)
    returns(customer, 3)
    with django_assert_max_num_queries(20):
        assert supervisor_client.get(reverse("customer_detail", args=[customer.pk])).status_code == 200


def test_reveal_on_the_new_page_still_audited(client_for, supervisor, people):
    client = client_for(grant_personal_data(supervisor))
    response = client.post(reverse("customer_reveal", args=[people[0].pk]))
    assert "13900001111" in response.content.decode()
    assert AuditEntry.objects.filter(action="customer.view_personal_data").count() == 1
