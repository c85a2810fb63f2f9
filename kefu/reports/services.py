"""Every write of the reports app: subscriptions, their scheduled deliveries, and sending.

``reports_tick`` runs every minute (the worker loop): it creates the deliveries that
have come due — once, thanks to the unique (subscription, scheduled_for) — and enqueues
those whose next attempt has come. ``delivery_attempt`` (the task's body) builds the
report and sends it; a failure is logged on the delivery and retried after 1, 5 and 30
minutes, then the delivery is *failed* until someone retries it."""

import logging
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.core.audit import audit_record
from kefu.core.errors import Conflict, ValidationError
from kefu.notify.channels import DeliveryError, email_addresses, email_send, robot_send, webhook_validate
from kefu.notify.conf import attempt_failure_record, base_url
from kefu.reports.builder import report_build
from kefu.reports.choices import Channel, DeliveryStatus
from kefu.reports.models import Delivery, Subscription
from kefu.reports.periods import period_last_complete
from kefu.reports.permissions import can_view_reports, subscription_shop_ids
from kefu.reports.schedule import delivery_period, subscription_last_run

logger = logging.getLogger(__name__)

# A delivery handed to the queue is not handed again for this long (a worker that died
# mid-send frees it after that).
LEASE = timedelta(minutes=15)
SCHEDULE_FIELDS = ("period", "send_time", "weekday", "month_day", "active")
EDITABLE_FIELDS = ("name", *SCHEDULE_FIELDS, "channel", "target", "secret", "format", "language")


def _target_clean(channel: str, target: str) -> str:
    target = (target or "").strip()
    try:
        if channel == Channel.EMAIL:
            return ", ".join(email_addresses(target))
        webhook_validate(channel, target)
    except DjangoValidationError as error:
        raise ValidationError(" ".join(error.messages), detail={"field": "target"}) from None
    return target


def _audit_detail(subscription: Subscription) -> dict:
    # Never the target or the secret: both may hold a robot's credentials.
    return {
        "period": subscription.period,
        "send_time": subscription.send_time.strftime("%H:%M"),
        "weekday": subscription.weekday,
        "month_day": subscription.month_day,
        "channel": subscription.channel,
        "format": subscription.format,
        "active": subscription.active,
        "shops": sorted(shop.pk for shop in subscription.shops.all()),
    }


@transaction.atomic
def subscription_create(*, owner, shops=(), actor=None, request=None, **fields) -> Subscription:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown subscription field(s): {', '.join(sorted(unknown))}")
    channel = fields.get("channel", Channel.EMAIL)
    fields["target"] = _target_clean(channel, fields.get("target", ""))
    subscription = Subscription(owner=owner, starts_at=timezone.now(), **fields)
    _model_validate(subscription)
    subscription.save()
    subscription.shops.set(shops)
    audit_record(actor=actor or owner, action="reports.subscription_create", target=subscription,
                 detail=_audit_detail(subscription), request=request)
    return subscription


@transaction.atomic
def subscription_update(*, subscription: Subscription, actor, shops=None, request=None, **changes) -> Subscription:
    """Change a subscription. A blank ``secret`` keeps the stored one. A changed schedule
    (or a re-activation) takes effect from the next run: nothing missed is sent."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown subscription field(s): {', '.join(sorted(unknown))}")
    if not changes.get("secret"):
        changes.pop("secret", None)
    before = {name: getattr(subscription, name) for name in SCHEDULE_FIELDS}
    for name, value in changes.items():
        setattr(subscription, name, value)
    subscription.target = _target_clean(subscription.channel, subscription.target)
    if any(getattr(subscription, name) != value for name, value in before.items()):
        subscription.starts_at = timezone.now()
    _model_validate(subscription)
    subscription.save()
    if shops is not None:
        subscription.shops.set(shops)
    audit_record(actor=actor, action="reports.subscription_update", target=subscription,
                 detail=_audit_detail(subscription), request=request)
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription, actor, request=None) -> None:
    audit_record(actor=actor, action="reports.subscription_delete", target=subscription,
                 detail=_audit_detail(subscription), request=request)
    subscription.delete()


def _model_validate(subscription: Subscription) -> None:
    try:
        subscription.full_clean(exclude=["owner", "shops", "starts_at"])
    except DjangoValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ValidationError(f"{field}: {' '.join(messages)}", detail={"field": field}) from None


@transaction.atomic
def subscription_send_now(*, subscription: Subscription, actor, now: datetime | None = None,
                          request=None) -> Delivery:
    """Send the latest complete period's report at once (to try a robot or an address)."""
    now = now or timezone.now()
    period = period_last_complete(subscription.period, timezone.localdate(now))
    delivery = Delivery.objects.create(
        subscription=subscription, scheduled_for=now, period_start=period.start, manual=True, next_attempt_at=now
    )
    audit_record(actor=actor, action="reports.delivery_send_now", target=delivery, request=request)
    _delivery_enqueue(delivery, now)
    return delivery


@transaction.atomic
def delivery_retry(*, delivery: Delivery, actor, now: datetime | None = None, request=None) -> Delivery:
    """Try a failed (or still pending) delivery again now; a sent one is not sent twice."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == DeliveryStatus.SENT:
        raise Conflict(_("This report has already been sent."))
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.save(update_fields=["status", "next_attempt_at"])
    audit_record(actor=actor, action="reports.delivery_retry", target=delivery, request=request)
    _delivery_enqueue(delivery, now)
    return delivery


def reports_tick(now: datetime | None = None) -> dict:
    """Create the deliveries that have come due and enqueue those to attempt now.
    Safe to run any number of times: a delivery exists once per scheduled moment."""
    now = now or timezone.now()
    created = enqueued = 0
    with transaction.atomic():
        for subscription in Subscription.objects.filter(active=True, owner__is_active=True):
            due = subscription_last_run(subscription, now)
            if due is None or due < subscription.starts_at:
                continue
            _, was_created = Delivery.objects.get_or_create(
                subscription=subscription,
                scheduled_for=due,
                defaults={"period_start": delivery_period(subscription, due).start, "next_attempt_at": due},
            )
            created += was_created
        due_deliveries = Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, subscription__active=True
        ).order_by("next_attempt_at", "id")
        for delivery in due_deliveries:
            _delivery_enqueue(delivery, now)
            enqueued += 1
    return {"created": created, "enqueued": enqueued}


def _delivery_enqueue(delivery: Delivery, now: datetime) -> None:
    """Hand the delivery's next attempt to the task queue, after commit. The attempt
    number travels with it, so a delivery queued twice is still attempted once."""
    from kefu.reports.tasks import delivery_send

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + LEASE)
    delivery_id, attempt = delivery.pk, delivery.attempts
    transaction.on_commit(lambda: delivery_send.enqueue(delivery_id, attempt))


def delivery_attempt(*, delivery_id: int, attempt: int, now: datetime | None = None) -> Delivery | None:
    """Attempt number ``attempt + 1`` of a delivery: build the report and send it. Returns
    None when another worker already made this attempt (or the delivery is done)."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, attempts=attempt).update(
        attempts=attempt + 1, last_attempt_at=now, next_attempt_at=now + LEASE
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("subscription", "subscription__owner").get(pk=delivery_id)
    final = False
    try:
        if not can_view_reports(delivery.subscription.owner):
            final = True
            raise DeliveryError(_("The subscription's owner may no longer receive reports."))
        response = _deliver(delivery, now)
    except Exception as error:  # noqa: BLE001 - every failure is logged on the delivery and retried
        if not isinstance(error, DeliveryError):
            logger.exception("report delivery %s failed", delivery_id)
        attempt_failure_record(delivery, error, now, final=final)
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
        delivery.response = response[:2000]
        delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error", "response"])
    return delivery


def report_page_url(*, period: str, day, shop_ids) -> str:
    """The report page's full address (robot messages and e-mails link to it)."""
    query = {"period": period, "date": day.isoformat()}
    if shop_ids and len(shop_ids) == 1:
        query["shop"] = shop_ids[0]
    return f"{base_url()}{reverse('reports:index')}?{urlencode(query)}"


def _deliver(delivery: Delivery, now: datetime) -> str:
    from kefu.reports.render_text import report_markdown, report_subject, report_text
    from kefu.reports.renderers import report_render

    subscription = delivery.subscription
    shop_ids = subscription_shop_ids(subscription)
    with translation.override(subscription.language):
        report = report_build(period=subscription.period, day=delivery.period_start, shops=shop_ids, as_of=now)
        url = report_page_url(period=subscription.period, day=delivery.period_start, shop_ids=shop_ids)
        if subscription.channel == Channel.EMAIL:
            file = report_render(report, subscription.format)
            return email_send(
                to=email_addresses(subscription.target),
                subject=report_subject(report),
                body=report_text(report, url=url),
                attachment=(file.filename, file.content, file.content_type),
            )
        return robot_send(
            subscription.channel,
            url=subscription.target,
            secret=subscription.secret,
            title=report_subject(report),
            markdown=report_markdown(report, url=url),
        )
