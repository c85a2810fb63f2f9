"""``kefu worker``: run background tasks and periodic ticks (production: one or more per machine)."""

import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from kefu.core.worker import ticks_forever, uses_task_queue


class Command(BaseCommand):
    help = "Run Kefu's background tasks (metric rollups, report deliveries) and periodic ticks until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls of the task queue")
        parser.add_argument("--tick", type=float, default=60.0, help="seconds between periodic ticks")
        parser.add_argument("--once", action="store_true", help="run the ticks and the queued tasks once, then exit")

    def handle(self, *args, interval, tick, once, **options):
        if once:
            from kefu.core.worker import periodic_run

            periodic_run()
            if uses_task_queue():
                call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
            return
        threading.Thread(target=ticks_forever, args=(tick,), name="kefu-ticks", daemon=True).start()
        if uses_task_queue():
            call_command("db_worker", "--interval", str(interval), "--queue-name", "*")
        else:
            threading.Event().wait()
