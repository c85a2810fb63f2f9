"""Who may do what in the live chat (fetch-and-check: missing and not visible give the
same NotFound).

- an agent sees and answers the conversations assigned to them now, and ones they served;
- ``routing.view_agentrouting`` (team leads, supervisors) watch the live monitor of their
  shops and open any live conversation there; ``routing.manage_routing`` (supervisors)
  also whisper, take over and reassign."""

from kefu.accounts.permissions import scope_to_shops, shop_ids_for_user
from kefu.accounts.selectors import user_agent
from kefu.conversations.models import Conversation
from kefu.core.errors import NotFound
from kefu.routing.models import Assignment
from kefu.shops.models import Shop

WATCH = "routing.view_agentrouting"
MANAGE = "routing.manage_routing"


def monitor_shop_ids(user) -> list[int]:
    """The shops whose live monitor the user may watch."""
    if not user.has_perm(WATCH):
        return []
    shop_ids = shop_ids_for_user(user)
    return list(Shop.objects.values_list("pk", flat=True)) if shop_ids is None else shop_ids


def conversation_get_for_live(*, user, conversation_id: int) -> Conversation:
    conversation = Conversation.objects.select_related("shop", "customer").filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound()
    if user.has_perm(WATCH) and scope_to_shops(Conversation.objects.filter(pk=conversation_id), user).exists():
        return conversation
    agent = user_agent(user)
    if agent is not None and Assignment.objects.filter(conversation=conversation, agent=agent).exists():
        return conversation
    raise NotFound()
