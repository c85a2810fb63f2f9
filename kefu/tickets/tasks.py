"""Background work of the tickets app, on Django's tasks framework (settings.TASKS)."""

from django.db import transaction
from django.tasks import task


@task
def tickets_scan_task() -> int:
    """Open the automatic tickets of newly imported data (also done by the periodic tick)."""
    from kefu.tickets.auto import tickets_auto_create

    return tickets_auto_create()


def after_import(sender, run=None, **kwargs) -> None:
    """An import committed: scan its records for automatic tickets at once, in the background,
    rather than at the next minute's tick."""
    transaction.on_commit(tickets_scan_task.enqueue)
