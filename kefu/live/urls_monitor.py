"""The live monitor's pages, mounted by ``kefu.live.urls`` at monitor/ in the ``live``
namespace (``live:monitor``, ``live:monitor_panel`` ...)."""

from django.urls import path

from kefu.live import views_monitor

urlpatterns = [
    path("", views_monitor.monitor_view, name="monitor"),
    path("panel/", views_monitor.monitor_panel_view, name="monitor_panel"),
    path("c/<int:pk>/", views_monitor.monitor_conversation_view, name="monitor_conversation"),
    path("c/<int:pk>/whisper/", views_monitor.whisper_view, name="whisper"),
    path("c/<int:pk>/takeover/", views_monitor.takeover_view, name="takeover"),
    path("c/<int:pk>/reassign/", views_monitor.reassign_view, name="reassign"),
]
