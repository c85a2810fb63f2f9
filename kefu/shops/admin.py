"""Admin of shops."""

from django.contrib import admin
from django.utils import timezone

from kefu.accounts.permissions import scope_to_shops
from kefu.shops.models import Shop


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "ext_id", "platform", "timezone", "service_hours"]
    list_filter = ["platform"]
    search_fields = ["name", "ext_id"]
    readonly_fields = ["imported_at", "updated_at"]

    def get_queryset(self, request):
        return scope_to_shops(super().get_queryset(request), request.user, field="id")

    def save_model(self, request, obj, form, change):
        # A shop added by hand has no source record: the admin is its source.
        now = timezone.now()
        if obj.imported_at is None:
            obj.imported_at = now
        obj.updated_at = now
        obj.src_hash = obj.src_hash or "admin"
        super().save_model(request, obj, form, change)
