"""The supervisor's live monitor (实时监控) in a real browser: 王主管 sees 小美 online with a
chat and a customer waiting in the queue with their wait; a new arrival shows up on the
next refresh; she opens the live conversation (the customer's hostile text stays text),
whispers to the agent, and the whisper shows for staff only.

pytest-django's live server speaks WSGI (no WebSockets): the page must work on its
fallback poll; the journey presses "refresh now" instead of waiting 15 s."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from e2e.pages import login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, AgentFactory, TeamFactory, UserFactory
from kefu.conversations.models import Message, Sender
from kefu.core.testing.factories import ConversationFactory, CustomerFactory, MessageFactory, ShopFactory
from kefu.live.models import Whisper
from kefu.live.selectors import CHANNEL
from kefu.presence.models import PresenceStatus
from kefu.routing.services import agent_status_set, route_conversation, routing_settings_update, skill_group_create

HOSTILE = "<img src=x onerror=alert(1)>"


def wait(page) -> None:
    page.wait_for_load_state("networkidle")


def world():
    shop = ShopFactory(ext_id="s1", name="旗舰店")
    team = TeamFactory(name="售前一组")
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR], shops=[shop])
    xiaomei = AgentFactory(shop=shop, ext_id="a1", name="小美", team=team)
    routing_settings_update(shop=shop, default_max_concurrent=1)
    skill_group_create(shop=shop, key="presale", name="售前", members=[xiaomei])
    now = timezone.now()
    agent_status_set(xiaomei, PresenceStatus.ONLINE, at=now - timedelta(minutes=30))

    def live(nick, minutes):
        started = now - timedelta(minutes=minutes)
        conversation = ConversationFactory(shop=shop, customer=CustomerFactory(shop=shop, nick=nick), channel=CHANNEL,
                                           started_at=started)
        route_conversation(conversation, now=started)
        MessageFactory(conversation=conversation, sent_at=started, text="在吗？这款有L码吗")
        return conversation

    chatting = live(HOSTILE, 8)
    MessageFactory(conversation=chatting, sent_at=now - timedelta(minutes=7), sender=Sender.AGENT, agent=xiaomei,
                   text="亲，您好，L码有货的")
    MessageFactory(conversation=chatting, sent_at=now - timedelta(minutes=2), text="</script><script>alert(2)</script>")
    live("tb_等很久", 4)
    return shop, chatting


def test_supervisor_watches_the_queue_and_whispers_to_an_agent(page, screenshot, settings):
    reverse("live:monitor")  # import the site's URLs (and what they load) before the first page load
    shop, chatting = world()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    login(page, "zhuguan", PASSWORD)
    page.goto(f"{page.base_url}/live/monitor/")
    wait(page)
    agent = page.locator('[data-table="agents"] tr', has_text="小美")
    assert agent.locator("[data-status]").inner_text() == "在线"
    assert agent.locator("[data-load]").inner_text().replace(" ", "") == "1/1"
    queued = page.locator('[data-table="queue"] tr', has_text="tb_等很久")
    assert "4分" in queued.locator("[data-wait]").inner_text()
    assert page.locator('[data-kpi="waiting"]').inner_text() == "1"
    assert "4分" in page.locator("[data-longest]").inner_text()
    slow = page.locator(f'[data-table="live"] tr[data-conversation="{chatting.pk}"] [data-slow]')
    assert "2分" in slow.inner_text()  # the customer's last question waits over the 60 s default

    # Another customer arrives; the panel shows them on its next refresh (no socket here).
    late = ConversationFactory(shop=shop, customer=CustomerFactory(shop=shop, nick="tb_新来的"), channel=CHANNEL)
    route_conversation(late)
    page.click("[data-monitor-refresh]")
    page.locator('[data-table="queue"] tr', has_text="tb_新来的").wait_for()
    assert page.locator('[data-kpi="waiting"]').inner_text() == "2"
    screenshot("live_monitor")

    # The supervisor opens the live conversation: hostile text is shown as text.
    page.locator(f'[data-table="live"] tr[data-conversation="{chatting.pk}"] a[data-open]').click()
    wait(page)
    assert page.url.endswith(f"/live/monitor/c/{chatting.pk}/")
    assert page.locator("[data-customer]").inner_text() == HOSTILE
    assert page.locator("[data-message]").last.locator(".msg-text").inner_text() == "</script><script>alert(2)</script>"
    assert page.locator("img[src=x]").count() == 0

    page.fill("[data-whisper-form] textarea", "先安抚顾客，再确认尺码")
    page.click("[data-whisper-form] button[type=submit]")
    wait(page)
    whisper = Whisper.objects.get()
    assert page.locator(f'[data-whisper="{whisper.pk}"] .msg-text').inner_text() == "先安抚顾客，再确认尺码"
    assert page.locator(".flash").inner_text().strip() != ""
    assert not Message.objects.filter(text__contains="先安抚").exists()  # not a message: the customer never sees it
    screenshot("live_monitor_conversation")
    assert dialogs == []
