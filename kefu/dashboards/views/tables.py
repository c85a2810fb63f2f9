"""The agent ranking and the team comparison."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kefu.dashboards.forms import TableForm
from kefu.dashboards.scope import team_metrics_required
from kefu.dashboards.selectors.tables import bar_series, ranking_table, team_table
from kefu.dashboards.views.common import filter_form, query_without, request_scope, weekly_report_href


def _table_page(request, *, build, kind: str, template: str, default_sort: str):
    team_metrics_required(request.user)
    form = filter_form(request, TableForm)
    scope = request_scope(request, form)
    today = scope.today()
    span = form.span(today)  # the default period when the form is invalid
    keys = form.keys()
    sort = form.value("sort", default_sort)
    if sort != "name" and sort not in keys:
        sort = default_sort if default_sort in keys else keys[0]
    descending = form.value("dir", "desc") == "desc"
    table = build(scope=scope, span=span, keys=keys, sort=sort, descending=descending, total_label=_("All"))
    chart_key = form.value("chart", sort if sort != "name" else keys[0])
    if chart_key not in keys:
        chart_key = keys[0]
    context = {
        "form": form,
        "scope": scope,
        "span": span,
        "table": table,
        "table_kind": kind,
        "chart_key": chart_key,
        # The team page draws a bar chart; the ranking is a table only.
        "chart": {**bar_series(table, chart_key), "metric": chart_key} if kind == "teams" and table.rows else None,
        "sort_query": query_without(request, "sort", "dir"),
        "weekly_report_href": weekly_report_href(scope, today),
    }
    return render(request, "dashboards/_table.html" if request.htmx else template, context)


@login_required
@require_GET
def ranking(request):
    return _table_page(
        request, build=ranking_table, kind="ranking", template="dashboards/ranking.html", default_sort="conversations",
    )


@login_required
@require_GET
def teams(request):
    return _table_page(
        request, build=team_table, kind="teams", template="dashboards/teams.html", default_sort="conversations",
    )
