"""Helpers the metric pages share: the scope and the filter form of a request, the
Excel weekly report link."""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from kefu.dashboards.periods import week_start
from kefu.dashboards.scope import MetricScope, metric_scope

WEEKLY_REPORT_PATH = "/reports/download/"


def request_scope(request, form=None) -> MetricScope:
    """The scope of the request's ``shop`` parameter (a shop not the user's is a 404)."""
    shop = request.GET.get("shop") or None
    if form is not None and form.is_valid():
        shop = form.cleaned_data.get("shop") or None
    return metric_scope(request.user, shop)


def weekly_report_href(scope: MetricScope, today) -> str:
    """The Excel weekly report of the last complete week (the reports app builds it)."""
    try:
        base = reverse("reports:download")
    except NoReverseMatch:
        base = WEEKLY_REPORT_PATH
    monday = week_start(today)
    last_monday = monday.fromordinal(monday.toordinal() - 7)
    params = {"period": "weekly", "date": last_monday.isoformat(), "format": "xlsx", **scope.query()}
    return f"{base}?{urlencode(params)}"


def query_without(request, *names) -> str:
    """The request's query string without ``names`` (to build sort links and tabs)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def filter_form(request, form_class, **kwargs):
    """A page's filter form bound to the query string (unbound, i.e. defaults, without one)."""
    from kefu.accounts.permissions import shops_for_user

    return form_class(request.GET or None, shops=shops_for_user(request.user), **kwargs)
