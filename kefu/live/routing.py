"""WebSocket URLs of the live chat (mounted by config/asgi.py)."""

from django.urls import path

from kefu.live import consumers

websocket_urlpatterns = [
    path("ws/live/widget/", consumers.WidgetConsumer.as_asgi()),
    path("ws/live/staff/", consumers.StaffConsumer.as_asgi()),
]
