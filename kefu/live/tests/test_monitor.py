"""The supervisor's live monitor: the selectors (agents, queue, longest wait, flags), the
pages' permissions, whisper / take over / reassign, and hostile chat text."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import AgentFactory
from kefu.conversations.models import Conversation, Message, Sender
from kefu.customers.models import Customer
from kefu.core.testing.factories import ConversationFactory, CustomerFactory, MessageFactory
from kefu.live import monitor
from kefu.live.models import Whisper
from kefu.live.selectors import CHANNEL, customer_history
from kefu.presence.models import PresenceStatus
from kefu.routing.models import AgentRouting, Assignment, QueueEntry
from kefu.routing.services import agent_status_set, route_conversation, routing_settings_update, skill_group_create

pytestmark = pytest.mark.django_db
HOSTILE_NICK = "<img src=x onerror=alert(1)>"
HOSTILE_TEXT = "</script><script>alert(2)</script>"


@pytest.fixture
def world(shop, team):
    """Two online agents with a cap of 1 in 售前; 小美 has a chat, 小丽 is free; one
    customer waits (it arrived when 小丽 was still away)."""
    routing_settings_update(shop=shop, default_max_concurrent=1)
    xiaomei = AgentFactory(shop=shop, ext_id="a1", name="小美", team=team)
    xiaoli = AgentFactory(shop=shop, ext_id="a2", name="小丽")
    group = skill_group_create(shop=shop, key="presale", name="售前", members=[xiaomei, xiaoli])
    now = timezone.now()
    agent_status_set(xiaomei, PresenceStatus.ONLINE, at=now - timedelta(minutes=30))
    agent_status_set(xiaoli, PresenceStatus.AWAY, at=now - timedelta(minutes=30))

    def live(nick, *, started):
        customer = CustomerFactory(shop=shop, nick=nick)
        conversation = ConversationFactory(shop=shop, customer=customer, channel=CHANNEL, started_at=started)
        route_conversation(conversation, now=started)
        return conversation

    chatting = live("tb_chat", started=now - timedelta(minutes=10))
    waiting = live("tb_wait", started=now - timedelta(minutes=4))
    return {"shop": shop, "group": group, "xiaomei": xiaomei, "xiaoli": xiaoli, "chatting": chatting,
            "waiting": waiting, "now": now}


def say(conversation, sender, text, at, agent=None):
    return MessageFactory(conversation=conversation, sender=sender, text=text, sent_at=at, agent=agent)


# ---- selectors ------------------------------------------------------------------------


def test_agents_show_status_load_and_cap(world):
    agents, offline = monitor.monitor_agents(shop_ids=[world["shop"].pk])
    by_name = {a.name: a for a in agents}
    assert (by_name["小美"].status, by_name["小美"].active_chats, by_name["小美"].cap) == ("online", 1, 1)
    assert by_name["小美"].team == "售前一组" and by_name["小美"].full
    assert by_name["小丽"].status == "away" and by_name["小丽"].active_chats == 0
    assert [a.name for a in agents] == ["小美", "小丽"]  # online first
    assert offline == 0


def test_queue_counts_per_group_and_longest_wait(world):
    now = world["now"]
    groups, lines, total, longest = monitor.monitor_queue(shop_ids=[world["shop"].pk], now=now)
    assert total == 1 and [g.waiting for g in groups] == [1]
    assert lines[0].conversation_id == world["waiting"].pk and lines[0].customer == "tb_wait"
    assert 239 <= longest <= 241 and lines[0].position == 1 and not lines[0].off_hours


def test_slow_reply_is_flagged_over_the_default_threshold(world):
    now, chatting = world["now"], world["chatting"]
    say(chatting, Sender.CUSTOMER, "在吗", now - timedelta(minutes=9))
    say(chatting, Sender.AGENT, "您好，在的", now - timedelta(minutes=8), agent=world["xiaomei"])
    say(chatting, Sender.CUSTOMER, "这款有L码吗", now - timedelta(seconds=90))
    say(chatting, Sender.CUSTOMER, "？？", now - timedelta(seconds=30))
    live, total, _sentiment = monitor.monitor_live(shop_ids=[world["shop"].pk], now=now, thresholds={}, inspect=False)
    line = next(line for line in live if line.conversation_id == chatting.pk)
    assert total == 2
    assert line.agent == "小美" and line.unanswered_seconds == 90 and line.slow  # since the first unanswered
    waiting = next(line for line in live if line.conversation_id == world["waiting"].pk)
    assert waiting.queued and waiting.unanswered_seconds is None and not waiting.flagged


def test_the_shops_own_response_threshold_is_used(world):
    shop = world["shop"]
    shop.settings = {"response_within_seconds": 120}
    shop.save()
    assert monitor.slow_threshold(shop) == (120, True)
    say(world["chatting"], Sender.CUSTOMER, "在吗", world["now"] - timedelta(seconds=90))
    snapshot = monitor.monitor_snapshot(shop_ids=[shop.pk], now=world["now"], inspect=False)
    line = next(line for line in snapshot.live if line.conversation_id == world["chatting"].pk)
    assert line.unanswered_seconds == 90 and not line.slow


def test_a_critical_qa_hit_flags_the_live_conversation(world):
    now, chatting = world["now"], world["chatting"]
    say(chatting, Sender.CUSTOMER, "能便宜点吗", now - timedelta(minutes=3))
    say(chatting, Sender.AGENT, "亲，加我微信私下给您优惠", now - timedelta(minutes=2), agent=world["xiaomei"])
    say(world["waiting"], Sender.CUSTOMER, "在吗", now - timedelta(seconds=20))
    live, _total, _sentiment = monitor.monitor_live(shop_ids=[world["shop"].pk], now=now, thresholds={})
    flagged = {line.conversation_id: line.critical for line in live if line.critical}
    assert list(flagged) == [chatting.pk] and flagged[chatting.pk] == ["引导站外交易"]
    assert live[0].conversation_id == chatting.pk  # flagged lines come first


def test_no_sentiment_model_means_no_mood_flag(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    say(world["chatting"], Sender.CUSTOMER, "太差了，垃圾，我要投诉", world["now"] - timedelta(seconds=5))
    live, _total, sentiment = monitor.monitor_live(shop_ids=[world["shop"].pk], now=world["now"], thresholds={},
                                                   inspect=False)
    assert sentiment is False and all(line.negative is None and not line.negative_flag for line in live)


def test_negative_sentiment_flags_with_a_trained_model(world, settings, tmp_path, monkeypatch):
    class Model:  # the interface of kefu.text.sentiment.SentimentModel
        def predict_proba(self, texts):
            return [0.95 if "投诉" in t else 0.1 for t in texts]

    monkeypatch.setattr("kefu.qa.training.sentiment_model_load", lambda: Model())
    say(world["chatting"], Sender.CUSTOMER, "太慢了，我要投诉", world["now"] - timedelta(seconds=5))
    say(world["waiting"], Sender.CUSTOMER, "几号发货", world["now"] - timedelta(seconds=5))
    live, _total, sentiment = monitor.monitor_live(shop_ids=[world["shop"].pk], now=world["now"],
                                                   thresholds={}, inspect=False)
    negative = {line.conversation_id for line in live if line.negative_flag}
    assert sentiment and negative == {world["chatting"].pk}


def test_todays_figures_come_from_the_metric_engine(world, monkeypatch):
    calls = []

    def compute(**kwargs):
        calls.append(kwargs)
        from kefu.metrics.engine import MetricRow
        return [MetricRow({}, {"conversations": 7, "first_response_time_avg": 65.0, "response_within_rate": 0.5,
                               "reply_rate": 1.0, "csat": None, "inquiry_conversion_rate": 0.25})]

    monkeypatch.setattr(monitor, "metrics_compute", compute)
    figures = {f.metric.key: f.text for f in monitor.today_figures(world["shop"], now=world["now"])}
    start = calls[0]["start"]
    assert (start.hour, start.minute, str(start.tzinfo)) == (0, 0, "Asia/Shanghai") and calls[0]["end"] == world["now"]
    assert figures["conversations"] == "7" and figures["csat"] == "—"
    assert figures["response_within_rate"] != "0.5"  # formatted by the metric formatter


def test_todays_figures_run_on_the_real_engine(world):
    figures = monitor.today_figures(world["shop"], now=world["now"])
    assert [f.metric.key for f in figures] == list(monitor.FIGURE_KEYS)


def test_panel_time_with_200_live_conversations(shop, supervisor_client):
    """The panel inspects at most LIVE_LIMIT conversations; 250 live ones must stay fast."""
    agent = AgentFactory(shop=shop, ext_id="busy", name="忙碌")
    now = timezone.now()
    stamps = {"imported_at": now, "updated_at": now}
    customers = Customer.objects.bulk_create([Customer(shop=shop, ext_id=f"pc{n}", nick=f"tb_{n}", **stamps)
                                              for n in range(250)])
    conversations = Conversation.objects.bulk_create([
        Conversation(shop=shop, ext_id=f"pv{n}", customer=c, customer_ext=c.ext_id, channel=CHANNEL,
                     started_at=now - timedelta(minutes=5), **stamps) for n, c in enumerate(customers)])
    Assignment.objects.bulk_create([Assignment(conversation=c, shop=shop, agent=agent, reason="routed",
                                               assigned_at=now - timedelta(minutes=5)) for c in conversations])
    Message.objects.bulk_create(
        [Message(shop=shop, conversation=c, ext_id=f"p{c.pk}-{n}", sent_at=now - timedelta(minutes=4 - n),
                 **stamps,
                 sender=Sender.CUSTOMER if n % 2 == 0 else Sender.AGENT, agent=agent if n % 2 else None,
                 text="这款有L码吗" if n % 2 == 0 else "亲，有的") for c in conversations for n in range(4)])
    supervisor_client.get(reverse("live:monitor_panel"))  # warm: rules, caches
    started = time.perf_counter()
    response = supervisor_client.get(reverse("live:monitor_panel"))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response.content.count(b"data-conversation=") == monitor.LIVE_LIMIT
    print(f"\nmonitor panel with 250 live conversations: {elapsed:.2f} s")
    assert elapsed < 5


# ---- pages and permissions ---------------------------------------------------------------


def test_the_monitor_page_shows_agents_queue_and_live(world, supervisor_client):
    html = supervisor_client.get(reverse("live:monitor")).content.decode()
    assert "小美" in html and "tb_wait" in html and 'data-kpi="waiting">1<' in html
    assert 'hx-get="/live/monitor/panel/"' in html and "every 15s" in html
    panel = supervisor_client.get(reverse("live:monitor_panel")).content.decode()
    assert "<html" not in panel and f'data-conversation="{world["chatting"].pk}"' in panel


def test_an_agent_may_not_watch(world, agent_client):
    assert agent_client.get(reverse("live:monitor")).status_code == 403
    assert agent_client.get(reverse("live:monitor_panel")).status_code == 403
    assert agent_client.get(reverse("live:monitor_conversation", args=[world["chatting"].pk])).status_code == 403


def test_a_team_lead_watches_but_may_not_act(world, team_lead, client_for):
    client = client_for(team_lead)
    pk = world["chatting"].pk
    page = client.get(reverse("live:monitor_conversation", args=[pk]))
    assert page.status_code == 200 and b"data-takeover" not in page.content
    assert client.post(reverse("live:whisper", args=[pk]), {"text": "注意语气"}).status_code == 403
    assert client.post(reverse("live:takeover", args=[pk])).status_code == 403
    assert client.post(reverse("live:reassign", args=[pk]), {"target": "group:1"}).status_code == 403
    assert not Whisper.objects.exists()


def test_another_shops_conversation_is_not_found(world, make_user, other_shop, client_for):
    outsider = client_for(make_user(Role.SUPERVISOR, shops=[other_shop]))
    pk = world["chatting"].pk
    assert outsider.get(reverse("live:monitor_conversation", args=[pk])).status_code == 404
    assert outsider.post(reverse("live:whisper", args=[pk]), {"text": "x"}).status_code == 404
    assert outsider.post(reverse("live:takeover", args=[pk])).status_code == 404
    assert b"tb_chat" not in outsider.get(reverse("live:monitor_panel")).content


def test_an_imported_conversation_is_not_a_live_one(shop, supervisor_client):
    imported = ConversationFactory(shop=shop)
    assert supervisor_client.get(reverse("live:monitor_conversation", args=[imported.pk])).status_code == 404


# ---- actions ----------------------------------------------------------------------------


def test_a_whisper_is_not_a_message_and_not_in_the_customers_history(world, supervisor, supervisor_client):
    chatting = world["chatting"]
    say(chatting, Sender.CUSTOMER, "在吗", world["now"] - timedelta(seconds=30))
    response = supervisor_client.post(reverse("live:whisper", args=[chatting.pk]), {"text": "先安抚，再查物流"})
    assert response.status_code == 302
    whisper = Whisper.objects.get()
    assert whisper.author == supervisor and whisper.conversation == chatting
    assert not Message.objects.filter(text__contains="安抚").exists()
    history = customer_history(shop=world["shop"], customer_ext=chatting.customer_ext)
    assert [m.text for m in history] == ["在吗"]
    page = supervisor_client.get(reverse("live:monitor_conversation", args=[chatting.pk])).content.decode()
    assert "先安抚，再查物流" in page and f'data-whisper="{whisper.pk}"' in page


def test_an_empty_whisper_is_refused_with_a_message(world, supervisor_client):
    response = supervisor_client.post(reverse("live:whisper", args=[world["chatting"].pk]), {"text": "  "},
                                      follow=True)
    assert not Whisper.objects.exists()
    assert 'class="flash-error"' in response.content.decode()


def test_takeover_moves_the_assignment_to_the_supervisors_agent(world, make_user, client_for):
    boss = make_user(Role.SUPERVISOR, shops=[world["shop"]], agent_shop=world["shop"], display_name="王主管")
    chatting = world["chatting"]
    client_for(boss).post(reverse("live:takeover", args=[chatting.pk]))
    active = Assignment.objects.get(conversation=chatting, ended_at__isnull=True)
    assert active.agent == boss.agent and active.reason == "transfer" and active.actor == boss
    assert AgentRouting.objects.get(agent=world["xiaomei"]).active_chats == 0
    assert Assignment.objects.filter(conversation=chatting).count() == 2


def test_reassign_to_an_agent_keeps_the_history(world, supervisor, supervisor_client):
    agent_status_set(world["xiaoli"], PresenceStatus.ONLINE, drain=False)
    chatting = world["chatting"]
    supervisor_client.post(reverse("live:reassign", args=[chatting.pk]), {"target": f"agent:{world['xiaoli'].pk}"})
    rows = list(Assignment.objects.filter(conversation=chatting).order_by("assigned_at", "id"))
    assert [(r.agent.name, r.end_reason) for r in rows] == [("小美", "transferred"), ("小丽", "")]
    assert rows[1].actor == supervisor


def test_reassign_to_a_group_queues_when_nobody_has_room(world, supervisor_client):
    chatting = world["chatting"]
    response = supervisor_client.post(reverse("live:reassign", args=[chatting.pk]),
                                      {"target": f"group:{world['group'].pk}"}, follow=True)
    assert response.status_code == 200
    assert QueueEntry.objects.filter(conversation=chatting).exists()
    assert Assignment.objects.get(conversation=chatting).end_reason == "transferred"


def test_reassign_refuses_an_agent_not_offered(world, supervisor_client):
    chatting = world["chatting"]  # 小丽 is away: not a target
    response = supervisor_client.post(reverse("live:reassign", args=[chatting.pk]),
                                      {"target": f"agent:{world['xiaoli'].pk}"}, follow=True)
    assert response.status_code == 200
    assert Assignment.objects.get(conversation=chatting, ended_at__isnull=True).agent == world["xiaomei"]
    assert supervisor_client.post(reverse("live:reassign", args=[chatting.pk]), {"target": "bogus"}).status_code == 302


# ---- hostile text -----------------------------------------------------------------------


def test_hostile_nick_and_text_are_escaped_on_both_pages(world, supervisor_client):
    customer = world["chatting"].customer
    customer.nick = HOSTILE_NICK
    customer.save()
    say(world["chatting"], Sender.CUSTOMER, HOSTILE_TEXT, world["now"] - timedelta(seconds=5))
    Whisper.objects.create(conversation=world["chatting"], text=HOSTILE_NICK)
    for url in (reverse("live:monitor"), reverse("live:monitor_panel"),
                reverse("live:monitor_conversation", args=[world["chatting"].pk])):
        html = supervisor_client.get(url).content.decode()
        assert HOSTILE_NICK not in html and "<script>alert(2)" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
