"""The reviewer's pages: the queue, the next conversation, the review screen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kefu.accounts.permissions import shop_ids_for_user
from kefu.core.errors import KefuError, PermissionDenied
from kefu.review.models import ItemStatus
from kefu.review.selectors import (
    appeals_for_reviewer,
    can_manage,
    can_review,
    conversation_view,
    done_by_user,
    queue_for_user,
    queue_item_get_for_user,
    queue_loads,
    queue_next,
)
from kefu.review.services import review_submit, scorecard_ensure
from kefu.review.views.common import decisions_from_post, form_rows, review_required, scores_from_post

QUEUE_SHOWN = 100


@login_required
@require_GET
def queue(request):
    user = request.user
    if not (can_review(user) or can_manage(user)):
        if user.has_perm("review.view_own_reviews"):
            return redirect("review:mine")
        raise PermissionDenied()
    items = queue_for_user(user)
    context = {
        "items": list(items[:QUEUE_SHOWN]),
        "pending": items.count(),
        "appeals": list(appeals_for_reviewer(user)),
        "done": list(done_by_user(user)),
        "loads": queue_loads(shop_ids_for_user(user)) if can_manage(user) else None,
        "can_review": can_review(user),
        "can_manage": can_manage(user),
    }
    return render(request, "review/queue.html", context)


@login_required
@require_GET
def queue_next_view(request):
    review_required(request.user)
    after = request.GET.get("after", "")
    item = queue_next(request.user, after=int(after) if after.isdigit() else None)
    if item is None:
        messages.info(request, _("Your queue is empty: nothing left to review."))
        return redirect("review:queue")
    return redirect("review:item", pk=item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review_item(request, pk: int):
    review_required(request.user)
    item = queue_item_get_for_user(user=request.user, item_id=pk)
    if item.status == ItemStatus.DONE:
        return redirect("review:review", pk=item.review.pk)
    view = conversation_view(item.conversation)
    card_items = list(scorecard_ensure(shop=item.shop).items.all())
    scores, decisions, comment, errors = {}, {}, "", []
    if request.method == "POST":
        scores = scores_from_post(request.POST, [i.key for i in card_items])
        decisions = decisions_from_post(request.POST, [f.pk for f in view.findings])
        comment = request.POST.get("comment", "")
        try:
            review = review_submit(item=item, actor=request.user, scores=scores, decisions=decisions,
                                   comment=comment, request=request)
        except KefuError as error:
            errors.append(error.message)
        else:
            messages.success(request, _("Review saved: %(total)s points.") % {"total": review.total})
            following = queue_next(request.user)
            return redirect("review:item", pk=following.pk) if following else redirect("review:queue")
    context = {
        "item": item,
        "view": view,
        "rows": form_rows(view, card_items, scores, decisions),
        "comment": comment,
        "errors": errors,
        "pending": queue_for_user(request.user).count(),
        "next_url": f"{reverse('review:next')}?after={item.pk}",
    }
    return render(request, "review/review_form.html", context, status=400 if errors else 200)
