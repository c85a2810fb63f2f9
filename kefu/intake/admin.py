"""Admin of intake bookkeeping: import runs with their rejected records, and the records
still waiting for what they reference. Read-only: they are the record of what happened."""

from django.contrib import admin

from kefu.accounts.admin_scoping import ReadOnlyAdminMixin, ShopScopedAdminMixin
from kefu.intake.models import ImportRun, PendingRecord, RejectedRecord


class RejectedRecordInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RejectedRecord
    fields = ["line", "type", "ext_id", "reason", "raw"]
    readonly_fields = fields
    extra = 0


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, ShopScopedAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "source", "name", "shop", "records", "rejected_count", "finished_at"]
    list_filter = ["source", "shop"]
    search_fields = ["name"]
    list_select_related = ["shop", "actor", "token"]
    date_hierarchy = "started_at"
    inlines = [RejectedRecordInline]


@admin.register(PendingRecord)
class PendingRecordAdmin(ReadOnlyAdminMixin, ShopScopedAdminMixin, admin.ModelAdmin):
    shop_field = "scope"
    list_display = ["type", "ext_id", "ref_type", "ref_ext", "scope", "received_at"]
    list_filter = ["type", "ref_type", "scope"]
    search_fields = ["ext_id", "ref_ext"]
    list_select_related = ["scope"]
