"""The supervisor's review pages: sampling plans and filling the queues, scorecards,
calibrations; and rule precision (for reviewers too)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.accounts.permissions import shops_for_user
from kefu.core.errors import KefuError, NotFound, PermissionDenied
from kefu.review.agreement import calibration_results
from kefu.review.forms import CalibrationForm, PlanForm
from kefu.review.sampling import plan_create, plan_update, queues_fill
from kefu.review.selectors import (
    calibration_candidates,
    calibration_get_for_user,
    calibrations_for_user,
    can_manage,
    can_review,
    plan_get_for_user,
    plans_for_user,
    reviewers_for_shop,
    rule_precision,
    scorecards_for_user,
)
from kefu.review.services import calibration_create, scorecard_ensure, scorecard_update
from kefu.review.views.common import manage_required

PRECISION_PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
LOW_PRECISION = 0.7  # below this a rule is shown as one to fix ...
MIN_REVIEWED = 5  # ... once this many of its findings were reviewed


def _reviewers_of_shops(user):
    from django.contrib.auth import get_user_model

    shops = list(shops_for_user(user).values_list("pk", flat=True))
    ids = set()
    for shop_id in shops:
        ids.update(reviewers_for_shop(shop_id).values_list("pk", flat=True))
    return get_user_model().objects.filter(pk__in=ids).order_by("display_name", "username")


def _shop_of_user(user, value):
    shop = shops_for_user(user).filter(pk=value).first() if str(value or "").isdigit() else None
    if shop is None:
        raise NotFound()
    return shop


# ---- plans ------------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request):
    manage_required(request.user)
    return render(request, "review/plans.html", {"plans": list(plans_for_user(request.user))})


@login_required
@require_POST
def queues_fill_view(request):
    manage_required(request.user)
    result = queues_fill(plans=plans_for_user(request.user).filter(active=True), actor=request.user,
                         request=request)
    messages.success(request, _("Queues filled: %(n)d conversations added.") % {"n": result.queued})
    if result.unassigned:
        messages.warning(request, _("%(n)d sampled conversations found no reviewer who may take them.")
                         % {"n": result.unassigned})
    return redirect(request.POST.get("next") or "review:plans")


def _plan_form(request, plan=None):
    initial = None
    if plan is not None:
        initial = {name: getattr(plan, name) for name in (
            "name", "kind", "rate", "per_day", "per_agent_week", "low_score_below", "low_rating_max", "starts_on",
            "active")}
        initial["shop"] = plan.shop
        initial["reviewers"] = list(plan.reviewers.all())
    return PlanForm(request.POST or None, initial=initial, shops=shops_for_user(request.user),
                    reviewers=_reviewers_of_shops(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int | None = None):
    manage_required(request.user)
    plan = plan_get_for_user(user=request.user, plan_id=pk) if pk else None
    form = _plan_form(request, plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if plan is None:
                plan = plan_create(actor=request.user, shop=data["shop"], reviewers=list(data["reviewers"]),
                                   request=request, **form.values())
            else:
                if data["shop"] != plan.shop:
                    raise KefuError(_("A plan stays with its shop: add a new plan for another shop."))
                plan_update(plan=plan, actor=request.user, reviewers=list(data["reviewers"]), request=request,
                            **form.values())
        except KefuError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Sampling plan saved."))
            return redirect("review:plans")
    return render(request, "review/plan_form.html", {"form": form, "plan": plan})


# ---- scorecards -------------------------------------------------------------------------------


@login_required
@require_GET
def scorecard_list(request):
    manage_required(request.user)
    for shop in shops_for_user(request.user):
        scorecard_ensure(shop=shop)
    return render(request, "review/scorecards.html", {"scorecards": list(scorecards_for_user(request.user))})


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_edit(request, shop_id: int):
    manage_required(request.user)
    shop = _shop_of_user(request.user, shop_id)
    card = scorecard_ensure(shop=shop)
    rows = [{"key": i.key, "name": i.name, "weight": i.weight} for i in card.items.all()]
    errors = []
    if request.method == "POST":
        keys, names, weights = (request.POST.getlist(n) for n in ("key", "name", "weight"))
        rows = [{"key": k, "name": n, "weight": w} for k, n, w in zip(keys, names, weights, strict=False)]
        try:
            scorecard_update(shop=shop, items=rows, actor=request.user, request=request)
        except KefuError as error:
            errors.append(error.message)
        else:
            messages.success(request, _("Scorecard saved."))
            return redirect("review:scorecards")
    rows = [r for r in rows if r["name"]] + [{"key": "", "name": "", "weight": ""} for _n in range(2)]
    return render(request, "review/scorecard_form.html", {"shop": shop, "rows": rows, "errors": errors},
                  status=400 if errors else 200)


# ---- calibrations -----------------------------------------------------------------------------


@login_required
@require_GET
def calibration_list(request):
    manage_required(request.user)
    return render(request, "review/calibrations.html", {"calibrations": list(calibrations_for_user(request.user))})


@login_required
@require_http_methods(["GET", "POST"])
def calibration_new(request):
    manage_required(request.user)
    shops = list(shops_for_user(request.user))
    if not shops:
        raise PermissionDenied()
    shop = _shop_of_user(request.user, request.GET.get("shop") or shops[0].pk)
    candidates = list(calibration_candidates(shop.pk, today=timezone.localdate()))
    form = CalibrationForm(request.POST or None, reviewers=reviewers_for_shop(shop.pk), candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            calibration = calibration_create(
                shop=shop, name=form.cleaned_data["name"], reviewers=list(form.cleaned_data["reviewers"]),
                conversation_ids=[int(c) for c in form.cleaned_data["conversations"]], actor=request.user,
                request=request,
            )
        except KefuError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Calibration started: each reviewer finds the conversations in their "
                                        "queue."))
            return redirect("review:calibration", pk=calibration.pk)
    chosen = set(form["conversations"].value() or [])
    context = {"form": form, "shop": shop, "shops": shops, "candidates": candidates, "chosen": chosen}
    return render(request, "review/calibration_form.html", context)


@login_required
@require_GET
def calibration_detail(request, pk: int):
    manage_required(request.user)
    calibration = calibration_get_for_user(user=request.user, calibration_id=pk)
    return render(request, "review/calibration.html",
                  {"calibration": calibration, "results": calibration_results(calibration)})


# ---- rule precision ----------------------------------------------------------------------------


@login_required
@require_GET
def precision(request):
    if not (can_review(request.user) or can_manage(request.user)):
        raise PermissionDenied()
    shops = list(shops_for_user(request.user))
    shop = _shop_of_user(request.user, request.GET["shop"]) if request.GET.get("shop") else None
    period = request.GET.get("period", "90")
    if period not in PRECISION_PERIODS:
        period = "90"
    days = PRECISION_PERIODS[period]
    since = timezone.now() - timedelta(days=days) if days else None
    rows = rule_precision(user=request.user, shop_id=shop.pk if shop else None, since=since)
    context = {"rows": rows, "shops": shops, "shop": shop, "period": period, "low": LOW_PRECISION,
               "min_reviewed": MIN_REVIEWED,
               "periods": [("30", _("Last 30 days")), ("90", _("Last 90 days")), ("365", _("Last 12 months")),
                           ("all", _("All time"))]}
    return render(request, "review/precision.html", context)

