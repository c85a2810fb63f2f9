"""``kefu serve``: the web server (uvicorn running the ASGI application)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Kefu's web server (default http://127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="processes (production: several)")
        parser.add_argument(
            "--no-worker", action="store_true",
            help="no background tasks in this process (production: run `kefu worker` instead)",
        )

    def handle(self, *args, host, port, workers, no_worker, **options):
        import uvicorn

        from kefu.core.worker import BackgroundWorker

        if not no_worker:
            BackgroundWorker().start()  # embedded tier: tasks and periodic ticks in threads of this process

        self.stdout.write(f"Kefu: http://{host}:{port}/  (Ctrl+C to stop)")
        uvicorn.run("config.asgi:application", host=host, port=port, workers=workers, log_level="warning",
                    lifespan="off")
