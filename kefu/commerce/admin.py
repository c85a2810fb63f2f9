"""Admin of orders, after-sales, reviews and logistics events (read-only: they come in
through intake)."""

from django.contrib import admin

from kefu.accounts.admin_scoping import ReadOnlyAdminMixin, ShopScopedAdminMixin
from kefu.commerce.models import AfterSale, LogisticsEvent, Order, Review


class ImportedAdmin(ReadOnlyAdminMixin, ShopScopedAdminMixin, admin.ModelAdmin):
    list_select_related = ["shop"]


@admin.register(Order)
class OrderAdmin(ImportedAdmin):
    list_display = ["ext_id", "shop", "customer", "created_at", "paid_at", "amount", "status"]
    list_filter = ["shop", "status"]
    search_fields = ["ext_id", "customer_ext"]
    list_select_related = ["shop", "customer"]
    date_hierarchy = "created_at"


@admin.register(AfterSale)
class AfterSaleAdmin(ImportedAdmin):
    list_display = ["ext_id", "shop", "order_ext", "kind", "status", "opened_at", "closed_at", "amount"]
    list_filter = ["shop", "kind", "status", "platform_intervened"]
    search_fields = ["ext_id", "order_ext", "reason"]
    date_hierarchy = "opened_at"


@admin.register(Review)
class ReviewAdmin(ImportedAdmin):
    list_display = ["ext_id", "shop", "order_ext", "rating", "created_at", "sku"]
    list_filter = ["shop", "rating"]
    search_fields = ["ext_id", "order_ext", "sku", "text"]
    date_hierarchy = "created_at"


@admin.register(LogisticsEvent)
class LogisticsEventAdmin(ImportedAdmin):
    list_display = ["ext_id", "shop", "order_ext", "status", "at", "carrier", "tracking_no"]
    list_filter = ["shop", "status", "carrier"]
    search_fields = ["ext_id", "order_ext", "tracking_no"]
    date_hierarchy = "at"
