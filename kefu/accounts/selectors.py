"""Reads of people and access: roles of a user, API tokens."""

import hashlib

from django.db.models import QuerySet

from kefu.accounts.models import Agent, ApiToken, User
from kefu.accounts.roles import ROLE_PRECEDENCE, Role


def user_roles(user) -> list[Role]:
    """The roles the user holds, in precedence order. A superuser counts as an administrator."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_kefu_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = [role for role in ROLE_PRECEDENCE if role in names]
        user._kefu_roles = cached
    return cached


def user_primary_role(user) -> Role | None:
    """The role that decides the user's home page (``ROLE_PRECEDENCE``), or None."""
    roles = user_roles(user)
    return roles[0] if roles else None


def user_agent(user) -> Agent | None:
    """The agent record linked to this login (``Agent.user``), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.agent
    except Agent.DoesNotExist:
        return None


def user_list() -> QuerySet[User]:
    return User.objects.prefetch_related("groups", "shops")


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def token_list(*, include_revoked: bool = True) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("shop", "created_by")
    if not include_revoked:
        tokens = tokens.filter(revoked_at__isnull=True)
    return tokens


def token_get_active(*, plaintext: str) -> ApiToken | None:
    """The live (not revoked) token with this value, or None."""
    return token_list(include_revoked=False).filter(digest=token_digest(plaintext)).first()


def token_list_by_prefix(*, prefix: str) -> QuerySet[ApiToken]:
    return token_list().filter(prefix=prefix)
