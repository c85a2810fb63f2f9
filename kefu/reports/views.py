"""Report pages: the report itself with its downloads, the subscriptions, the delivery log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import KefuError, NotFound
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.reports import services
from kefu.reports.builder import KEY_METRICS, TABLE_METRICS, report_build
from kefu.reports.charts import day_chart
from kefu.reports.choices import DeliveryStatus
from kefu.reports.forms import DownloadForm, ReportQueryForm, SubscriptionForm
from kefu.reports.permissions import (
    can_subscribe,
    report_shop_ids_for_user,
    reports_check,
    subscriptions_check,
)
from kefu.reports.renderers import report_render
from kefu.reports.schedule import subscription_next_run
from kefu.reports.selectors import (
    delivery_get_for_user,
    delivery_list_for_user,
    subscription_get_for_user,
    subscription_list_for_user,
)

DELIVERIES_PER_PAGE = 50


@login_required
@require_GET
def index(request):
    """The report page: period, date and shop in the query string (default: the week of yesterday)."""
    reports_check(request.user)
    form = ReportQueryForm(request.GET, user=request.user)
    report, query = None, {}
    if form.is_valid():
        data = form.cleaned_data
        shop = data.get("shop")
        shop_ids = report_shop_ids_for_user(request.user, shop_id=shop.pk if shop else None)
        report = report_build(period=data["period"], day=data["date"], shops=shop_ids)
        query = {"period": data["period"], "date": data["date"].isoformat(), "shop": shop.pk if shop else ""}
        form = ReportQueryForm(query, user=request.user)  # shows the defaults it filled in
        form.is_valid()
    context = {
        "form": form,
        "report": report,
        "query": {k: v for k, v in query.items() if v != ""},
        "can_subscribe": can_subscribe(request.user),
    }
    if report is not None:
        lines = report.summary_lines()
        context |= {
            "summary_lines": lines,
            "key_lines": [next(line for line in lines if line["metric"].key == key) for key in KEY_METRICS],
            "chart": day_chart(report),
            "metric_conversations": METRIC_BY_KEY["conversations"],
            "metric_reply_rate": METRIC_BY_KEY["reply_rate"],
            "table_metrics": [METRIC_BY_KEY[key] for key in TABLE_METRICS],
            "tables": [
                {"name": "teams", "title": _("By team"), "label": _("Team"), "rows": report.teams},
                {"name": "agents", "title": _("By agent"), "label": _("Agent"), "rows": report.agents},
                {"name": "days", "title": _("By day"), "label": _("Date"), "rows": report.days},
            ],
        }
    return render(request, "reports/index.html", context)


@login_required
@require_GET
def download(request):
    """``/reports/download/?period=weekly&date=2026-11-11&format=xlsx[&shop=<pk>]``"""
    reports_check(request.user)
    form = DownloadForm(request.GET, user=request.user)
    if not form.is_valid():
        shop_errors = form.errors.get("shop")
        if shop_errors:  # a shop that is not theirs looks like one that does not exist
            raise NotFound()
        return HttpResponse(" ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()), status=400,
                            content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    shop = data.get("shop")
    shop_ids = report_shop_ids_for_user(request.user, shop_id=shop.pk if shop else None)
    report = report_build(period=data["period"], day=data["date"], shops=shop_ids)
    file = report_render(report, data["format"])
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@login_required
@require_GET
def subscription_list(request):
    subscriptions_check(request.user)
    now = timezone.now()
    subscriptions = list(subscription_list_for_user(request.user))
    for subscription in subscriptions:
        subscription.next_run = subscription_next_run(subscription, now) if subscription.active else None
    return render(request, "reports/subscription_list.html", {"subscriptions": subscriptions})


@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request, pk: int | None = None):
    subscriptions_check(request.user)
    subscription = subscription_get_for_user(user=request.user, subscription_id=pk) if pk else None
    form = SubscriptionForm(request.POST or None, instance=subscription, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        shops = form.cleaned_data["shops"]
        try:
            if subscription is None:
                subscription = services.subscription_create(owner=request.user, shops=shops, actor=request.user,
                                                            request=request, **fields)
                messages.success(request, _("Subscription created."))
            else:
                # ModelForm has already copied the fields onto the instance; the service decides what changed.
                subscription.refresh_from_db()
                services.subscription_update(subscription=subscription, actor=request.user, shops=shops,
                                             request=request, **fields)
                messages.success(request, _("Subscription saved."))
            return redirect("reports:subscription_list")
        except KefuError as error:
            form.add_error(error.detail.get("field") if error.detail.get("field") in form.fields else None,
                           str(error.message))
    return render(request, "reports/subscription_form.html", {"form": form, "subscription": subscription})


@login_required
@require_POST
def subscription_delete(request, pk: int):
    subscriptions_check(request.user)
    subscription = subscription_get_for_user(user=request.user, subscription_id=pk)
    services.subscription_delete(subscription=subscription, actor=request.user, request=request)
    messages.success(request, _("Subscription deleted."))
    return redirect("reports:subscription_list")


@login_required
@require_POST
def subscription_send_now(request, pk: int):
    subscriptions_check(request.user)
    subscription = subscription_get_for_user(user=request.user, subscription_id=pk)
    delivery = services.subscription_send_now(subscription=subscription, actor=request.user, request=request)
    delivery.refresh_from_db()
    _delivery_message(request, delivery)
    return redirect(f"{_url('reports:delivery_list')}?subscription={subscription.pk}")


@login_required
@require_GET
def delivery_list(request):
    subscriptions_check(request.user)
    subscription_id = request.GET.get("subscription")
    subscription_id = int(subscription_id) if (subscription_id or "").isdigit() else None
    status = request.GET.get("status") if request.GET.get("status") in DeliveryStatus.values else None
    deliveries = delivery_list_for_user(request.user, subscription_id=subscription_id, status=status)
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    subscription = (subscription_get_for_user(user=request.user, subscription_id=subscription_id)
                    if subscription_id else None)
    context = {"page": page, "subscription": subscription, "status": status, "statuses": DeliveryStatus.choices}
    return render(request, "reports/delivery_list.html", context)


@login_required
@require_POST
def delivery_retry(request, pk: int):
    subscriptions_check(request.user)
    delivery = delivery_get_for_user(user=request.user, delivery_id=pk)
    try:
        delivery = services.delivery_retry(delivery=delivery, actor=request.user, request=request)
    except KefuError as error:
        messages.error(request, str(error.message))
    else:
        delivery.refresh_from_db()
        _delivery_message(request, delivery)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = _url("reports:delivery_list")
    return redirect(target)


def _delivery_message(request, delivery) -> None:
    # With a queue the attempt happens later; in-process (immediate tasks) it is already done.
    if delivery.status == DeliveryStatus.SENT:
        messages.success(request, _("The report was sent."))
    elif delivery.status == DeliveryStatus.FAILED or delivery.last_error:
        messages.error(request, _("Sending failed: %(error)s") % {"error": delivery.last_error})
    else:
        messages.info(request, _("The report is queued and will be sent in a moment."))


def _url(name: str) -> str:
    return reverse(name)
