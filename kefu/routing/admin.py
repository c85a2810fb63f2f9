"""Admin of routing (分流), read-mostly: the live state (agents' load, the queue, the
assignment log) changes only through ``kefu.routing.services`` — a load or a queue entry
edited by hand would break the invariants routing keeps under concurrency, and an edited
assignment would falsify the history. Skill groups and settings are shown here and changed
on the routing pages and API, which go through the services."""

from django.contrib import admin

from kefu.accounts.admin_scoping import ReadOnlyAdminMixin, ShopScopedAdminMixin
from kefu.routing.models import AgentRouting, Assignment, QueueEntry, RoutingSettings, SkillGroup, SkillGroupMember


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(ReadOnlyAdminMixin, ShopScopedAdminMixin, admin.ModelAdmin):
    list_display = ["shop", "default_max_concurrent", "sticky_enabled", "sticky_window_hours", "vip_priority",
                    "complaint_priority", "auto_away_minutes"]
    list_select_related = ["shop"]


class SkillGroupMemberInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SkillGroupMember
    fields = ["agent", "max_concurrent"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agent")


@admin.register(SkillGroup)
class SkillGroupAdmin(ReadOnlyAdminMixin, ShopScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "key", "shop", "stage", "for_vip", "strategy", "base_priority", "overflow_group",
                    "overflow_after_seconds"]
    list_filter = ["shop", "strategy", "stage"]
    search_fields = ["name", "key"]
    list_select_related = ["shop", "overflow_group"]
    inlines = [SkillGroupMemberInline]


@admin.register(AgentRouting)
class AgentRoutingAdmin(ReadOnlyAdminMixin, ShopScopedAdminMixin, admin.ModelAdmin):
    shop_shared_null = True
    list_display = ["agent", "shop", "status", "status_since", "active_chats", "max_concurrent", "last_assigned_at",
                    "last_activity_at"]
    list_filter = ["status", "shop"]
    search_fields = ["agent__name", "agent__ext_id"]
    list_select_related = ["agent", "shop"]


@admin.register(QueueEntry)
class QueueEntryAdmin(ReadOnlyAdminMixin, ShopScopedAdminMixin, admin.ModelAdmin):
    list_display = ["conversation", "shop", "group", "priority", "enqueued_at", "group_entered_at", "overflowed",
                    "off_hours", "transfer"]
    list_filter = ["shop", "group", "overflowed", "off_hours", "transfer"]
    search_fields = ["conversation__ext_id"]
    list_select_related = ["conversation", "shop", "group"]
    ordering = ["group", "-priority", "enqueued_at", "id"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdminMixin, ShopScopedAdminMixin, admin.ModelAdmin):
    list_display = ["conversation", "agent", "group", "reason", "assigned_at", "wait_seconds", "ended_at",
                    "end_reason", "actor"]
    list_filter = ["shop", "reason", "end_reason", "group"]
    search_fields = ["conversation__ext_id", "agent__name", "customer_ext"]
    list_select_related = ["conversation", "agent", "group", "actor"]
    date_hierarchy = "assigned_at"
