"""Routing settings in a real browser: the supervisor builds the 售前 group with two
members (one with a lower cap in the group) and an overflow to 售后, and lowers the shop's
default cap."""

from e2e.pages import login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, AgentFactory, UserFactory
from kefu.routing.models import RoutingSettings, SkillGroup


def test_supervisor_sets_up_skill_groups(page, screenshot, shop):
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR]).shops.add(shop)
    mei = AgentFactory(shop=shop, name="小美")
    li = AgentFactory(shop=shop, name="小丽")
    SkillGroup.objects.create(shop=shop, key="aftersale", name="售后")
    login(page, "zhuguan", PASSWORD)
    page.goto(f"{page.base_url}/routing/")
    page.click("[data-new-group]")
    page.fill("#id_key", "presale")
    page.fill("#id_name", "售前")
    page.select_option("#id_stage", "presale")
    page.select_option("#id_overflow_group", label="售后")
    page.fill("#id_overflow_after_seconds", "90")
    page.check(f"#id_member_{mei.pk}")
    page.check(f"#id_member_{li.pk}")
    page.fill(f"#id_cap_{li.pk}", "2")
    page.click("[data-group-form] button[type=submit]")
    row = page.locator("[data-table=groups] tr[data-group=presale]")
    row.wait_for()
    assert "小美" in row.inner_text() and "小丽 (2)" in row.inner_text() and "售后" in row.inner_text()

    page.fill("#id_default_max_concurrent", "4")
    page.click("[data-settings-form] button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert RoutingSettings.objects.get(shop=shop).default_max_concurrent == 4
    assert page.locator(f"[data-table=caps] tr[data-agent='{mei.pk}'] [data-cap]").inner_text() == "4"
    screenshot("routing_settings")
