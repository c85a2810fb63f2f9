"""API authentication: bearer tokens (``Authorization: Bearer TOKEN``), and the shop scope
a token grants."""

from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from kefu.accounts.models import ApiToken
from kefu.accounts.selectors import token_get_active
from kefu.accounts.services import token_touch
from kefu.core.errors import PermissionDenied


class ApiTokenAuth(HttpBearer):
    """Looks a token up by its SHA-256 digest; revoked or unknown tokens give 401.
    On success ``request.auth`` is the ``ApiToken``."""

    def authenticate(self, request, token: str) -> ApiToken | None:
        if not token:
            return None
        api_token = token_get_active(plaintext=token)
        if api_token is None:
            return None
        token_touch(token=api_token)
        return api_token


def token_shop_scope(token: ApiToken, shop_ext_id: str) -> None:
    """Refuse when a shop token touches another shop (admin tokens reach every shop).

    ``shop_ext_id`` is the shop's source id, as records name it."""
    if token.is_admin:
        return
    if token.shop is None or token.shop.ext_id != shop_ext_id:
        raise PermissionDenied(
            _("This token is limited to another shop."),
            code="shop_scope",
            detail={"shop_id": shop_ext_id},
        )
