"""The ticket pages: who may open which page (and the 403/404 of those who may not), the
lists' tabs, filters and SLA column, bulk actions through the services, the conflict
message of a stale form, and the conversation page's one-click 创建工单."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.accounts.models import Agent
from kefu.core.testing.factories import ConversationFactory, OrderFactory
from kefu.tickets.models import AutomationRule, Ticket, TicketComment, TicketEvent, WorkCalendar
from kefu.tickets.services import ticket_transition, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def product_ticket(open_ticket, product):
    return open_ticket(type="product_feedback", title="尺码偏小", department=product)


@pytest.fixture
def logistics_ticket(open_ticket, logistics):
    return open_ticket(type="aftersale", title="补发丢件", department=logistics)


@pytest.fixture
def conversation(shop, agent_user):
    agent = Agent.objects.get(user=agent_user)
    order = OrderFactory(shop=shop, ext_id="T20260501", status="已发货")
    return ConversationFactory(shop=shop, customer=order.customer, order=order, order_ext=order.ext_id,
                               assigned_agent=agent, assigned_agent_ext=agent.ext_id, ext_id="v-001")


def _rows(response) -> list[int]:
    return [ticket.pk for ticket, _sla in response.context["rows"]]


# ---- who may open what -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tickets:list", "tickets:new"])
def test_agents_open_the_list_and_the_form(client_for, agent_user, name):
    assert client_for(agent_user).get(reverse(name)).status_code == 200


def test_the_nav_links_the_tickets_for_those_who_see_them(client_for, agent_user, qa_user):
    assert 'href="/tickets/"' in client_for(agent_user).get(reverse("conversation_list")).content.decode()
    assert 'href="/tickets/"' not in client_for(qa_user).get(reverse("conversation_list")).content.decode()


def test_people_without_tickets_get_403(client_for, qa_user, logistics_ticket):
    client = client_for(qa_user)
    for url in (reverse("tickets:list"), reverse("tickets:new"), reverse("tickets:sla_report"),
                reverse("tickets:rules"), reverse("tickets:detail", args=[logistics_ticket.pk])):
        assert client.get(url).status_code == 403, url


def test_a_logistics_user_cannot_open_a_product_ticket(client_for, wuliu, product_ticket, logistics_ticket):
    client = client_for(wuliu)
    assert client.get(reverse("tickets:detail", args=[product_ticket.pk])).status_code == 404
    assert client.post(reverse("tickets:comment", args=[product_ticket.pk]), {"kind": "public", "body": "x"}).status_code == 404
    assert client.get(reverse("tickets:detail", args=[logistics_ticket.pk])).status_code == 200


def test_a_missing_ticket_is_404(client_for, s1_supervisor):
    assert client_for(s1_supervisor).get(reverse("tickets:detail", args=[999999])).status_code == 404


def test_an_agent_cannot_open_a_colleagues_ticket(client_for, other_agent_user, logistics_ticket):
    assert client_for(other_agent_user).get(reverse("tickets:detail", args=[logistics_ticket.pk])).status_code == 404


def test_department_people_cannot_create_tickets(client_for, wuliu, conversation):
    client = client_for(wuliu)
    assert client.get(reverse("tickets:new")).status_code == 403
    assert client.post(reverse("tickets:from_conversation", args=[conversation.pk]), {"type": "aftersale"}).status_code == 403


@pytest.mark.parametrize("name", ["tickets:sla_report", "tickets:rules", "tickets:policies", "tickets:calendars",
                                  "tickets:departments", "tickets:rule_create", "tickets:calendar_create"])
def test_supervisors_open_the_report_and_settings(client_for, s1_supervisor, name):
    assert client_for(s1_supervisor).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["tickets:sla_report", "tickets:rules", "tickets:policies", "tickets:calendars",
                                  "tickets:departments"])
def test_agents_and_departments_cannot_open_the_report_or_settings(client_for, agent_user, wuliu, name):
    assert client_for(agent_user).get(reverse(name)).status_code == 403
    assert client_for(wuliu).get(reverse(name)).status_code == 403


def test_a_team_lead_sees_the_report_but_not_the_settings(client_for, team_lead):
    client = client_for(team_lead)
    assert client.get(reverse("tickets:sla_report")).status_code == 200
    assert client.get(reverse("tickets:rules")).status_code == 403


# ---- lists -------------------------------------------------------------------------------


def test_the_tabs_follow_the_role(client_for, agent_user, team_lead, wuliu, s1_supervisor):
    def tabs(user):
        return [t.key for t in client_for(user).get(reverse("tickets:list")).context["tabs"]]

    assert tabs(agent_user) == ["mine", "breaching"]
    assert tabs(team_lead) == ["mine", "team", "breaching"]
    assert tabs(wuliu) == ["mine", "department", "breaching"]
    assert tabs(s1_supervisor) == ["mine", "team", "breaching", "all"]


def test_the_department_tab_lists_only_the_departments_tickets(client_for, wuliu, product_ticket, logistics_ticket,
                                                               open_ticket):
    open_ticket(title="没有部门")
    response = client_for(wuliu).get(reverse("tickets:list"), {"tab": "department"})
    assert _rows(response) == [logistics_ticket.pk]
    assert "补发丢件" in response.content.decode() and "尺码偏小" not in response.content.decode()


def test_a_department_user_cannot_widen_the_list_with_another_tab(client_for, wuliu, product_ticket, logistics_ticket):
    response = client_for(wuliu).get(reverse("tickets:list"), {"tab": "all"})
    assert response.status_code == 200
    assert product_ticket.pk not in _rows(response)


def test_every_row_shows_its_sla_state_with_the_time_left(client_for, s1_supervisor, logistics_ticket):
    response = client_for(s1_supervisor).get(reverse("tickets:list"))
    html = response.content.decode()
    assert 'data-sla="ok"' in html
    ticket, sla = response.context["rows"][0]
    assert sla.clock == "first_response" and sla.remaining is not None


def test_a_breached_row_says_overdue(client_for, s1_supervisor, logistics_ticket):
    Ticket.objects.filter(pk=logistics_ticket.pk).update(
        created_at=logistics_ticket.created_at.replace(year=logistics_ticket.created_at.year - 1), sla_state="breached")
    response = client_for(s1_supervisor).get(reverse("tickets:list"), {"tab": "breaching"})
    assert _rows(response) == [logistics_ticket.pk]
    ticket, sla = response.context["rows"][0]
    assert sla.overdue
    assert 'data-sla="breached"' in response.content.decode()


@pytest.mark.parametrize("params, expected", [
    ({"type": "product_feedback"}, ["product"]),
    ({"type": "aftersale"}, ["logistics"]),
    ({"priority": "high"}, ["product"]),
    ({"department": "logistics"}, ["logistics"]),
    ({"q": "尺码"}, ["product"]),
    ({"status": "in_progress"}, []),
    ({"sla": "breached"}, []),
])
def test_filters(client_for, s1_supervisor, product_ticket, logistics_ticket, logistics, params, expected):
    Ticket.objects.filter(pk=product_ticket.pk).update(priority="high")
    if params.get("department") == "logistics":
        params = {"department": str(logistics.pk)}
    response = client_for(s1_supervisor).get(reverse("tickets:list"), {"tab": "all", **params})
    names = {product_ticket.pk: "product", logistics_ticket.pk: "logistics"}
    assert [names[pk] for pk in _rows(response)] == expected


def test_closed_tickets_are_hidden_unless_asked(client_for, s1_supervisor, logistics_ticket, agent_user):
    ticket_transition(ticket=logistics_ticket, to_status="cancelled", actor=agent_user)
    client = client_for(s1_supervisor)
    assert _rows(client.get(reverse("tickets:list"), {"tab": "all"})) == []
    assert _rows(client.get(reverse("tickets:list"), {"tab": "all", "closed": "1"})) == [logistics_ticket.pk]


def test_the_list_paginates_and_keeps_a_query_ceiling(client_for, s1_supervisor, open_ticket, logistics):
    for n in range(30):
        open_ticket(title=f"工单{n}", department=logistics if n % 2 else None)
    client = client_for(s1_supervisor)
    client.get(reverse("tickets:list"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("tickets:list"), {"tab": "all"})
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.count == 30
    assert len(queries) <= 20, [q["sql"] for q in queries]
    assert len(client.get(reverse("tickets:list"), {"tab": "all", "page": 2}).context["rows"]) == 5


# ---- bulk actions ------------------------------------------------------------------------


def test_bulk_assign_goes_through_the_service_and_reports_each_ticket(client_for, team_lead, agent_user,
                                                                      open_ticket, product_ticket):
    mine = open_ticket(title="一")
    response = client_for(team_lead).post(reverse("tickets:bulk"), {
        "ids": [mine.pk, product_ticket.pk, 999999], "action": "assign", "assignee": team_lead.pk,
    })
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.context["rows"]}
    assert rows[mine.pk]["ok"] and rows[product_ticket.pk]["ok"]
    assert not rows[999999]["ok"]
    assert Ticket.objects.get(pk=mine.pk).assignee == team_lead
    assert TicketEvent.objects.filter(ticket=mine, kind="assigned").count() == 1


def test_bulk_transition_reports_disallowed_moves(client_for, s1_supervisor, open_ticket, agent_user):
    fresh = open_ticket(title="新的")
    started = open_ticket(title="处理中")
    ticket_transition(ticket=started, to_status="in_progress", actor=agent_user)
    response = client_for(s1_supervisor).post(reverse("tickets:bulk"), {
        "ids": [fresh.pk, started.pk], "action": "transition", "to_status": "resolved",
    })
    rows = {row["id"]: row for row in response.context["rows"]}
    assert rows[started.pk]["ok"]
    assert not rows[fresh.pk]["ok"] and rows[fresh.pk]["message"]
    assert Ticket.objects.get(pk=fresh.pk).status == "new"
    assert Ticket.objects.get(pk=started.pk).status == "resolved"
    assert 'data-ok="0"' in response.content.decode()


def test_an_agent_cannot_bulk_assign_to_a_colleague(client_for, agent_user, other_agent_user, open_ticket):
    mine = open_ticket(title="一")
    response = client_for(agent_user).post(reverse("tickets:bulk"), {
        "ids": [mine.pk], "action": "assign", "assignee": other_agent_user.pk,
    })
    assert not response.context["rows"][0]["ok"]
    assert Ticket.objects.get(pk=mine.pk).assignee == agent_user


def test_bulk_without_a_selection_says_so(client_for, s1_supervisor):
    response = client_for(s1_supervisor).post(reverse("tickets:bulk"), {"action": "assign"}, follow=True)
    assert "至少选择一个工单" in response.content.decode() or "Select at least one ticket" in response.content.decode()


# ---- the ticket page ---------------------------------------------------------------------


def test_the_ticket_page_shows_links_clock_transitions_and_timeline(client_for, agent_user, conversation, logistics):
    from kefu.tickets.services import ticket_create_from_conversation

    ticket = ticket_create_from_conversation(conversation_id=conversation.pk, actor=agent_user, type="aftersale",
                                             department=logistics)
    response = client_for(agent_user).get(reverse("tickets:detail", args=[ticket.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "T20260501" in html and "已发货" in html
    assert reverse("conversation_detail", args=[conversation.pk]) in html
    assert [value for value, _label in response.context["transitions"]] == ["in_progress", "cancelled"]
    assert 'data-transition="in_progress"' in html and 'data-transition="resolved"' not in html
    assert 'data-event="created"' in html
    assert 'data-panel="sla"' in html


def test_department_people_see_no_transition_they_may_not_do(client_for, wuliu, logistics_ticket):
    response = client_for(wuliu).get(reverse("tickets:detail", args=[logistics_ticket.pk]))
    assert [v for v, _l in response.context["transitions"]] == ["in_progress", "cancelled"]


def test_a_transition_from_the_page_writes_one_event(client_for, agent_user, logistics_ticket):
    response = client_for(agent_user).post(reverse("tickets:transition", args=[logistics_ticket.pk]), {
        "to_status": "in_progress", "version": logistics_ticket.version, "note": "开始处理",
    })
    assert response.status_code == 302
    event = TicketEvent.objects.get(ticket=logistics_ticket, kind="transitioned")
    assert (event.from_status, event.to_status, event.note) == ("new", "in_progress", "开始处理")


def test_a_disallowed_transition_is_refused_with_the_services_message(client_for, agent_user, logistics_ticket):
    response = client_for(agent_user).post(reverse("tickets:transition", args=[logistics_ticket.pk]), {
        "to_status": "closed", "version": logistics_ticket.version,
    })
    assert response.status_code == 400
    assert response.context["errors"]
    assert Ticket.objects.get(pk=logistics_ticket.pk).status == "new"


def test_a_stale_edit_shows_the_conflict_and_keeps_what_was_typed(client_for, agent_user, team_lead, logistics_ticket):
    seen = logistics_ticket.version
    ticket_update(ticket=logistics_ticket, actor=team_lead, priority="high")  # someone else, meanwhile
    response = client_for(agent_user).post(reverse("tickets:edit", args=[logistics_ticket.pk]), {
        "version": seen, "title": "补发丢件（顺丰）", "priority": "normal", "department": "",
        "tags": "加急", "description": "客户说包裹三天没动", "d_kind": "reship",
    })
    assert response.status_code == 409
    html = response.content.decode()
    assert response.context["conflict"]
    assert "客户说包裹三天没动" in html and "补发丢件（顺丰）" in html and "加急" in html
    assert 'data-errors' in html
    ticket = Ticket.objects.get(pk=logistics_ticket.pk)
    assert ticket.title == "补发丢件" and ticket.priority == "high"
    # the kept form now names the current version: saving again applies it knowingly
    assert response.context["edit_form"]["version"].value() == str(ticket.version)
    # ... without undoing the other person's change to a field this person left alone
    assert response.context["edit_form"]["priority"].value() == "high"


def test_a_stale_transition_shows_the_conflict_and_keeps_the_note(client_for, agent_user, team_lead, logistics_ticket):
    seen = logistics_ticket.version
    ticket_update(ticket=logistics_ticket, actor=team_lead, priority="high")
    response = client_for(agent_user).post(reverse("tickets:transition", args=[logistics_ticket.pk]), {
        "to_status": "in_progress", "version": seen, "note": "我来处理",
    })
    assert response.status_code == 409
    assert "我来处理" in response.content.decode()
    assert Ticket.objects.get(pk=logistics_ticket.pk).status == "new"


def test_editing_type_details_from_the_page(client_for, s1_supervisor, open_ticket):
    complaint = open_ticket(type="complaint", title="投诉")
    response = client_for(s1_supervisor).post(reverse("tickets:edit", args=[complaint.pk]), {
        "version": complaint.version, "title": "投诉", "priority": "normal", "department": "", "tags": "",
        "description": "", "d_escalation_level": "supervisor", "d_large_order_dispute": "on",
    })
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.details["escalation_level"] == "supervisor" and complaint.details["large_order_dispute"]
    assert TicketEvent.objects.filter(ticket=complaint, kind="escalated").exists()


def test_a_contact_attempt_and_evidence_items(client_for, s1_supervisor, open_ticket):
    recovery = open_ticket(type="review_recovery", title="差评")
    client = client_for(s1_supervisor)
    client.post(reverse("tickets:edit", args=[recovery.pk]), {
        "version": recovery.version, "title": "差评", "priority": "normal", "d_outcome": "",
        "attempt_channel": "电话", "attempt_note": "未接", "attempt_reached": "",
    })
    recovery.refresh_from_db()
    assert [a["channel"] for a in recovery.details["contact_attempts"]] == ["电话"]
    dispute = open_ticket(type="platform_dispute", title="平台介入")
    client.post(reverse("tickets:edit", args=[dispute.pk]), {
        "version": dispute.version, "title": "平台介入", "priority": "normal", "d_platform": "taobao",
        "d_platform_deadline": "2026-11-12T18:00", "evidence_new": "聊天截图\n物流单号",
    })
    dispute.refresh_from_db()
    assert [e["item"] for e in dispute.details["evidence"]] == ["聊天截图", "物流单号"]
    assert dispute.details["platform_deadline"].startswith("2026-11-12T18:00:00+08:00")
    html = client.get(reverse("tickets:detail", args=[dispute.pk])).content.decode()
    assert "聊天截图" in html


def test_assign_from_the_page(client_for, team_lead, logistics_ticket):
    response = client_for(team_lead).post(reverse("tickets:assign", args=[logistics_ticket.pk]), {
        "version": logistics_ticket.version, "assignee": team_lead.pk,
    })
    assert response.status_code == 302
    assert Ticket.objects.get(pk=logistics_ticket.pk).assignee == team_lead


def test_comments_public_internal_and_ask_back(client_for, agent_user, logistics_ticket, product):
    client = client_for(agent_user)
    client.post(reverse("tickets:comment", args=[logistics_ticket.pk]), {"kind": "internal", "body": "内部备注"})
    client.post(reverse("tickets:comment", args=[logistics_ticket.pk]),
                {"kind": "ask_back", "body": "请产品确认", "to_department": product.pk})
    kinds = list(TicketComment.objects.filter(ticket=logistics_ticket).values_list("kind", "to_department"))
    assert kinds == [("internal", None), ("ask_back", product.pk)]
    html = client.get(reverse("tickets:detail", args=[logistics_ticket.pk])).content.decode()
    assert "内部备注" in html and "请产品确认" in html


def test_an_empty_comment_is_refused_and_nothing_is_written(client_for, agent_user, logistics_ticket):
    response = client_for(agent_user).post(reverse("tickets:comment", args=[logistics_ticket.pk]),
                                           {"kind": "public", "body": "   "})
    assert response.status_code == 400
    assert not TicketComment.objects.filter(ticket=logistics_ticket).exists()


def test_comment_text_is_escaped(client_for, agent_user, logistics_ticket):
    client = client_for(agent_user)
    client.post(reverse("tickets:comment", args=[logistics_ticket.pk]),
                {"kind": "public", "body": "<script>alert(1)</script>"})
    html = client.get(reverse("tickets:detail", args=[logistics_ticket.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_logistics_department_answers_and_resolves(client_for, wuliu, agent_user, logistics_ticket):
    client = client_for(wuliu)
    client.post(reverse("tickets:comment", args=[logistics_ticket.pk]), {"kind": "public", "body": "已补发"})
    for status in ("in_progress", "resolved"):
        version = Ticket.objects.get(pk=logistics_ticket.pk).version
        response = client.post(reverse("tickets:transition", args=[logistics_ticket.pk]),
                               {"to_status": status, "version": version})
        assert response.status_code == 302
    ticket = Ticket.objects.get(pk=logistics_ticket.pk)
    assert ticket.status == "resolved" and ticket.first_responded_at is not None


# ---- opening tickets ---------------------------------------------------------------------


def test_the_conversation_page_offers_the_one_click_create(client_for, agent_user, conversation):
    html = client_for(agent_user).get(reverse("conversation_detail", args=[conversation.pk])).content.decode()
    assert reverse("tickets:from_conversation", args=[conversation.pk]) in html
    assert "data-create-ticket" in html


def test_one_click_create_from_a_conversation(client_for, agent_user, conversation, logistics):
    client = client_for(agent_user)
    response = client.post(reverse("tickets:from_conversation", args=[conversation.pk]),
                           {"type": "aftersale", "department": logistics.pk})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    assert (ticket.type, ticket.department, ticket.assignee) == ("aftersale", logistics, agent_user)
    assert ticket.order == conversation.order and ticket.customer == conversation.customer
    assert list(ticket.conversations.all()) == [conversation]
    html = client.get(reverse("conversation_detail", args=[conversation.pk])).content.decode()
    assert f'data-linked-ticket="{ticket.pk}"' in html


def test_one_click_create_on_someone_elses_conversation_is_404(client_for, other_agent_user, conversation):
    response = client_for(other_agent_user).post(reverse("tickets:from_conversation", args=[conversation.pk]),
                                                 {"type": "aftersale"})
    assert response.status_code == 404
    assert not Ticket.objects.exists()


def test_the_form_is_prefilled_from_a_conversation(client_for, agent_user, conversation, logistics):
    client = client_for(agent_user)
    response = client.get(reverse("tickets:new"), {"conversation": conversation.pk})
    form = response.context["form"]
    assert form.initial["order"] == "T20260501" and form.initial["type"] == "aftersale"
    assert "data-from-conversation" in response.content.decode()
    response = client.post(reverse("tickets:new"), {
        "conversation": conversation.pk, "shop": conversation.shop_id, "type": "aftersale", "title": "换货",
        "priority": "high", "department": logistics.pk, "assignee": agent_user.pk, "order": "T20260501",
        "description": "", "d_kind": "exchange",
    })
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.title, ticket.priority, ticket.details["kind"]) == ("换货", "high", "exchange")
    assert list(ticket.conversations.all()) == [conversation] and ticket.order == conversation.order


def test_the_form_by_hand_with_an_unknown_order(client_for, agent_user, shop):
    response = client_for(agent_user).post(reverse("tickets:new"), {
        "shop": shop.pk, "type": "complaint", "title": "投诉", "priority": "normal", "order": "nope",
        "d_escalation_level": "team_lead",
    })
    assert response.status_code == 400 and response.context["errors"]
    assert not Ticket.objects.exists()


def test_the_form_by_hand(client_for, agent_user, shop):
    order = OrderFactory(shop=shop, ext_id="A1")
    response = client_for(agent_user).post(reverse("tickets:new"), {
        "shop": shop.pk, "type": "complaint", "title": "", "priority": "normal", "order": "A1",
        "d_escalation_level": "team_lead", "d_malicious": "on",
    })
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.order == order and ticket.customer == order.customer and ticket.details["malicious"]


# ---- report and settings -----------------------------------------------------------------


def test_the_sla_report_shows_the_departments_figures(client_for, s1_supervisor, wuliu, logistics_ticket):
    from kefu.tickets.services import ticket_comment

    ticket_comment(ticket=logistics_ticket, actor=wuliu, body="已处理")
    response = client_for(s1_supervisor).get(reverse("tickets:sla_report"))
    assert response.status_code == 200
    departments = response.context["departments"]
    assert [row.key for row in departments] == ["logistics"]
    assert departments[0].tickets == 1 and len(departments[0].first_response) == 1
    html = response.content.decode()
    assert 'data-sla-chart' in html and "echarts.min.js" in html


def test_settings_save_through_the_configuration_services(client_for, s1_supervisor, logistics, wuliu):
    client = client_for(s1_supervisor)
    response = client.post(reverse("tickets:rule_create"), {
        "name": "售后转物流", "trigger": "created", "shop": "",
        "conditions": '[{"field": "type", "op": "eq", "value": "aftersale"}]',
        "actions": '[{"action": "set_field", "field": "department", "value": "logistics"}]',
        "position": 0, "active": "on",
    })
    assert response.status_code == 302
    rule = AutomationRule.objects.get()
    client.post(reverse("tickets:rule_toggle", args=[rule.pk]))
    assert not AutomationRule.objects.get().active
    bad = client.post(reverse("tickets:rule_create"), {"name": "坏", "trigger": "created", "actions": "[]",
                                                      "position": 0})
    assert bad.status_code == 400
    client.post(reverse("tickets:policies"), {"type": "aftersale", "priority": "high", "first": 30,
                                              "resolution": 240, "near": 75})
    assert client.get(reverse("tickets:policies")).context["rows"][0]["type"] == "aftersale"
    response = client.post(reverse("tickets:calendar_create"), {
        "name": "客服日历", "timezone": "Asia/Shanghai", "weekly_hours": '{"0": [["09:00", "18:00"]]}',
        "use_public_holidays": "on", "holidays": "2026-05-04", "extra_workdays": "", "promotion_days": "",
        "is_default": "on",
    })
    assert response.status_code == 302
    assert WorkCalendar.objects.get().holidays == ["2026-05-04"]
    response = client.post(reverse("tickets:department_edit", args=[logistics.pk]), {
        "name": "物流部", "kind": "logistics", "calendar": "", "members": [wuliu.pk, s1_supervisor.pk],
    })
    assert response.status_code == 302
    assert set(logistics.members.all()) == {wuliu, s1_supervisor}


def test_the_english_ui(client_for, s1_supervisor, logistics_ticket):
    client = client_for(s1_supervisor)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("tickets:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My tickets" in html


def test_the_chinese_ui(client_for, s1_supervisor, logistics_ticket):
    html = client_for(s1_supervisor).get(reverse("tickets:list")).content.decode()
    assert "我的工单" in html and "本组工单" in html and "即将超时" in html
