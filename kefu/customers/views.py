"""Customer pages: the customer card with masked personal data, and the "show full
information" action for the roles allowed to see it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.permissions import conversation_list_for_user, customer_get_for_user
from kefu.commerce.selectors import order_list_for_customer
from kefu.conversations.selectors import conversation_list_annotated
from kefu.customers.selectors import customer_masked_data, user_can_view_personal_data
from kefu.customers.services import customer_personal_data

RECENT_CONVERSATIONS = 20


def _detail_context(request, customer, personal_data) -> dict:
    conversations = conversation_list_for_user(request.user).filter(customer=customer)
    can_see_orders = request.user.has_perm("commerce.view_order")
    return {
        "customer": customer,
        "personal_data": personal_data,
        "can_reveal": user_can_view_personal_data(request.user),
        "conversations": conversation_list_annotated(conversations)[:RECENT_CONVERSATIONS],
        "orders": order_list_for_customer(customer=customer) if can_see_orders else None,
    }


@login_required
@require_GET
def customer_detail(request, pk: int):
    customer = customer_get_for_user(user=request.user, customer_id=pk)
    context = _detail_context(request, customer, customer_masked_data(customer=customer))
    return render(request, "customers/customer_detail.html", context)


@never_cache
@login_required
@require_POST
def customer_reveal(request, pk: int):
    customer = customer_get_for_user(user=request.user, customer_id=pk)
    if not user_can_view_personal_data(request.user):
        raise PermissionDenied
    personal_data = customer_personal_data(customer=customer, user=request.user, request=request)
    if request.htmx:
        context = {"customer": customer, "personal_data": personal_data, "can_reveal": True}
        return render(request, "customers/_personal_data.html", context)
    return render(request, "customers/customer_detail.html", _detail_context(request, customer, personal_data))
