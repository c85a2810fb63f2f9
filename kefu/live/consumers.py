"""The live chat's WebSockets. They only listen: every write goes through an HTTP view
and a service, whose events reach here through the channel layer (``broadcast``). What
comes in over a socket is ephemeral: typing, and read marks."""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from kefu.core.errors import KefuError
from kefu.live import broadcast


class _LiveConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: set[str]

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)

    async def _leave(self, group: str) -> None:
        await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined.discard(group)

    async def disconnect(self, code):
        for group in list(getattr(self, "groups_joined", ())):
            await self._leave(group)

    async def live_event(self, message):
        await self.send_json(message["event"])


class WidgetConsumer(_LiveConsumer):
    """The customer's widget: ``ws/live/widget/?token=<customer token>``."""

    async def connect(self):
        self.groups_joined = set()
        token = (parse_qs(self.scope.get("query_string", b"").decode()).get("token") or [""])[0]
        try:
            self.shop, self.claim = await database_sync_to_async(_verify)(token)
        except KefuError:
            await self.close(code=4403)
            return
        self.conversation_id = None
        await self.accept()
        await self._watch()

    async def _watch(self):
        conversation_id = await database_sync_to_async(_open_conversation_id)(self.shop, self.claim.customer_ext)
        if conversation_id != self.conversation_id:
            if self.conversation_id:
                await self._leave(broadcast.customer_group(self.conversation_id))
            self.conversation_id = conversation_id
            if conversation_id:
                await self._join(broadcast.customer_group(conversation_id))
        await self.send_json({"type": "watching", "conversation": conversation_id})

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "watch":
            await self._watch()
        elif kind == "typing" and self.conversation_id:
            await self.channel_layer.group_send(broadcast.staff_group(self.conversation_id), {
                "type": "live.event", "event": {"type": "typing", "side": "customer",
                                                "conversation": self.conversation_id}})
        elif kind == "read" and self.conversation_id:
            await database_sync_to_async(_read)(self.conversation_id, "customer")


class StaffConsumer(_LiveConsumer):
    """Agents' workspaces and supervisors' monitors: ``ws/live/staff/`` (signed in)."""

    async def connect(self):
        self.groups_joined = set()
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=4401)
            return
        groups = await database_sync_to_async(_staff_groups)(self.user)
        await self.accept()
        for group in groups:
            await self._join(group)
        self.watching = None

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        kind, conversation_id = content.get("type"), content.get("conversation")
        if not isinstance(conversation_id, int):
            return
        if kind == "watch":
            allowed = await database_sync_to_async(_may_watch)(self.user, conversation_id)
            if self.watching:
                await self._leave(broadcast.staff_group(self.watching))
                self.watching = None
            if allowed:
                self.watching = conversation_id
                await self._join(broadcast.staff_group(conversation_id))
            await self.send_json({"type": "watching", "conversation": self.watching})
        elif kind in ("typing", "read") and conversation_id == self.watching:
            if not await database_sync_to_async(_serves)(self.user, conversation_id):
                return
            if kind == "typing":
                await self.channel_layer.group_send(broadcast.customer_group(conversation_id), {
                    "type": "live.event", "event": {"type": "typing", "side": "agent"}})
            else:
                await database_sync_to_async(_read)(conversation_id, "agent")


def _verify(token: str):
    from kefu.live.services import customer_verify

    return customer_verify(token)


def _open_conversation_id(shop, customer_ext: str) -> int | None:
    from kefu.live.selectors import conversation_open_for

    conversation = conversation_open_for(shop=shop, customer_ext=customer_ext)
    return conversation.pk if conversation else None


def _read(conversation_id: int, side: str) -> None:
    from kefu.conversations.models import Conversation
    from kefu.live.services import read_mark

    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is not None:
        read_mark(conversation=conversation, side=side)


def _staff_groups(user) -> list[str]:
    from kefu.accounts.selectors import user_agent
    from kefu.live.permissions import monitor_shop_ids

    groups = []
    agent = user_agent(user)
    if agent is not None:
        groups.append(broadcast.agent_group(agent.pk))
    groups += [broadcast.monitor_group(shop_id) for shop_id in monitor_shop_ids(user)]
    return groups


def _may_watch(user, conversation_id: int) -> bool:
    from kefu.live.permissions import conversation_get_for_live

    try:
        conversation_get_for_live(user=user, conversation_id=conversation_id)
    except KefuError:
        return False
    return True


def _serves(user, conversation_id: int) -> bool:
    from kefu.accounts.selectors import user_agent
    from kefu.routing.models import Assignment

    agent = user_agent(user)
    return agent is not None and Assignment.objects.filter(
        conversation_id=conversation_id, agent=agent, ended_at__isnull=True).exists()
