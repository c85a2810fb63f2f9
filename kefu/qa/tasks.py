"""Background work of quality inspection (Django tasks)."""

from django.tasks import task

from kefu.qa.inspector import inspect_conversations


@task
def inspect_task(conversation_ids: list[int]) -> int:
    return len(inspect_conversations(conversation_ids))
