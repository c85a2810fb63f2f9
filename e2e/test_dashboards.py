"""The metric pages in a real browser: a supervisor's acceptance journey from the dashboard
to the conversations behind an agent's unanswered count, trends, teams, campaign review,
glossary and settings; an agent's own scorecard."""

import io
import json
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from django.utils import timezone

from e2e.pages import figure, login
from kefu.accounts.models import Agent
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, UserFactory
from kefu.dashboards.tests.data import today_and_last_week
from kefu.metrics.shop_settings import metric_settings_for
from kefu.shops.models import Promotion, Shop


def wait(page) -> None:
    page.wait_for_load_state("networkidle")


def charts_drawn(page) -> int:
    page.wait_for_selector("[data-chart][data-rendered] canvas")
    return page.locator("[data-chart][data-rendered]").count()


def test_supervisor_goes_from_the_dashboard_to_the_conversations_behind_a_figure(page, screenshot):
    today_and_last_week()
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])
    login(page, "zhuguan", PASSWORD)

    page.get_by_role("link", name="服务看板：今日对比上周同期与目标").click()
    wait(page)
    assert page.locator("h1").inner_text() == "服务看板"
    assert figure(page, "conversations") == "8"  # 7 in the first shop, 1 in the second
    assert figure(page, "attention_unanswered") == "5"
    assert charts_drawn(page) == 1
    screenshot("50-dashboard")

    page.locator(".subnav").get_by_role("link", name="客服排行").click()
    wait(page)
    assert page.locator("h1").inner_text() == "客服排行"
    assert page.get_by_role("link", name="下载周报 Excel").get_attribute("href").startswith("/reports/download/?")
    screenshot("51-ranking")

    # Sorting by a column swaps the table in place (htmx) and keeps the address.
    page.locator('th[data-column="response_time_avg"] a').click()
    page.wait_for_selector('th[data-column="response_time_avg"][aria-sort="descending"]')
    assert page.locator("[data-table=ranking] tbody tr").first.get_attribute("data-agent") == "a2"
    assert "sort=response_time_avg" in page.url

    cell = page.locator('tr[data-agent="a1"] td[data-metric="unanswered_conversations"] a')
    assert cell.inner_text() == "3"
    cell.click()
    wait(page)
    assert page.locator("h1").inner_text().startswith("未回复会话")
    shown = set(page.locator("[data-conversation]").evaluate_all("rows => rows.map(r => r.dataset.conversation)"))
    assert shown == {"t-v2", "t-v3", "t-v4"}
    assert figure(page, "item_count") == "3"
    screenshot("52-items-unanswered")

    page.locator('[data-conversation="t-v3"] a').click()
    wait(page)
    assert "/conversations/" in page.url and page.locator(".msg").count() == 2  # the question and the bot

    # Back on the dashboard: the weekly Excel report, whose figures are those of `kefu metrics`.
    page.locator("nav.nav").get_by_role("link", name="数据看板").click()
    wait(page)
    link = page.get_by_role("link", name="下载周报 Excel")
    query = parse_qs(urlparse(link.get_attribute("href")).query)
    assert query["period"] == ["weekly"] and query["format"] == ["xlsx"]
    with page.expect_download() as download_info:
        link.click()
    workbook = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    monday = date.fromisoformat(query["date"][0]) - timedelta(days=date.fromisoformat(query["date"][0]).weekday())
    out = io.StringIO()
    call_command("metrics", "--from", monday.isoformat(), "--to", (monday + timedelta(days=7)).isoformat(),
                 "--format", "json", stdout=out)
    expected = json.loads(out.getvalue())[0]["metrics"]
    summary = workbook.worksheets[0]
    found = {summary.cell(r, 7).value: summary.cell(r, 2).value for r in range(1, summary.max_row + 1)}
    for key in ("conversations", "unanswered_conversations", "inquiries", "reply_rate", "response_time_avg"):
        if expected[key] is None:
            assert found[key] in (None, "—"), key
        else:
            assert found[key] == pytest.approx(expected[key], rel=1e-12), key
    assert found["conversations"] > 0


def test_trends_teams_campaigns_glossary_and_settings(page, screenshot):
    today_and_last_week()
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])
    login(page, "zhuguan", PASSWORD)
    page.goto(f"{page.base_url}/metrics/trends/")
    assert charts_drawn(page) == 1

    # Switching the metric or the interval reloads the page with the new choice.
    with page.expect_navigation():
        page.select_option('select[name="metric"]', "unanswered_conversations")
    wait(page)
    assert page.locator("[data-panel=trend] h2").inner_text().startswith("未回复会话")
    with page.expect_navigation():
        page.select_option('select[name="period"]', "last_7")
    with page.expect_navigation():
        page.select_option('select[name="grain"]', "week")
    wait(page)
    assert charts_drawn(page) == 1
    page.locator("[data-panel=trend] summary").click()
    weeks = page.locator("[data-table=trend] tbody tr").count()
    assert weeks in (1, 2)
    assert page.locator('[data-table=compare] tr[data-metric="conversations"] [data-side="a"]').inner_text()
    screenshot("53-trends")

    page.locator(".subnav").get_by_role("link", name="团队对比").click()
    wait(page)
    assert charts_drawn(page) == 1
    assert page.locator("[data-team]").count() == 3
    screenshot("54-teams")

    # A promotion: yesterday's pre-sale and today's main day, reviewed against the days around.
    today = timezone.localdate()
    page.locator(".subnav").get_by_role("link", name="大促复盘").click()
    wait(page)
    page.get_by_role("link", name="新增大促活动").click()
    wait(page)
    page.fill("#id_name", "双11 2026")
    page.fill("#id_presale_start", (today - timedelta(days=1)).isoformat())
    page.fill("#id_main_start", today.isoformat())
    page.fill("#id_main_end", today.isoformat())
    screenshot("55-promotion-form")
    page.get_by_role("button", name="保存").click()
    wait(page)
    assert page.locator("h1").inner_text() == "双11 2026 复盘"
    assert [p.get_attribute("data-phase") for p in page.locator("[data-list=phases] [data-phase]").all()] == [
        "before", "presale", "main", "after"
    ]
    assert charts_drawn(page) == 1
    assert Promotion.objects.get().shop is None
    screenshot("56-campaign-review")

    page.locator(".subnav").get_by_role("link", name="指标说明").click()
    wait(page)
    assert page.locator("#reply_rate h3").inner_text() == "回复率"
    screenshot("57-glossary")

    page.locator(".subnav").get_by_role("link", name="指标设置").click()
    wait(page)
    page.select_option('select[name="shop"]', str(Shop.objects.get(ext_id="s1").pk))
    wait(page)
    page.fill("#id_service_hours", "25:00-26:00")
    page.fill("#id_target_reply_rate", "95")
    page.get_by_role("button", name="保存设置").click()
    wait(page)
    assert "服务时间格式应为" in page.locator(".form-errors").inner_text()
    screenshot("58-settings-error")
    page.fill("#id_service_hours", "09:00-24:00")
    page.get_by_role("button", name="保存设置").click()
    wait(page)
    assert "指标设置已保存" in page.locator(".flash").inner_text()
    saved = metric_settings_for(Shop.objects.get(ext_id="s1"))
    assert (saved.service_hours, saved.targets) == ("09:00-24:00", {"reply_rate": 0.95})
    screenshot("59-settings-saved")


def test_an_agent_sees_their_own_scorecard(page, screenshot):
    today_and_last_week()
    user = UserFactory(username="xiaomei", display_name="小美", roles=[Role.AGENT])
    Agent.objects.filter(ext_id="a1").update(user=user)
    login(page, "xiaomei", PASSWORD)

    page.get_by_role("link", name="我的成绩").click()
    wait(page)
    assert page.locator("h1").inner_text() == "我的成绩"
    assert page.locator('[data-figure="unanswered_conversations"]').inner_text() == "3"
    assert charts_drawn(page) == 4
    assert page.locator(".subnav").get_by_role("link", name="客服排行").count() == 0
    screenshot("60-agent-scorecard")

    page.locator('[data-figure="unanswered_conversations"]').click()
    wait(page)
    assert page.locator("[data-conversation]").count() == 3
    assert page.goto(f"{page.base_url}/metrics/ranking/").status == 403


def test_the_dashboard_in_english(page, screenshot):
    today_and_last_week()
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])
    login(page, "zhuguan", PASSWORD)
    page.get_by_role("button", name="English").click()
    wait(page)
    page.goto(f"{page.base_url}/metrics/")
    assert page.locator("h1").inner_text() == "Service dashboard"
    assert page.get_by_role("link", name="Download weekly report (Excel)").count() == 1
    charts_drawn(page)
    screenshot("61-dashboard-en")
    page.goto(f"{page.base_url}/metrics/ranking/")
    screenshot("62-ranking-en")
