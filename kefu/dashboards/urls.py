"""The metric pages, mounted at /metrics/."""

from django.urls import path

from kefu.dashboards.views import board, campaigns, items, reference, scorecard, tables, trends

app_name = "dashboards"
urlpatterns = [
    path("", board.dashboard, name="dashboard"),
    path("trends/", trends.trends, name="trends"),
    path("ranking/", tables.ranking, name="ranking"),
    path("teams/", tables.teams, name="teams"),
    path("scorecard/", scorecard.my_scorecard, name="scorecard"),
    path("agents/<int:pk>/", scorecard.agent_scorecard_view, name="agent_scorecard"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/delete/", campaigns.campaign_delete, name="campaign_delete"),
    path("glossary/", reference.glossary, name="glossary"),
    path("settings/", reference.metric_settings, name="settings"),
    path("items/", items.metric_items_view, name="items"),
]
