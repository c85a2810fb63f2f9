"""The script library pages (话术库), mounted at /scripts/."""

from django.urls import path

from kefu.scripts import views

app_name = "scripts"
urlpatterns = [
    path("", views.script_list_view, name="list"),
    path("new/", views.script_edit_view, name="new"),
    path("approvals/", views.approval_queue_view, name="queue"),
    path("export/", views.export_view, name="export"),
    path("import/", views.import_view, name="import"),
    path("packs/", views.pack_list_view, name="packs"),
    path("packs/<int:pk>/", views.pack_detail_view, name="pack"),
    path("<int:pk>/", views.script_detail_view, name="detail"),
    path("<int:pk>/edit/", views.script_edit_view, name="edit"),
    path("<int:pk>/<str:action>/", views.script_action_view, name="action"),
]
