"""The supervisor's dashboard: today so far against last week and the targets."""

import pytest
from django.urls import reverse

from kefu.accounts.roles import Role
from kefu.dashboards.formatting import figure_text
from kefu.dashboards.scope import MetricScope, metric_scope
from kefu.dashboards.selectors.board import CARD_KEYS, board_spans, board_today
from kefu.dashboards.tests.helpers import figure, href, query, rows
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.metrics.engine import metrics_compute
from kefu.metrics.shop_settings import metric_settings_update
from kefu.shops.models import Shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_s1(make_user, today_data):
    return make_user(Role.SUPERVISOR, username="zg", shops=[Shop.objects.get(ext_id="s1")])


def test_cards_show_the_engines_figures_of_today_and_last_week(client_for, supervisor_s1, today_data):
    response = client_for(supervisor_s1).get(reverse("dashboards:dashboard"))
    page = response.content.decode()
    today, last_week = response.context["board"].today, response.context["board"].last_week
    shop = Shop.objects.get(ext_id="s1")
    now_figures = metrics_compute(start=today.start, end=today.end, shops=[shop], keys=list(CARD_KEYS))[0].metrics
    then = metrics_compute(start=last_week.start, end=last_week.end, shops=[shop], keys=list(CARD_KEYS))[0].metrics
    for key in CARD_KEYS:
        metric = METRIC_BY_KEY[key]
        assert figure(page, key) == figure_text(metric, now_figures[key]), key
        assert figure(page, f"{key}_last_week") == figure_text(metric, then[key]), key
    assert (now_figures["conversations"], now_figures["unanswered_conversations"]) == (7, 4)


def test_the_window_is_today_so_far_and_the_same_stretch_last_week(today_data):
    shop = Shop.objects.get(ext_id="s1")
    today, last_week = board_spans(MetricScope(shops=(shop,), shop=shop, every_shop=False), today_data)
    assert today.end == today_data and today.start.hour == 0 and today.start.minute == 0
    assert (today.start - last_week.start).days == 7 and today.end - last_week.end == today.start - last_week.start


def test_unanswered_links_to_exactly_the_unanswered_conversations(client_for, supervisor_s1, today_data):
    client = client_for(supervisor_s1)
    page = client.get(reverse("dashboards:dashboard")).content.decode()
    assert figure(page, "attention_unanswered") == "4"
    link = href(page.split('data-figure="attention_unanswered"')[1])
    assert query(link)["key"] == "unanswered_conversations"
    assert set(rows(client.get(link).content.decode(), "data-conversation")) == {"t-v2", "t-v3", "t-v4", "t-v7"}


def test_slow_responders_are_those_over_the_shops_limit(supervisor_s1, today_data):
    shop = Shop.objects.get(ext_id="s1")
    scope = metric_scope(supervisor_s1)
    board = board_today(scope=scope, now=today_data)
    per_agent = {
        row.agent.ext_id: row.metrics["response_time_avg"]
        for row in metrics_compute(start=board.today.start, end=board.today.end, shops=[shop], by="agent",
                                   keys=["response_time_avg"])
    }
    # Hold every agent to a limit between 小丽's (5 units) and 小美's (1 unit) response time.
    limit = round((per_agent["a1"] + per_agent["a2"]) / 2)
    metric_settings_update(shop, actor=supervisor_s1, targets={"response_time_avg": limit})
    board = board_today(scope=metric_scope(supervisor_s1), now=today_data)
    assert [slow.agent.ext_id for slow in board.slow] == ["a2"]
    assert board.slow[0].too_slow and board.slow[0].response_time_avg.value == per_agent["a2"]


def test_targets_are_shown_and_judged(client_for, supervisor_s1, today_data):
    shop = Shop.objects.get(ext_id="s1")
    metric_settings_update(shop, actor=supervisor_s1, targets={"reply_rate": 0.99, "unanswered_conversations": 10})
    board = client_for(supervisor_s1).get(reverse("dashboards:dashboard")).context["board"]
    cards = {card.metric.key: card for card in board.cards}
    assert cards["reply_rate"].target_met is False  # 3 of 7 in-hours questions answered
    assert cards["unanswered_conversations"].target_met is True  # 4 <= 10: lower is better
    assert cards["conversations"].target is None and cards["conversations"].target_met is None


def test_the_hourly_curve_adds_up_to_todays_conversations(supervisor_s1, today_data):
    board = board_today(scope=metric_scope(supervisor_s1), now=today_data)
    assert sum(board.hourly_today) == 7 and sum(board.hourly_last_week) == 7
    assert len(board.hourly_last_week) == 24 and len(board.hours) == 24


def test_the_dashboard_links_the_weekly_excel_report(client_for, supervisor_s1, today_data):
    page = client_for(supervisor_s1).get(reverse("dashboards:dashboard")).content.decode()
    assert 'data-link="weekly-report"' in page and "下载周报 Excel" in page


def test_without_any_data_the_dashboard_shows_zeros_and_dashes(client_for, make_user):
    response = client_for(make_user(Role.SUPERVISOR)).get(reverse("dashboards:dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert figure(page, "conversations") == "0" and figure(page, "reply_rate") == "—"


def test_the_board_is_computed_once_per_cache_period(settings, supervisor, client_for, monkeypatch):
    from django.core.cache import cache

    from kefu.dashboards.views import board as board_view

    settings.KEFU_DASHBOARD_CACHE_SECONDS = 30
    cache.clear()
    calls = []
    real = board_view.board_today
    monkeypatch.setattr(board_view, "board_today", lambda **kw: calls.append(1) or real(**kw))
    client = client_for(supervisor)
    assert client.get("/metrics/").status_code == 200
    assert client.get("/metrics/").status_code == 200
    assert len(calls) == 1
    cache.clear()


def test_an_expired_board_is_served_stale_while_another_request_recomputes_it(settings, supervisor, client_for,
                                                                             monkeypatch):
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from kefu.dashboards.views import board as board_view

    settings.KEFU_DASHBOARD_CACHE_SECONDS = 30
    cache.clear()
    calls = []
    real = board_view.board_today
    monkeypatch.setattr(board_view, "board_today", lambda **kw: calls.append(1) or real(**kw))
    client = client_for(supervisor)
    client.get("/metrics/")
    later = timezone.now() + timedelta(seconds=31)
    monkeypatch.setattr(board_view.timezone, "now", lambda: later)
    [key] = [k for k in cache._cache if "dashboard" in k and "computing" not in k]  # noqa: SLF001
    cache.add(cache._cache and "kefu:dashboard:" + key.split("kefu:dashboard:")[1] + ":computing", True)  # noqa: SLF001
    assert client.get("/metrics/").status_code == 200 and len(calls) == 1  # someone else is recomputing: stale
    cache.delete("kefu:dashboard:" + key.split("kefu:dashboard:")[1] + ":computing")
    assert client.get("/metrics/").status_code == 200 and len(calls) == 2  # expired and free: recomputed
    cache.clear()
