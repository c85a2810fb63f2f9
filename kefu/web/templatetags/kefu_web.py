"""Template helpers of the site layout: the signed-in person's role and what the
navigation offers them."""

from django import template

from kefu.accounts.permissions import ConversationReach, conversation_reach
from kefu.accounts.roles import Role
from kefu.accounts.selectors import user_primary_role

register = template.Library()


@register.simple_tag
def role_label(user) -> str:
    role = user_primary_role(user)
    return Role(role).label if role else ""


@register.simple_tag
def sees_conversations(user) -> bool:
    return conversation_reach(user) != ConversationReach.NONE


@register.filter
def total(counts) -> int:
    """Sum of a ``{type: count}`` mapping (import counts per record type)."""
    return sum((counts or {}).values())


@register.filter
def absolute(number):
    return abs(number)
