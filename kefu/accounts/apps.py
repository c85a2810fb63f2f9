"""App config of kefu.accounts."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kefu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from kefu.accounts.roles import roles_sync_after_migrate

        # The role groups must exist after every migrate (and after the test runner's
        # flushes, which emit post_migrate again).
        post_migrate.connect(roles_sync_after_migrate, sender=self, dispatch_uid="kefu.accounts.roles_sync")
