"""``kefu token create|list|revoke``: manage API tokens from the command line.

``create`` prints the token alone on its last line, so scripts can take it with
``kefu token create --shop s1 | tail -n 1``."""

import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kefu.accounts.selectors import token_list, token_list_by_prefix
from kefu.accounts.services import token_create, token_revoke
from kefu.core.errors import KefuError
from kefu.shops.models import Shop


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")

        create = actions.add_parser("create", help="Create a token for one shop or an admin token.")
        scope = create.add_mutually_exclusive_group(required=True)
        scope.add_argument("--shop", metavar="ID", help="the shop's source id: the token may only touch this shop")
        scope.add_argument("--admin", action="store_true", help="a token for every shop")
        create.add_argument("--name", default="", help="what the token is for (e.g. the system that uses it)")

        actions.add_parser("list", help="List tokens (never their values).")

        revoke = actions.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix", help="the first 8 characters of the token, as `kefu token list` shows")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"handle_{action}")(**options)
        except KefuError as error:
            raise CommandError(str(error.message)) from error

    def handle_create(self, *, shop, admin, name, **options):
        shop_obj = None
        if shop is not None:
            shop_obj = Shop.objects.filter(ext_id=shop).first()
            if shop_obj is None:
                raise CommandError(_("No shop with source id %(id)s.") % {"id": shop})
        token, plaintext = token_create(shop=shop_obj, admin=admin, name=name, actor=None)
        scope = _("every shop") if admin else shop_obj.name
        self.stderr.write(
            _("Created token %(prefix)s… (%(scope)s). Store it now: it is not shown again.")
            % {"prefix": token.prefix, "scope": scope}
        )
        self.stdout.write(plaintext)

    def handle_list(self, **options):
        tokens = list(token_list())
        if not tokens:
            self.stdout.write(_("No tokens."))
            return
        header = (_("prefix"), _("name"), _("scope"), _("created"), _("last used"), _("status"))
        rows = [header]
        for token in tokens:
            rows.append(
                (
                    token.prefix,
                    token.name or "-",
                    _("admin") if token.is_admin else f"{_('shop')} {token.shop.ext_id}",
                    _local(token.created_at),
                    _local(token.last_used_at) if token.last_used_at else "-",
                    pgettext("token status", "revoked") if token.revoked_at else pgettext("token status", "active"),
                )
            )
        widths = [max(_width(str(row[i])) for row in rows) for i in range(len(header))]
        for row in rows:
            cells = (str(cell) + " " * (width - _width(str(cell))) for cell, width in zip(row, widths))
            self.stdout.write("  ".join(cells).rstrip())

    def handle_revoke(self, *, prefix, **options):
        matches = list(token_list_by_prefix(prefix=prefix))
        if not matches:
            raise CommandError(_("No token with prefix %(prefix)s.") % {"prefix": prefix})
        if len(matches) > 1:
            raise CommandError(_("Several tokens have prefix %(prefix)s; revoke them in the admin.") % {"prefix": prefix})
        token_revoke(token=matches[0], actor=None)
        self.stdout.write(_("Revoked token %(prefix)s….") % {"prefix": prefix})


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
