"""Who may see reports and subscribe to them, and over which shops.

Supervisors, team leads and administrators read reports (over the shops they work for);
supervisors and administrators also schedule them. Agents, QA and the departments do not.
A person's subscriptions are their own (their targets hold robot tokens); an
administrator sees everyone's."""

from django.db.models import QuerySet

from kefu.accounts.permissions import shop_ids_for_user, shops_for_user
from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_roles
from kefu.core.errors import NotFound, PermissionDenied

REPORT_ROLES = {Role.ADMIN, Role.SUPERVISOR, Role.TEAM_LEAD}
SUBSCRIBE_ROLES = {Role.ADMIN, Role.SUPERVISOR}


def can_view_reports(user) -> bool:
    return bool(set(user_roles(user)) & REPORT_ROLES) and user.is_active


def can_subscribe(user) -> bool:
    return bool(set(user_roles(user)) & SUBSCRIBE_ROLES) and user.is_active


def reports_check(user) -> None:
    if not can_view_reports(user):
        raise PermissionDenied()


def subscriptions_check(user) -> None:
    if not can_subscribe(user):
        raise PermissionDenied()


def report_shop_ids_for_user(user, *, shop_id: int | None = None) -> list[int] | None:
    """The shops a report for ``user`` covers: the one asked for (404 if not theirs), or
    all of theirs (None: every shop)."""
    if shop_id is None:
        return shop_ids_for_user(user)
    if not shops_for_user(user).filter(pk=shop_id).exists():
        raise NotFound()
    return [shop_id]


def subscription_scope(queryset: QuerySet, user) -> QuerySet:
    if Role.ADMIN in user_roles(user):
        return queryset
    return queryset.filter(owner=user)


def subscription_shop_ids(subscription) -> list[int] | None:
    """The shops a subscription's report covers: those chosen, within the owner's shops
    now (a person moved off a shop stops receiving it); none chosen: all the owner's."""
    owner_ids = shop_ids_for_user(subscription.owner)
    chosen = [shop.pk for shop in subscription.shops.all()]
    if not chosen:
        return owner_ids
    return chosen if owner_ids is None else [pk for pk in chosen if pk in owner_ids]
