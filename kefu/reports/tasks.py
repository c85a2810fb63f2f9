"""Background work of the reports app: sending one delivery (a thin wrapper of
``services.delivery_attempt``; safe to run twice, the attempt number guards it).

``reports_tick`` (in services) is not a task: the worker loop calls it every minute."""

from django.tasks import task

from kefu.reports.services import reports_tick  # noqa: F401 (re-exported for the worker loop)


@task()
def delivery_send(delivery_id: int, attempt: int) -> str | None:
    from kefu.reports.services import delivery_attempt

    delivery = delivery_attempt(delivery_id=delivery_id, attempt=attempt)
    return delivery.status if delivery is not None else None
