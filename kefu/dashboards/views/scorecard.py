"""Agent scorecards: one's own (an agent) and any agent's of one's shops (supervisors,
team leads, QA)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from kefu.accounts.selectors import user_agent
from kefu.core.errors import NotFound
from kefu.dashboards.forms import ScorecardForm
from kefu.dashboards.scope import VIEW_TEAM_METRICS, MetricScope, agent_get_for_user, metric_scope
from kefu.dashboards.selectors.scorecard import agent_scorecard
from kefu.dashboards.views.common import filter_form


def _agent_scope(request, agent) -> MetricScope:
    """An agent's figures are those of their shop (an agent of every shop: the viewer's shops)."""
    if agent.shop_id is not None:
        return MetricScope(shops=(agent.shop,), shop=agent.shop, every_shop=False)
    return metric_scope(request.user)


def _render(request, agent, *, own: bool):
    form = filter_form(request, ScorecardForm)
    scope = _agent_scope(request, agent)
    span = form.span(scope.today())
    card = agent_scorecard(agent=agent, scope=scope, span=span)
    context = {
        "form": form,
        "scope": scope,
        "span": span,
        "card": card,
        "own": own,
        "chart": card.trend,
    }
    return render(request, "dashboards/scorecard.html", context)


@login_required
@require_GET
def my_scorecard(request):
    agent = user_agent(request.user)
    if agent is None:
        if request.user.has_perm(VIEW_TEAM_METRICS):
            return redirect("dashboards:ranking")
        raise NotFound()
    return _render(request, agent, own=True)


@login_required
@require_GET
def agent_scorecard_view(request, pk: int):
    own = user_agent(request.user)
    if own is not None and own.pk == pk:
        return _render(request, own, own=True)
    if not request.user.has_perm(VIEW_TEAM_METRICS):
        raise NotFound()
    return _render(request, agent_get_for_user(user=request.user, agent_id=pk), own=False)
