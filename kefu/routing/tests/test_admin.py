"""The routing admin pages open for staff and offer no add, change or delete."""

import pytest
from django.contrib import admin
from django.urls import reverse

from kefu.routing.models import AgentRouting, Assignment, QueueEntry, RoutingSettings, SkillGroup

pytestmark = pytest.mark.django_db
MODELS = [RoutingSettings, SkillGroup, AgentRouting, QueueEntry, Assignment]


def test_routing_admin_pages_are_read_only(client_for, make_user, presale, agents, online, conversation, now):
    from kefu.accounts.roles import Role

    from kefu.routing.services import route_conversation

    online(agents[0])
    for _ in range(3):
        route_conversation(conversation(), now=now)  # two assigned, one waiting
    # A superuser: the admin role's permissions (kefu.accounts.roles) cover only the routing
    # states and the queue, not settings, groups and the assignment log.
    client = client_for(make_user(Role.ADMIN, username="root", is_staff=True, is_superuser=True))
    for model in MODELS:
        url = reverse(f"admin:routing_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(None) and not model_admin.has_delete_permission(None)
