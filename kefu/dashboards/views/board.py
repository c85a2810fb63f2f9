"""The supervisor's dashboard: today so far, against last week and the targets."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
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
    board = board_today(scope=scope, now=now)
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
