"""Opening tickets: the form (/tickets/new/, prefilled from a conversation) and the
conversation page's one-click 创建工单."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kefu.accounts.permissions import conversation_get_for_user, shops_for_user
from kefu.core.errors import KefuError, PermissionDenied
from kefu.tickets import permissions
from kefu.tickets.choices import TicketType
from kefu.tickets.forms import TicketCreateForm
from kefu.tickets.models import Department
from kefu.tickets.services import ticket_create, ticket_create_from_conversation
from kefu.tickets.views._queries import assignable_users, order_in_shop


def _create_required(user) -> None:
    if not user.has_perm(permissions.ADD):
        raise PermissionDenied()


def _conversation(user, value):
    value = str(value or "")
    return conversation_get_for_user(user=user, conversation_id=int(value)) if value.isdigit() else None


def _type_for(conversation) -> str:
    return TicketType.AFTERSALE if conversation is not None and conversation.order_id else TicketType.COMPLAINT


@login_required
@require_http_methods(["GET", "POST"])
def ticket_new_view(request):
    user = request.user
    _create_required(user)
    source = request.POST if request.method == "POST" else request.GET
    conversation = _conversation(user, source.get("conversation"))
    shops = [conversation.shop] if conversation is not None else list(shops_for_user(user))
    type_key = source.get("type") if source.get("type") in TicketType.values else _type_for(conversation)
    users = list(assignable_users(user))
    tz = conversation.shop.timezone if conversation is not None else (shops[0].timezone if shops else "Asia/Shanghai")
    errors = []
    if request.method == "POST":
        form = TicketCreateForm(request.POST, shops=shops, users=users, type_key=type_key, tz=tz)
        if form.is_valid():
            ticket, errors = _create(user, form, conversation, shops)
            if ticket is not None:
                messages.success(request, _("Ticket #%(id)s opened.") % {"id": ticket.pk})
                return redirect("tickets:detail", pk=ticket.pk)
    else:
        initial = {"type": type_key, "assignee": str(user.pk), "shop": str(shops[0].pk) if shops else ""}
        if conversation is not None:
            initial.update({"conversation": conversation.pk, "order": conversation.order_ext or ""})
        form = TicketCreateForm(initial=initial, shops=shops, users=users, type_key=type_key, tz=tz)
    context = {"form": form, "conversation": conversation, "errors": errors, "type_key": type_key}
    return render(request, "tickets/new.html", context, status=400 if request.method == "POST" else 200)


def _create(user, form, conversation, shops):
    data = form.cleaned_data
    shop = next((s for s in shops if str(s.pk) == data["shop"]), None)
    if shop is None:
        return None, [_("Choose one of your shops.")]
    order = None
    if data["order"] and (conversation is None or data["order"] != conversation.order_ext):
        order = order_in_shop(shop=shop, ext_id=data["order"])
        if order is None:
            return None, [_("No order %(order)s in this shop.") % {"order": data["order"]}]
    fields = {
        "priority": data["priority"],
        "description": data["description"],
        "department": Department.objects.filter(pk=int(data["department"])).first() if data["department"] else None,
        "details": form.details_value(form.data, timezone.now()),
    }
    if data["assignee"]:
        fields["assignee"] = get_user_model().objects.filter(pk=int(data["assignee"]), is_active=True).first()
    elif conversation is not None:
        fields["assignee"] = None
    try:
        if conversation is not None:
            if order is not None:
                fields["order"], fields["customer"] = order, order.customer
            ticket = ticket_create_from_conversation(conversation_id=conversation.pk, actor=user, type=data["type"],
                                                     title=data["title"], **fields)
        else:
            title = data["title"] or str(TicketType(data["type"]).label)
            ticket = ticket_create(shop=shop, type=data["type"], title=title, actor=user, order=order,
                                   customer=order.customer if order else None, **fields)
    except KefuError as error:
        return None, [error.message]
    return ticket, []


@login_required
@require_POST
def ticket_from_conversation_view(request, conversation_id: int):
    """The conversation page's one click: a ticket of the chosen type (and department)
    with the customer, order and conversation linked, taken by the agent who clicked."""
    user = request.user
    _create_required(user)
    conversation = conversation_get_for_user(user=user, conversation_id=conversation_id)
    type_key = request.POST.get("type") if request.POST.get("type") in TicketType.values else _type_for(conversation)
    department_id = request.POST.get("department", "")
    fields = {}
    if department_id.isdigit():
        fields["department"] = Department.objects.filter(pk=int(department_id)).first()
    try:
        ticket = ticket_create_from_conversation(conversation_id=conversation.pk, actor=user, type=type_key, **fields)
    except KefuError as error:
        messages.error(request, error.message)
        return redirect("conversation_detail", pk=conversation.pk)
    messages.success(request, _("Ticket #%(id)s opened from this conversation.") % {"id": ticket.pk})
    return redirect("tickets:detail", pk=ticket.pk)
