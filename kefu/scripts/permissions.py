"""Who may see and do what in the script library; applied to querysets.

- ``scripts.view_script`` (agent, team lead, supervisor): the library of their shops —
  approved shop-wide scripts, the ones they proposed, and their own personal scripts;
- ``scripts.approve_script`` (team lead, supervisor): also every shop-wide script whatever
  its status, the approval queue, editing shop-wide scripts, the Excel import;
- ``scripts.manage_script_packs`` (supervisor): campaign packs.

Personal scripts are seen by their owner only, whatever the role. The fetch-and-check
helper gives the same ``NotFound`` for a missing script and one the user may not see.
"""

from django.db.models import Q, QuerySet

from kefu.accounts.permissions import scope_to_shops
from kefu.core.errors import NotFound, PermissionDenied
from kefu.scripts.choices import Scope, Status
from kefu.scripts.models import Script

VIEW = "scripts.view_script"
APPROVE = "scripts.approve_script"
PACKS = "scripts.manage_script_packs"


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_view(user) -> bool:
    return _active(user) and user.has_perm(VIEW)


def can_approve(user) -> bool:
    return _active(user) and user.has_perm(APPROVE)


def can_manage_packs(user) -> bool:
    return _active(user) and user.has_perm(PACKS)


def check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied()


def scripts_visible_to(user) -> QuerySet[Script]:
    """The scripts the user may see in the library (see the module's docstring)."""
    if not can_view(user):
        return Script.objects.none()
    scripts = scope_to_shops(Script.objects.all(), user, shared_null=True)
    personal = Q(scope=Scope.PERSONAL, owner=user)
    if can_approve(user):
        return scripts.filter(Q(scope=Scope.SHOP) | personal)
    shop_visible = Q(scope=Scope.SHOP) & (Q(approved_version__isnull=False) | Q(created_by=user))
    return scripts.filter(shop_visible | personal).filter(Q(created_by=user) | Q(owner=user) | ~Q(status=Status.ARCHIVED))


def script_get_for_user(*, user, script_id: int) -> Script:
    script = scripts_visible_to(user).select_related("category", "shop", "owner").filter(pk=script_id).first()
    if script is None:
        raise NotFound()
    return script


def can_edit(user, script: Script) -> bool:
    """Personal scripts: their owner. Shop-wide: an approver, or the proposer while it is
    a draft or was rejected."""
    if script.scope == Scope.PERSONAL:
        return script.owner_id == user.pk
    if can_approve(user):
        return True
    return script.created_by_id == user.pk and script.status in (Status.DRAFT, Status.REJECTED)
