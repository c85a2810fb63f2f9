"""Admin of agent status changes (read-only: they come in through intake)."""

from django.contrib import admin

from kefu.accounts.admin_scoping import ReadOnlyAdminMixin, ShopScopedAdminMixin
from kefu.presence.models import AgentStatus


@admin.register(AgentStatus)
class AgentStatusAdmin(ReadOnlyAdminMixin, ShopScopedAdminMixin, admin.ModelAdmin):
    shop_shared_null = True
    list_display = ["agent", "status", "at", "shop", "note"]
    list_filter = ["status", "shop"]
    search_fields = ["agent__name", "agent__ext_id", "ext_id"]
    list_select_related = ["agent", "shop"]
    date_hierarchy = "at"
