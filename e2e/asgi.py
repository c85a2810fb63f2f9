"""A real ASGI server for journeys that need WebSockets: uvicorn in a thread serving
Kefu's ASGI application (pages, static files, the live chat's sockets) against the test
database. pytest-django's ``live_server`` speaks WSGI only."""

import socket
import threading
import time

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db, settings):
    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application

    from config.asgi import application_build

    from django.urls import get_resolver

    get_resolver().url_patterns  # imports every view now, not during the first page's timeout
    port = _free_port()
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    app = application_build(http=ASGIStaticFilesHandler(get_asgi_application()))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                                           ws="websockets"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the ASGI test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
