"""The admin site: who may open it, and what it shows them."""

import pytest
from django.urls import reverse

from kefu.accounts.models import ApiToken
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import ApiTokenFactory
from kefu.core.testing.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def test_agent_cannot_open_the_admin(agent_client):
    response = agent_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("role", [Role.QA, Role.LOGISTICS, Role.TEAM_LEAD])
def test_non_staff_roles_cannot_open_the_admin(make_user, client_for, role):
    assert client_for(make_user(role)).get(reverse("admin:index")).status_code == 302


def test_administrator_opens_user_and_token_lists(admin_user, client_for, shop):
    ApiTokenFactory(shop=shop)
    client = client_for(admin_user)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 200


def test_admin_revoke_action(admin_user, client_for, shop):
    token = ApiTokenFactory(shop=shop)
    response = client_for(admin_user).post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None


def test_shop_limited_supervisor_sees_only_their_shops_conversations_in_admin(make_user, client_for, shop, other_shop):
    user = make_user(Role.SUPERVISOR, shops=[shop])
    mine = ConversationFactory(shop=shop, ext_id="mine-1")
    theirs = ConversationFactory(shop=other_shop, ext_id="theirs-1")
    client = client_for(user)
    listing = client.get(reverse("admin:conversations_conversation_changelist")).content.decode()
    assert "mine-1" in listing and "theirs-1" not in listing
    assert client.get(reverse("admin:conversations_conversation_change", args=[theirs.pk])).status_code == 302
    assert client.get(reverse("admin:conversations_conversation_change", args=[mine.pk])).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "shops_shop",
        "accounts_agent",
        "accounts_team",
        "customers_customer",
        "conversations_conversation",
        "commerce_order",
        "commerce_aftersale",
        "commerce_review",
        "commerce_logisticsevent",
        "presence_agentstatus",
        "intake_importrun",
        "intake_pendingrecord",
        "core_auditentry",
    ],
)
def test_every_admin_list_and_change_page_opens_for_an_administrator(admin_user, client_for, shop, name):
    _one_of_each(shop, admin_user)
    client = client_for(admin_user)
    listing = client.get(reverse(f"admin:{name}_changelist"))
    assert listing.status_code == 200
    obj = listing.context["cl"].result_list[0]
    assert client.get(reverse(f"admin:{name}_change", args=[obj.pk])).status_code == 200


def _one_of_each(shop, actor):
    from kefu.accounts.tests.factories import AgentFactory, TeamFactory
    from kefu.conversations.models import Sender
    from kefu.core.audit import audit_record
    from kefu.core.testing.factories import (
        AfterSaleFactory,
        AgentStatusFactory,
        LogisticsEventFactory,
        MessageFactory,
        ReviewFactory,
    )
    from kefu.intake.models import ImportRun, PendingRecord, RejectedRecord

    agent = AgentFactory(shop=shop, team=TeamFactory())
    conversation = ConversationFactory(shop=shop, assigned_agent=agent)
    MessageFactory(conversation=conversation)
    MessageFactory(conversation=conversation, sender=Sender.AGENT, agent=agent)
    AfterSaleFactory(shop=shop)
    ReviewFactory(shop=shop, rating=1)
    LogisticsEventFactory(shop=shop)
    AgentStatusFactory(agent=agent)
    run = ImportRun.objects.create(source="file", name="day.jsonl", shop=shop, records=3, rejected_count=1)
    RejectedRecord.objects.create(run=run, line=2, type="message", ext_id="m9", reason="bad time")
    PendingRecord.objects.create(
        type="message", ext_id="m10", ref_type="conversation", ref_ext="v404", scope=shop, payload={"id": "m10"}
    )
    audit_record(actor=actor, action="test", target=shop)


def test_administrator_cannot_make_anyone_superuser(admin_user, client_for):
    client = client_for(admin_user)
    page = client.get(reverse("admin:accounts_user_change", args=[admin_user.pk]))
    assert "is_superuser" not in page.context["adminform"].form.fields
