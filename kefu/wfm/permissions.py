"""Who may see and do what with rosters; applied to querysets.

- ``wfm.manage_schedules`` (supervisor, administrator): plan, edit and publish the rosters
  of their shops, edit the shops' scheduling rules, decide shift requests;
- ``wfm.view_own_shifts`` (agent, with a linked agent record): their own published shifts,
  their own requests (and swaps offered to them), asking for leave or a swap.

The ``*_get_for_user`` helpers fetch and check in one step and raise the same ``NotFound``
for a record that does not exist and one the user may not see.
"""

from django.db.models import Q, QuerySet

from kefu.accounts.models import Agent
from kefu.accounts.permissions import scope_to_shops, shops_for_user
from kefu.accounts.selectors import user_agent
from kefu.core.errors import NotFound, PermissionDenied
from kefu.wfm.models import Roster, RosterShift, RosterStatus, ShiftRequest

MANAGE = "wfm.manage_schedules"
VIEW_OWN = "wfm.view_own_shifts"


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_manage(user) -> bool:
    return _active(user) and user.has_perm(MANAGE)


def manage_required(user) -> None:
    if not can_manage(user):
        raise PermissionDenied()


def own_agent(user) -> Agent | None:
    """The user's agent record when they may see their own shifts."""
    if not _active(user) or not user.has_perm(VIEW_OWN):
        return None
    return user_agent(user)


def own_agent_required(user) -> Agent:
    agent = own_agent(user)
    if agent is None:
        raise PermissionDenied()
    return agent


def manage_shop_check(user, shop) -> None:
    """``user`` may manage the rosters of ``shop`` (``None`` is the system: a CLI run)."""
    if user is None:
        return
    manage_required(user)
    if not shops_for_user(user).filter(pk=shop.pk).exists():
        raise PermissionDenied()


def rosters_visible_to(user) -> QuerySet[Roster]:
    if not can_manage(user):
        return Roster.objects.none()
    return scope_to_shops(Roster.objects.select_related("shop"), user)


def roster_get_for_user(user, pk) -> Roster:
    roster = rosters_visible_to(user).filter(pk=pk).first()
    if roster is None:
        raise NotFound()
    return roster


def shift_get_for_manager(user, pk) -> RosterShift:
    shift = (RosterShift.objects.select_related("roster__shop", "agent")
             .filter(pk=pk, roster__in=rosters_visible_to(user)).first())
    if shift is None:
        raise NotFound()
    return shift


def own_shifts(user) -> QuerySet[RosterShift]:
    """The user's own shifts on published rosters."""
    agent = own_agent(user)
    if agent is None:
        return RosterShift.objects.none()
    return RosterShift.objects.filter(agent=agent, roster__status=RosterStatus.PUBLISHED).select_related("roster__shop")


def own_shift_get(user, pk) -> RosterShift:
    shift = own_shifts(user).filter(pk=pk).first()
    if shift is None:
        raise NotFound()
    return shift


def shift_requests_visible_to(user) -> QuerySet[ShiftRequest]:
    """A manager: every request of their shops; an agent: the ones they made or were named in."""
    requests = ShiftRequest.objects.select_related("requester", "target_agent", "shift__roster__shop", "decided_by")
    if can_manage(user):
        return scope_to_shops(requests, user, field="shift__roster__shop")
    agent = own_agent(user)
    if agent is None:
        return ShiftRequest.objects.none()
    return requests.filter(Q(requester=agent) | Q(target_agent=agent))


def shift_request_get_for_manager(user, pk) -> ShiftRequest:
    if not can_manage(user):
        raise NotFound()
    request = shift_requests_visible_to(user).filter(pk=pk).first()
    if request is None:
        raise NotFound()
    return request
