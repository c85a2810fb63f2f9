"""ASGI entry point (``kefu serve`` runs it under uvicorn): pages and the API over HTTP,
the live chat over WebSockets (Django Channels)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()  # sets Django up before the consumers are imported


def application_build(http=None):
    """The ASGI application; tests pass their own HTTP handler (static files)."""
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator

    from kefu.live.routing import websocket_urlpatterns

    return ProtocolTypeRouter({
        "http": http or django_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    })


application = application_build()
