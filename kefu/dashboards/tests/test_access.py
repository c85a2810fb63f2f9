"""Who may see which metric page, and that another shop's figures stay out of sight."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kefu.accounts.roles import Role

pytestmark = pytest.mark.django_db

TEAM_PAGES = ["dashboards:dashboard", "dashboards:trends", "dashboards:ranking", "dashboards:teams",
              "dashboards:campaigns"]


def items_params(day, key="unanswered_conversations", **group) -> dict:
    return {"key": key, "start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat(), **group}


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_an_agent_cannot_open_the_team_pages(client_for, xiaomei, name):
    assert client_for(xiaomei).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", [*TEAM_PAGES, "dashboards:glossary", "dashboards:settings"])
def test_supervisors_open_every_page(client_for, s1_supervisor, name):
    assert client_for(s1_supervisor).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", [*TEAM_PAGES, "dashboards:glossary"])
def test_a_team_lead_opens_the_team_pages(client_for, make_user, shops, name):
    lead = make_user(Role.TEAM_LEAD, shops=[shops[0]])
    assert client_for(lead).get(reverse(name)).status_code == 200


def test_only_settings_managers_open_the_settings(client_for, make_user, shops):
    lead = make_user(Role.TEAM_LEAD, shops=[shops[0]])
    assert client_for(lead).get(reverse("dashboards:settings")).status_code == 403


def test_signed_out_visitors_go_to_the_login(client, past_day):
    response = client.get(reverse("dashboards:ranking"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_agent_sees_their_own_scorecard_only(client_for, xiaomei, agents):
    client = client_for(xiaomei)
    assert client.get(reverse("dashboards:scorecard")).status_code == 200
    assert client.get(reverse("dashboards:agent_scorecard", args=[agents["a1"].pk])).status_code == 200
    assert client.get(reverse("dashboards:agent_scorecard", args=[agents["a2"].pk])).status_code == 404


def test_an_agent_opens_the_items_of_their_own_figures_only(client_for, xiaomei, agents, past_day):
    client = client_for(xiaomei)
    own = client.get(reverse("dashboards:items"), items_params(past_day, agent=agents["a1"].pk))
    assert own.status_code == 200 and own.context["page"].paginator.count == 3
    assert client.get(reverse("dashboards:items"), items_params(past_day, agent=agents["a2"].pk)).status_code == 404
    assert client.get(reverse("dashboards:items"), items_params(past_day)).status_code == 403
    assert client.get(reverse("dashboards:items"), items_params(past_day, team="售前一组")).status_code == 403


def test_a_shop_supervisor_sees_nothing_of_another_shop(client_for, s1_supervisor, shops, agents, past_day):
    client = client_for(s1_supervisor)
    day = {"period": "custom", "start": past_day.isoformat(), "end": past_day.isoformat()}
    ranking = client.get(reverse("dashboards:ranking"), day)
    assert {row.agent.ext_id for row in ranking.context["table"].rows} == {"a1", "a2", "a3"}
    assert "阿乙" not in ranking.content.decode()
    assert ranking.context["table"].total.cells[1].value == 4  # s1's unanswered, not s2's fifth
    assert client.get(reverse("dashboards:ranking"), {**day, "shop": shops[1].pk}).status_code == 404
    assert client.get(reverse("dashboards:agent_scorecard", args=[agents["b1"].pk])).status_code == 404
    assert client.get(reverse("dashboards:items"), items_params(past_day, agent=agents["b1"].pk)).status_code == 404
    shop_items = client.get(reverse("dashboards:items"), items_params(past_day))
    assert {c.ext_id for c in shop_items.context["page"].object_list} == {"p-v2", "p-v3", "p-v4", "p-v7"}


def test_a_supervisor_of_every_shop_can_filter_one(client_for, make_user, shops, past_day):
    client = client_for(make_user(Role.SUPERVISOR))
    day = {"period": "custom", "start": past_day.isoformat(), "end": past_day.isoformat()}
    every = client.get(reverse("dashboards:ranking"), day).context["table"]
    assert {row.agent.ext_id for row in every.rows} == {"a1", "a2", "a3", "b1"}
    one = client.get(reverse("dashboards:ranking"), {**day, "shop": shops[1].pk}).context["table"]
    assert [row.agent.ext_id for row in one.rows] == ["b1"]


def test_unknown_metrics_and_bad_periods_are_not_found(client_for, s1_supervisor, past_day):
    client = client_for(s1_supervisor)
    assert client.get(reverse("dashboards:items"), items_params(past_day, key="nope")).status_code == 404
    bad = {"key": "conversations", "start": "2026-11-12", "end": "2026-11-11"}
    assert client.get(reverse("dashboards:items"), bad).status_code == 404
