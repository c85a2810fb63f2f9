"""Admin of customers. Phone and address are shown masked to staff without
``accounts.view_personal_data``; staff with it see them, and each such view is audited."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kefu.accounts.admin_scoping import ShopScopedAdminMixin
from kefu.core.audit import audit_record
from kefu.customers.masking import mask_address, mask_phone
from kefu.customers.models import Customer
from kefu.customers.selectors import user_can_view_personal_data

PERSONAL_FIELDS = ("phone", "address")


@admin.register(Customer)
class CustomerAdmin(ShopScopedAdminMixin, admin.ModelAdmin):
    list_display = ["ext_id", "nick", "shop", "vip_level", "phone_masked", "address_masked"]
    list_filter = ["shop", "vip_level"]
    search_fields = ["ext_id", "nick"]
    list_select_related = ["shop"]
    readonly_fields = ["ext_id", "imported_at", "updated_at"]

    @admin.display(description=_("phone"))
    def phone_masked(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("address"))
    def address_masked(self, obj):
        return mask_address(obj.address)

    def get_fields(self, request, obj=None):
        fields = [field for field in super().get_fields(request, obj) if field not in ("phone_masked", "address_masked")]
        if user_can_view_personal_data(request.user):
            return fields
        return [
            {"phone": "phone_masked", "address": "address_masked"}.get(field, field)
            for field in fields
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not user_can_view_personal_data(request.user):
            readonly += ["phone_masked", "address_masked"]
        return readonly

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200 and user_can_view_personal_data(request.user):
            customer = response.context_data["original"]
            audit_record(
                actor=request.user,
                action="customer.view_personal_data",
                target=customer,
                detail={"fields": list(PERSONAL_FIELDS), "via": "admin"},
                request=request,
            )
        return response
