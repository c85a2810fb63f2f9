"""factory_boy factories of tickets and their configuration."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from kefu.core.testing.factories import ShopFactory
from kefu.tickets.choices import Priority, TicketType
from kefu.tickets.models import AutomationRule, Department, Ticket, WorkCalendar


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")


class WorkCalendarFactory(DjangoModelFactory):
    class Meta:
        model = WorkCalendar

    name = factory.Sequence(lambda n: f"日历{n}")
    weekly_hours = factory.LazyFunction(lambda: {str(d): [["09:00", "18:00"]] for d in range(5)})


class TicketFactory(DjangoModelFactory):
    """A bare ticket row (no events); use ``ticket_create`` where the history matters."""

    class Meta:
        model = Ticket

    shop = factory.SubFactory(ShopFactory)
    type = TicketType.AFTERSALE
    status = "new"
    priority = Priority.NORMAL
    title = factory.Sequence(lambda n: f"工单{n}")
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class AutomationRuleFactory(DjangoModelFactory):
    class Meta:
        model = AutomationRule

    name = factory.Sequence(lambda n: f"规则{n}")
    trigger = "created"
    actions = factory.LazyFunction(lambda: [{"action": "add_tag", "tag": "auto"}])
