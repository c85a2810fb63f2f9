"""Segment pages: the saved filters of customers, their counts, and the Excel export of
a segment's consenting customers for campaign outreach."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kefu.customers import selectors
from kefu.customers.forms import SegmentForm, segment_filters_load
from kefu.customers.services import segment_create, segment_delete, segment_export, segment_update

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_segments(user, *, manage: bool = False) -> None:
    allowed = selectors.user_can_manage_segments(user)
    if not manage:
        allowed = allowed or selectors.user_can_export_segments(user)
    if not allowed:
        raise PermissionDenied


@login_required
def segment_list(request):
    _require_segments(request.user)
    segments = list(selectors.segment_list_for_user(request.user))
    counts = selectors.segment_counts(user=request.user, segments=segments)
    context = {
        "rows": [(segment, *counts[segment.pk]) for segment in segments],
        "can_manage": selectors.user_can_manage_segments(request.user),
        "can_export": selectors.user_can_export_segments(request.user),
        "can_search": request.user.has_perm("customers.view_customer"),
    }
    return render(request, "customers/segment_list.html", context)


def _form(request, *, data=None, initial=None):
    return SegmentForm(data, initial=initial, user=request.user,
                       vip_levels=selectors.vip_levels_for_user(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def segment_new(request):
    _require_segments(request.user, manage=True)
    if request.method == "POST":
        form = _form(request, data=request.POST)
        if form.is_valid():
            segment = segment_create(name=form.cleaned_data["name"], shop=form.cleaned_data["shop"],
                                     filters=form.filters(), actor=request.user, request=request)
            messages.success(request, _("Segment saved."))
            return redirect("customer_segments")
    else:
        # "Save as segment" from the search page brings its filters along.
        form = _form(request, initial=request.GET.dict())
    return render(request, "customers/segment_form.html", {"form": form, "segment": None})


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request, pk: int):
    _require_segments(request.user, manage=True)
    segment = selectors.segment_get_for_user(user=request.user, segment_id=pk)
    if request.method == "POST":
        form = _form(request, data=request.POST)
        if form.is_valid():
            segment_update(segment=segment, name=form.cleaned_data["name"], shop=form.cleaned_data["shop"],
                           filters=form.filters(), actor=request.user, request=request)
            messages.success(request, _("Segment saved."))
            return redirect("customer_segments")
    else:
        initial = {**segment.filters, "name": segment.name, "shop": segment.shop_id}
        form = _form(request, initial=initial)
    return render(request, "customers/segment_form.html", {"form": form, "segment": segment})


@login_required
@require_POST
def segment_delete_view(request, pk: int):
    _require_segments(request.user, manage=True)
    segment = selectors.segment_get_for_user(user=request.user, segment_id=pk)
    segment_delete(segment=segment, actor=request.user, request=request)
    messages.success(request, _("Segment deleted."))
    return redirect("customer_segments")


@login_required
@require_POST
def segment_export_view(request, pk: int):
    segment = selectors.segment_get_for_user(user=request.user, segment_id=pk)
    export = segment_export(segment=segment, actor=request.user, request=request)
    response = HttpResponse(export.content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def segment_search(request, pk: int):
    """The search page with the segment's filters filled in."""
    segment = selectors.segment_get_for_user(user=request.user, segment_id=pk)
    filters = {key: value for key, value in segment_filters_load(segment.filters).items() if value not in (None, "")}
    if segment.shop_id:
        filters["shop"] = segment.shop_id
    return redirect(reverse("customer_list") + "?" + urlencode({k: str(v) for k, v in filters.items()}))
