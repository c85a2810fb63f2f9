"""Trends of one metric, and comparisons of two periods."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kefu.dashboards.forms import CompareForm, TrendForm
from kefu.dashboards.scope import team_metrics_required
from kefu.dashboards.selectors.campaigns import promotions_for_user
from kefu.dashboards.selectors.common import METRIC_SETS
from kefu.dashboards.selectors.trends import compare_spans, metric_trend, period_comparison
from kefu.dashboards.views.common import filter_form, request_scope


@login_required
@require_GET
def trends(request):
    team_metrics_required(request.user)
    form = filter_form(request, TrendForm)
    scope = request_scope(request, form)
    today = scope.today()
    span = form.span(today)
    trend = metric_trend(
        scope=scope, span=span, key=form.value("metric", "conversations"), grain=form.value("grain", "day")
    )
    promotions = promotions_for_user(request.user)
    compare_form = filter_form(request, CompareForm, promotions=promotions)
    mode = compare_form.value("mode", "week")
    if mode == "custom":
        a, b = compare_form.custom_spans()
        a, b, a_label, b_label = compare_spans(mode=mode, today=today, a=a, b=b)
    else:
        a, b, a_label, b_label = compare_spans(mode=mode, today=today, promotion=compare_form.value("promotion"))
    comparison = period_comparison(
        scope=scope, a=a, b=b, a_label=a_label, b_label=b_label,
        keys=METRIC_SETS[compare_form.value("metrics", "default")],
    )
    context = {
        "form": form,
        "compare_form": compare_form,
        "scope": scope,
        "span": span,
        "trend": trend,
        "chart": trend.chart(),
        "comparison": comparison,
        "mode": mode,
        "has_promotions": promotions.exists(),
    }
    return render(request, "dashboards/trends.html", context)
