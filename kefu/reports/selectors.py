"""Reads of subscriptions and deliveries for the pages, scoped to the user."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from kefu.core.errors import NotFound
from kefu.reports.choices import DeliveryStatus
from kefu.reports.models import Delivery, Subscription
from kefu.reports.permissions import subscription_scope


def subscription_list_for_user(user) -> QuerySet[Subscription]:
    """The user's subscriptions, each with its last delivery's time and status and its
    number of failed deliveries."""
    last = Delivery.objects.filter(subscription=OuterRef("pk")).order_by("-scheduled_for", "-id")
    return (
        subscription_scope(Subscription.objects.all(), user)
        .select_related("owner")
        .prefetch_related("shops")
        .annotate(
            last_scheduled_for=Subquery(last.values("scheduled_for")[:1]),
            last_status=Subquery(last.values("status")[:1]),
            failed_deliveries=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        )
    )


def subscription_get_for_user(*, user, subscription_id) -> Subscription:
    subscription = subscription_scope(Subscription.objects.all(), user).filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound()
    return subscription


def delivery_list_for_user(user, *, subscription_id=None, status: str | None = None) -> QuerySet[Delivery]:
    deliveries = Delivery.objects.filter(subscription__in=subscription_scope(Subscription.objects.all(), user))
    if subscription_id:
        deliveries = deliveries.filter(subscription_id=subscription_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.select_related("subscription", "subscription__owner")


def delivery_get_for_user(*, user, delivery_id) -> Delivery:
    delivery = delivery_list_for_user(user).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound()
    return delivery
