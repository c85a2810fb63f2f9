"""The rule editor: who may see and change rules, shop scoping, the preview that equals what
saving and re-inspecting does, validation at the field, versions and their history, and
the shop's severity weights."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kefu.accounts.roles import Role
from kefu.core.models import AuditEntry
from kefu.qa.defaults import DEFAULT_RULES
from kefu.qa.models import Finding, FindingStatus, Rule
from kefu.qa.rules import rule_validate, rules_current
from kefu.qa.services import qa_run
from kefu.qa.tests import pages_data as data
from kefu.qa.tests.pages_data import boss, boss_client, s1, s2, today  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def edit_url(shop, key):
    return f"{reverse('qa:rule_edit', args=[key])}?shop={shop.pk}"


def draft_post(shop, rule, *, start, end, **changes) -> dict:
    """The edit form as the page posts it: the rule's values, with ``changes``."""
    post = {"shop": shop.pk, "name": rule.name, "target": rule.target, "severity": rule.severity,
            "enabled": "on" if rule.enabled else "", "note": "",
            "preview_start": start.isoformat(), "preview_end": end.isoformat()}
    for name, value in rule.params.items():
        post[name] = "\n".join(value) if isinstance(value, list) else value
    post.update(changes)
    return {k: v for k, v in post.items() if v is not None}


def findings_of(shop, key) -> set:
    """(conversation, message ids) of the stored findings of a rule in a shop."""
    rows = Finding.objects.filter(inspection__shop=shop, rule_key=key).values_list(
        "inspection__conversation__ext_id", "message_ids")
    return {(conversation, tuple(ids)) for conversation, ids in rows}


# ---- who may see and change rules ---------------------------------------------------------


@pytest.mark.parametrize("name", ["qa:report", "qa:rules", "qa:rule_create"])
def test_an_agent_opens_no_qa_page(client_for, make_user, shop, name):
    agent = make_user(Role.AGENT, shops=[shop], agent_shop=shop)
    assert client_for(agent).get(reverse(name)).status_code == 403


def test_signed_out_visitors_go_to_the_login(client):
    response = client.get(reverse("qa:rules"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_qa_inspector_reads_the_rules_but_cannot_change_them(client_for, qa_user, shop):
    client = client_for(qa_user)
    page = client.get(reverse("qa:rules"), {"shop": shop.pk})
    assert page.status_code == 200
    assert "服务态度" in page.content.decode() and reverse("qa:rule_edit", args=["rude_language"]) not in \
        page.content.decode()
    assert client.get(reverse("qa:rule", args=["rude_language"]), {"shop": shop.pk}).status_code == 200
    assert client.get(edit_url(shop, "rude_language")).status_code == 403
    assert client.post(reverse("qa:weights"), {"shop": shop.pk, "minor": 1, "major": 1, "critical": 1}) \
        .status_code == 403
    assert client.post(reverse("qa:rule_create"), {"shop": shop.pk}).status_code == 403


def test_the_nav_shows_quality_inspection_to_those_who_may_see_it(client_for, supervisor, agent_user):
    assert 'href="/qa/"' in client_for(supervisor).get(reverse("home")).content.decode()
    assert 'href="/qa/"' not in client_for(agent_user).get(reverse("home")).content.decode()


def test_a_shop_supervisor_sees_nothing_of_another_shop(boss_client, s1, s2):
    assert boss_client.get(reverse("qa:rules"), {"shop": s2.pk}).status_code == 404
    assert boss_client.get(reverse("qa:rule", args=["rude_language"]), {"shop": s2.pk}).status_code == 404
    assert boss_client.get(edit_url(s2, "rude_language")).status_code == 404
    assert boss_client.post(reverse("qa:weights"), {"shop": s2.pk, "minor": 1, "major": 1, "critical": 1}) \
        .status_code == 404
    assert boss_client.get(reverse("qa:rules")).context["shop"] == s1  # the only shop, by default


def test_an_unknown_rule_is_not_found(boss_client, s1):
    assert boss_client.get(reverse("qa:rule", args=["no_such_rule"]), {"shop": s1.pk}).status_code == 404


# ---- the rules in force ---------------------------------------------------------------------


def test_the_rule_list_shows_version_and_precision_over_reviewed_findings(boss_client, s1):
    findings = list(Finding.objects.filter(inspection__shop=s1, rule_key="absolute_claim").order_by("pk"))
    assert len(findings) >= 3
    Finding.objects.filter(pk__in=[findings[0].pk, findings[1].pk]).update(status=FindingStatus.CONFIRMED)
    Finding.objects.filter(pk=findings[2].pk).update(status=FindingStatus.REJECTED)
    page = boss_client.get(reverse("qa:rules"), {"shop": s1.pk})
    lines = {line.rule.key: line for line in page.context["lines"]}
    assert [key for key in lines] == [r.key for r in rules_current(s1)]
    assert lines["absolute_claim"].precision == pytest.approx(2 / 3)
    assert lines["rude_language"].precision is None
    html = page.content.decode()
    row = html.split('data-rule="absolute_claim"')[1].split("</tr>")[0]
    assert 'data-field="precision">67%' in row and "v1" in row
    row = html.split('data-rule="rude_language"')[1].split("</tr>")[0]
    assert 'data-field="precision">—' in row


def test_the_rule_pages_keep_to_a_query_ceiling(boss_client, s1, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        assert boss_client.get(reverse("qa:rules"), {"shop": s1.pk}).status_code == 200
    with django_assert_max_num_queries(18):
        assert boss_client.get(reverse("qa:rule", args=["absolute_claim"]), {"shop": s1.pk}).status_code == 200


# ---- editing: preview, then save ----------------------------------------------------------


def test_the_preview_counts_equal_what_saving_and_re_inspecting_produces(boss_client, s1, today):
    rule = {r.key: r for r in rules_current(s1)}["absolute_claim"]
    start, end = today - timedelta(days=6), today  # the default period: the last 7 shop days
    words = "\n".join(w for w in rule.params["words"] if w != "最好") + "\n顶配"
    post = draft_post(s1, rule, start=start, end=end, words=words, action="preview")
    page = boss_client.post(edit_url(s1, "absolute_claim"), post)
    assert page.status_code == 200
    preview = page.context["preview"]
    recent = range(1, 7)
    assert preview.added == data.count_of(data.TOP, recent) and preview.added > 0
    assert preview.removed == data.count_of(data.CLAIM, recent) and preview.removed > 0
    html = page.content.decode()
    assert f'data-figure="added">新增 {preview.added}' in html
    assert f'data-figure="removed">去掉 {preview.removed}' in html

    before = findings_of(s1, "absolute_claim")
    saved = boss_client.post(edit_url(s1, "absolute_claim"),
                             {**post, "action": "save", "previewed": page.context["digest"], "note": "顶配也算"})
    assert saved.status_code == 302
    qa_run(start=start, end=end, shops=[s1])
    period = {(c, m) for c, m in findings_of(s1, "absolute_claim")
              if int(c.split("-")[1].removeprefix("d")) in recent}
    before_period = {(c, m) for c, m in before if int(c.split("-")[1].removeprefix("d")) in recent}
    assert len(period - before_period) == preview.added
    assert len(before_period - period) == preview.removed


def test_saving_writes_a_new_version_with_its_history_and_diff(boss_client, boss, s1, today):
    rule = {r.key: r for r in rules_current(s1)}["absolute_claim"]
    post = draft_post(s1, rule, start=today - timedelta(days=1), end=today - timedelta(days=1),
                      words="最好，第一\n顶配", severity="major", note="顶配也算绝对化", action="preview")
    digest = boss_client.post(edit_url(s1, "absolute_claim"), post).context["digest"]
    response = boss_client.post(edit_url(s1, "absolute_claim"), {**post, "action": "save", "previewed": digest})
    saved = Rule.objects.get(shop=s1, key="absolute_claim")
    assert response["Location"] == f"{reverse('qa:rule', args=['absolute_claim'])}?shop={s1.pk}"
    assert (saved.version, saved.severity, saved.params["words"]) == (2, "major", ["最好", "第一", "顶配"])
    assert saved.created_by == boss and saved.note == "顶配也算绝对化"
    assert saved.params["exceptions"] == rule.params["exceptions"]  # untouched lists stay
    page = boss_client.get(response["Location"])
    history = page.context["history"]
    assert [v["rule"].version for v in history] == [2, 1]
    changes = {row["change"].name: row["change"] for row in history[0]["changes"]}
    assert changes["words"].added == ("顶配",) and "国家级" in changes["words"].removed
    assert changes["severity"].before == "minor" and changes["severity"].after == "major"
    html = page.content.decode()
    assert "<ins>+顶配</ins>" in html and "顶配也算绝对化" in html
    assert AuditEntry.objects.filter(action="qa.rule_save", target_id=str(saved.pk)).exists()


def test_nothing_is_saved_without_a_preview_of_exactly_that_draft(boss_client, s1, today):
    rule = {r.key: r for r in rules_current(s1)}["absolute_claim"]
    post = draft_post(s1, rule, start=today - timedelta(days=1), end=today - timedelta(days=1), action="preview")
    digest = boss_client.post(edit_url(s1, "absolute_claim"), post).context["digest"]
    changed = {**post, "severity": "critical", "action": "save", "previewed": digest}
    page = boss_client.post(edit_url(s1, "absolute_claim"), changed)
    assert page.status_code == 200 and page.context["stale"] and page.context["preview"] is not None
    assert not Rule.objects.filter(shop=s1).exists()
    unpreviewed = boss_client.post(edit_url(s1, "absolute_claim"), {**post, "action": "save"})
    assert unpreviewed.status_code == 200 and not Rule.objects.filter(shop=s1).exists()


@pytest.mark.parametrize("key", [spec["key"] for spec in DEFAULT_RULES])
def test_every_rule_round_trips_through_its_form_unchanged(boss_client, s1, today, key):
    form_page = boss_client.get(edit_url(s1, key))
    assert form_page.status_code == 200
    form = form_page.context["form"]
    post = {name: form[name].value() for name in form.fields if not form.fields[name].disabled}
    post = {k: ("on" if v is True else v) for k, v in post.items() if v not in (None, False)}
    day = today - timedelta(days=2)
    page = boss_client.post(edit_url(s1, key), {**post, "shop": s1.pk, "action": "preview",
                                                 "preview_start": day.isoformat(), "preview_end": day.isoformat()})
    assert page.status_code == 200, page.context["form"].errors
    assert (page.context["preview"].added, page.context["preview"].removed) == (0, 0)
    rule = {r.key: r for r in rules_current(s1)}[key]
    unique = {name: list(dict.fromkeys(value)) if isinstance(value, list) else value
              for name, value in rule.params.items()}  # a saved list holds each word once
    assert rule_validate(page.context["form"].draft())["params"] == unique


def test_disabling_a_rule_previews_every_finding_removed(boss_client, s1, today):
    rule = {r.key: r for r in rules_current(s1)}["slow_reply"]
    post = draft_post(s1, rule, start=today - timedelta(days=6), end=today, enabled=None, action="preview")
    preview = boss_client.post(edit_url(s1, "slow_reply"), post).context["preview"]
    assert (preview.added, preview.removed) == (0, data.count_of(data.SLOW, range(1, 7)))


# ---- validation at the field ----------------------------------------------------------------


def test_an_empty_word_list_is_refused_at_the_words_field(boss_client, s1, today):
    rule = {r.key: r for r in rules_current(s1)}["off_platform"]
    post = draft_post(s1, rule, start=today - timedelta(days=1), end=today - timedelta(days=1), words="",
                      action="preview")
    page = boss_client.post(edit_url(s1, "off_platform"), post)
    assert page.status_code == 400 and page.context["preview"] is None
    assert page.context["form"].errors["words"] == ["词表规则至少需要一个词。"]
    assert not Rule.objects.filter(shop=s1).exists()


def test_a_bad_threshold_is_refused_at_its_field(boss_client, s1, today):
    rule = {r.key: r for r in rules_current(s1)}["slow_reply"]
    post = draft_post(s1, rule, start=today - timedelta(days=1), end=today - timedelta(days=1),
                      threshold_seconds="三分钟", action="preview")
    page = boss_client.post(edit_url(s1, "slow_reply"), post)
    assert page.context["form"].errors["threshold_seconds"] == ["请填写正整数秒数。"]


@pytest.mark.parametrize(("post", "field", "message"), [
    ({"key": "Bad Key", "name": "x", "kind": "keyword", "words": "a"}, "key", "小写字母"),
    ({"key": "price_talk", "name": "", "kind": "keyword", "words": "a"}, "name", "请为规则命名"),
    ({"key": "price_talk", "name": "x", "kind": "regex", "pattern": "(unclosed"}, "pattern", "不是有效的正则表达式"),
    ({"key": "rude_language", "name": "x", "kind": "keyword", "words": "a"}, "key", "已有"),
])
def test_a_new_rule_with_a_mistake_is_refused_at_the_field(boss_client, s1, post, field, message):
    page = boss_client.post(f"{reverse('qa:rule_create')}?shop={s1.pk}", {
        "shop": s1.pk, "target": "human_replies", "severity": "minor", "enabled": "on", "action": "preview", **post})
    assert page.status_code == 400
    assert message in " ".join(page.context["form"].errors[field])
    assert f'class="field field-error" data-field="{field}"' in page.content.decode()


def test_a_new_regular_expression_rule_is_previewed_and_saved(boss_client, s1, today):
    post = {"shop": s1.pk, "key": "price_promise", "name": "价格承诺", "kind": "regex", "pattern": r"顶配|私聊",
            "target": "human_replies", "severity": "major", "enabled": "on", "action": "preview",
            "preview_start": (today - timedelta(days=6)).isoformat(), "preview_end": today.isoformat()}
    page = boss_client.post(f"{reverse('qa:rule_create')}?shop={s1.pk}", post)
    recent = range(1, 7)
    expected = data.count_of(data.TOP, recent) + data.count_of(data.OFF_PLATFORM, recent)
    assert (page.context["preview"].added, page.context["preview"].removed) == (expected, 0)
    response = boss_client.post(f"{reverse('qa:rule_create')}?shop={s1.pk}",
                                {**post, "action": "save", "previewed": page.context["digest"]})
    assert response.status_code == 302
    rule = {r.key: r for r in rules_current(s1)}["price_promise"]
    assert (rule.kind, rule.params, rule.shop) == ("regex", {"pattern": r"顶配|私聊"}, s1)


# ---- severity weights -----------------------------------------------------------------------


def test_the_severity_weights_are_saved_for_the_shop_and_audited(boss_client, s1):
    response = boss_client.post(reverse("qa:weights"), {"shop": s1.pk, "minor": 1, "major": 5, "critical": 50})
    assert response.status_code == 302
    s1.refresh_from_db()
    assert s1.settings["qa_weights"] == {"minor": 1, "major": 5, "critical": 50}
    entry = AuditEntry.objects.get(action="qa.weights_change")
    assert entry.detail["from"] == {"minor": 2, "major": 10, "critical": 40}
    page = boss_client.get(reverse("qa:rules"), {"shop": s1.pk})
    assert page.context["weights_form"].initial == {"minor": 1, "major": 5, "critical": 50}


def test_weights_out_of_range_are_refused(boss_client, s1):
    page = boss_client.post(reverse("qa:weights"), {"shop": s1.pk, "minor": -1, "major": 5, "critical": 500})
    assert page.status_code == 400
    assert set(page.context["weights_form"].errors) == {"minor", "critical"}
    s1.refresh_from_db()
    assert "qa_weights" not in s1.settings
