"""The drill-down: the items behind a figure (the conversations, orders, reviews or
after-sales it counts), as the engine's ``metric_items`` lists them."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kefu.conversations.selectors import conversation_list_annotated
from kefu.core.errors import NotFound
from kefu.dashboards.periods import span_parse
from kefu.dashboards.scope import VIEW_TEAM_METRICS, agent_get_for_user, team_metrics_required
from kefu.dashboards.selectors.common import agent_group, compute
from kefu.dashboards.views.common import request_scope
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.dashboards.formatting import figure_text

PAGE_SIZE = 100
# Figures that count exactly the items listed (one row per counted item). The others list
# the items of their population: the conversations of an inquiry, of a burst, of a rate.
COUNTED_ONE_TO_ONE = {"conversations", "unanswered_conversations", "silent_orders"}


def _figure(scope, span, key, *, agent=None, team=None):
    """The figure the items are behind, for the same group (to show them side by side)."""
    if agent is not None:
        rows = compute(scope, span, by="agent", keys=[key], agents=[agent])
        return rows[0].metrics[key] if rows else (0 if METRIC_BY_KEY[key].is_count else None)
    if team is not None:
        row = next((r for r in compute(scope, span, by="team", keys=[key]) if r.group.get("team") == team), None)
        return row.metrics[key] if row else (0 if METRIC_BY_KEY[key].is_count else None)
    return compute(scope, span, keys=[key])[0].metrics[key]


@login_required
@require_GET
def metric_items_view(request):
    from kefu.metrics.engine import metric_items

    key = request.GET.get("key", "")
    metric = METRIC_BY_KEY.get(key)
    if metric is None:
        raise NotFound()
    try:
        span = span_parse(request.GET.get("start", ""), request.GET.get("end", ""))
    except ValueError:
        raise NotFound() from None
    scope = request_scope(request)
    agent, team, group = None, None, {}
    if request.GET.get("agent"):
        # An agent may open their own figures' items; the rest need view_team_metrics.
        agent = agent_get_for_user(user=request.user, agent_id=request.GET["agent"])
        group = agent_group(agent)
    else:
        team_metrics_required(request.user)
        if request.GET.get("team"):
            team = request.GET["team"]
            group = {"team": team}
    items = metric_items(key, start=span.start, end=span.end, shops=scope.engine_shops, group=group)
    queryset = items.queryset
    if items.kind == "conversation":
        queryset = conversation_list_annotated(queryset)
    elif items.kind in ("order", "review", "aftersale"):
        queryset = queryset.select_related("shop", *(["customer"] if items.kind != "aftersale" else ["order"]))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    value = _figure(scope, span, key, agent=agent, team=team)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "metric": metric,
        "span": span,
        "scope": scope,
        "agent": agent,
        "team": team,
        "kind": items.kind,
        "page": page,
        "value": value,
        "value_text": figure_text(metric, value),
        "one_to_one": key in COUNTED_ONE_TO_ONE,
        "page_query": params.urlencode(),
        "can_see_team": request.user.has_perm(VIEW_TEAM_METRICS),
    }
    return render(request, "dashboards/items.html", context)
