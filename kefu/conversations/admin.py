"""Admin of conversations, with their messages inline. Read-only: conversations come in
through intake, and changing history by hand would falsify every figure."""

from django.contrib import admin

from kefu.accounts.admin_scoping import ReadOnlyAdminMixin
from kefu.accounts.permissions import conversation_list_for_user
from kefu.conversations.models import Conversation, Message


class MessageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Message
    fields = ["sent_at", "sender", "agent", "is_auto", "text"]
    readonly_fields = fields
    ordering = ["sent_at", "ext_id"]
    extra = 0
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agent")


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ext_id", "shop", "customer", "stage", "started_at", "assigned_agent", "rating"]
    list_filter = ["shop", "stage", "rating"]
    search_fields = ["ext_id", "customer_ext", "customer__nick"]
    list_select_related = ["shop", "customer", "assigned_agent"]
    date_hierarchy = "started_at"
    inlines = [MessageInline]

    def get_queryset(self, request):
        # The same reach as the pages: a supervisor sees their shops', a team lead their teams'.
        return conversation_list_for_user(request.user).select_related("shop", "customer", "assigned_agent", "order")
