"""The supervisor's dashboard: today so far, against last week and the targets."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kefu.dashboards.forms import ScopeForm
from kefu.dashboards.scope import team_metrics_required
from kefu.dashboards.selectors.board import board_today
from kefu.dashboards.views.common import filter_form, request_scope, weekly_report_href


@login_required
@require_GET
def dashboard(request):
    team_metrics_required(request.user)
    form = filter_form(request, ScopeForm)
    scope = request_scope(request, form)
    now = timezone.now()
    board = _board(scope, now)
    chart = {
        "labels": board.hours,
        "series": [
            {"key": "today", "name": _("Today"), "unit": "count", "values": board.hourly_today},
            {"key": "last_week", "name": _("Same weekday last week"), "unit": "count",
             "values": board.hourly_last_week, "dashed": True},
        ],
    }
    context = {
        "board": board,
        "scope": scope,
        "form": form,
        "chart": chart,
        "weekly_report_href": weekly_report_href(scope, scope.today(now)),
    }
    return render(request, "dashboards/dashboard.html", context)


def _board(scope, now):
    """The board of a scope, recomputed at most once per ``KEFU_DASHBOARD_CACHE_SECONDS``:
    a wall screen and twenty supervisors refreshing do not each recompute it. While one
    request recomputes an expired board, the others are served the previous one (no
    stampede); the page says as of when its figures are."""
    seconds = getattr(settings, "KEFU_DASHBOARD_CACHE_SECONDS", 0)
    if not seconds:
        return board_today(scope=scope, now=now)
    key = "kefu:dashboard:{}:{}:{}".format(
        ",".join(str(shop.pk) for shop in scope.shops), scope.every_shop, get_language()
    )
    cached = cache.get(key)
    if cached is not None:
        board, computed_at = cached
        fresh = (now - computed_at).total_seconds() < seconds
        if fresh or not cache.add(f"{key}:computing", True, timeout=120):
            return board
    try:
        board = board_today(scope=scope, now=now)
        cache.set(key, (board, now), seconds * 20)
    finally:
        cache.delete(f"{key}:computing")
    return board
