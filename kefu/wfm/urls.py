"""The roster pages (排班), mounted at /wfm/ (namespace ``wfm``)."""

from django.urls import path

from kefu.wfm import views

app_name = "wfm"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("plan/new/", views.plan_new, name="plan_new"),
    path("roster/<int:pk>/", views.roster_detail, name="roster"),
    path("roster/<int:pk>/publish/", views.roster_publish_view, name="publish"),
    path("shift/<int:pk>/move/", views.shift_edit, {"action": "move"}, name="shift_move"),
    path("shift/<int:pk>/assign/", views.shift_edit, {"action": "assign"}, name="shift_assign"),
    path("shift/<int:pk>/delete/", views.shift_edit, {"action": "delete"}, name="shift_delete"),
    path("my/", views.my_shifts, name="my"),
    path("my/shift/<int:shift_pk>/request/", views.my_request, name="my_request"),
    path("requests/", views.requests_queue, name="requests"),
    path("requests/<int:pk>/decide/", views.request_decide, name="decide"),
    path("settings/", views.rules_settings, name="settings"),
]
