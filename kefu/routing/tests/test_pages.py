"""The supervisor's routing settings pages."""

import pytest
from django.urls import reverse

from kefu.core.models import AuditEntry
from kefu.routing.models import RoutingSettings, SkillGroup, SkillGroupMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(supervisor, shop):
    supervisor.shops.add(shop)
    return supervisor


def test_the_supervisor_creates_a_group_with_members_and_overflow(client_for, boss, shop, agent_user,
                                                                  other_agent_user):
    client = client_for(boss)
    vip = SkillGroup.objects.create(shop=shop, key="vip", name="VIP")
    response = client.post(reverse("routing:group_new"), {
        "shop": shop.pk, "key": "presale", "name": "售前", "stage": "presale", "strategy": "round_robin",
        "base_priority": 0, "overflow_group": vip.pk, "overflow_after_seconds": 60,
        "customer_tags_text": "新客，学生", f"member_{agent_user.agent.pk}": "on", f"cap_{agent_user.agent.pk}": 4,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    group = SkillGroup.objects.get(shop=shop, key="presale")
    assert group.customer_tags == ["新客", "学生"] and group.overflow_group == vip
    assert list(SkillGroupMember.objects.filter(group=group).values_list("agent_id", "max_concurrent")) == [
        (agent_user.agent.pk, 4)]
    assert AuditEntry.objects.filter(action="routing.group_create").exists()

    # Editing sets the members exactly.
    response = client.post(reverse("routing:group_edit", args=[group.pk]), {
        "shop": shop.pk, "key": "presale", "name": "售前", "stage": "presale", "strategy": "least_load",
        "base_priority": 0, f"member_{other_agent_user.agent.pk}": "on",
    })
    assert response.status_code == 302
    assert list(SkillGroupMember.objects.filter(group=group).values_list("agent_id", flat=True)) == [
        other_agent_user.agent.pk]
    page = client.get(reverse("routing:settings")).content.decode()
    assert "售前" in page and other_agent_user.agent.name in page


def test_bad_group_input_is_explained(client_for, boss, shop):
    client = client_for(boss)
    SkillGroup.objects.create(shop=shop, key="presale", name="售前")
    response = client.post(reverse("routing:group_new"), {
        "shop": shop.pk, "key": "presale", "name": "又一个", "strategy": "least_load", "base_priority": 0,
        "overflow_after_seconds": 30,
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert "key" in form.errors and "overflow_group" in form.errors


def test_settings_and_caps_are_saved(client_for, boss, shop, agent_user):
    client = client_for(boss)
    response = client.post(reverse("routing:settings"), {
        "shop": shop.pk, "default_max_concurrent": 6, "sticky_enabled": "on", "sticky_window_hours": 48,
        "vip_priority": 10, "complaint_priority": 5, "auto_away_minutes": 10, "off_hours_message": "下班啦",
    })
    assert response.status_code == 302
    settings = RoutingSettings.objects.get(shop=shop)
    assert (settings.default_max_concurrent, settings.off_hours_message) == (6, "下班啦")
    response = client.post(reverse("routing:agent_cap", args=[agent_user.agent.pk]), {"max_concurrent": 2})
    assert response.status_code == 302
    assert agent_user.agent.routing.max_concurrent == 2
    response = client.post(reverse("routing:settings"), {"shop": shop.pk, "default_max_concurrent": 0})
    assert response.status_code == 200 and "default_max_concurrent" in response.context["form"].errors


def test_agents_and_other_shops_cannot_change_routing(client_for, agent_user, boss, shop, other_shop):
    assert client_for(agent_user).get(reverse("routing:settings")).status_code == 403
    foreign = SkillGroup.objects.create(shop=other_shop, key="x", name="别家")
    client = client_for(boss)
    assert client.get(reverse("routing:group_edit", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("routing:group_delete", args=[foreign.pk])).status_code == 404
    assert SkillGroup.objects.filter(pk=foreign.pk).exists()


def test_removing_a_group(client_for, boss, shop):
    group = SkillGroup.objects.create(shop=shop, key="aftersale", name="售后")
    response = client_for(boss).post(reverse("routing:group_delete", args=[group.pk]))
    assert response.status_code == 302 and not SkillGroup.objects.filter(pk=group.pk).exists()
