"""Agent scorecards: the agent's own figures against the team and the shop."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.dashboards.formatting import figure_text
from kefu.dashboards.periods import span_preset
from kefu.dashboards.selectors.scorecard import SCORECARD_KEYS
from kefu.dashboards.tests.helpers import cells, href, rows, text
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.metrics.engine import metrics_compute

pytestmark = pytest.mark.django_db


def month_containing(day) -> dict:
    """This month, or last month early in a month (the test day is 9 days ago)."""
    return {"period": "this_month" if day.month == timezone.localdate().month else "last_month"}


def test_my_scorecard_shows_my_figures_from_the_engine(client_for, xiaomei, agents, shops, past_day):
    response = client_for(xiaomei).get(reverse("dashboards:scorecard"), month_containing(past_day))
    span = response.context["span"]
    assert span.start <= past_day < span.end
    assert response.context["own"] is True
    [row] = metrics_compute(start=span.start, end=span.end, shops=[shops[0]], by="agent", agents=[agents["a1"]],
                            keys=list(SCORECARD_KEYS))
    shown = rows(response.content.decode(), "data-metric")
    for key in SCORECARD_KEYS:
        own = cells(shown[key], "data-col")["own"]
        assert text(own) == figure_text(METRIC_BY_KEY[key], row.metrics[key]), key
    assert row.metrics["unanswered_conversations"] == 3


def test_team_and_shop_columns(client_for, s1_supervisor, agents, shops, past_day):
    params = {"period": "custom", "start": past_day.isoformat(), "end": past_day.isoformat()}
    response = client_for(s1_supervisor).get(reverse("dashboards:agent_scorecard", args=[agents["a1"].pk]), params)
    card = response.context["card"]
    lines = {line.metric.key: line for line in card.lines}
    end = past_day + timedelta(days=1)
    team = next(r for r in metrics_compute(start=past_day, end=end, shops=[shops[0]], by="team")
                if r.group["team"] == "售前一组").metrics
    shop = metrics_compute(start=past_day, end=end, shops=[shops[0]])[0].metrics
    assert (card.team_agents, card.shop_agents) == (2, 3)
    # Rates are the team's and the shop's own; counts are per agent with activity.
    assert lines["reply_rate"].team == team["reply_rate"] and lines["reply_rate"].shop == shop["reply_rate"]
    assert lines["conversations"].team == team["conversations"] / 2
    assert lines["conversations"].shop == shop["conversations"] / 3
    assert lines["unanswered_conversations"].own.value == 3


def test_the_daily_trend_has_the_agents_days(client_for, s1_supervisor, agents, past_day):
    params = {"period": "custom", "start": past_day.isoformat(), "end": past_day.isoformat()}
    card = client_for(s1_supervisor).get(reverse("dashboards:agent_scorecard", args=[agents["a1"].pk]),
                                         params).context["card"]
    conversations = next(chart for chart in card.trend if chart["id"] == "trend-conversations")["data"]
    assert conversations["labels"][-1] == past_day.strftime("%m-%d") and len(conversations["labels"]) == 14
    assert conversations["series"][0]["values"][-1] == 1 and sum(conversations["series"][0]["values"]) == 1


def test_my_unanswered_figure_lists_my_conversations(client_for, xiaomei, past_day):
    client = client_for(xiaomei)
    page = client.get(reverse("dashboards:scorecard"), month_containing(past_day))
    link = href(cells(rows(page.content.decode(), "data-metric")["unanswered_conversations"], "data-col")["own"])
    assert set(rows(client.get(link).content.decode(), "data-conversation")) == {"p-v2", "p-v3", "p-v4"}


def test_a_supervisor_without_an_agent_is_sent_to_the_ranking(client_for, s1_supervisor):
    response = client_for(s1_supervisor).get(reverse("dashboards:scorecard"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:ranking")


def test_scorecard_periods_are_weeks_and_months(client_for, xiaomei):
    form = client_for(xiaomei).get(reverse("dashboards:scorecard")).context["form"]
    assert [value for value, _label in form.fields["period"].choices] == [
        "this_week", "last_week", "this_month", "last_month", "custom"
    ]
    assert span_preset("this_week", form.shops[0].imported_at.date()).days <= 7
