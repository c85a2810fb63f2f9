"""Conversation pages: the list (scoped to what the user may see) and one conversation's messages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kefu.accounts.permissions import (
    ConversationReach,
    conversation_get_for_user,
    conversation_list_for_user,
    conversation_reach,
    customer_list_for_user,
)
from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_primary_role
from kefu.conversations.selectors import conversation_list_annotated, conversation_messages

PAGE_SIZE = 50


def _list_title(user, reach: ConversationReach) -> str:
    if reach == ConversationReach.OWN:
        return _("My conversations")
    if reach == ConversationReach.TEAM:
        return _("My team's conversations")
    if user_primary_role(user) == Role.QA:
        return _("Recent conversations")
    return _("Conversations")


@login_required
@require_GET
def conversation_list(request):
    reach = conversation_reach(request.user)
    if reach == ConversationReach.NONE:
        raise PermissionDenied
    conversations = conversation_list_for_user(request.user)
    unanswered_only = request.GET.get("unanswered") == "1"
    conversations = conversation_list_annotated(conversations)
    if unanswered_only:
        conversations = conversations.filter(answered=False)
    page = Paginator(conversations.order_by("-started_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": _list_title(request.user, reach),
        "page": page,
        "unanswered_only": unanswered_only,
    }
    return render(request, "web/conversation_list.html", context)


@login_required
@require_GET
def conversation_detail(request, pk: int):
    conversation = conversation_get_for_user(user=request.user, conversation_id=pk)
    customer_visible = (
        conversation.customer_id is not None
        and customer_list_for_user(request.user).filter(pk=conversation.customer_id).exists()
    )
    context = {
        "conversation": conversation,
        "messages_list": conversation_messages(conversation=conversation),
        "customer_visible": customer_visible,
    }
    return render(request, "web/conversation_detail.html", context)
