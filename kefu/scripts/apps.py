from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def defaults_ensure_after_migrate(sender, using="default", **kwargs) -> None:
    """The default categories and scripts exist after every migrate (and a test flush)."""
    from django.apps import apps

    from kefu.scripts.defaults import defaults_ensure

    defaults_ensure(apps, using=using)


class ScriptsConfig(AppConfig):
    name = "kefu.scripts"
    label = "scripts"
    verbose_name = _("Script library")

    def ready(self) -> None:
        post_migrate.connect(defaults_ensure_after_migrate, sender=self, dispatch_uid="scripts_defaults_ensure")
