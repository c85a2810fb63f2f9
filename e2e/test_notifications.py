"""Notifications in a real browser: an agent sees the bell's count, opens the inbox and a
notification; a supervisor adds a group robot and sends it a test (a robot on loopback)."""

from e2e.pages import login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, UserFactory
from kefu.notify.services import notify
from kefu.notify.tests.receivers import RobotReceiver


def logout(page) -> None:
    page.locator("form[action$='/logout/'] button").click()
    page.wait_for_load_state("networkidle")


def test_the_inbox_and_a_robot_test(page, screenshot, settings):
    settings.KEFU_WEBHOOK_HOSTS = ["127.0.0.1"]
    agent = UserFactory(username="xiaomei", display_name="小美", roles=[Role.AGENT])
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])
    notify(event="notify.test", title="工单 #1024 已分配给你", body="顾客反映快递三天未更新物流，请尽快跟进。",
           link="/notifications/preferences/", recipients=[agent])
    notify(event="notify.test", title="工单 #1019 即将超时", body="距离首次响应时限还有 15 分钟。", recipients=[agent])

    login(page, "xiaomei", PASSWORD)
    bell = page.locator("[data-bell]")
    assert bell.locator(".bell-count").inner_text() == "2"
    bell.click()
    page.wait_for_load_state("networkidle")
    items = page.locator('[data-list="notifications"] li')
    assert items.count() == 2 and page.locator("li.unread").count() == 2
    screenshot("40-agent-inbox")

    page.get_by_text("工单 #1024 已分配给你").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/notifications/preferences/")
    assert page.locator("[data-bell] .bell-count").inner_text() == "1"
    screenshot("41-agent-preferences")
    page.goto(f"{page.base_url}/notifications/")
    assert page.locator("li.read").count() == 1 and page.locator("li.unread").count() == 1
    logout(page)

    with RobotReceiver("dingtalk", secret="SEC-e2e-secret") as robot:
        login(page, "zhuguan", PASSWORD)
        page.goto(f"{page.base_url}/notifications/robots/")
        page.locator('[data-action="new-robot"]').click()
        page.fill("#id_name", "售后客服群")
        page.select_option("#id_channel", "dingtalk")
        page.fill("#id_url", robot.url)
        page.fill("#id_secret", "SEC-e2e-secret")
        screenshot("42-supervisor-new-robot")
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state("networkidle")
        row = page.locator('[data-table="robots"] tbody tr').first
        assert "售后客服群" in row.inner_text() and "钉钉机器人" in row.inner_text()
        screenshot("43-supervisor-robots")
        row.locator('[data-action="test"]').click()
        page.wait_for_load_state("networkidle")
        assert len(robot.requests) == 1
    assert "售后客服群" in robot.requests[0]["body"]["markdown"]["text"]
    assert page.locator('[data-table="sends"] tbody tr').first.get_attribute("data-status") == "sent"
    assert "消息已发送" in page.locator(".flash").inner_text()
    screenshot("44-supervisor-send-log")
