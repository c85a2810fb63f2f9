"""The script library (话术库) in a real browser: an agent proposes a shop-wide script, the
team lead approves it from the queue, the agent finds it by search and exports Excel."""

from e2e.pages import login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, UserFactory
from kefu.scripts import services
from kefu.scripts.models import Category


def test_lead_approves_agent_finds_and_exports(page, screenshot):
    agent = UserFactory(username="xiaomei", display_name="小美", roles=[Role.AGENT])
    UserFactory(username="zuzhang", display_name="组长李", roles=[Role.TEAM_LEAD])
    category = Category.objects.get(key="logistics", shop__isnull=True)
    script = services.script_create(actor=agent, category=category, title="双十一发货说明",
                                    body="{客户昵称}您好，双十一订单{订单号}将在3天内发货", keywords="双十一，发货")
    services.script_submit(actor=agent, script=script)

    login(page, "zuzhang", PASSWORD)
    page.goto(f"{page.base_url}/scripts/approvals/")
    assert page.locator("h1").inner_text() == "待审核"
    assert "双十一发货说明" in page.locator("[data-table=queue]").inner_text()
    screenshot("90-scripts-queue")
    page.locator("[data-approve]").first.click()
    page.wait_for_load_state("networkidle")
    assert "没有待审核的话术" in page.content()

    page.context.clear_cookies()
    login(page, "xiaomei", PASSWORD)
    page.locator("nav.nav").get_by_role("link", name="话术库").click()
    page.fill("#id_q", "双十一")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-table=scripts] tbody tr")
    assert rows.count() == 1 and "已审核" in rows.first.inner_text()
    screenshot("91-scripts-library")
    with page.expect_download() as download:
        page.locator("[data-export]").click()
    assert download.value.suggested_filename == "scripts.xlsx"
    rows.first.get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    screenshot("92-scripts-detail")

    page.goto(f"{page.base_url}/scripts/new/")
    page.fill("#id_title", "我的问候")
    page.fill("#id_body", "{客户昵称}您好～")
    page.select_option("#id_category", label="问候")
    screenshot("93-scripts-new")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "我的问候" and "已审核" in page.locator("[data-status]").inner_text()
