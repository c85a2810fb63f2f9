"""Who may route and watch: fetch-and-check helpers (missing and not visible give the
same ``NotFound``) for sessions and API tokens.

- ``routing.manage_routing`` (supervisor, administrator): route, transfer and manually
  assign the conversations of their shops, set any of their agents' status;
- ``routing.view_agentrouting`` / ``routing.view_queueentry`` (also team leads): see the
  agents' load and the queue of their shops;
- every agent may set their own status.
A bearer token acts as the system inside its shop (an admin token: every shop)."""

from django.db.models import Q

from kefu.accounts.models import Agent, ApiToken
from kefu.accounts.permissions import scope_to_shops
from kefu.accounts.selectors import user_agent
from kefu.conversations.models import Conversation
from kefu.core.errors import NotFound, PermissionDenied

MANAGE = "routing.manage_routing"
VIEW_AGENTS = "routing.view_agentrouting"
VIEW_QUEUE = "routing.view_queueentry"


def _scoped(queryset, caller, *, shared_null: bool = False):
    if isinstance(caller, ApiToken):
        if caller.is_admin:
            return queryset
        condition = Q(shop_id=caller.shop_id) | (Q(shop__isnull=True) if shared_null else Q(pk__in=[]))
        return queryset.filter(condition)
    return scope_to_shops(queryset, caller, shared_null=shared_null)


def conversation_get_for_routing(*, caller, conversation_id: int) -> Conversation:
    conversation = _scoped(Conversation.objects.all(), caller).filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound()
    if not isinstance(caller, ApiToken) and not caller.has_perm(MANAGE):
        raise PermissionDenied(code="routing_forbidden")
    return conversation


def agent_get_for_status(*, caller, agent_id: int) -> Agent:
    """The agent whose status the caller sets: themselves, or one of their shops' agents
    for a routing manager or a token."""
    agent = _scoped(Agent.objects.all(), caller, shared_null=True).filter(pk=agent_id).first()
    if agent is None:
        raise NotFound()
    if isinstance(caller, ApiToken):
        return agent
    own = user_agent(caller)
    if (own is None or own.pk != agent.pk) and not caller.has_perm(MANAGE):
        raise PermissionDenied(code="routing_forbidden")
    return agent


def agent_get_for_assignment(*, caller, conversation: Conversation, agent_id: int) -> Agent:
    """The agent a routing manager (or a token) hands the conversation to: one the caller
    reaches who serves the conversation's shop (or every shop)."""
    agents = _scoped(Agent.objects.all(), caller, shared_null=True).filter(
        Q(shop_id=conversation.shop_id) | Q(shop__isnull=True))
    agent = agents.filter(pk=agent_id).first()
    if agent is None:
        raise NotFound()
    return agent


def routing_view_check(*, caller, perm: str) -> None:
    if not isinstance(caller, ApiToken) and not caller.has_perm(perm):
        raise PermissionDenied(code="routing_forbidden")


def shop_ids_for_caller(caller) -> list[int] | None:
    """The shops the caller reaches; None: every shop."""
    from kefu.accounts.permissions import shop_ids_for_user

    if isinstance(caller, ApiToken):
        return None if caller.is_admin else [caller.shop_id]
    return shop_ids_for_user(caller)
