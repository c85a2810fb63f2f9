"""The agent ranking, the team comparison and the drill-down behind their figures."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.dashboards.formatting import figure_text
from kefu.dashboards.selectors.common import DEFAULT_KEYS
from kefu.dashboards.tests.helpers import cells, href, query, rows, text
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.metrics.engine import metrics_compute

pytestmark = pytest.mark.django_db


def custom(day, **extra) -> dict:
    return {"period": "custom", "start": day.isoformat(), "end": day.isoformat(), **extra}


def test_ranking_figures_equal_the_engine(client_for, s1_supervisor, past_day, shops):
    page = client_for(s1_supervisor).get(reverse("dashboards:ranking"), custom(past_day)).content.decode()
    expected = metrics_compute(start=past_day, end=past_day + timedelta(days=1), shops=[shops[0]], by="agent",
                               keys=list(DEFAULT_KEYS))
    shown = rows(page, "data-agent")
    assert set(shown) == {row.group["agent_id"] for row in expected} == {"a1", "a2", "a3"}
    for row in expected:
        figures = {key: text(html) for key, html in cells(shown[row.group["agent_id"]]).items()}
        assert figures == {key: figure_text(METRIC_BY_KEY[key], row.metrics[key]) for key in DEFAULT_KEYS}
    assert text(cells(shown["a1"])["unanswered_conversations"]) == "3"


def test_an_agents_unanswered_count_lists_exactly_those_conversations(client_for, s1_supervisor, past_day):
    client = client_for(s1_supervisor)
    page = client.get(reverse("dashboards:ranking"), custom(past_day)).content.decode()
    link = href(cells(rows(page, "data-agent")["a1"])["unanswered_conversations"])
    assert query(link)["key"] == "unanswered_conversations"

    items = client.get(link).content.decode()
    listed = rows(items, "data-conversation")
    assert set(listed) == {"p-v2", "p-v3", "p-v4"}
    assert text(items.split('data-figure="item_count">')[1].split("<")[0]) == "3"
    for body in listed.values():
        assert "/conversations/" in href(body)  # each opens the conversation page


@pytest.mark.parametrize(
    ("key", "kind", "count"),
    [
        ("conversations", "conversation", 7),
        ("unanswered_conversations", "conversation", 4),
        ("silent_orders", "order", 1),
        ("bad_review_rate", "review", 1),
        ("refund_rate", "aftersale", 1),
    ],
)
def test_the_shops_items_match_the_figure(client_for, s1_supervisor, past_day, shops, key, kind, count):
    params = {"key": key, "start": past_day.isoformat(), "end": (past_day + timedelta(days=1)).isoformat()}
    response = client_for(s1_supervisor).get(reverse("dashboards:items"), params)
    assert response.context["kind"] == kind
    assert response.context["page"].paginator.count == count
    if METRIC_BY_KEY[key].is_count:
        figure = metrics_compute(start=past_day, end=past_day + timedelta(days=1), shops=[shops[0]], keys=[key])
        assert figure[0].metrics[key] == count
    assert len(rows(response.content.decode(), "data-item")) == count


def test_ranking_sorts_by_a_clicked_column(client_for, s1_supervisor, past_day):
    client = client_for(s1_supervisor)
    page = client.get(reverse("dashboards:ranking"), custom(past_day, sort="response_time_avg", dir="desc"))
    assert [r.agent.ext_id for r in page.context["table"].rows] == ["a2", "a1", "a3"]
    page = client.get(reverse("dashboards:ranking"), custom(past_day, sort="response_time_avg", dir="asc"))
    assert [r.agent.ext_id for r in page.context["table"].rows] == ["a3", "a1", "a2"]


def test_sorting_with_htmx_returns_only_the_table(client_for, s1_supervisor, past_day):
    response = client_for(s1_supervisor).get(
        reverse("dashboards:ranking"), custom(past_day, sort="name"), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="figures-table"') and "<html" not in body


def test_ranking_has_a_query_ceiling(client_for, s1_supervisor, past_day):
    client = client_for(s1_supervisor)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dashboards:ranking"), custom(past_day, metrics="all"))
    assert len(queries) <= 50  # a fixed number per family of metrics, whatever the number of agents


def test_team_comparison_equals_the_engine(client_for, s1_supervisor, past_day, shops):
    response = client_for(s1_supervisor).get(reverse("dashboards:teams"), custom(past_day))
    expected = {
        row.group["team"]: row.metrics
        for row in metrics_compute(start=past_day, end=past_day + timedelta(days=1), shops=[shops[0]], by="team",
                                   keys=list(DEFAULT_KEYS))
    }
    shown = rows(response.content.decode(), "data-team")
    assert set(shown) == set(expected) == {"售前一组", "售后组"}
    for team, values in expected.items():
        figures = {key: text(html) for key, html in cells(shown[team]).items()}
        assert figures == {key: figure_text(METRIC_BY_KEY[key], values[key]) for key in DEFAULT_KEYS}
    chart = response.context["chart"]
    assert chart["labels"] == [row.label for row in response.context["table"].rows]
    assert chart["values"] == [expected[t]["conversations"] for t in chart["labels"]]


def test_a_teams_unanswered_count_lists_its_conversations(client_for, s1_supervisor, past_day):
    client = client_for(s1_supervisor)
    page = client.get(reverse("dashboards:teams"), custom(past_day)).content.decode()
    link = href(cells(rows(page, "data-team")["售前一组"])["unanswered_conversations"])
    listed = rows(client.get(link).content.decode(), "data-conversation")
    assert set(listed) == {"p-v2", "p-v3", "p-v4"}


def test_the_ranking_links_the_weekly_excel_report(client_for, s1_supervisor, past_day):
    page = client_for(s1_supervisor).get(reverse("dashboards:ranking")).content.decode()
    link = href(page.split('data-link="weekly-report"')[0].rsplit("<a", 1)[1])
    assert link.startswith("/reports/download/?") and query(link)["format"] == "xlsx"
    assert query(link)["period"] == "weekly"


def test_the_weekly_report_link_downloads_an_excel_file(client_for, s1_supervisor, past_day):
    client = client_for(s1_supervisor)
    page = client.get(reverse("dashboards:dashboard")).content.decode()
    link = href(page.split('data-link="weekly-report"')[0].rsplit("<a", 1)[1])
    response = client.get(link)
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
