"""The routing settings pages (分流设置), mounted at /routing/."""

from django.urls import path

from kefu.routing import views

app_name = "routing"
urlpatterns = [
    path("", views.settings_view, name="settings"),
    path("groups/new/", views.group_edit_view, name="group_new"),
    path("groups/<int:pk>/", views.group_edit_view, name="group_edit"),
    path("groups/<int:pk>/delete/", views.group_delete_view, name="group_delete"),
    path("agents/<int:agent_id>/cap/", views.agent_cap_view, name="agent_cap"),
]
