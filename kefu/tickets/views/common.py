"""What the ticket pages share: who may open them, the list's tabs, the shop timezone."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kefu.core.errors import PermissionDenied
from kefu.tickets import permissions

VIEW_PERMS = (permissions.VIEW_ALL, permissions.VIEW_TEAM, permissions.VIEW_OWN, permissions.VIEW_DEPARTMENT)


def sees_tickets(user) -> bool:
    return bool(user.is_active and any(user.has_perm(perm) for perm in VIEW_PERMS))


def tickets_required(user) -> None:
    if not sees_tickets(user):
        raise PermissionDenied()


def report_required(user) -> None:
    if not permissions.can_view_report(user):
        raise PermissionDenied()


def manage_required(user) -> None:
    permissions.check_can_manage(user)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    scope: str  # the selector's scope


TABS = {
    "mine": Tab("mine", _("My tickets"), "mine"),
    "team": Tab("team", _("My team's tickets"), "team"),
    "department": Tab("department", _("My department's tickets"), "department"),
    "breaching": Tab("breaching", _("Breaching soon"), "breaching"),
    "all": Tab("all", _("All"), "all"),
}


def tabs_for(user) -> list[Tab]:
    """The tabs a person has: everyone their own and the breaching ones; leads and
    supervisors their team's; department people their department's; supervisors all."""
    keys = ["mine"]
    if user.has_perm(permissions.VIEW_TEAM) or user.has_perm(permissions.VIEW_ALL):
        keys.append("team")
    if user.has_perm(permissions.VIEW_DEPARTMENT):
        keys.append("department")
    keys.append("breaching")
    if user.has_perm(permissions.VIEW_ALL):
        keys.append("all")
    return [TABS[key] for key in keys]


def default_tab(user) -> str:
    if user.has_perm(permissions.VIEW_ALL):
        return "all"
    if user.has_perm(permissions.VIEW_DEPARTMENT) and not user.has_perm(permissions.VIEW_OWN):
        return "department"
    if user.has_perm(permissions.VIEW_TEAM):
        return "team"
    return "mine"
