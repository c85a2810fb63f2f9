"""The background worker: runs queued tasks (django-tasks-db) and the periodic ticks.

Embedded tier: ``kefu serve`` / ``kefu demo`` start it in-process, in threads, so a
laptop needs no other server. Production: ``kefu worker`` on as many machines as
needed, next to the web processes, all sharing the PostgreSQL database. Periodic ticks
(``settings.KEFU_PERIODIC``) are idempotent, so several workers running them is harmless."""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.module_loading import import_string

logger = logging.getLogger("kefu.worker")


def periodic_run() -> None:
    """Run every periodic tick once; one failing does not stop the others."""
    for path in settings.KEFU_PERIODIC:
        try:
            import_string(path)()
        except Exception:  # noqa: BLE001 - a tick must never kill the worker; it is logged and retried
            logger.exception("periodic task %s failed", path)
        finally:
            close_old_connections()


def uses_task_queue() -> bool:
    return any(options["BACKEND"].startswith("django_tasks_db") for options in settings.TASKS.values())


class BackgroundWorker:
    """A task loop and a tick loop, each in a daemon thread."""

    def __init__(self, *, interval: float = 1.0, tick_seconds: float = 60.0):
        self.interval = interval
        self.tick_seconds = tick_seconds
        self._stop = threading.Event()
        self._task_worker = None
        self._threads: list[threading.Thread] = []

    def start(self) -> "BackgroundWorker":
        if uses_task_queue():
            from django_tasks_db.management.commands.db_worker import Worker

            self._task_worker = Worker(
                queue_names=["*"], interval=self.interval, batch=False, backend_name="default",
                startup_delay=False, max_tasks=None, worker_id=f"{socket.gethostname()}-{os.getpid()}-inprocess",
                excluded_queue_names=[],
            )
            self._threads.append(threading.Thread(target=self._tasks, name="kefu-tasks", daemon=True))
        self._threads.append(threading.Thread(target=self._ticks, name="kefu-ticks", daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._task_worker is not None:
            self._task_worker.running = False
        for thread in self._threads:
            thread.join(timeout)

    def _tasks(self) -> None:
        try:
            self._task_worker.run()
        finally:
            connections.close_all()  # this thread's own connections

    def _ticks(self) -> None:
        try:
            while not self._stop.is_set():
                periodic_run()
                self._stop.wait(self.tick_seconds)
        finally:
            connections.close_all()


def ticks_forever(tick_seconds: float = 60.0) -> None:
    while True:
        periodic_run()
        time.sleep(tick_seconds)
