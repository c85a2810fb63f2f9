"""Intake pages: every import with its counts, and each run's rejected records, so the
supervisor sees what did not come in and why."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kefu.accounts.permissions import shop_ids_for_user
from kefu.core.errors import NotFound
from kefu.intake.selectors import import_run_list, unresolved_counts

RUNS_PER_PAGE = 50
REJECTIONS_PER_PAGE = 100


@login_required
@permission_required("intake.view_importrun", raise_exception=True)
@require_GET
def run_list(request):
    shop_ids = shop_ids_for_user(request.user)
    page = Paginator(import_run_list(shop_ids=shop_ids), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "unresolved": unresolved_counts(shop_ids=shop_ids)}
    return render(request, "intake/run_list.html", context)


@login_required
@permission_required("intake.view_importrun", raise_exception=True)
@require_GET
def run_detail(request, pk: int):
    run = import_run_list(shop_ids=shop_ids_for_user(request.user)).filter(pk=pk).first()
    if run is None:
        raise NotFound()
    rejections = Paginator(run.rejections.order_by("line", "id"), REJECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
    context = {"run": run, "rejections": rejections, "types": run_types(run), "duration": duration}
    return render(request, "intake/run_detail.html", context)


def run_types(run) -> list[dict]:
    """One row per record type of the run: created, updated, unchanged, rejected."""
    rejected: dict[str, int] = {}
    for kind in run.rejections.values_list("type", flat=True):
        rejected[kind or "?"] = rejected.get(kind or "?", 0) + 1
    kinds = sorted(set(run.created) | set(run.updated) | set(run.unchanged) | set(rejected))
    return [
        {
            "type": kind,
            "created": run.created.get(kind, 0),
            "updated": run.updated.get(kind, 0),
            "unchanged": run.unchanged.get(kind, 0),
            "rejected": rejected.get(kind, 0),
        }
        for kind in kinds
    ]
