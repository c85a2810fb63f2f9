"""The admin site's titles, and the audit log: read-only, because an audit trail that can
be edited proves nothing."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kefu.core.models import AuditEntry

admin.site.site_header = _("Kefu administration")
admin.site.site_title = _("Kefu administration")
admin.site.index_title = _("Shops, people, data and audit")
admin.site.site_url = "/"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "ip"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_id", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
