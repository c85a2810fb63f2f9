"""Customer pages: the search, the customer page (profile, tags with their reasons,
lifetime figures, orders, conversations, tickets, reviews, follow-ups), the "show full
information" action for the roles allowed to see it, and manual tags."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.permissions import conversation_list_for_user, customer_get_for_user
from kefu.conversations.selectors import conversation_list_annotated
from kefu.core.errors import Conflict
from kefu.customers import selectors
from kefu.customers.forms import CustomerFilterForm, CustomerTagForm
from kefu.customers.services import customer_personal_data, customer_tag_add, customer_tag_remove
from kefu.customers.tags import auto_tag_rules

PAGE_SIZE = 50
RECENT_CONVERSATIONS = 20


@login_required
@require_GET
def customer_list(request):
    user = request.user
    if not user.has_perm("customers.view_customer"):
        raise PermissionDenied
    can_phone = selectors.user_can_view_personal_data(user)
    form = CustomerFilterForm(request.GET or None, user=user, vip_levels=selectors.vip_levels_for_user(user),
                              can_search_phone=can_phone)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        customers = selectors.customer_list_for_user(user).none()
    else:
        customers = selectors.customer_search(user=user, filters=filters)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    segment_query = query.copy()
    segment_query.pop("phone", None)
    context = {
        "form": form,
        "page": page,
        "rows": selectors.customer_rows(list(page.object_list)),
        "query": query.urlencode(),
        "segment_query": segment_query.urlencode(),
        "filtered": bool(filters) and form.has_filters(),
        "can_save_segment": selectors.user_can_manage_segments(user),
        "rules": auto_tag_rules(),
    }
    return render(request, "customers/customer_list.html", context)


def _detail_context(request, customer_page, personal_data) -> dict:
    customer = customer_page.customer
    conversations = conversation_list_for_user(request.user).filter(customer=customer)
    return {
        "customer": customer,
        "archive": customer_page,
        "personal_data": personal_data,
        "can_reveal": selectors.user_can_view_personal_data(request.user),
        "can_tag": request.user.has_perm(selectors.TAG_PERMISSION),
        "tag_form": CustomerTagForm(),
        "conversations": conversation_list_annotated(conversations).order_by("-started_at")[:RECENT_CONVERSATIONS],
    }


@login_required
@require_GET
def customer_detail(request, pk: int):
    archive = selectors.customer_page(user=request.user, customer_id=pk)
    context = _detail_context(request, archive, selectors.customer_masked_data(customer=archive.customer))
    return render(request, "customers/customer_detail.html", context)


@never_cache
@login_required
@require_POST
def customer_reveal(request, pk: int):
    customer = customer_get_for_user(user=request.user, customer_id=pk)
    if not selectors.user_can_view_personal_data(request.user):
        raise PermissionDenied
    personal_data = customer_personal_data(customer=customer, user=request.user, request=request)
    if request.htmx:
        context = {"customer": customer, "personal_data": personal_data, "can_reveal": True}
        return render(request, "customers/_personal_data.html", context)
    archive = selectors.customer_page(user=request.user, customer_id=pk)
    return render(request, "customers/customer_detail.html", _detail_context(request, archive, personal_data))


@login_required
@require_POST
def customer_tag_add_view(request, pk: int):
    customer = customer_get_for_user(user=request.user, customer_id=pk)
    form = CustomerTagForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    else:
        try:
            customer_tag_add(customer=customer, name=form.cleaned_data["name"], actor=request.user, request=request)
            messages.success(request, _("Tag added."))
        except Conflict as error:
            messages.error(request, str(error.message))
    return redirect(reverse("customer_detail", args=[pk]) + "#tags")


@login_required
@require_POST
def customer_tag_remove_view(request, pk: int, tag_id: int):
    customer = customer_get_for_user(user=request.user, customer_id=pk)
    customer_tag_remove(customer=customer, tag_id=tag_id, actor=request.user, request=request)
    messages.success(request, _("Tag removed."))
    return redirect(reverse("customer_detail", args=[pk]) + "#tags")
