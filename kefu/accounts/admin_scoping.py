"""Shop scoping for admin pages: staff limited to some shops see only those shops' rows,
through the same ``kefu.accounts.permissions`` helpers as the pages."""

from kefu.accounts.permissions import scope_to_shops, shops_for_user


class ShopScopedAdminMixin:
    shop_field = "shop"
    # Rows without a shop (an agent serving every shop) are visible to every staff user.
    shop_shared_null = False

    def get_queryset(self, request):
        return scope_to_shops(
            super().get_queryset(request), request.user, field=self.shop_field, shared_null=self.shop_shared_null
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "shop":
            kwargs["queryset"] = shops_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdminMixin:
    """Imported records are changed by re-importing them, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
