"""QA reports: the report page's figures equal the metric engine's, counts by rule equal the
findings, the worst conversations and the agents' week-over-week scores, one inspection
with its findings in place, and the QA sheet of the Excel report."""

import json
import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from kefu.accounts.models import Agent, Team
from kefu.accounts.roles import Role
from kefu.conversations.models import Conversation, Message
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.metrics.engine import metrics_compute
from kefu.metrics.format import metric_display
from kefu.qa.models import Finding, Inspection
from kefu.qa.services import qa_run
from kefu.qa.tests import pages_data as data
from kefu.qa.tests.pages_data import boss, boss_client, s1, s2, today  # noqa: F401 - fixtures
from kefu.reports.builder import report_build
from kefu.reports.render_xlsx import report_xlsx

pytestmark = pytest.mark.django_db

KEYS = ["qa_score_avg", "qa_findings_per_100"]
TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    return TAG.sub("", fragment).strip()


def cells(page: str, attribute: str, value: str) -> dict[str, str]:
    """``{data-metric or data-rule: text}`` of the table row marked ``attribute="value"``."""
    row = re.search(rf'<tr [^>]*{attribute}="{re.escape(value)}"[^>]*>(.*?)</tr>', page, re.S)
    assert row, f"no row {attribute}={value}"
    return {key: text(body) for key, body in re.findall(r'<td[^>]*data-(?:metric|rule)="([^"]+)"[^>]*>(.*?)</td>',
                                                        row.group(1), re.S)}


def last_7(today):
    return {"period": "last_7"}, today - timedelta(days=6), today + timedelta(days=1)


# ---- figures -------------------------------------------------------------------------------


def test_the_key_figures_equal_the_metric_engine(boss_client, s1, today):
    params, start, end = last_7(today)
    page = boss_client.get(reverse("qa:report"), params)
    assert page.status_code == 200
    html = page.content.decode()
    expected = metrics_compute(start=start, end=end, shops=[s1], keys=KEYS)[0].metrics
    for key in KEYS:
        shown = re.search(rf'data-figure="{key}">([^<]*)<', html).group(1)
        assert shown == metric_display(METRIC_BY_KEY[key], expected[key]), key
    inspected = Inspection.objects.filter(shop=s1, day__gte=start, day__lt=end)
    assert re.search(r'data-figure="inspected">(\d+)<', html).group(1) == str(inspected.count())
    assert re.search(r'data-figure="flagged">(\d+)<', html).group(1) == str(inspected.filter(flagged=True).count())


@pytest.mark.parametrize("by", ["agent", "team", "shop"])
def test_every_row_equals_the_metric_engine_and_the_findings_by_rule(client_for, make_user, s1, s2, today, by):
    client = client_for(make_user(Role.SUPERVISOR))  # every shop
    params, start, end = last_7(today)
    page = client.get(reverse("qa:report"), {**params, "by": by})
    html = page.content.decode()
    rows = metrics_compute(start=start, end=end, shops=[s1, s2], by=by, keys=KEYS)
    assert len(rows) == len(page.context["data"].groups) > 1
    for row in rows:
        key = next(iter(row.group.values()))
        shown = cells(html, "data-group", key)
        for metric in KEYS:
            assert shown[metric] == metric_display(METRIC_BY_KEY[metric], row.metrics[metric]), (key, metric)
    # Each rule column is that rule's findings per 100 of the group's inspected conversations,
    # and the rule columns add up to the engine's findings per 100.
    for line in page.context["data"].groups:
        total = sum(value for _key, value in line.per_rule)
        assert total == pytest.approx(line.metrics["qa_findings_per_100"])
    agent = Agent.objects.get(ext_id="a2")
    if by == "agent":
        inspections = Inspection.objects.filter(agent=agent, day__gte=start, day__lt=end)
        slow = Finding.objects.filter(inspection__in=inspections, rule_key="slow_reply").count()
        assert cells(html, "data-group", "a2")["slow_reply"] == f"{slow * 100 / inspections.count():.2f}"


def test_the_trend_charts_carry_the_engine_s_daily_figures(boss_client, s1, today):
    params, start, end = last_7(today)
    page = boss_client.get(reverse("qa:report"), params)
    chart = json.loads(re.search(r'id="qa-score-chart"[^>]*>(.*?)</script>', page.content.decode(), re.S).group(1))
    rows = metrics_compute(start=start, end=end, shops=[s1], by="day", keys=KEYS)
    assert chart["labels"] == [row.group["day"] for row in rows]
    assert chart["series"][0]["values"] == [row.metrics["qa_score_avg"] for row in rows]


def test_another_shop_is_out_of_reach(boss_client, s2, today):
    assert boss_client.get(reverse("qa:report"), {"shop": s2.pk}).status_code == 404
    other = Conversation.objects.filter(shop=s2).first()
    assert boss_client.get(reverse("qa:inspection", args=[other.pk])).status_code == 404


def test_agents_open_no_report_and_no_inspection(client_for, make_user, s1, today):
    agent = make_user(Role.AGENT, shops=[s1])
    client = client_for(agent)
    assert client.get(reverse("qa:report")).status_code == 403
    assert client.get(reverse("qa:inspection", args=[Conversation.objects.first().pk])).status_code == 403


def test_the_report_and_inspection_pages_keep_to_a_query_ceiling(boss_client, today, django_assert_max_num_queries):
    with django_assert_max_num_queries(65):  # a dozen engine computations, whatever the number of rows
        assert boss_client.get(reverse("qa:report"), {"period": "last_30", "since": str(today - timedelta(days=7))}) \
            .status_code == 200
    conversation = Inspection.objects.order_by("score").first().conversation_id
    with django_assert_max_num_queries(12):
        assert boss_client.get(reverse("qa:inspection", args=[conversation])).status_code == 200


# ---- the worst conversations and the agents' scores ---------------------------------------------


def test_the_worst_conversations_come_first_and_link_to_their_inspection(boss_client, s1, today):
    params, start, end = last_7(today)
    page = boss_client.get(reverse("qa:report"), params)
    worst = page.context["data"].worst
    lowest = Inspection.objects.filter(shop=s1, day__gte=start, day__lt=end).order_by("score").first()
    assert worst[0].score == lowest.score
    assert [i.score for i in worst] == sorted(i.score for i in worst)
    html = page.content.decode()
    assert reverse("qa:inspection", args=[worst[0].conversation_id]) in html
    assert all(i.finding_list for i in worst)


def test_a_team_lead_sees_only_their_team_s_worst_conversations(client_for, make_user, s1, today):
    lead = make_user(Role.TEAM_LEAD, shops=[s1])
    Team.objects.filter(name="售前一组").update(lead=lead)
    page = client_for(lead).get(reverse("qa:report"), {"period": "last_30"})
    agents = {i.conversation.assigned_agent.ext_id for i in page.context["data"].worst}
    assert agents and agents <= {"a1", "a2"}  # 阿强's rude replies (售后组) stay out


def test_each_agent_s_score_week_by_week_and_since_a_coaching_day(boss_client, s1, today):
    since = today - timedelta(days=7)
    page = boss_client.get(reverse("qa:report"), {"period": "last_7", "since": since.isoformat()})
    report = page.context["data"]
    trends = {t.agent.ext_id: t for t in report.agents}
    before = {r.group["agent_id"]: r.metrics["qa_score_avg"] for r in metrics_compute(
        start=since - timedelta(days=28), end=since, shops=[s1], by="agent", keys=KEYS)}
    after = {r.group["agent_id"]: r.metrics["qa_score_avg"] for r in metrics_compute(
        start=since, end=today + timedelta(days=1), shops=[s1], by="agent", keys=KEYS)}
    assert {k: t.before for k, t in trends.items()} == before
    assert {k: t.after for k, t in trends.items()} == after
    assert trends["a1"].since_change > 0  # fewer claims and no bribes since
    monday = report.weeks[-1]
    week = {r.group["agent_id"]: r.metrics["qa_score_avg"] for r in metrics_compute(
        start=monday, end=monday + timedelta(days=7), shops=[s1], by="agent", keys=KEYS)}
    assert {k: t.weekly[-1] for k, t in trends.items() if t.weekly[-1] is not None} == week
    html = page.content.decode()
    assert "Kefu 暂无辅导记录" in html
    assert 'data-change="since">+' in cells_row(html, "a1")


def cells_row(html: str, agent: str) -> str:
    return re.search(rf'<tr data-agent="{agent}">(.*?)</tr>', html, re.S).group(1)


def test_the_report_speaks_english_too(boss_client, today):
    try:
        page = boss_client.get(reverse("qa:report"), HTTP_ACCEPT_LANGUAGE="en")
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request left English active in this thread
    html = page.content.decode()
    assert "<h1>QA report</h1>" in html and "Kefu keeps no coaching records yet" in html


# ---- one inspection ------------------------------------------------------------------------------


def test_an_inspection_shows_its_findings_in_place(boss_client, s1, today):
    finding = Finding.objects.filter(inspection__shop=s1, rule_key="off_platform").select_related(
        "inspection", "rule").first()
    page = boss_client.get(reverse("qa:inspection", args=[finding.inspection.conversation_id]))
    assert page.status_code == 200
    html = page.content.decode()
    message = finding.message_ids[0]
    bubble = re.search(rf'<div class="msg [^"]*msg-flagged[^"]*" id="m-{message}"[^>]*>(.*?)</div>\s*</div>',
                       html, re.S)
    assert bubble and "msg-flagged-critical" in html
    assert "<mark>微信</mark>" in bubble.group(0)
    assert 'data-findings="off_platform' in bubble.group(0)
    assert f'id="f-{finding.pk}"' in html and finding.evidence in html
    assert "规则版本 1" in html and f'href="#m-{message}"' in html
    assert f'data-figure="score">{finding.inspection.score}<' in html


def test_chat_text_is_escaped_around_the_highlight(boss_client, s1, today):
    conversation = Conversation.objects.filter(shop=s1).first()
    reply = Message.objects.filter(conversation=conversation, sender="agent").first()
    reply.text = '<script>alert("x")</script>加我微信'
    reply.save(update_fields=["text"])
    qa_run(start=today - timedelta(days=data.DAYS), end=today, shops=[s1])
    html = boss_client.get(reverse("qa:inspection", args=[conversation.pk])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;加我<mark>微信</mark>" in html


def test_a_conversation_not_inspected_yet_says_so(boss_client, s1, today):
    conversation = Conversation.objects.filter(shop=s1).first()
    Inspection.objects.filter(conversation=conversation).delete()
    html = boss_client.get(reverse("qa:inspection", args=[conversation.pk])).content.decode()
    assert "此会话尚未质检" in html


# ---- the Excel report ----------------------------------------------------------------------------


def test_the_excel_report_has_a_qa_sheet_equal_to_the_metric_engine(s1, today):
    day = today - timedelta(days=7)
    with translation.override("zh-hans"):
        report = report_build(period="weekly", day=day, shops=[s1], as_of=timezone.now())
        workbook = load_workbook(BytesIO(report_xlsx(report)))
    assert workbook.sheetnames[-1] == "质检"
    sheet = workbook["质检"]
    start, end = report.period.start, report.period.end
    summary = metrics_compute(start=start, end=end, shops=[s1], keys=KEYS)[0].metrics
    by_key = {sheet.cell(r, 5).value: r for r in range(5, 7)}
    for key in KEYS:
        assert sheet.cell(by_key[key], 2).value == pytest.approx(summary[key], rel=1e-12)
    tables = {}
    for r in range(1, sheet.max_row + 1):
        if sheet.cell(r, 1).value in ("按组", "按客服"):
            tables[sheet.cell(r, 1).value] = r
    teams = {row.group["team"]: row.metrics for row in
             metrics_compute(start=start, end=end, shops=[s1], by="team", keys=KEYS)}
    r = tables["按组"] + 3
    while sheet.cell(r, 1).value:
        assert sheet.cell(r, 2).value == pytest.approx(teams.pop(sheet.cell(r, 1).value)["qa_score_avg"])
        r += 1
    assert teams == {}
    agents = {row.group["agent_id"]: row.metrics for row in
              metrics_compute(start=start, end=end, shops=[s1], by="agent", keys=KEYS)}
    keys_row = tables["按客服"] + 2
    columns = {sheet.cell(keys_row, c).value: c for c in range(1, 7) if sheet.cell(keys_row, c).value}
    r = keys_row + 1
    while sheet.cell(r, 1).value:
        expected = agents.pop(sheet.cell(r, 1).value)
        for key in KEYS:
            assert sheet.cell(r, columns[key]).value == pytest.approx(expected[key], rel=1e-12)
        r += 1
    assert agents == {}
