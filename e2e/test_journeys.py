"""What a supervisor and an agent do first thing in the morning, in a real browser."""

from decimal import Decimal

from django.contrib.auth.models import Permission
from django.utils import timezone

from e2e.pages import figure, login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, AgentFactory, UserFactory
from kefu.conversations.models import Sender
from kefu.core.models import AuditEntry
from kefu.intake.models import ImportRun, PendingRecord, RejectedRecord
from kefu.commerce.models import LogisticsStatus
from kefu.core.testing.factories import (
    ConversationFactory,
    CustomerFactory,
    LogisticsEventFactory,
    MessageFactory,
    ShopFactory,
)
from kefu.web.tests.scenario import build_scenario, expected_figures


def test_supervisor_sees_todays_figures_in_chinese(page, screenshot):
    shop = ShopFactory(ext_id="s1", name="旗舰店")
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])
    scenario = build_scenario(shop=shop)
    expected = expected_figures(scenario)
    run = ImportRun.objects.create(
        source="file", name="2026-11-11.jsonl", records=120, created={"message": 100}, updated={"order": 15},
        unchanged={"shop": 1}, rejected_count=4, finished_at=timezone.now(),
    )
    for line in range(4):
        RejectedRecord.objects.create(run=run, line=line + 1, type="message", reason="time without offset")
    PendingRecord.objects.create(type="message", ext_id="m-early", ref_type="conversation", ref_ext="v-late", payload={})
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    login(page, "zhuguan", PASSWORD)

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "今日看板"
    screenshot("01-supervisor-home-zh")
    for name, value in expected.items():
        wanted = f"{value:.2f}" if isinstance(value, Decimal) else str(value)
        assert figure(page, name) == wanted, name
    assert figure(page, "last_import_name") == "2026-11-11.jsonl"
    assert (figure(page, "rejected_last_run"), figure(page, "rejected_total")) == ("4", "4")
    assert figure(page, "unresolved_total").startswith("1")

    # The unanswered conversation whose text is a script: shown as text, never run.
    page.get_by_role("link", name=scenario.conversations[3].customer.nick).click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".msg-customer .msg-text").first.inner_text() == "<script>alert(1)</script>"
    assert dialogs == []
    screenshot("02-supervisor-conversation")


def test_agent_sees_only_their_conversations(page, screenshot):
    shop = ShopFactory(ext_id="s1", name="旗舰店")
    user = UserFactory(username="xiaomei", display_name="小美", roles=[Role.AGENT], shops=[shop])
    me = AgentFactory(shop=shop, user=user, name="小美")
    scenario = build_scenario(shop=shop, agents=[me])
    # Conversations are the agent's when assigned to them or when they wrote in them.
    mine = {
        c.ext_id
        for c in scenario.conversations
        if c.assigned_agent_id == me.id or any(m.conversation_id == c.id and m.agent_id == me.id for m in scenario.messages)
    }
    someone_elses = next(c for c in scenario.conversations if c.ext_id not in mine)

    login(page, "xiaomei", PASSWORD)

    assert page.url.endswith("/conversations/")
    assert page.locator("h1").inner_text() == "我的会话"
    shown = set(page.locator("[data-conversation]").evaluate_all("rows => rows.map(r => r.dataset.conversation)"))
    assert shown == mine and len(mine) == 2
    screenshot("03-agent-conversations")

    page.locator("[data-conversation] a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".msg").count() >= 2
    screenshot("04-agent-conversation-detail")

    response = page.goto(f"{page.base_url}/conversations/{someone_elses.pk}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "未找到"
    assert page.get_by_role("link", name="管理后台").count() == 0


def test_language_switch_to_english_and_back(page, screenshot):
    build_scenario(shop=ShopFactory(ext_id="s1", name="旗舰店"))
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])
    page.goto(f"{page.base_url}/login/")
    assert page.locator("h1").inner_text() == "登录"
    screenshot("05-login-zh")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Sign in"
    login(page, "zhuguan", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Today's board"
    assert page.get_by_text("Conversations today").is_visible()
    screenshot("06-supervisor-home-en")

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "今日看板"


def test_supervisor_reveals_a_customers_phone_and_it_is_audited(page, screenshot):
    shop = ShopFactory(ext_id="s1", name="旗舰店")
    user = UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])
    user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    customer = CustomerFactory(shop=shop, nick="tb_8812", vip_level="3", tags=["老客户", "高客单"])
    conversation = ConversationFactory(shop=shop, customer=customer)
    MessageFactory(conversation=conversation, text="我的快递三天没动了")
    MessageFactory(conversation=conversation, sender=Sender.AGENT, agent=AgentFactory(shop=shop), text="亲，马上帮您查")

    login(page, "zhuguan", PASSWORD)
    page.goto(f"{page.base_url}/customers/{customer.pk}/")
    assert page.locator('[data-field="phone"]').inner_text() == "138****1234"
    screenshot("07-customer-masked")

    page.get_by_role("button", name="显示完整信息").click()
    page.locator('[data-field="phone"]', has_text="13812341234").wait_for()
    assert page.locator('[data-field="address"]').inner_text() == "上海市浦东新区张江路88号"
    assert AuditEntry.objects.filter(action="customer.view_personal_data", actor=user).count() == 1
    screenshot("08-customer-revealed")


def test_logistics_user_sees_their_exceptions_and_no_conversations(page, screenshot):
    shop = ShopFactory(ext_id="s1", name="旗舰店")
    UserFactory(username="wuliu", display_name="物流陈", roles=[Role.LOGISTICS])
    for status in (LogisticsStatus.STALLED, LogisticsStatus.STALLED, LogisticsStatus.LOST, LogisticsStatus.DELIVERED):
        LogisticsEventFactory(shop=shop, status=status)

    login(page, "wuliu", PASSWORD)

    assert page.locator("h1").inner_text() == "物流"
    values = page.locator('[data-department="logistics"] .kpi-value').all_inner_texts()
    assert values == ["3", "3", "2", "1", "0", "0"]
    assert page.get_by_role("link", name="会话").count() == 0
    screenshot("09-logistics-home")
    assert page.goto(f"{page.base_url}/conversations/").status == 403


def test_administrator_sees_masked_customers_in_the_admin(page, screenshot):
    shop = ShopFactory(ext_id="s1", name="旗舰店")
    UserFactory(username="guanliyuan", display_name="管理员", roles=[Role.ADMIN])
    CustomerFactory(shop=shop, nick="tb_8812", phone="13912345678", address="北京市朝阳区建国路1号")

    login(page, "guanliyuan", PASSWORD)
    page.get_by_role("link", name="管理后台").click()
    page.wait_for_load_state("networkidle")
    screenshot("10-admin-index")
    page.goto(f"{page.base_url}/admin/customers/customer/")
    body = page.locator("#result_list").inner_text()
    assert "139****5678" in body and "北京市朝阳区****" in body
    assert "13912345678" not in body and "建国路" not in body
    screenshot("11-admin-customers-masked")
