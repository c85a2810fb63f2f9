"""Campaign reviews (大促复盘) and the promotions they review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.accounts.permissions import shop_ids_for_user, shops_for_user
from kefu.core.errors import KefuError, PermissionDenied
from kefu.dashboards.forms import PromotionForm
from kefu.dashboards.scope import CHANGE_METRIC_SETTINGS, metric_scope, team_metrics_required
from kefu.dashboards.selectors.campaigns import (
    campaign_review,
    promotion_get_for_user,
    promotion_phases,
    promotions_for_user,
)
from kefu.dashboards.services import promotion_create, promotion_delete, promotion_update
from kefu.dashboards.views.common import request_scope


def _can_edit(user, promotion=None) -> bool:
    if not user.has_perm(CHANGE_METRIC_SETTINGS):
        return False
    return promotion is None or promotion.shop_id is not None or shop_ids_for_user(user) is None


@login_required
@require_GET
def campaign_list(request):
    team_metrics_required(request.user)
    promotions = [(p, promotion_phases(p)) for p in promotions_for_user(request.user)]
    context = {"promotions": promotions, "can_edit": _can_edit(request.user)}
    return render(request, "dashboards/campaigns.html", context)


@login_required
@require_GET
def campaign_detail(request, pk: int):
    team_metrics_required(request.user)
    promotion = promotion_get_for_user(user=request.user, promotion_id=pk)
    scope = metric_scope(request.user, promotion.shop_id) if promotion.shop_id else request_scope(request)
    review = campaign_review(promotion=promotion, scope=scope, today=scope.today())
    context = {
        "promotion": promotion,
        "review": review,
        "scope": scope,
        "shops": list(shops_for_user(request.user)) if promotion.shop_id is None else [],
        "chart": review.curve,
        "can_edit": _can_edit(request.user, promotion),
    }
    return render(request, "dashboards/campaign.html", context)


def _promotion_form(request, promotion=None):
    every_shop = shop_ids_for_user(request.user) is None
    return PromotionForm(
        request.POST or None, instance=promotion, shops=shops_for_user(request.user), every_shop=every_shop
    )


def _save(request, form, promotion=None):
    data = {k: form.cleaned_data[k] for k in ("name", "shop", "presale_start", "main_start", "main_end", "after_days")}
    try:
        if promotion is None:
            return promotion_create(actor=request.user, request=request, **data)
        # The form has already written its values onto its instance: update a fresh copy,
        # so that the audit entry records what actually changed.
        fresh = promotion_get_for_user(user=request.user, promotion_id=promotion.pk)
        return promotion_update(promotion=fresh, actor=request.user, request=request, **data)
    except KefuError as error:
        form.add_error((error.detail or {}).get("field"), str(error.message))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    if not _can_edit(request.user):
        raise PermissionDenied()
    form = _promotion_form(request)
    if request.method == "POST" and form.is_valid():
        promotion = _save(request, form)
        if promotion is not None:
            messages.success(request, _("Promotion saved."))
            return redirect("dashboards:campaign", pk=promotion.pk)
    return render(request, "dashboards/promotion_form.html", {"form": form, "promotion": None})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk: int):
    promotion = promotion_get_for_user(user=request.user, promotion_id=pk)
    if not _can_edit(request.user, promotion):
        raise PermissionDenied()
    form = _promotion_form(request, promotion)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, promotion) is not None:
            messages.success(request, _("Promotion saved."))
            return redirect("dashboards:campaign", pk=promotion.pk)
    return render(request, "dashboards/promotion_form.html", {"form": form, "promotion": promotion})


@login_required
@require_POST
def campaign_delete(request, pk: int):
    promotion = promotion_get_for_user(user=request.user, promotion_id=pk)
    if not _can_edit(request.user, promotion):
        raise PermissionDenied()
    promotion_delete(promotion=promotion, actor=request.user, request=request)
    messages.success(request, _("Promotion deleted."))
    return redirect("dashboards:campaigns")
