"""Quality inspection in a real browser: a supervisor edits a rule's word list, previews
what the change would add and remove, saves a new version and reads its history; then
opens the QA report and an inspection with its findings highlighted in the messages."""

from datetime import timedelta

from e2e.pages import login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, UserFactory
from kefu.qa.models import Finding, Rule
from kefu.qa.tests import pages_data as data


def wait(page) -> None:
    page.wait_for_load_state("networkidle")


def charts_drawn(page) -> int:
    page.wait_for_selector("[data-chart][data-rendered] canvas")
    return page.locator("[data-chart][data-rendered]").count()


def test_supervisor_edits_a_rule_with_a_preview_and_reads_the_qa_report(page, screenshot):
    today = data.qa_import()
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])
    login(page, "zhuguan", PASSWORD)

    # The rules page opens on the first shop by name (二号店); the supervisor picks 旗舰店.
    page.locator("nav.nav").get_by_role("link", name="质检", exact=True).click()
    wait(page)
    page.locator(".subnav").get_by_role("link", name="质检规则").click()
    wait(page)
    with page.expect_navigation():
        page.select_option('select[name="shop"]', label="旗舰店")
    wait(page)
    assert page.locator("h1").inner_text() == "质检规则 · 旗舰店"
    assert page.locator("[data-table=rules] tbody tr").count() == 10
    row = page.locator('tr[data-rule="absolute_claim"]')
    assert row.locator('[data-field="version"]').inner_text().startswith("v1")
    screenshot("70-qa-rules")

    # Edit the word list of 极限词: 最好 goes (it flags "全网最好的面料"), 顶配 comes.
    row.get_by_role("link", name="编辑").click()
    wait(page)
    words = page.locator("#id_words")
    listed = words.input_value().split("\n")
    assert "最好" in listed
    words.fill("\n".join([w for w in listed if w != "最好"] + ["顶配"]))
    page.get_by_role("button", name="预览").click()
    wait(page)
    recent = range(1, 7)  # the default period: the last 7 days, today included
    added, removed = data.count_of(data.TOP, recent), data.count_of(data.CLAIM, recent)
    assert page.locator('[data-figure="added"]').inner_text() == f"新增 {added}"
    assert page.locator('[data-figure="removed"]').inner_text() == f"去掉 {removed}"
    assert page.locator('[data-examples="added"] li').count() == min(added, 5)
    page.fill("#id_note", "顶配也算绝对化用语")
    screenshot("71-qa-rule-preview")

    page.get_by_role("button", name="保存为版本 2").click()
    wait(page)
    assert page.locator("h1").inner_text().startswith("极限词/绝对化承诺")
    assert "规则“极限词/绝对化承诺”已保存为版本 2" in page.locator(".flash").inner_text()
    newest = page.locator('[data-version="2"]')
    assert "顶配也算绝对化用语" in newest.inner_text()
    assert newest.locator('[data-change="words"] ins').inner_text() == "+顶配"
    assert newest.locator('[data-change="words"] del').inner_text() == "−最好"
    assert Rule.objects.get(shop__ext_id="s1", key="absolute_claim").version == 2
    # Saved with re-inspection: the period's findings of the rule are now the new version's.
    assert not Finding.objects.filter(inspection__shop__ext_id="s1", rule_key="absolute_claim", rule__version=1,
                                      inspection__day__gte=today - timedelta(days=6)).exists()
    screenshot("72-qa-rule-history")

    # The QA report: figures, trends, the worst conversations, agents week by week.
    page.locator(".subnav").get_by_role("link", name="质检报表").click()
    wait(page)
    assert page.locator("h1").inner_text() == "质检报表"
    assert charts_drawn(page) == 3
    assert float(page.locator('[data-figure="qa_score_avg"]').inner_text()) > 0
    page.get_by_label("辅导日期").fill((today - timedelta(days=7)).isoformat())
    page.get_by_role("button", name="应用").click()
    wait(page)
    assert page.locator('tr[data-agent="a1"] [data-change="since"]').inner_text().startswith("+")
    screenshot("73-qa-report")

    # The worst conversation: its findings highlighted in the messages.
    page.locator("[data-table=worst] tbody tr").first.locator("a").first.click()
    wait(page)
    assert page.locator("h1").inner_text().startswith("会话质检")
    assert page.locator(".msg-flagged").count() >= 1
    assert page.locator(".msg-flagged mark").count() >= 1
    assert page.locator(".finding").count() >= 1
    screenshot("74-qa-inspection")

    # A new regular-expression rule with a broken pattern: the error sits at the field.
    page.locator(".subnav").get_by_role("link", name="质检规则").click()
    wait(page)
    page.get_by_role("link", name="新增规则").click()
    wait(page)
    page.select_option("#id_kind", "regex")
    assert page.locator('[data-field="words"]').is_hidden() and page.locator('[data-field="pattern"]').is_visible()
    page.fill("#id_key", "price_promise")
    page.fill("#id_name", "价格承诺")
    page.fill("#id_pattern", "(保证|绝对")
    page.get_by_role("button", name="预览").click()
    wait(page)
    assert "不是有效的正则表达式" in page.locator('[data-field="pattern"] .errorlist').inner_text()
    screenshot("75-qa-new-rule-error")

    # The same report in English.
    page.locator(".lang-switch").get_by_role("button", name="English").click()
    wait(page)
    page.goto(f"{page.base_url}/qa/")
    wait(page)
    assert page.locator("h1").inner_text() == "QA report"
    screenshot("76-qa-report-en")
