"""The metric glossary and a shop's metric settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kefu.accounts.permissions import shops_for_user
from kefu.core.errors import NotFound, PermissionDenied, ValidationError
from kefu.dashboards.forms import MetricSettingsForm
from kefu.dashboards.scope import CHANGE_METRIC_SETTINGS
from kefu.metrics.definitions import METRICS, Family
from kefu.metrics.glossary import glossary_text

FAMILY_LABELS = {
    Family.SERVICE: gettext_lazy("Volume and service"),
    Family.SALES: gettext_lazy("Sales (inquiry conversion)"),
    Family.SATISFACTION: gettext_lazy("Satisfaction, reviews, after-sales"),
    Family.WORKLOAD: gettext_lazy("Workload"),
}
UNIT_LABELS = {
    "count": gettext_lazy("count"),
    "ratio": gettext_lazy("ratio"),
    "seconds": gettext_lazy("seconds"),
    "yuan": gettext_lazy("yuan"),
    "hours": gettext_lazy("hours"),
}
# What the service's field names mean on the form, and how to say what went wrong.
SETTINGS_ERRORS = {
    "service_hours": gettext_lazy('Service hours must look like "09:00-24:00" (start and end in the shop\'s time; 24:00 is the end of the day).'),
    "response_within_seconds": gettext_lazy("The response threshold must be a whole number of seconds."),
    "service_level_seconds": gettext_lazy("The service-level threshold must be a whole number of seconds."),
    "attribution_extra_days": gettext_lazy("The extra attribution days must be a whole number from 0 to 30."),
}


@login_required
@require_GET
def glossary(request):
    families = []
    for family, label in FAMILY_LABELS.items():
        entries = [
            {"metric": m, "text": glossary_text(m.key), "unit": UNIT_LABELS[m.unit.value]}
            for m in METRICS
            if m.family == family
        ]
        families.append({"key": family.value, "label": label, "entries": entries})
    return render(request, "dashboards/glossary.html", {"families": families})


def _settings_initial(settings) -> dict:
    initial = {
        "service_hours": settings.service_hours,
        "response_within_seconds": settings.response_within_seconds,
        "service_level_seconds": settings.service_level_seconds,
        "attribution_extra_days": settings.attribution_extra_days,
    }
    for kind, hours in settings.aftersale_sla_hours.items():
        initial[f"sla_{kind}"] = hours
    for metric in METRICS:
        initial[f"target_{metric.key}"] = MetricSettingsForm.target_to_form(metric, settings.targets.get(metric.key))
    return initial


def _field_of(error: ValidationError, form) -> str | None:
    field = (error.detail or {}).get("field") or ""
    if field.startswith("aftersale_sla_hours."):
        field = "sla_" + field.split(".", 1)[1]
    return field if field in form.fields else None


@login_required
@require_http_methods(["GET", "POST"])
def metric_settings(request):
    from kefu.metrics.shop_settings import AFTERSALE_KINDS, metric_settings_for, metric_settings_update

    if not request.user.has_perm(CHANGE_METRIC_SETTINGS):
        raise PermissionDenied()
    shops = list(shops_for_user(request.user))
    if not shops:
        return render(request, "dashboards/settings.html", {"shops": [], "shop": None, "form": None})
    wanted = request.POST.get("shop") or request.GET.get("shop")
    shop = next((s for s in shops if str(s.pk) == str(wanted)), None) if wanted else shops[0]
    if shop is None:
        raise NotFound()
    current = metric_settings_for(shop)
    form = MetricSettingsForm(
        request.POST if request.method == "POST" else None, initial=_settings_initial(current), sla_kinds=AFTERSALE_KINDS
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            metric_settings_update(
                shop,
                actor=request.user,
                request=request,
                service_hours=data["service_hours"].strip(),
                response_within_seconds=data["response_within_seconds"],
                service_level_seconds=data["service_level_seconds"],
                attribution_extra_days=data["attribution_extra_days"],
                aftersale_sla_hours={kind: data[f"sla_{kind}"] for kind in AFTERSALE_KINDS},
                targets=form.targets(),
            )
        except ValidationError as error:
            field = _field_of(error, form)
            form.add_error(field, SETTINGS_ERRORS.get(field, str(error.message)))
        else:
            messages.success(request, _("Metric settings of %(shop)s saved; the figures are being recomputed.")
                             % {"shop": shop.name})
            return redirect(f"{request.path}?shop={shop.pk}")
    context = {"shops": shops, "shop": shop, "form": form, "current": current}
    return render(request, "dashboards/settings.html", context)
