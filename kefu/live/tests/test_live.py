"""The live chat end to end through its HTTP calls: a customer writes in the widget, the
conversation is routed, the agent answers, ends it with a disposition, the customer
rates; the records are the same an import writes, so the metrics and QA see them."""

import io
import json

import pytest
from django.urls import reverse
from PIL import Image

from kefu.conversations.models import Conversation, Message, Sender
from kefu.live.models import LiveState, Whisper
from kefu.live.selectors import CHANNEL, customer_history
from kefu.metrics.engine import metrics_compute
from kefu.metrics.rollups import rollups_refresh
from kefu.qa.models import Inspection
from kefu.routing.models import Assignment, QueueEntry

HOSTILE = '<img src=x onerror=alert(1)></script><script>alert(2)</script>'


def widget_post(client, name, token, body):
    return client.post(reverse(f"live:{name}"), data=json.dumps(body), content_type="application/json",
                       HTTP_X_KEFU_TOKEN=token)


def reply(client, conversation, text, **extra):
    return client.post(reverse("live:reply", args=[conversation.pk]), data=json.dumps({"text": text, **extra}),
                       content_type="application/json", HTTP_ACCEPT="application/json")


@pytest.fixture
def chat(client, staffed, token_for):
    """A customer's first message, routed: (token, conversation)."""
    token = token_for("buyer-1", nick="小王")
    response = widget_post(client, "widget_message", token, {"text": "在吗？这款有L码吗"})
    assert response.status_code == 201, response.content
    conversation = Conversation.objects.get(pk=response.json()["message"]["conversation"])
    return token, conversation


def test_a_customer_message_opens_a_routed_conversation_as_an_import_would(chat, shop, agent_user, other_agent_user):
    _token, conversation = chat
    assert conversation.channel == CHANNEL and conversation.customer.nick == "小王"
    assert conversation.customer_ext == "buyer-1" and conversation.ext_id.startswith("live-")
    assignment = Assignment.objects.get(conversation=conversation, ended_at__isnull=True)
    assert assignment.agent_id in (agent_user.agent.pk, other_agent_user.agent.pk)
    message = Message.objects.get(conversation=conversation)
    assert (message.sender, message.text, message.shop_id) == (Sender.CUSTOMER, "在吗？这款有L码吗", shop.pk)


def test_the_next_message_joins_the_same_conversation(client, chat):
    token, conversation = chat
    response = widget_post(client, "widget_message", token, {"text": "还有别的颜色吗"})
    assert response.json()["message"]["conversation"] == conversation.pk
    assert Conversation.objects.filter(channel=CHANNEL).count() == 1


def test_agent_reply_end_and_rating_feed_the_metrics_and_qa(client, chat, client_for, agent_user, other_agent_user,
                                                              shop, django_capture_on_commit_callbacks):
    token, conversation = chat
    serving = agent_user if conversation.assigned_agent_id == agent_user.agent.pk else other_agent_user
    agent_client = client_for(serving)
    response = reply(agent_client, conversation, "亲，L码有货的，今天下单今天发哦")
    assert response.status_code == 201, response.content
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(reverse("live:end", args=[conversation.pk]), {"disposition": "size"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.ended_at is not None
    state = LiveState.objects.get(conversation=conversation)
    assert state.disposition == "size" and state.rating_invited_at is not None
    assert Assignment.objects.get(conversation=conversation).end_reason == "ended"
    # QA inspected it as it ended (tasks run immediately in tests).
    assert Inspection.objects.filter(conversation=conversation).exists()

    response = widget_post(client, "widget_rate", token, {"conversation": conversation.pk, "rating": 5})
    assert response.status_code == 200, response.content
    conversation.refresh_from_db()
    assert conversation.rating == 5

    rollups_refresh()
    rows = metrics_compute(start=conversation.started_at.replace(hour=0, minute=0, second=0, microsecond=0),
                           end=conversation.ended_at.replace(hour=23, minute=59), shops=[shop],
                           keys=["conversations", "csat", "first_response_time_avg"])
    values = rows[0].metrics
    assert values["conversations"] == 1
    assert values["csat"] == 1
    assert values["first_response_time_avg"] is not None


def test_only_the_serving_agent_may_answer(chat, client_for, agent_user, other_agent_user):
    _token, conversation = chat
    idle = other_agent_user if conversation.assigned_agent_id == agent_user.agent.pk else agent_user
    response = reply(client_for(idle), conversation, "我来")
    assert response.status_code == 404  # not theirs: the same answer as a missing conversation


def test_a_forged_token_is_refused_and_writes_nothing(client, staffed, shop):
    from kefu.live.tokens import customer_token_make

    forged = customer_token_make(secret="not-the-shop-secret", shop_ext=shop.ext_id, customer_ext="buyer-9")
    response = widget_post(client, "widget_message", forged, {"text": "hi"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_forged"
    assert not Conversation.objects.exists()


def test_bad_messages_get_clear_errors(client, staffed, token_for):
    token = token_for("buyer-2")
    assert widget_post(client, "widget_message", token, {"text": "   "}).json()["error"]["code"] == "empty_message"
    assert widget_post(client, "widget_message", token, {"text": "x" * 4001}).json()["error"]["code"] == \
        "message_too_long"
    response = widget_post(client, "widget_message", token, {"text": "看图", "attachments": ["https://evil.example/x.png"]})
    assert response.json()["error"]["code"] == "bad_attachment"
    assert not Message.objects.exists()


def test_a_customer_sends_an_image(client, staffed, token_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    token = token_for("buyer-3")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "photo.png"
    response = client.post(reverse("live:widget_image"), {"image": upload}, HTTP_X_KEFU_TOKEN=token)
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    response = widget_post(client, "widget_message", token, {"text": "", "attachments": [url]})
    assert response.status_code == 201, response.content
    assert Message.objects.get().attachments == [url]
    image = client.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"

    fake = io.BytesIO(b"<script>alert(1)</script>")
    fake.name = "x.png"
    response = client.post(reverse("live:widget_image"), {"image": fake}, HTTP_X_KEFU_TOKEN=token)
    assert response.json()["error"]["code"] in ("bad_image",)


def test_the_customer_finds_their_history_when_they_come_back(client, chat, client_for, agent_user, other_agent_user,
                                                               shop, token_for):
    token, conversation = chat
    serving = agent_user if conversation.assigned_agent_id == agent_user.agent.pk else other_agent_user
    client_for(serving).post(reverse("live:end", args=[conversation.pk]), {"disposition": "size"})
    page = client.get(reverse("live:widget"), {"token": token_for("buyer-1", nick="小王")})
    assert page.status_code == 200
    boot = json.loads(page.content.decode().split('id="kw-boot" type="application/json">')[1].split("</script>")[0])
    assert [m["text"] for m in boot["history"]] == ["在吗？这款有L码吗"]
    assert [m.text for m in customer_history(shop=shop, customer_ext="buyer-1")] == ["在吗？这款有L码吗"]


def test_nobody_free_means_a_queue_position(client, shop, staffed, token_for, agent_user, other_agent_user):
    from kefu.routing.services import agent_status_set

    agent_status_set(agent_user.agent, "offline")
    agent_status_set(other_agent_user.agent, "offline")
    first = widget_post(client, "widget_message", token_for("q1"), {"text": "有人吗"}).json()
    second = widget_post(client, "widget_message", token_for("q2"), {"text": "有人吗"}).json()
    assert (first["state"]["state"], first["state"]["position"]) == ("queued", 1)
    assert (second["state"]["state"], second["state"]["position"]) == ("queued", 2)
    state = client.get(reverse("live:widget_state"), HTTP_X_KEFU_TOKEN=token_for("q2")).json()
    assert state["state"]["position"] == 2
    agent_status_set(agent_user.agent, "online")
    assert QueueEntry.objects.count() == 0


def test_whispers_never_reach_the_customer(chat, supervisor, shop):
    from kefu.live.services import whisper_add

    _token, conversation = chat
    supervisor.shops.add(shop)
    whisper_add(actor=supervisor, conversation=conversation, text="先安抚，再查库存")
    assert Whisper.objects.count() == 1
    assert all(m.text != "先安抚，再查库存" for m in Message.objects.all())
    assert all(m.text != "先安抚，再查库存" for m in customer_history(shop=shop, customer_ext="buyer-1"))


def test_hostile_text_is_escaped_in_the_workspace_and_widget(client, staffed, token_for, client_for, agent_user,
                                                              other_agent_user):
    token = token_for("evil", nick=HOSTILE)
    widget_post(client, "widget_message", token, {"text": HOSTILE})
    conversation = Conversation.objects.get()
    serving = agent_user if conversation.assigned_agent_id == agent_user.agent.pk else other_agent_user
    for html in (client_for(serving).get(reverse("live:conversation", args=[conversation.pk])).content.decode(),
                 client_for(serving).get(reverse("live:list")).content.decode(),
                 client.get(reverse("live:widget"), {"token": token}).content.decode()):
        assert "<img src=x" not in html
        assert "<script>alert(2)" not in html


def test_the_workspace_shows_the_customer_panel_and_filled_scripts(chat, client_for, agent_user, other_agent_user,
                                                                   shop):
    from kefu.core.testing.factories import OrderFactory

    _token, conversation = chat
    OrderFactory(shop=shop, customer=conversation.customer, ext_id="O-778899")
    serving = agent_user if conversation.assigned_agent_id == agent_user.agent.pk else other_agent_user
    agent_client = client_for(serving)
    page = agent_client.get(reverse("live:conversation", args=[conversation.pk])).content.decode()
    assert "O-778899" in page and "小王" in page
    scripts = agent_client.get(reverse("live:scripts", args=[conversation.pk]), {"q": "订单"}).content.decode()
    assert "O-778899" in scripts or "{订单号}" not in scripts
    suggested = agent_client.get(reverse("live:suggest", args=[conversation.pk])).content.decode()
    assert "data-script-choice" in suggested  # the size question finds a script


def test_transfer_keeps_the_history(chat, client_for, agent_user, other_agent_user):
    _token, conversation = chat
    serving, other = ((agent_user, other_agent_user) if conversation.assigned_agent_id == agent_user.agent.pk
                      else (other_agent_user, agent_user))
    response = client_for(serving).post(reverse("live:transfer", args=[conversation.pk]),
                                        {"target": f"agent:{other.agent.pk}"})
    assert response.status_code == 302
    history = list(Assignment.objects.filter(conversation=conversation).order_by("assigned_at", "id"))
    assert [a.agent_id for a in history] == [serving.agent.pk, other.agent.pk]
    assert history[0].end_reason == "transferred"


def test_opening_the_workspace_postpones_automatic_away(client_for, staffed, agent_user):
    from kefu.routing.models import AgentRouting

    AgentRouting.objects.filter(agent=agent_user.agent).update(last_activity_at=None)
    assert client_for(agent_user).get(reverse("live:workspace")).status_code == 200
    assert AgentRouting.objects.get(agent=agent_user.agent).last_activity_at is not None


def test_a_login_without_an_agent_record_is_told_why(supervisor_client):
    response = supervisor_client.get(reverse("live:workspace"))
    assert response.status_code == 403
