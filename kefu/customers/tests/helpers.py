"""Builders shared by the customer archive's tests."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from kefu.conversations.models import Sender
from kefu.core.testing.factories import AfterSaleFactory, ConversationFactory, MessageFactory, OrderFactory


def paid_order(customer, *, amount="199.00", days_ago=1, **fields):
    at = timezone.now() - timedelta(days=days_ago)
    fields.setdefault("paid_at", at + timedelta(minutes=1))
    return OrderFactory(shop=customer.shop, customer=customer, customer_ext=customer.ext_id, amount=Decimal(amount),
                        created_at=at, **fields)


def returns(customer, count, *, days_ago=10, kind="refund", **fields):
    return [
        AfterSaleFactory(shop=customer.shop, order=paid_order(customer, days_ago=days_ago + 1), kind=kind,
                         opened_at=timezone.now() - timedelta(days=days_ago), **fields)
        for _ in range(count)
    ]


def says(customer, *texts, days_ago=3):
    conversation = ConversationFactory(shop=customer.shop, customer=customer,
                                       started_at=timezone.now() - timedelta(days=days_ago))
    for text in texts:
        MessageFactory(conversation=conversation, sender=Sender.CUSTOMER, text=text,
                       sent_at=timezone.now() - timedelta(days=days_ago))
    return conversation
