"""Admin of shops and promotions."""

from django.contrib import admin
from django.utils import timezone

from kefu.accounts.permissions import scope_to_shops
from kefu.shops.models import Promotion, Shop


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


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["name", "shop", "presale_start", "main_start", "main_end", "after_days"]
    list_filter = ["shop"]
    search_fields = ["name"]
    date_hierarchy = "main_start"

    def get_queryset(self, request):
        # A promotion without a shop is every shop's: shop-limited users see it too.
        return scope_to_shops(super().get_queryset(request).select_related("shop"), request.user, shared_null=True)
