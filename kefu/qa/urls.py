"""Quality-inspection pages, mounted at /qa/."""

from django.urls import path

from kefu.qa import views

app_name = "qa"
urlpatterns = [
    path("", views.report, name="report"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("rules/", views.rule_list, name="rules"),
    path("new-rule/", views.rule_create, name="rule_create"),
    path("weights/", views.weights_update, name="weights"),
    path("rules/<slug:key>/", views.rule_detail, name="rule"),
    path("rules/<slug:key>/edit/", views.rule_edit, name="rule_edit"),
]
