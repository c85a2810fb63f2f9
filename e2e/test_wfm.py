"""Rosters (排班) in a real browser — the issue's acceptance journey: the supervisor
forecasts next week including a promotion, generates and publishes the roster; an agent
asks a colleague to take one of their shifts; the supervisor approves it and the roster
shows the shift in the colleague's row; an approved leave lowers the coverage shown."""

from datetime import timedelta

from e2e.pages import figure, login
from kefu.accounts.tests.factories import PASSWORD
from kefu.wfm.models import Roster, ShiftRequest
from kefu.wfm.selectors import next_monday, roster_check, week_bounds
from kefu.wfm.tests.test_services import world_create

GENERATE_TIMEOUT_MS = 240_000  # forecast (the first fit compiles numba) + two solves of up to 20 s


def wait(page) -> None:
    page.wait_for_load_state("networkidle")


def sign_in_again(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def _free_colleague(roster, shift, agents):
    day = shift.start.date()
    for colleague in agents:
        if colleague.pk != shift.agent_id and not roster.shifts.filter(
                agent=colleague, start__date__gte=day - timedelta(days=1), start__date__lte=day + timedelta(days=1)).exists():
            return colleague
    return None


def test_forecast_generate_publish_swap_approve(page, screenshot):
    shop, _supervisor, agents = world_create()
    monday = next_monday(shop=shop)
    start, _end = week_bounds(shop=shop, week_start=monday)
    night = start + timedelta(days=3, hours=19)

    # 1. The supervisor plans next week with a 双11 evening at six times the usual volume.
    login(page, "zhuguan", PASSWORD)
    page.goto(f"{page.base_url}/wfm/plan/new/")
    wait(page)
    assert page.locator('input[name="week_start"]').input_value() == monday.isoformat()
    page.fill('input[name="promo-0-name"]', "双11 夜间高峰")
    page.fill('input[name="promo-0-start"]', night.strftime("%Y-%m-%dT%H:%M"))
    page.fill('input[name="promo-0-end"]', (night + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill('input[name="promo-0-uplift"]', "6")
    screenshot("wfm-01-plan")
    page.click("[data-generate]")
    page.wait_for_url("**/wfm/roster/*/", timeout=GENERATE_TIMEOUT_MS)
    wait(page)
    roster = Roster.objects.get()
    assert "双11 夜间高峰" in page.locator("[data-promo]").inner_text()
    assert page.locator("[data-status]").get_attribute("data-status") == "draft"
    page.wait_for_selector("[data-coverage-chart][data-ready]")
    assert figure(page, "shortfall") == "0"
    assert page.locator("[data-no-violations]").count() == 1
    screenshot("wfm-02-roster-draft")

    # 2. Publish: the agents are told.
    page.click("[data-publish]")
    wait(page)
    assert page.locator("[data-status]").get_attribute("data-status") == "published"

    # 3. An agent asks a colleague who is free around that day to take their shift.
    shift, colleague = next((s, c) for s in roster.shifts.exclude(agent=None).order_by("start")
                            if (c := _free_colleague(roster, s, agents)) is not None)
    owner = shift.agent
    sign_in_again(page, owner.user.username)
    page.goto(f"{page.base_url}/wfm/my/")
    wait(page)
    row = page.locator(f'tr[data-shift="{shift.pk}"]')
    row.locator('select[name="kind"]').select_option("swap")
    row.locator('select[name="target_agent"]').select_option(label=colleague.name)
    row.locator('input[name="reason"]').fill("家里有事，麻烦同事替班")
    screenshot("wfm-03-my-shifts")
    row.locator("button[type=submit]").click()
    wait(page)
    assert "申请已提交给主管" in page.locator(".flash").inner_text()
    assert page.locator("[data-my-requests] [data-request-status]").first.inner_text() == "待审批"

    # 4. The supervisor approves; the shift is now in the colleague's row.
    sign_in_again(page, "zhuguan")
    page.goto(f"{page.base_url}/wfm/requests/")
    wait(page)
    request = ShiftRequest.objects.get()
    page.locator(f'tr[data-request="{request.pk}"] [data-approve]').click()
    wait(page)
    assert page.locator(f'tr[data-request="{request.pk}"] [data-request-status]').inner_text() == "已批准"
    assert "覆盖不变" in page.locator(f'tr[data-request="{request.pk}"] [data-check]').inner_text()
    screenshot("wfm-04-requests")
    page.goto(f"{page.base_url}/wfm/roster/{roster.pk}/")
    wait(page)
    assert page.locator(f'tr[data-agent="{colleague.name}"] [data-shift="{shift.pk}"]').count() == 1
    assert page.locator(f'tr[data-agent="{owner.name}"] [data-shift="{shift.pk}"]').count() == 0

    # 5. A leave on a shift the coverage needs: approved with a warning, the shortfall shows it.
    check = roster_check(roster=roster)
    tight = {s for s, r, n in zip(check.starts, check.required, check.scheduled) if r and n <= r}
    leave = next(s for s in roster.shifts.exclude(agent=None).exclude(pk=shift.pk).filter(breaks=[]).order_by("start")
                 if s.start in tight)
    sign_in_again(page, leave.agent.user.username)
    page.goto(f"{page.base_url}/wfm/my/")
    wait(page)
    row = page.locator(f'tr[data-shift="{leave.pk}"]')
    row.locator('select[name="kind"]').select_option("leave")
    row.locator("button[type=submit]").click()
    wait(page)
    sign_in_again(page, "zhuguan")
    page.goto(f"{page.base_url}/wfm/requests/")
    wait(page)
    pending = ShiftRequest.objects.get(shift=leave)
    page.locator(f'tr[data-request="{pending.pk}"] [data-approve]').click()
    wait(page)
    assert "覆盖下降" in page.locator(".flash").inner_text()
    page.goto(f"{page.base_url}/wfm/roster/{roster.pk}/")
    wait(page)
    assert int(figure(page, "shortfall")) > 0
    assert page.locator('[data-violations] [data-kind="coverage"]').count() >= 1
    assert page.locator(f'tr.unassigned [data-shift="{leave.pk}"]').count() == 1
    page.wait_for_selector("[data-coverage-chart][data-ready]")
    screenshot("wfm-05-roster-after-leave")
