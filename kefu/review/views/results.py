"""Review results: an agent's own reviews and appeals, one review, deciding an appeal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.accounts.selectors import user_agent
from kefu.core.errors import KefuError, PermissionDenied
from kefu.review.forms import AppealForm
from kefu.review.models import AppealStatus
from kefu.review.selectors import (
    OWN_PERM,
    appeal_changes,
    appeal_get_for_reviewer,
    conversation_view,
    review_get_for_user,
    reviews_of_own_service,
)
from kefu.review.services import appeal_create, appeal_decide
from kefu.review.views.common import decisions_from_post, form_rows, review_required, scores_from_post

PAGE_SIZE = 30


def _own_required(user):
    if not user.has_perm(OWN_PERM) or user_agent(user) is None:
        raise PermissionDenied()


@login_required
@require_GET
def mine(request):
    _own_required(request.user)
    page = Paginator(reviews_of_own_service(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/mine.html", {"page": page})


def _can_appeal(user, review) -> bool:
    agent = user_agent(user)
    return (review.calibration_id is None and agent is not None and review.agent_id == agent.pk
            and user.has_perm(OWN_PERM) and not hasattr(review, "appeal"))


@login_required
@require_GET
def review_detail(request, pk: int):
    review = review_get_for_user(user=request.user, review_id=pk)
    context = {
        "review": review,
        "view": conversation_view(review.conversation, review=review),
        "scores": list(review.scores.all()),
        "appeal": getattr(review, "appeal", None),
        "changes": appeal_changes(review.appeal) if hasattr(review, "appeal") else [],
        "can_appeal": _can_appeal(request.user, review),
        "form": AppealForm(),
        "own": user_agent(request.user) is not None and review.agent_id == user_agent(request.user).pk,
    }
    return render(request, "review/review_detail.html", context)


@login_required
@require_POST
def appeal_create_view(request, pk: int):
    review = review_get_for_user(user=request.user, review_id=pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            appeal_create(review=review, actor=request.user, reason=form.cleaned_data["reason"], request=request)
        except KefuError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Appeal sent: another reviewer will decide it."))
    else:
        messages.error(request, _("Say why you appeal."))
    return redirect("review:review", pk=review.pk)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_decide_view(request, pk: int):
    review_required(request.user)
    appeal = appeal_get_for_reviewer(user=request.user, appeal_id=pk)
    review = appeal.review
    if appeal.status != AppealStatus.OPEN:
        return redirect("review:review", pk=review.pk)
    view = conversation_view(review.conversation, review=review)
    scores = list(review.scores.all())
    chosen_scores = {s.key: s.score for s in scores}
    chosen_decisions = {f.pk: f.decision for f in view.findings}
    note, errors = "", []
    if request.method == "POST":
        chosen_scores = scores_from_post(request.POST, [s.key for s in scores])
        chosen_decisions = decisions_from_post(request.POST, [f.pk for f in view.findings])
        note = request.POST.get("note", "")
        try:
            appeal = appeal_decide(appeal=appeal, actor=request.user, scores=chosen_scores,
                                   decisions=chosen_decisions, note=note, request=request)
        except KefuError as error:
            errors.append(error.message)
        else:
            if appeal.status == AppealStatus.CHANGED:
                messages.success(request, _("Appeal decided: the result is changed."))
            else:
                messages.success(request, _("Appeal decided: the result is upheld."))
            return redirect("review:review", pk=review.pk)
    context = {
        "appeal": appeal,
        "review": review,
        "view": view,
        "rows": form_rows(view, scores, chosen_scores, chosen_decisions),
        "note": note,
        "errors": errors,
    }
    return render(request, "review/appeal_decide.html", context, status=400 if errors else 200)
