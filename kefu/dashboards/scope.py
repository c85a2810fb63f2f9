"""Whose figures a metric page shows: the shops in view and who may look.

Every page resolves a ``MetricScope`` from the signed-in user and the ``shop`` parameter
before it asks the engine for anything, so a figure is never computed over a shop the
user does not work for. The helpers raise the same ``NotFound`` for a shop or agent that
does not exist and one that is out of reach (STYLE: fetch and check in one step)."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from kefu.accounts.models import Agent
from kefu.accounts.permissions import scope_to_shops, shop_ids_for_user, shops_for_user
from kefu.accounts.selectors import user_agent
from kefu.core.errors import NotFound, PermissionDenied

VIEW_TEAM_METRICS = "shops.view_team_metrics"
CHANGE_METRIC_SETTINGS = "shops.change_metric_settings"


@dataclass(frozen=True)
class MetricScope:
    shops: tuple  # the shops in view (Shop instances)
    shop: object | None  # the one chosen with the shop filter, if any
    every_shop: bool  # the user works for every shop and chose none: the engine's shops=None

    @property
    def engine_shops(self) -> list[int] | None:
        """What to pass as ``shops=`` to the engine."""
        return None if self.every_shop else [shop.pk for shop in self.shops]

    @property
    def tz(self) -> ZoneInfo:
        """The shops' timezone when they share one, else the site's (for "today so far")."""
        zones = {shop.timezone for shop in self.shops}
        return ZoneInfo(zones.pop() if len(zones) == 1 else settings.TIME_ZONE)

    def today(self, now: datetime | None = None) -> date:
        return timezone.localtime(now or timezone.now(), self.tz).date()

    def query(self) -> dict[str, str]:
        return {"shop": str(self.shop.pk)} if self.shop else {}


def metric_scope(user, shop_param: str | None = None) -> MetricScope:
    """The scope of a page: the chosen shop (which must be one of the user's) or all of them."""
    shops = tuple(shops_for_user(user))
    if shop_param:
        shop = next((s for s in shops if str(s.pk) == str(shop_param)), None)
        if shop is None:
            raise NotFound()
        return MetricScope(shops=(shop,), shop=shop, every_shop=False)
    if len(shops) == 1:
        return MetricScope(shops=shops, shop=shops[0], every_shop=False)
    return MetricScope(shops=shops, shop=None, every_shop=shop_ids_for_user(user) is None)


def team_metrics_required(user) -> None:
    if not user.has_perm(VIEW_TEAM_METRICS):
        raise PermissionDenied()


def agents_for_user(user):
    """The agents whose figures the user may see: every agent of their shops (and the
    shop-less ones) with ``view_team_metrics``; otherwise only their own."""
    agents = Agent.objects.select_related("shop", "team")
    if user.has_perm(VIEW_TEAM_METRICS):
        return scope_to_shops(agents, user, shared_null=True)
    own = user_agent(user)
    return agents.filter(pk=own.pk) if own is not None else agents.none()


def agent_get_for_user(*, user, agent_id) -> Agent:
    agent = agents_for_user(user).filter(pk=agent_id).first()
    if agent is None:
        raise NotFound()
    return agent
