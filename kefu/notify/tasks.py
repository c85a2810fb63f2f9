"""Background work of the notify app: sending one e-mail or robot message (a thin wrapper
of ``services.send_attempt``; safe to run twice, the attempt number guards it).

``notify_tick`` (in services) is not a task: the worker loop calls it every minute."""

from django.tasks import task


@task()
def send_deliver(send_id: int, attempt: int) -> str | None:
    from kefu.notify.services import send_attempt

    send = send_attempt(send_id=send_id, attempt=attempt)
    return send.status if send is not None else None
