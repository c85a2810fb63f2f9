"""The background worker: periodic ticks and queued tasks, in-process or as ``kefu worker``."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import OperationalError

from kefu.core import worker
from kefu.demo.simulator import simulate
from kefu.intake.services import events_import
from kefu.metrics.models import ConversationFact, RollupMark


@pytest.mark.django_db
def test_a_failing_tick_does_not_stop_the_others(settings):
    calls = []
    settings.KEFU_PERIODIC = ["kefu.core.tests.test_worker.tick_failing", "kefu.core.tests.test_worker.tick_counting"]
    tick_counting.calls = calls
    worker.periodic_run()
    assert calls == ["ran"]


def tick_failing():
    raise RuntimeError("boom")


def tick_counting():
    tick_counting.calls.append("ran")


@pytest.mark.django_db(transaction=True)
def test_kefu_worker_once_drains_what_imports_left(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    events_import(records=enumerate(list(simulate(shops=1, agents=2, days=1, seed=5, end=date(2026, 11, 11))), 1))
    assert RollupMark.objects.exists()
    call_command("worker", "--once")
    assert not RollupMark.objects.exists() and ConversationFact.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_in_process_worker_runs_queued_tasks(settings):
    import time

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.KEFU_PERIODIC = []
    events_import(records=enumerate(list(simulate(shops=1, agents=2, days=1, seed=6, end=date(2026, 11, 11))), 1))
    background = worker.BackgroundWorker(interval=0.05, tick_seconds=3600).start()
    try:
        deadline = time.monotonic() + 30

        def waiting() -> bool:
            # The test database is SQLite in memory with a shared cache, which has no busy
            # timeout: a read while the worker thread writes is refused ("table is
            # locked") instead of waiting, so the poll asks again.
            try:
                return RollupMark.objects.exists()
            except OperationalError:
                return True

        while waiting() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        background.stop()
    assert not RollupMark.objects.exists() and ConversationFact.objects.exists()
