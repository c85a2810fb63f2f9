"""The live chat journey (issue 6's acceptance): a customer writes in the widget; the
conversation is routed to an agent, who inserts a script with its variables filled and
answers; the customer sees it live and rates; the conversation's metrics and QA findings
exist without any import. Two browser contexts against a real ASGI server (WebSockets)."""

import pytest
from django.urls import reverse

from e2e.asgi import asgi_server  # noqa: F401 (fixture)
from e2e.pages import login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD
from kefu.conversations.models import Conversation
from kefu.live.selectors import widget_settings_for
from kefu.live.tokens import customer_token_make
from kefu.metrics.engine import metrics_compute
from kefu.metrics.rollups import rollups_refresh
from kefu.presence.models import PresenceStatus
from kefu.qa.models import Inspection
from kefu.routing.services import agent_status_set, routing_settings_update, skill_group_create

HOSTILE_NICK = '小王<img src=x onerror="document.title=\'pwned\'">'


@pytest.fixture
def context_for(browser):
    made = []

    def make(base_url):
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport={"width": 1360, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.base_url = base_url
        made.append(context)
        return page

    yield make
    for context in made:
        context.close()


def shot(page, name):
    from e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_customer_agent_rating_journey(asgi_server, context_for, shop, make_user):  # noqa: F811
    agent_user = make_user(Role.AGENT, username="xiaomei", display_name="小美", agent_shop=shop)
    make_user(Role.SUPERVISOR, username="zhuguan", display_name="王主管", shops=[shop])
    routing_settings_update(shop=shop, default_max_concurrent=3)
    skill_group_create(shop=shop, key="presale", name="售前", stage="presale", members=[agent_user.agent])
    agent_status_set(agent_user.agent, PresenceStatus.ONLINE)
    token = customer_token_make(secret=widget_settings_for(shop).secret, shop_ext=shop.ext_id,
                                customer_ext="buyer-77", nick=HOSTILE_NICK)

    agent = context_for(asgi_server)
    login(agent, "xiaomei", PASSWORD)
    agent.goto(f"{asgi_server}{reverse('live:workspace')}")
    agent.wait_for_function("document.body.dataset.live === 'connected'")

    customer = context_for(asgi_server)
    customer.goto(f"{asgi_server}{reverse('live:widget')}?token={token}")
    customer.wait_for_selector("[data-widget][data-connected=true]")
    customer.fill("[data-input]", "在吗？这款有L码吗")
    customer.click(".kw-send")
    customer.wait_for_selector(".kw-customer .kw-bubble:has-text('这款有L码吗')")

    # The supervisor's monitor shows the conversation and how long the customer has waited.
    supervisor = context_for(asgi_server)
    login(supervisor, "zhuguan", PASSWORD)
    supervisor.goto(f"{asgi_server}{reverse('live:monitor')}")
    row = supervisor.locator("[data-table=live] tr[data-conversation]")
    row.wait_for()
    assert row.locator("[data-open]").inner_text() == HOSTILE_NICK
    assert row.locator("[data-wait]").inner_text().strip() not in ("", "—")
    shot(supervisor, "live_journey_monitor")

    # Routed to 小美: her list refreshes from the socket's event, without reloading.
    item = agent.locator("[data-list=waiting] [data-conversation]")
    item.wait_for()
    item.click()
    agent.wait_for_selector(".ws-customer .ws-bubble:has-text('这款有L码吗')")
    agent.wait_for_function("document.body.dataset.live === 'connected'")
    # A suggestion for the size question, and the greeting script with the nickname filled.
    agent.wait_for_selector("#ws-suggest [data-script-choice]")
    agent.fill("[data-script-search]", "欢迎光临")
    greeting = agent.locator("#ws-script-results [data-script-choice]").filter(has_text="欢迎光临旗舰店").first
    greeting.wait_for()
    greeting.locator("[data-insert]").click()
    inserted = agent.input_value("[data-reply-text]")
    assert inserted.startswith(HOSTILE_NICK) and "旗舰店" in inserted and "{" not in inserted
    agent.click("[data-reply] button[type=submit]")
    agent.wait_for_selector(".ws-agent .ws-bubble:has-text('欢迎光临')")
    shot(agent, "live_workspace")

    # The supervisor whispers; 小美 sees it live, the customer never does.
    row.locator("[data-open]").click()
    supervisor.fill("[data-whisper-form] textarea", "先确认尺码再推荐")
    supervisor.click("[data-whisper-form] button[type=submit]")
    agent.wait_for_selector(".ws-whisper .ws-bubble:has-text('先确认尺码再推荐')")

    # The customer sees the answer live, and the agent sees it read.
    customer.wait_for_selector(".kw-agent .kw-bubble:has-text('欢迎光临旗舰店')")
    agent.wait_for_selector(".ws-agent .ws-read:has-text('已读')")
    assert customer.title() != "pwned" and agent.title() != "pwned"
    assert customer.locator(".kw-agent .kw-bubble").first.inner_text().startswith(HOSTILE_NICK)

    # The agent ends it as a size question; the customer is asked to rate and gives 5.
    agent.select_option("[data-disposition]", "size")
    agent.click("[data-end]")
    agent.wait_for_load_state("networkidle")
    customer.wait_for_selector("[data-rating]:not([hidden])")
    customer.click("[data-rate='5']")
    customer.wait_for_selector("[data-thanks]:not([hidden])")
    shot(customer, "live_widget")
    assert "先确认尺码再推荐" not in customer.content()

    conversation = Conversation.objects.get(customer_ext="buyer-77")
    assert conversation.rating == 5 and conversation.ended_at is not None
    assert Inspection.objects.filter(conversation=conversation).exists()  # QA, without any import
    rollups_refresh()
    row = metrics_compute(start=conversation.started_at.replace(hour=0, minute=0, second=0, microsecond=0),
                          end=conversation.ended_at.replace(hour=23, minute=59, second=59), shops=[shop],
                          keys=["conversations", "csat", "first_response_time_avg"])[0]
    assert row.metrics["conversations"] == 1 and row.metrics["csat"] == 1
    assert row.metrics["first_response_time_avg"] is not None
