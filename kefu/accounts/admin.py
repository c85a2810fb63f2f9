"""Admin of logins, teams, agents and API tokens."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kefu.accounts.admin_scoping import ShopScopedAdminMixin
from kefu.accounts.models import Agent, ApiToken, Team, User
from kefu.accounts.services import token_revoke
from kefu.core.errors import KefuError


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "role_names", "shop_names", "is_active", "is_staff", "last_login"]
    list_filter = ["groups", "is_active", "is_staff", "shops"]
    search_fields = ["username", "display_name", "email"]
    filter_horizontal = ["groups", "user_permissions", "shops"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["display_name", "first_name", "last_name", "email"]}),
        (_("Roles and shops"), {"fields": ["groups", "shops"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "shops")

    def get_readonly_fields(self, request, obj=None):
        # An administrator manages people, but only a superuser can make a superuser
        # (otherwise any administrator could raise themselves above the roles).
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        return readonly

    @admin.display(description=_("roles"))
    def role_names(self, obj):
        return ", ".join(group.name for group in obj.groups.all())

    @admin.display(description=_("shops"))
    def shop_names(self, obj):
        return ", ".join(shop.name for shop in obj.shops.all()) or _("all shops")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    search_fields = ["name"]
    list_select_related = ["lead"]
    autocomplete_fields = ["lead"]


@admin.register(Agent)
class AgentAdmin(ShopScopedAdminMixin, admin.ModelAdmin):
    shop_shared_null = True
    list_display = ["name", "ext_id", "shop", "team", "user", "active"]
    list_filter = ["active", "team", "shop"]
    search_fields = ["name", "ext_id"]
    list_select_related = ["shop", "team", "user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["ext_id", "imported_at", "updated_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``kefu token create`` (the value is shown once, in the
    terminal); here they can be looked at and revoked."""

    list_display = ["prefix", "name", "shop", "is_admin", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["is_admin", "shop"]
    search_fields = ["prefix", "name"]
    list_select_related = ["shop"]
    fields = ["name", "prefix", "shop", "is_admin", "created_by", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                token_revoke(token=token, actor=request.user)
            except KefuError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                revoked += 1
        message = ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked) % {"count": revoked}
        self.message_user(request, message, messages.SUCCESS)
