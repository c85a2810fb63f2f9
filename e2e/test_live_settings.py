"""The chat widget's settings page: a supervisor sets the greeting and the sites that may
embed the widget, sees the signing secret, makes a new one, and previews the widget."""

from e2e.pages import login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, UserFactory
from kefu.live.selectors import widget_settings_for


def test_supervisor_sets_up_the_widget(page, screenshot, shop):
    supervisor = UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])
    supervisor.shops.add(shop)
    old_secret = widget_settings_for(shop).secret
    login(page, "zhuguan", PASSWORD)
    page.goto(f"{page.base_url}/live/settings/")
    page.fill("#id_greeting", "亲，欢迎光临旗舰店，有什么可以帮您？")
    page.fill("#id_allowed_origins", "not a site")
    page.click("form button.button-primary")
    assert page.locator(".errorlist").inner_text().strip()
    page.fill("#id_allowed_origins", "https://shop.example.com")
    page.click("form button.button-primary")
    page.wait_for_selector(".flash-success")
    assert page.locator("[data-secret]").inner_text() == old_secret
    page.click("button[name=rotate]")
    page.wait_for_selector(".flash-success")
    new_secret = page.locator("[data-secret]").inner_text()
    assert new_secret != old_secret and new_secret == widget_settings_for(shop).secret
    widget = widget_settings_for(shop)
    assert widget.greeting.startswith("亲，欢迎光临") and widget.origins() == ["https://shop.example.com"]
    screenshot("live_settings")

    preview = page.locator("a[target=_blank]").get_attribute("href")
    page.goto(f"{page.base_url}{preview}")
    page.wait_for_selector("[data-widget]")
    assert page.locator("textarea[data-input]").is_visible()
