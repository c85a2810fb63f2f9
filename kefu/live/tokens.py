"""The customer token a web shop gives its widget: who the customer is, signed by the shop.

Format (documented in README, easy to produce in any language)::

    base64url(JSON payload, no padding) + "." + hex(HMAC-SHA256(secret, that base64 text))

The payload holds ``shop`` (the shop's id in Kefu's records), ``customer`` (the shop's own
customer id), optionally ``nick`` and ``exp`` (expiry, Unix seconds). A customer who comes
back with a token for the same customer id finds their history."""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kefu.core.errors import PermissionDenied, ValidationError

MAX_ID = 128


@dataclass(frozen=True)
class CustomerClaim:
    shop_ext: str
    customer_ext: str
    nick: str = ""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode("ascii"), hashlib.sha256).hexdigest()


def customer_token_make(*, secret: str, shop_ext: str, customer_ext: str, nick: str = "",
                        ttl_seconds: int | None = 86400) -> str:
    """What a shop's server does (Kefu uses it for previews and tests)."""
    payload = {"shop": shop_ext, "customer": customer_ext}
    if nick:
        payload["nick"] = nick
    if ttl_seconds is not None:
        payload["exp"] = int(time.time()) + ttl_seconds
    body = _b64(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
    return f"{body}.{_sign(secret, body)}"


def token_payload_peek(token: str) -> dict:
    """The payload without checking the signature (to find which shop's secret to check
    it with). Raises ValidationError when it is not a token at all."""
    body, _sep, _signature = (token or "").partition(".")
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("The customer token is malformed."), code="token_malformed") from None
    if not isinstance(payload, dict):
        raise ValidationError(_("The customer token is malformed."), code="token_malformed")
    return payload


def customer_token_read(token: str, *, secret: str, now: float | None = None) -> CustomerClaim:
    """Check a token against the shop's secret; raise PermissionDenied when it is forged or
    expired, ValidationError when it is malformed."""
    payload = token_payload_peek(token)
    body, _sep, signature = token.partition(".")
    if not hmac.compare_digest(_sign(secret, body), signature):
        raise PermissionDenied(_("The customer token's signature is not valid."), code="token_forged")
    expiry = payload.get("exp")
    if expiry is not None and (not isinstance(expiry, int | float) or expiry < (now or time.time())):
        raise PermissionDenied(_("The customer token has expired."), code="token_expired")
    shop_ext, customer_ext = payload.get("shop"), payload.get("customer")
    if not isinstance(shop_ext, str) or not isinstance(customer_ext, str) or not shop_ext or not customer_ext:
        raise ValidationError(_("The customer token must name a shop and a customer."), code="token_malformed")
    if len(customer_ext) > MAX_ID:
        raise ValidationError(_("The customer id is too long."), code="token_malformed")
    nick = payload.get("nick") or ""
    return CustomerClaim(shop_ext=shop_ext, customer_ext=customer_ext, nick=str(nick)[:200])
