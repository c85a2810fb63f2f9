"""Writes of people and access: creating users with a role, creating and revoking API tokens.

Every write is audited (``kefu.core.audit``)."""

import secrets
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import ApiToken, User
from kefu.accounts.roles import STAFF_ROLES, Role
from kefu.accounts.selectors import token_digest
from kefu.core.audit import audit_record
from kefu.core.errors import Conflict, ValidationError

TOKEN_PREFIX_LENGTH = 8


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None = None,
    roles: Iterable[str] = (),
    shops: Iterable = (),
    display_name: str = "",
    email: str = "",
    actor,
) -> User:
    """Create a login with the given roles and shop scope (no shops: every shop).

    Administrators and supervisors get the admin site (``is_staff``); without a password
    the account cannot log in until one is set."""
    roles = [Role(role) for role in roles]
    if User.objects.filter(username=username).exists():
        raise Conflict(_("A user with this username already exists."), code="username_taken")
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        is_staff=any(role in STAFF_ROLES for role in roles),
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    user.shops.set(shops)
    audit_record(
        actor=actor,
        action="user.create",
        target=user,
        detail={"roles": [role.value for role in roles], "shops": [shop.ext_id for shop in user.shops.all()]},
    )
    return user


@transaction.atomic
def token_create(*, shop=None, admin: bool = False, name: str = "", actor) -> tuple[ApiToken, str]:
    """Create an API token for one shop or, with ``admin``, for every shop.

    Returns the token row and the plaintext, which is shown once and never stored:
    only its SHA-256 digest and its first 8 characters (to recognise it) are kept."""
    if admin == (shop is not None):
        raise ValidationError(_("A token is either for one shop or an admin token, not both or neither."))
    plaintext = secrets.token_urlsafe(32)
    while plaintext.startswith("-"):  # a prefix given on a command line must not read as an option
        plaintext = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        prefix=plaintext[:TOKEN_PREFIX_LENGTH],
        digest=token_digest(plaintext),
        shop=shop,
        is_admin=admin,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        target=token,
        detail={"prefix": token.prefix, "shop": shop.ext_id if shop else None, "admin": admin},
    )
    return token, plaintext


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke a token: it stops working at once. Revoking twice is an error, not a no-op,
    so that a typo'd prefix in a script does not look like success."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise Conflict(_("This token is already revoked."), code="already_revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", target=token, detail={"prefix": token.prefix})
    return token


def token_touch(*, token: ApiToken, now=None) -> None:
    """Record that the token was used; at most one write a minute per token, because the
    API is called in bursts and a write per request would serialise them on SQLite."""
    now = now or timezone.now()
    if token.last_used_at is not None and (now - token.last_used_at).total_seconds() < 60:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
