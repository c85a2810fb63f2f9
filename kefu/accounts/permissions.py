"""Who may see what: every list is a queryset scoped by the user's shops and role.

Two limits combine: ``User.shops`` (empty: every shop) and the role's reach over
conversations —

- ``conversations.view_all_conversations`` (supervisor, QA, administrator): all of their shops';
- ``conversations.view_team_conversations`` (team lead): those of the teams they lead;
- ``conversations.view_conversation`` (agent): their own — assigned to their agent, or
  with a message from it;
- otherwise (department users): none.

The ``*_get_for_user`` helpers fetch and check in one step and raise the same
``NotFound`` for a record that does not exist and one the user may not see.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet

from kefu.accounts.models import Agent
from kefu.accounts.selectors import user_agent
from kefu.conversations.models import Conversation, Message
from kefu.core.errors import NotFound
from kefu.customers.models import Customer
from kefu.shops.models import Shop


class ConversationReach(StrEnum):
    ALL = "all"
    TEAM = "team"
    OWN = "own"
    NONE = "none"


def shop_ids_for_user(user) -> list[int] | None:
    """The ids of the shops the user works for; None means every shop."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_kefu_shop_ids", False)
    if cached is False:
        cached = list(user.shops.values_list("id", flat=True)) or None
        user._kefu_shop_ids = cached
    return cached


def shops_for_user(user) -> QuerySet[Shop]:
    shop_ids = shop_ids_for_user(user)
    return Shop.objects.all() if shop_ids is None else Shop.objects.filter(id__in=shop_ids)


def scope_to_shops(queryset: QuerySet, user, *, field: str = "shop", shared_null: bool = False) -> QuerySet:
    """Limit ``queryset`` to the user's shops through ``field``. With ``shared_null``, rows
    without a shop (an agent who serves every shop) stay visible to everyone."""
    shop_ids = shop_ids_for_user(user)
    if shop_ids is None:
        return queryset
    condition = Q(**{f"{field}__in": shop_ids})
    if shared_null:
        condition |= Q(**{f"{field}__isnull": True})
    return queryset.filter(condition)


def conversation_reach(user) -> ConversationReach:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ConversationReach.NONE
    if user.has_perm("conversations.view_all_conversations"):
        return ConversationReach.ALL
    if user.has_perm("conversations.view_team_conversations"):
        return ConversationReach.TEAM
    if user.has_perm("conversations.view_conversation") and user_agent(user) is not None:
        return ConversationReach.OWN
    return ConversationReach.NONE


def _agents_condition(agents) -> Q:
    # A conversation is an agent's when it is assigned to them or they wrote in it.
    return Q(assigned_agent__in=agents) | Q(id__in=Message.objects.filter(agent__in=agents).values("conversation_id"))


def conversation_list_for_user(user) -> QuerySet[Conversation]:
    """Every conversation the user may see (unordered beyond the model's default)."""
    reach = conversation_reach(user)
    conversations = scope_to_shops(Conversation.objects.all(), user)
    if reach == ConversationReach.ALL:
        return conversations
    if reach == ConversationReach.TEAM:
        team_agents = Agent.objects.filter(team__lead=user)
        own = user_agent(user)
        condition = _agents_condition(team_agents)
        if own is not None:
            condition |= _agents_condition([own])
        return conversations.filter(condition)
    if reach == ConversationReach.OWN:
        return conversations.filter(_agents_condition([user_agent(user)]))
    return conversations.none()


def conversation_get_for_user(*, user, conversation_id) -> Conversation:
    conversation = (
        conversation_list_for_user(user)
        .select_related("shop", "customer", "assigned_agent", "order")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise NotFound()
    return conversation


def customer_list_for_user(user) -> QuerySet[Customer]:
    """Customers of the user's shops for those who see every conversation; otherwise only
    the customers of the conversations the user may see."""
    if not user.has_perm("customers.view_customer"):
        return Customer.objects.none()
    customers = scope_to_shops(Customer.objects.all(), user)
    if conversation_reach(user) == ConversationReach.ALL:
        return customers
    return customers.filter(id__in=conversation_list_for_user(user).values("customer_id"))


def customer_get_for_user(*, user, customer_id) -> Customer:
    customer = customer_list_for_user(user).select_related("shop").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    return customer

