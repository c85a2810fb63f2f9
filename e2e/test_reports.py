"""A supervisor's weekly report in a real browser: pick the week, read it, download the
Excel file and find the figures of ``kefu metrics`` in it; then schedule it to a robot."""

import io
import json
from datetime import date
from io import BytesIO

from django.core import mail
from django.core.management import call_command
from openpyxl import load_workbook

from e2e.pages import figure, login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, UserFactory
from kefu.demo.simulator import simulate
from kefu.intake.services import events_import
from kefu.metrics.rollups import rollups_refresh


def kefu_metrics(start: str, end: str, by: str = "none") -> list[dict]:
    out = io.StringIO()
    call_command("metrics", "--from", start, "--to", end, "--by", by, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_supervisor_downloads_the_weekly_excel_report(page, screenshot):
    records = list(simulate(shops=1, agents=3, days=14, end=date(2026, 11, 15), seed=3, scale=0.25))
    _run, summary = events_import(records=enumerate(records, 1))
    assert summary.rejected == []
    rollups_refresh()
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])
    expected = kefu_metrics("2026-11-09", "2026-11-16")[0]["metrics"]

    login(page, "zhuguan", PASSWORD)
    page.goto(f"{page.base_url}/reports/")
    page.select_option("#id_period", "weekly")
    page.fill("#id_date", "2026-11-11")
    page.get_by_role("button", name="查看报表").click()
    page.wait_for_load_state("networkidle")

    assert page.locator('[data-figure="report_title"]').inner_text() == "客服周报 · 2026-11-09 – 2026-11-15"
    assert figure(page, "conversations") == str(expected["conversations"])
    screenshot("30-supervisor-weekly-report")

    with page.expect_download() as download_info:
        page.locator('[data-download="xlsx"]').click()
    download = download_info.value
    assert download.suggested_filename == "kefu-weekly-2026-11-09.xlsx"
    workbook = load_workbook(BytesIO(open(download.path(), "rb").read()))
    summary_sheet = workbook.worksheets[0]
    rows = {summary_sheet.cell(r, 7).value: r for r in range(6, summary_sheet.max_row + 1)}
    assert summary_sheet.cell(rows["conversations"], 2).value == expected["conversations"]
    assert summary_sheet.cell(rows["unanswered_conversations"], 2).value == expected["unanswered_conversations"]
    agents = workbook.worksheets[2]
    by_agent = {agents.cell(r, 1).value: agents.cell(r, 5).value for r in range(3, agents.max_row + 1)}
    assert by_agent == {row["group"]["agent_id"]: row["metrics"]["conversations"]
                        for row in kefu_metrics("2026-11-09", "2026-11-16", by="agent")}

    # Schedule it: every Monday morning by e-mail.
    page.get_by_role("link", name="订阅").click()
    page.get_by_role("link", name="新建订阅").first.click()
    page.fill("#id_name", "周一例会周报")
    page.select_option("#id_period", "weekly")
    page.fill("#id_send_time", "08:30")
    page.select_option("#id_channel", "email")
    page.fill("#id_target", "boss@example.cn")
    screenshot("31-supervisor-new-subscription")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    row = page.locator('[data-table="subscriptions"] tbody tr').first
    assert "周一例会周报" in row.inner_text() and "每周一 08:30" in row.inner_text()
    screenshot("32-supervisor-subscriptions")

    # Send it now: the e-mail goes out with the workbook, and the log says so.
    row.locator('[data-action="send-now"]').click()
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-table="deliveries"] tbody tr').first.get_attribute("data-status") == "sent"
    assert "报表已发送" in page.locator(".flash").inner_text()
    [message] = mail.outbox
    assert message.attachments[0][0].endswith(".xlsx")
    screenshot("33-supervisor-delivery-log")
