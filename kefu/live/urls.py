"""The live chat's pages, mounted at /live/: the agent workspace, the customer widget,
the supervisor's live monitor (``urls_monitor``)."""

from django.urls import include, path

from kefu.live import urls_monitor, views, views_widget

app_name = "live"
urlpatterns = [
    path("", views.workspace_view, name="workspace"),
    path("list/", views.list_view, name="list"),
    path("status/", views.status_view, name="status"),
    path("c/<int:pk>/", views.workspace_view, name="conversation"),
    path("c/<int:pk>/reply/", views.reply_view, name="reply"),
    path("c/<int:pk>/end/", views.end_view, name="end"),
    path("c/<int:pk>/transfer/", views.transfer_view, name="transfer"),
    path("c/<int:pk>/invite/", views.invite_view, name="invite"),
    path("c/<int:pk>/scripts/", views.scripts_view, name="scripts"),
    path("c/<int:pk>/suggest/", views.suggest_view, name="suggest"),
    path("settings/", views.widget_settings_view, name="settings"),
    path("w/", views_widget.widget_view, name="widget"),
    path("w/message/", views_widget.message_view, name="widget_message"),
    path("w/image/", views_widget.image_view, name="widget_image"),
    path("w/rate/", views_widget.rate_view, name="widget_rate"),
    path("w/state/", views_widget.state_view, name="widget_state"),
    path("embed.js", views_widget.embed_view, name="embed"),
    path("files/<path:name>", views_widget.file_view, name="file"),
    path("monitor/", include(urls_monitor)),
]
