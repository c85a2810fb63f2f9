"""Tickets (工单) in a real browser — the issue's acceptance journey: an agent opens an
after-sales ticket from a conversation in one click, addressed to the logistics
department; the logistics person sees only that ticket in 本部门工单, answers and resolves
it; the supervisor opens the department SLA report and sees logistics' figures."""

from datetime import timedelta

from django.utils import timezone

from e2e.pages import login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, AgentFactory, TeamFactory, UserFactory
from kefu.conversations.models import Sender
from kefu.core.testing.factories import ConversationFactory, MessageFactory, OrderFactory, ShopFactory
from kefu.tickets.models import Department, Ticket
from kefu.tickets.services import ticket_create, ticket_update
from kefu.tickets.sla import sla_apply, sla_refresh


def wait(page) -> None:
    page.wait_for_load_state("networkidle")


def sign_in_again(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def world():
    shop = ShopFactory(ext_id="s1", name="旗舰店")
    team = TeamFactory(name="售后组")
    xiaomei = UserFactory(username="xiaomei", display_name="小美", roles=[Role.AGENT], shops=[shop])
    agent = AgentFactory(shop=shop, user=xiaomei, team=team, name="小美")
    wuliu = UserFactory(username="wuliu", display_name="物流陈", roles=[Role.LOGISTICS], shops=[shop])
    logistics = Department.objects.get(key="logistics")
    logistics.members.add(wuliu)
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR], shops=[shop])
    order = OrderFactory(shop=shop, ext_id="TB20260501", status="已发货")
    started = timezone.now() - timedelta(minutes=20)
    conversation = ConversationFactory(shop=shop, customer=order.customer, order=order, order_ext=order.ext_id,
                                       stage="aftersale", assigned_agent=agent, assigned_agent_ext=agent.ext_id,
                                       ext_id="j-wl-1", started_at=started)
    MessageFactory(conversation=conversation, sent_at=started, text="我的快递三天没动了，订单 TB20260501")
    MessageFactory(conversation=conversation, sent_at=started + timedelta(minutes=1), sender=Sender.AGENT,
                   agent=agent, text="亲，我帮您登记工单，让物流部门跟进，请稍等～")
    # Tickets the logistics department must not see: the product department's, and an unaddressed one.
    ticket_create(shop=shop, type="product_feedback", title="尺码偏小", actor=xiaomei,
                  department=Department.objects.get(key="product"))
    ticket_create(shop=shop, type="complaint", title="客服态度投诉", actor=xiaomei, assignee=xiaomei)
    return conversation


def test_aftersales_ticket_from_conversation_to_logistics_and_the_sla_report(page, screenshot):
    conversation = world()

    # 1. The agent opens the conversation and creates the ticket in one click.
    login(page, "xiaomei", PASSWORD)
    page.goto(f"{page.base_url}/conversations/{conversation.pk}/")
    wait(page)
    quick = page.locator("[data-ticket-quick]")
    assert quick.locator('select[name="type"]').input_value() == "aftersale"  # the conversation names an order
    quick.locator('select[name="department"]').select_option(label="物流部")
    screenshot("90-tickets-conversation")
    quick.locator("[data-create-ticket]").click()
    wait(page)
    ticket = Ticket.objects.get(type="aftersale")
    assert page.url.endswith(f"/tickets/{ticket.pk}/")
    assert "已从该会话创建工单" in page.locator(".flash").inner_text()
    assert page.locator("[data-department]").inner_text() == "物流部"
    assert page.locator("[data-assignee]").inner_text() == "小美"
    assert "TB20260501" in page.locator("[data-order]").inner_text()
    assert page.locator("[data-conversations] a").inner_text() == "j-wl-1"
    assert page.locator('[data-sla="ok"]').count() >= 1
    screenshot("91-tickets-created")

    # Three days pass without an answer (the clock counts business time only).
    opened = Ticket.objects.get(pk=ticket.pk)
    opened.created_at -= timedelta(days=3)
    sla_apply(opened, now=timezone.now())
    opened.save()
    sla_refresh()

    # The agent's list: 我的工单 shows it with its SLA state.
    page.locator("nav.nav").get_by_role("link", name="工单").click()
    wait(page)
    assert page.locator("h1").inner_text() == "我的工单"
    assert page.locator(f'[data-ticket="{ticket.pk}"] [data-sla]').get_attribute("data-sla") in ("near", "breached")
    screenshot("92-tickets-agent-list")

    # 2. The logistics person sees only that ticket in 本部门工单, answers and resolves it.
    sign_in_again(page, "wuliu")
    page.locator("nav.nav").get_by_role("link", name="工单").click()
    wait(page)
    assert page.locator("h1").inner_text() == "本部门工单"
    rows = page.locator("[data-table=tickets] tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-ticket") == str(ticket.pk)
    assert "尺码偏小" not in page.content() and "客服态度投诉" not in page.content()
    screenshot("93-tickets-logistics-queue")

    rows.first.locator("td.title-cell a").click()
    wait(page)
    page.locator("[data-comment-form] textarea").fill("已联系顺丰，包裹滞留在中转站，今天补发，单号 SF1234567890。")
    page.locator("[data-comment-submit]").click()
    wait(page)
    assert "已联系顺丰" in page.locator(".timeline").inner_text()
    page.locator('[data-transition="in_progress"]').click()
    wait(page)
    page.locator('input[name="note"]').fill("已补发")
    page.locator('[data-transition="resolved"]').click()
    wait(page)
    assert page.locator("[data-status]").get_attribute("data-status") == "resolved"
    timeline = page.locator(".timeline").inner_text()
    assert "物流陈" in timeline and "已解决" in timeline and "已补发" in timeline
    screenshot("94-tickets-logistics-resolved")

    # 3. The supervisor opens the department SLA report and sees logistics' figures.
    sign_in_again(page, "zhuguan")
    page.locator("nav.nav").get_by_role("link", name="工单").click()
    wait(page)
    page.locator("nav.subnav").get_by_role("link", name="部门 SLA 报表").click()
    wait(page)
    assert page.locator("h1").inner_text() == "部门 SLA 报表"
    row = page.locator('[data-table=departments] tr[data-row="logistics"]')
    assert row.locator('[data-figure="tickets"]').inner_text() == "1"
    assert row.locator('[data-figure="open"]').inner_text() == "1"  # resolved, not closed
    assert row.locator('[data-figure="first_response"]').inner_text() != "—"
    assert row.locator('[data-figure="resolution"]').inner_text() != "—"
    page.wait_for_selector("[data-sla-chart] canvas")
    screenshot("95-tickets-sla-report")

    # The supervisor's other pages: every ticket, the form, the rules.
    page.locator("nav.subnav").get_by_role("link", name="工单列表").click()
    wait(page)
    assert page.locator("h1").inner_text() == "全部"
    assert page.locator("[data-table=tickets] tbody tr").count() == 3
    screenshot("96-tickets-supervisor-all")
    page.locator("nav.subnav").get_by_role("link", name="新建工单").click()
    wait(page)
    page.locator('select[name="type"]').select_option("platform_dispute")
    page.wait_for_url("**type=platform_dispute**")
    wait(page)
    assert page.locator('[data-field="d_platform_deadline"]').count() == 1
    screenshot("97-tickets-new-form")
    page.locator("nav.subnav").get_by_role("link", name="自动化规则").click()
    wait(page)
    screenshot("98-tickets-rules")

    # A stale form: someone changes the ticket while the supervisor edits it.
    feedback = Ticket.objects.get(type="product_feedback")
    page.goto(f"{page.base_url}/tickets/{feedback.pk}/")
    page.locator('[data-panel="edit"] summary').click()
    page.locator("#id_description").fill("S 码偏小一码，已有 3 位客户反馈")
    ticket_update(ticket=feedback, actor=Ticket.objects.get(pk=feedback.pk).created_by, priority="high")
    page.locator("[data-save]").click()
    wait(page)
    assert "冲突" in page.locator("[data-errors]").inner_text()
    assert page.locator("#id_description").input_value() == "S 码偏小一码，已有 3 位客户反馈"
    assert page.locator("#id_priority").input_value() == "high"  # the other change is not undone
    screenshot("99-tickets-conflict")
