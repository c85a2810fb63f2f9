"""Every write of the live chat. Conversations and messages are written as the same
records an import writes (events.md, through ``kefu.intake``), so the metric engine, QA
and tickets treat a live chat exactly like an imported one; routing decides who serves
it. Each write pushes its event to the pages after it commits (``broadcast``)."""

import uuid
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.selectors import user_agent
from kefu.conversations.models import Conversation, Message, Sender
from kefu.conversations.services import conversation_rating_set
from kefu.core.errors import PermissionDenied, ValidationError
from kefu.intake.engine import Intake
from kefu.live import broadcast
from kefu.live.choices import Disposition
from kefu.live.models import LiveState, Whisper
from kefu.live.selectors import (
    CHANNEL,
    active_agent_id,
    conversation_open_for,
    message_dict,
    whisper_dict,
    widget_settings_for,
)
from kefu.live.tokens import CustomerClaim, customer_token_read, token_payload_peek
from kefu.metrics.rollups import refresh_request
from kefu.routing import services as routing
from kefu.routing.models import Assignment
from kefu.shops.models import Shop

MAX_TEXT = 4000
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


# -- who is the customer -------------------------------------------------------------

def customer_verify(token: str, *, origin: str = "") -> tuple[Shop, CustomerClaim]:
    """The shop and customer a widget token names, checked against the shop's secret
    (and, when the shop lists them, the page's origin)."""
    payload = token_payload_peek(token)
    shop = Shop.objects.filter(ext_id=str(payload.get("shop") or "")).first()
    if shop is None:
        raise PermissionDenied(_("The customer token names an unknown shop."), code="token_forged")
    settings = widget_settings_for(shop)
    if not settings.enabled:
        raise PermissionDenied(_("This shop's chat is switched off."), code="widget_disabled")
    claim = customer_token_read(token, secret=settings.secret)
    origins = settings.origins()
    if origins and origin and origin.rstrip("/") not in origins:
        raise PermissionDenied(_("This page may not embed the shop's chat."), code="origin_forbidden")
    return shop, claim


# -- records, as an import writes them ------------------------------------------------

def _iso(at: datetime) -> str:
    return timezone.localtime(at).isoformat()


def _records_write(shop: Shop, records: list[dict]) -> None:
    intake = Intake(scope=shop)
    intake.feed(enumerate(records, start=1))
    summary = intake.finish()
    if summary.rejected:
        raise ValidationError("; ".join(r.reason for r in summary.rejected), code="live_record_rejected")
    refresh_request()  # the metric rollups catch up in the background, as after an import


def _routing_notices(shop_id: int, since: datetime) -> None:
    """Tell the agents who got a conversation since ``since`` (routing may hand out queued
    conversations as a side effect of any routing call), and the monitors."""
    for agent_id, conversation_id in (Assignment.objects.filter(shop_id=shop_id, assigned_at__gte=since)
                                      .values_list("agent_id", "conversation_id")):
        broadcast.send([broadcast.agent_group(agent_id)], {"type": "list", "conversation": conversation_id})
        broadcast.send([broadcast.customer_group(conversation_id), broadcast.staff_group(conversation_id)],
                       {"type": "assigned", "conversation": conversation_id})
    broadcast.send([broadcast.monitor_group(shop_id)], {"type": "monitor"})


def conversation_start(*, shop: Shop, claim: CustomerClaim, now: datetime | None = None) -> tuple[Conversation, dict]:
    """The customer's open live conversation, or a new one routed to an agent. Returns the
    conversation and what the customer is told (assigned, queue position, off hours)."""
    now = now or timezone.now()
    conversation = conversation_open_for(shop=shop, customer_ext=claim.customer_ext)
    if conversation is None:
        customer = {"type": "customer", "id": claim.customer_ext, "shop_id": shop.ext_id}
        if claim.nick:
            customer["nick"] = claim.nick
        known = shop.customer_set.filter(ext_id=claim.customer_ext).first()
        # The customer record only when it is new or the shop now gives another nickname.
        records = [] if known is not None and (not claim.nick or known.nick == claim.nick) else [customer]
        ext = f"live-{uuid.uuid4().hex}"
        records.append({"type": "conversation", "id": ext, "shop_id": shop.ext_id, "customer_id": claim.customer_ext,
                        "started_at": _iso(now), "channel": CHANNEL})
        _records_write(shop, records)
        conversation = Conversation.objects.get(shop=shop, ext_id=ext)
        LiveState.objects.create(conversation=conversation)
        greeting = widget_settings_for(shop).greeting
        if greeting:
            message_post(conversation=conversation, sender=Sender.SYSTEM, text=greeting, at=now)
    return conversation, conversation_route(conversation, now=now)


def conversation_route(conversation: Conversation, *, now: datetime | None = None) -> dict:
    """Route the conversation (nothing happens if it already has an agent) and say what
    the customer is told."""
    now = now or timezone.now()
    if active_agent_id(conversation) is not None:
        return {"state": "assigned"}
    try:
        result = routing.route_conversation(conversation, now=now)
    except ValidationError as error:
        if error.code != "no_skill_group":
            raise
        return {"state": "unrouted", "message": _("Please wait a moment, an agent will be with you shortly.")}
    _routing_notices(conversation.shop_id, now)
    if result.assigned:
        return {"state": "assigned"}
    state = {"state": "off_hours" if result.off_hours else "queued", "position": result.position}
    if result.off_hours and result.message:
        state["message"] = result.message
    broadcast.send([broadcast.customer_group(conversation.pk)], {"type": "queue", **state})
    return state


def message_post(*, conversation: Conversation, sender: str, text: str = "", attachments=(), agent=None,
                 at: datetime | None = None) -> Message:
    """A message of the conversation, written as a ``message`` record."""
    text = (text or "").strip()
    attachments = [a for a in attachments if a]
    if not text and not attachments:
        raise ValidationError(_("The message is empty."), code="empty_message")
    if len(text) > MAX_TEXT:
        raise ValidationError(_("The message is too long (at most %(n)d characters).") % {"n": MAX_TEXT},
                              code="message_too_long")
    if conversation.ended_at is not None:
        raise ValidationError(_("This conversation has ended."), code="conversation_ended")
    at = at or timezone.now()
    last = conversation.messages.order_by("-sent_at").values_list("sent_at", flat=True).first()
    if last is not None and at <= last:  # keep the order people saw, even when clocks tie
        at = last + timezone.timedelta(microseconds=1)
    ext = f"live-{uuid.uuid4().hex}"
    record = {"type": "message", "id": ext, "conversation_id": conversation.ext_id, "sent_at": _iso(at),
              "sender": sender}
    if text:
        record["text"] = text
    if attachments:
        record["attachments"] = list(attachments)
    if sender == Sender.AGENT:
        if agent is None:
            raise ValidationError(_("An agent's message needs the agent."), code="agent_required")
        record["agent_id"] = agent.ext_id
    _records_write(conversation.shop, [record])
    message = Message.objects.select_related("agent").get(shop_id=conversation.shop_id, ext_id=ext)
    event = {"type": "message", "message": message_dict(message)}
    groups = [broadcast.customer_group(conversation.pk), broadcast.staff_group(conversation.pk),
              broadcast.monitor_group(conversation.shop_id)]
    agent_id = active_agent_id(conversation)
    if agent_id:
        groups.append(broadcast.agent_group(agent_id))
    broadcast.send(groups, event)
    if agent is not None:
        routing.agent_activity_touch(agent, at=at)
    return message


def image_store(*, shop: Shop, upload) -> str:
    """Keep an image a customer sends; returns its address for the message's attachments."""
    content_type = getattr(upload, "content_type", "") or ""
    if content_type not in IMAGE_TYPES:
        raise ValidationError(_("Only JPEG, PNG, GIF or WebP images can be sent."), code="bad_image")
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is larger than 5 MB."), code="image_too_large")
    data = upload.read()
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(ContentFile(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(_("The file is not a readable image."), code="bad_image") from None
    name = default_storage.save(f"live/{shop.pk}/{uuid.uuid4().hex}.{IMAGE_TYPES[content_type]}", ContentFile(data))
    from django.urls import reverse

    return reverse("live:file", args=[name.removeprefix("live/")])


def customer_message(*, shop: Shop, claim: CustomerClaim, text: str = "", attachments=()) -> tuple[Message, dict]:
    """A customer writes: into their open conversation, or a new one."""
    conversation, state = conversation_start(shop=shop, claim=claim)
    return message_post(conversation=conversation, sender=Sender.CUSTOMER, text=text, attachments=attachments), state


def _agent_of(user, conversation: Conversation):
    agent = user_agent(user)
    if agent is None or active_agent_id(conversation) != agent.pk:
        raise PermissionDenied(_("Only the conversation's agent can do this."), code="not_your_conversation")
    return agent


def agent_reply(*, user, conversation: Conversation, text: str, script=None) -> Message:
    """The conversation's agent answers (a human reply); a script inserted from the
    library counts as used in this conversation."""
    agent = _agent_of(user, conversation)
    message = message_post(conversation=conversation, sender=Sender.AGENT, text=text, agent=agent)
    if script is not None:
        from kefu.scripts.services import script_use_record

        script_use_record(actor=user, script=script, conversation=conversation)
    read_mark(conversation=conversation, side="agent", at=message.sent_at)
    return message


def read_mark(*, conversation: Conversation, side: str, at: datetime | None = None) -> None:
    """One side has read the conversation up to ``at``; the other side sees it."""
    at = at or timezone.now()
    field = {"customer": "customer_read_at", "agent": "agent_read_at"}[side]
    LiveState.objects.get_or_create(conversation=conversation)
    updated = LiveState.objects.filter(conversation=conversation).exclude(**{f"{field}__gte": at}).update(**{field: at})
    if updated:
        target = broadcast.staff_group if side == "customer" else broadcast.customer_group
        broadcast.send([target(conversation.pk)], {"type": "read", "side": side, "at": at.isoformat()})


def rating_invite(*, user, conversation: Conversation) -> LiveState:
    """Invite the customer to rate the service (满意度, 1-5)."""
    if not user.has_perm("routing.manage_routing"):
        _agent_of(user, conversation)
    return _rating_invite_send(conversation)


def _rating_invite_send(conversation: Conversation) -> LiveState:
    state = LiveState.objects.get_or_create(conversation=conversation)[0]
    state.rating_invited_at = timezone.now()
    state.save(update_fields=["rating_invited_at"])
    settings = widget_settings_for(conversation.shop)
    broadcast.send([broadcast.customer_group(conversation.pk)],
                   {"type": "rating_invite", "conversation": conversation.pk,
                    "text": settings.rating_invitation or _("How satisfied are you with our service?")})
    return state


def customer_rate(*, conversation: Conversation, rating: int) -> None:
    """The customer rates the conversation (the record's ``rating``, 4-5 satisfied)."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationError(_("The rating is a whole number from 1 to 5."), code="bad_rating")
    conversation_rating_set(conversation=conversation, rating=rating, at=timezone.now())
    broadcast.send([broadcast.staff_group(conversation.pk), broadcast.monitor_group(conversation.shop_id)],
                   {"type": "rated", "rating": rating, "conversation": conversation.pk})


def conversation_finish(*, user, conversation: Conversation, disposition: str = "") -> None:
    """End the conversation with what it was about (咨询类型); its agent gets the room
    back, QA inspects it straight away, and the customer can rate it."""
    if disposition and disposition not in Disposition.values:
        raise ValidationError(_("Unknown consultation type."), code="bad_disposition")
    if not user.has_perm("routing.manage_routing"):
        _agent_of(user, conversation)
    agent_id = active_agent_id(conversation)
    now = timezone.now()
    routing.conversation_end(conversation, now=now)
    LiveState.objects.update_or_create(conversation=conversation,
                                       defaults={"disposition": disposition, "ended_by": user})
    conversation.refresh_from_db(fields=["ended_at", "rating"])
    if conversation.rating is None and conversation.channel == CHANNEL:
        _rating_invite_send(conversation)  # the customer is asked to rate at the end
    _routing_notices(conversation.shop_id, now)
    event = {"type": "ended", "conversation": conversation.pk}
    broadcast.send([broadcast.customer_group(conversation.pk), broadcast.staff_group(conversation.pk)]
                   + ([broadcast.agent_group(agent_id)] if agent_id else []), event)
    transaction.on_commit(lambda: _inspect_soon(conversation.pk))


def _inspect_soon(conversation_id: int) -> None:
    from kefu.metrics.rollups import rollups_refresh
    from kefu.qa.tasks import inspect_task

    rollups_refresh()  # QA reads the conversation's facts
    inspect_task.enqueue([conversation_id])


def conversation_handover(*, actor, conversation: Conversation, to_agent=None, to_group=None) -> dict:
    """Transfer (by the agent) or reassign (by a supervisor) to an agent or skill group;
    the history stays in routing's assignments."""
    if not actor.has_perm("routing.manage_routing"):
        _agent_of(actor, conversation)
    before = active_agent_id(conversation)
    now = timezone.now()
    result = routing.conversation_transfer(conversation, to_agent=to_agent, to_group=to_group, actor=actor, now=now)
    _routing_notices(conversation.shop_id, now)
    if before:
        broadcast.send([broadcast.agent_group(before)], {"type": "list", "conversation": conversation.pk})
    broadcast.send([broadcast.staff_group(conversation.pk)], {"type": "transferred", "conversation": conversation.pk})
    return {"assigned": result.assigned, "position": result.position}


def conversation_takeover(*, actor, conversation: Conversation) -> dict:
    """A supervisor takes the conversation over: it moves to their own agent record."""
    if not actor.has_perm("routing.manage_routing"):
        raise PermissionDenied(code="routing_forbidden")
    agent = user_agent(actor)
    if agent is None:
        raise ValidationError(_("Taking over needs an agent record linked to your login."), code="no_agent")
    if agent.shop_id not in (None, conversation.shop_id):
        raise ValidationError(_("Your agent record serves another shop."), code="other_shop")
    from kefu.presence.models import PresenceStatus
    from kefu.routing.models import AgentRouting

    if AgentRouting.objects.filter(agent=agent).values_list("status", flat=True).first() in (None, PresenceStatus.OFFLINE):
        routing.agent_status_set(agent, PresenceStatus.ONLINE, drain=False)
    if active_agent_id(conversation) == agent.pk:
        return {"assigned": True, "position": None}
    return conversation_handover(actor=actor, conversation=conversation, to_agent=agent)


def whisper_add(*, actor, conversation: Conversation, text: str) -> Whisper:
    """A note to the agent on this conversation; the customer never sees it."""
    if not actor.has_perm("routing.manage_routing"):
        raise PermissionDenied(code="routing_forbidden")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The message is empty."), code="empty_message")
    if len(text) > MAX_TEXT:
        raise ValidationError(_("The message is too long (at most %(n)d characters).") % {"n": MAX_TEXT},
                              code="message_too_long")
    whisper = Whisper.objects.create(conversation=conversation, author=actor, text=text)
    groups = [broadcast.staff_group(conversation.pk)]
    agent_id = active_agent_id(conversation)
    if agent_id:
        groups.append(broadcast.agent_group(agent_id))
    broadcast.send(groups, {"type": "whisper", "whisper": whisper_dict(whisper)})
    return whisper


def presence_set(*, actor, agent, status: str) -> None:
    """An agent's status (online/busy/away/offline), recorded as an agent_status event."""
    now = timezone.now()
    routing.agent_status_set(agent, status, at=now)
    if agent.shop_id:
        _routing_notices(agent.shop_id, now)
    broadcast.send([broadcast.agent_group(agent.pk)], {"type": "presence", "status": status})


def widget_secret_rotate(*, widget, actor) -> None:
    """A new signing secret: tokens signed with the old one stop working."""
    from kefu.live.models import widget_secret_new

    widget.secret = widget_secret_new()
    widget.save(update_fields=["secret"])
