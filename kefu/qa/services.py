"""Quality inspection's writes: inspecting closed conversations in the background, and
re-inspecting a period on demand."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kefu.metrics.models import ConversationFact
from kefu.qa.inspector import Result, conversation_ids_of_period, inspect_conversations
from kefu.qa.models import Inspection

# A conversation is inspected once it has ended (``ended_at``) or has been quiet this long.
QUIET = timedelta(minutes=30)
TICK_LIMIT = 20000


def conversations_due(*, now=None, limit: int = TICK_LIMIT) -> list[int]:
    """Closed conversations whose inspection is missing or older than their last message."""
    now = now or timezone.now()
    current = Inspection.objects.filter(conversation_id=OuterRef("pk"), last_message_at=OuterRef("last_message_at"))
    due = ConversationFact.objects.filter(
        Q(last_message_at__lt=now - QUIET) | Q(conversation__ended_at__isnull=False)
    ).exclude(Exists(current))
    return list(due.order_by("start").values_list("pk", flat=True)[:limit])


def qa_tick(now=None) -> int:
    """Periodic: inspect what has closed since the last tick (a task when a queue exists)."""
    ids = conversations_due(now=now)
    if ids:
        from kefu.qa.tasks import inspect_task

        for start in range(0, len(ids), 2000):
            inspect_task.enqueue(ids[start : start + 2000])
    return len(ids)


def qa_run(*, start, end, shops=None) -> list[Result]:
    """Inspect (or re-inspect) every conversation of a period, saving the results."""
    return inspect_conversations(conversation_ids_of_period(start=start, end=end, shops=shops))
