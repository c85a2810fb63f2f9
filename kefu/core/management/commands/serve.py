"""``kefu serve``: the web server (uvicorn running the ASGI application)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Kefu's web server (default http://127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="processes (production: several)")

    def handle(self, *args, host, port, workers, **options):
        import uvicorn

        self.stdout.write(f"Kefu: http://{host}:{port}/  (Ctrl+C to stop)")
        uvicorn.run("config.asgi:application", host=host, port=port, workers=workers, log_level="warning",
                    lifespan="off")
