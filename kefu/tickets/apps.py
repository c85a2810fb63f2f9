from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def departments_ensure(sender, using="default", **kwargs) -> None:
    """The default departments exist after every migrate (and after a test flush)."""
    from kefu.tickets.models import Department

    for key, name in (("logistics", "物流部"), ("product", "产品部"), ("operations", "运营部")):
        Department.objects.using(using).get_or_create(key=key, defaults={"kind": key, "name": name})


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from kefu.tickets.notifications import events_register

        from kefu.intake.signals import events_imported
        from kefu.tickets.tasks import after_import

        post_migrate.connect(departments_ensure, sender=self, dispatch_uid="tickets_departments_ensure")
        events_imported.connect(after_import, dispatch_uid="tickets_after_import")
        events_register()
