"""Roles exist as groups after migrate, with exactly their declared permissions."""

import pytest
from django.contrib.auth.models import Group, Permission

from kefu.accounts.roles import ROLE_PERMISSIONS, Role, roles_sync

pytestmark = pytest.mark.django_db


def _perms(group):
    return {f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")}


def test_every_role_group_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_custom_permissions_exist():
    for codename in ("view_personal_data", "view_all_conversations", "view_team_conversations"):
        assert Permission.objects.filter(codename=codename).exists()


@pytest.mark.parametrize("role", list(Role))
def test_role_has_exactly_its_permissions(role):
    assert _perms(Group.objects.get(name=role.value)) == set(ROLE_PERMISSIONS[role])


def test_no_role_sees_personal_data_by_default():
    assert not Group.objects.filter(permissions__codename="view_personal_data").exists()


def test_roles_sync_restores_an_edited_group_and_is_idempotent():
    agent = Group.objects.get(name=Role.AGENT)
    agent.permissions.add(Permission.objects.get(codename="view_personal_data"))
    roles_sync()
    roles_sync()
    assert _perms(agent) == set(ROLE_PERMISSIONS[Role.AGENT])
    assert Group.objects.filter(name=Role.AGENT).count() == 1


def test_department_users_get_no_conversation_permission():
    for role in (Role.LOGISTICS, Role.PRODUCT, Role.OPERATIONS):
        assert not any(perm.startswith("conversations.") for perm in ROLE_PERMISSIONS[role])
