"""Human review (质检复核) in a real browser: a reviewer works through the queue with the
keyboard, the agent sees the result and appeals, a second reviewer decides, the agent
sees the decision; the supervisor's calibration and rule-precision pages."""

from datetime import timedelta

from e2e.pages import login
from kefu.accounts.models import Agent
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, UserFactory
from kefu.conversations.models import Conversation
from kefu.qa.models import Finding
from kefu.review.models import AppealStatus, PlanKind, QueueItem, Review
from kefu.review.sampling import plan_create, queues_fill
from kefu.review.services import review_submit
from kefu.review.tests.data import inspected_day
from kefu.shops.models import Shop


def wait(page) -> None:
    page.wait_for_load_state("networkidle")


def sign_in_again(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def people():
    shop = Shop.objects.get(ext_id="s1")
    zhou = UserFactory(username="zhijian_zhou", display_name="质检员周", roles=[Role.QA], shops=[shop])
    wu = UserFactory(username="zhijian_wu", display_name="质检员吴", roles=[Role.QA], shops=[shop])
    boss = UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR], shops=[shop])
    xiaomei = UserFactory(username="xiaomei", display_name="小美", roles=[Role.AGENT], shops=[shop])
    Agent.objects.filter(ext_id="a1").update(user=xiaomei)
    return shop, zhou, wu, boss


def test_review_appeal_and_decision(page, screenshot):
    day = inspected_day()
    shop, zhou, wu, boss = people()
    plan_create(actor=boss, shop=shop, reviewers=[zhou, wu], name="风险抽检", kind=PlanKind.RISK, per_day=0,
                starts_on=day)

    # The reviewer: the supervisor's plan sends the flagged conversation (加微信) to 周.
    login(page, "zhijian_zhou", PASSWORD)
    page.locator("nav.nav").get_by_role("link", name="质检复核").click()
    wait(page)
    assert page.locator("h1").inner_text() == "复核队列"
    assert page.locator('[data-figure="pending"]').inner_text() == "0"
    assert page.get_by_role("button", name="立即补充队列").count() == 0  # reviewers do not fill queues
    queues_fill()
    page.reload()
    assert page.locator('[data-figure="pending"]').inner_text() == "1"
    assert page.locator("[data-table=queue] tbody tr").first.inner_text().count("致命违规") == 1
    screenshot("80-review-queue")

    page.locator("[data-start]").click()
    wait(page)
    assert page.locator("h1").inner_text() == "复核会话 j1"
    assert page.locator(".msg").count() == 4
    flagged = page.locator(".msg-flagged")
    assert flagged.count() == 1 and flagged.get_attribute("data-message") == "j1-m2"
    assert "加我微信" in flagged.inner_text() and "引导站外交易" in flagged.inner_text()
    rows = page.locator(".finding-row")
    assert rows.count() == 2 and "引导站外交易" in rows.nth(0).inner_text() and "缺少问候" in rows.nth(1).inner_text()
    assert page.locator(".row.is-focused").get_attribute("data-finding") is not None
    assert page.locator(".msg.is-current").get_attribute("data-message") == "j1-m2"

    # Keys: c confirms the focused finding and moves on, x rejects; then 4 3 4 score
    # three items and the mouse the fourth; a comment; Enter submits.
    page.keyboard.press("c")
    page.keyboard.press("x")
    for key in "434":
        page.keyboard.press(key)
    page.locator('[data-item="wording"] label', has_text="2").click()
    assert page.locator("[data-total]").inner_text() == "69.0"  # (120 + 75 + 120 + 30) / 5
    assert page.locator('[name^="finding_"][value="confirmed"]').first.is_checked()
    assert page.locator('[name^="finding_"][value="rejected"]').nth(1).is_checked()
    page.locator("#id_comment").fill("不能引导顾客加微信；首句缺少问候是自动回复已问候，不计。")
    screenshot("81-review-screen")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    wait(page)
    assert "复核已保存：69.0 分" in page.locator(".flash").inner_text()
    review = Review.objects.get()
    assert (review.reviewer, str(review.total)) == (zhou, "69.0")
    assert sorted(Finding.objects.filter(inspection__conversation__ext_id="j1").values_list("rule_key", "status")) == [
        ("no_greeting", "rejected"), ("off_platform", "confirmed")]

    # The agent sees the result and appeals.
    sign_in_again(page, "xiaomei")
    page.locator("nav.nav").get_by_role("link", name="我的质检").click()
    wait(page)
    assert page.locator("h1").inner_text() == "我的质检"
    row = page.locator(f'[data-review="{review.pk}"]')
    assert "69.0" in row.inner_text() and "服务态度 4" in row.inner_text()
    screenshot("82-agent-results")
    row.get_by_role("link", name="查看").click()
    wait(page)
    assert page.locator('[data-figure="total"]').inner_text() == "69.0"
    assert "不能引导顾客加微信" in page.locator("[data-comment]").inner_text()
    assert page.locator('[data-decision="confirmed"]').count() == 1
    page.get_by_label("申诉理由").fill("首句问候由自动回复发出，规范用语不应只得 2 分。")
    screenshot("83-agent-review-appeal")
    page.get_by_role("button", name="提交申诉").click()
    wait(page)
    assert "申诉已提交" in page.locator(".flash").inner_text()
    assert page.locator("[data-appeal-status]").first.get_attribute("data-appeal-status") == "open"

    # The second reviewer (not 周) decides: 规范用语 up from 2 to 4, with a note.
    sign_in_again(page, "zhijian_wu")
    page.goto(f"{page.base_url}/review/")
    assert page.locator('[data-figure="appeals"]').inner_text() == "1"
    page.locator("[data-panel=appeals]").get_by_role("link", name="裁定").click()
    wait(page)
    assert page.locator("h1").inner_text() == "裁定申诉 j1"
    assert "规范用语不应只得 2 分" in page.locator("[data-appeal-reason]").inner_text()
    assert page.locator("[data-total]").inner_text() == "69.0"  # the first result, to keep or change
    for _ in range(5):
        page.keyboard.press("j")  # two findings, three items: the fifth move reaches 规范用语
    assert page.locator(".row.is-focused").get_attribute("data-item") == "wording"
    page.keyboard.press("4")
    assert page.locator("[data-total]").inner_text() == "75.0"
    page.locator("#id_note").fill("自动回复已问候，规范用语改为 4 分；引导加微信维持确认。")
    screenshot("84-appeal-decision")
    page.keyboard.press("Control+Enter")
    wait(page)
    assert "结果已改判" in page.locator(".flash").inner_text()
    review.refresh_from_db()
    assert str(review.total) == "75.0" and review.appeal.status == AppealStatus.CHANGED
    assert review.appeal.reviewer == wu

    # The agent sees the decision, with both results.
    sign_in_again(page, "xiaomei")
    page.goto(f"{page.base_url}/review/reviews/{review.pk}/")
    assert page.locator('[data-figure="total"]').inner_text() == "75.0"
    assert page.locator("[data-appeal-status]").first.get_attribute("data-appeal-status") == "changed"
    assert "规范用语改为 4 分" in page.locator("[data-appeal-note]").inner_text()
    changes = page.locator("[data-table=changes] .changed-row")
    assert changes.count() == 2 and "69.0" in changes.nth(0).inner_text() and "75.0" in changes.nth(0).inner_text()
    assert page.locator("[data-panel=appeal-form]").count() == 0  # appealed once: no second appeal
    screenshot("85-agent-sees-decision")


def test_calibration_and_rule_precision(page, screenshot):
    day = inspected_day()
    shop, zhou, wu, boss = people()
    # An earlier regular review of the flagged conversation: 引导站外交易 confirmed, 缺少问候 rejected.
    plan_create(actor=boss, shop=shop, reviewers=[zhou], name="风险抽检", kind=PlanKind.RISK, per_day=0,
                starts_on=day)
    queues_fill()
    item = QueueItem.objects.get()
    findings = Finding.objects.filter(inspection__conversation=item.conversation)
    review_submit(item=item, actor=zhou, scores=dict.fromkeys(("attitude", "knowledge", "resolution", "wording"), 4),
                  decisions={f.pk: "confirmed" if f.rule_key == "off_platform" else "rejected" for f in findings})

    login(page, "zhuguan", PASSWORD)
    page.goto(f"{page.base_url}/review/precision/")
    assert page.locator("h1").inner_text() == "规则准确率"
    first = page.locator("[data-table=precision] tbody tr").first
    assert first.get_attribute("data-rule") == "no_greeting" and "0%" in first.inner_text()
    assert "复核样本不足" in first.inner_text()  # one reviewed finding is no verdict on a rule
    assert page.locator('tr[data-rule="off_platform"] [data-precision]').inner_text() == "100%"
    screenshot("86-rule-precision")

    # A calibration of two conversations not sampled yet, by both reviewers, picked in the page.
    page.locator(".subnav").get_by_role("link", name="校准").click()
    wait(page)
    page.get_by_role("link", name="发起校准").click()
    wait(page)
    ids = dict(Conversation.objects.values_list("ext_id", "pk"))
    assert page.locator(f'#conv-{ids["j1"]}').count() == 0  # already sampled: not offered
    page.get_by_label("名称").fill("十一月校准")
    page.get_by_label("质检员周").check()
    page.get_by_label("质检员吴").check()
    page.locator(f'#conv-{ids["j2"]}').check()
    page.locator(f'#conv-{ids["j4"]}').check()
    screenshot("87-calibration-form")
    page.get_by_role("button", name="开始校准").click()
    wait(page)
    assert page.locator("h1").inner_text() == "十一月校准"
    # Each scores on their own (through the service, to keep the journey short):
    #   j2 极限词: 周 C, 吴 C; j4 极限词: 周 C, 吴 R; j4 缺少结束语: 周 R, 吴 R
    # Cohen: p_o = 2/3, p_e = 4/9, κ = 0.40. Fleiss: P̄ = 2/3, P̄e = 1/2, κ = 0.33.
    verdicts = {zhou: {"j2": "confirmed", "j4": "confirmed"}, wu: {"j2": "confirmed", "j4": "rejected"}}
    for person, score in ((zhou, 5), (wu, 3)):
        for item in QueueItem.objects.filter(calibration__isnull=False, reviewer=person):
            findings = Finding.objects.filter(inspection__conversation=item.conversation)
            review_submit(item=item, actor=person,
                          scores=dict.fromkeys(("attitude", "knowledge", "resolution", "wording"), score),
                          decisions={f.pk: verdicts[person][item.conversation.ext_id]
                                     if f.rule_key == "absolute_claim" else "rejected" for f in findings})
    page.reload()
    assert page.locator('[data-figure="done"]').inner_text() == "4 / 4"
    assert page.locator('[data-figure="fleiss"]').inner_text() == "0.33"
    assert page.locator("[data-table=pairs] [data-kappa]").inner_text() == "0.40"
    assert page.locator('[data-figure="total_spread"]').inner_text() == "20.0"  # 100 against 60 on each
    screenshot("88-calibration")

    # The plans (with the fill button) and the scorecard editor.
    page.locator(".subnav").get_by_role("link", name="抽检计划").click()
    wait(page)
    assert "仅致命违规会话" in page.locator("[data-table=plans]").inner_text()
    screenshot("89-sampling-plans")
    page.get_by_role("link", name="编辑").click()
    wait(page)
    assert page.locator("#id_kind").input_value() == "risk"
    screenshot("90-plan-form")
    page.goto(f"{page.base_url}/review/scorecards/{shop.pk}/")
    page.locator('input[name="weight"]').first.fill("40")
    page.get_by_role("button", name="保存").click()
    wait(page)
    assert "权重之和必须为 100（当前为 110）" in page.locator(".form-errors").inner_text()
    screenshot("91-scorecard-error")
