"""The live chat's sockets, over a real ASGI server: who may listen, and what each side
hears."""

import json

import pytest
from django.urls import reverse
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from e2e.asgi import asgi_server  # noqa: F401 (fixture)
from kefu.conversations.models import Conversation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def connect(asgi_server):  # noqa: F811
    opened = []

    def make(path, cookie=""):
        origin = asgi_server
        headers = {"Cookie": cookie} if cookie else {}
        try:
            socket = ws_connect(asgi_server.replace("http", "ws") + path, origin=origin, additional_headers=headers,
                                open_timeout=10)
        except InvalidStatus:
            return None, False
        # The server accepts, then may close at once (a refused token): wait for the first word.
        opened.append(socket)
        return socket, True

    yield make
    for socket in opened:
        socket.close()


def receive(socket, kind, *, tries=10):
    for _ in range(tries):
        event = json.loads(socket.recv(timeout=5))
        if event["type"] == kind:
            return event
    raise AssertionError(f"no {kind} event")


def never(socket, kind) -> bool:
    """No ``kind`` event arrives within a second (others may)."""
    try:
        while True:
            if json.loads(socket.recv(timeout=1))["type"] == kind:
                return False
    except TimeoutError:
        return True


def send(socket, event):
    socket.send(json.dumps(event))


def refused(socket) -> bool:
    from websockets.exceptions import ConnectionClosed

    try:
        socket.recv(timeout=5)
    except ConnectionClosed:
        return True
    return False


def test_a_forged_token_cannot_listen(connect, staffed, shop):
    from kefu.live.tokens import customer_token_make

    forged = customer_token_make(secret="wrong", shop_ext=shop.ext_id, customer_ext="x")
    socket, connected = connect(f"/ws/live/widget/?token={forged}")
    assert not connected or refused(socket)


def test_an_anonymous_socket_gets_no_staff_events(connect, staffed):
    socket, connected = connect("/ws/live/staff/")
    assert not connected or refused(socket)


def test_the_customer_and_the_agent_hear_each_other_but_whispers_stay_with_staff(
        connect, client, staffed, token_for, client_for, agent_user, other_agent_user, supervisor, shop):
    token = token_for("buyer-5", nick="小李")
    customer, connected = connect(f"/ws/live/widget/?token={token}")
    assert connected and receive(customer, "watching")["conversation"] is None

    response = client.post(reverse("live:widget_message"), data=json.dumps({"text": "发货了吗"}),
                           content_type="application/json", HTTP_X_KEFU_TOKEN=token)
    conversation = Conversation.objects.get(pk=response.json()["message"]["conversation"])
    serving = agent_user if conversation.assigned_agent_id == agent_user.agent.pk else other_agent_user

    send(customer, {"type": "watch"})
    assert receive(customer, "watching")["conversation"] == conversation.pk

    staff_client = client_for(serving)
    session = staff_client.cookies["sessionid"].value
    agent, connected = connect("/ws/live/staff/", cookie=f"sessionid={session}")
    assert connected
    send(agent, {"type": "watch", "conversation": conversation.pk})
    assert receive(agent, "watching")["conversation"] == conversation.pk

    # The customer types: the agent hears it.
    send(customer, {"type": "typing"})
    assert receive(agent, "typing")["side"] == "customer"

    # The agent answers: the customer hears the message.
    staff_client.post(reverse("live:reply", args=[conversation.pk]), data=json.dumps({"text": "今天发"}),
                      content_type="application/json", HTTP_ACCEPT="application/json")
    assert receive(customer, "message")["message"]["text"] == "今天发"

    # A supervisor whispers: the agent hears it, the customer does not.
    from kefu.live.services import whisper_add

    supervisor.shops.add(shop)
    whisper_add(actor=supervisor, conversation=conversation, text="注意语气")
    assert receive(agent, "whisper")["whisper"]["text"] == "注意语气"
    assert never(customer, "whisper")


def test_an_agent_cannot_watch_a_conversation_that_is_not_theirs(connect, client, staffed, token_for, client_for, agent_user,
                                                                 other_agent_user):
    token = token_for("buyer-6")
    response = client.post(reverse("live:widget_message"), data=json.dumps({"text": "在吗"}),
                           content_type="application/json", HTTP_X_KEFU_TOKEN=token)
    conversation = Conversation.objects.get(pk=response.json()["message"]["conversation"])
    idle = other_agent_user if conversation.assigned_agent_id == agent_user.agent.pk else agent_user
    session = client_for(idle).cookies["sessionid"].value
    agent, connected = connect("/ws/live/staff/", cookie=f"sessionid={session}")
    assert connected
    send(agent, {"type": "watch", "conversation": conversation.pk})
    assert receive(agent, "watching")["conversation"] is None
