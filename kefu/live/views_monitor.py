"""The supervisor's live monitor (实时监控), mounted at /live/monitor/: the page, its panel
(an htmx partial refreshed on every live event and every 15 s), one live conversation
with whispers, and the supervisor's actions (whisper, take over, reassign)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import Agent
from kefu.conversations.models import Conversation
from kefu.core.errors import KefuError, NotFound, PermissionDenied, ValidationError
from kefu.live import monitor, selectors, services
from kefu.live.permissions import MANAGE, WATCH, conversation_get_for_live, monitor_shop_ids
from kefu.routing.models import SkillGroup

REFRESH_SECONDS = 15


def _shop_ids(user) -> list[int]:
    if not user.has_perm(WATCH):
        raise PermissionDenied()
    return monitor_shop_ids(user)


def _conversation(user, pk: int) -> Conversation:
    """A live conversation of a shop the user watches (404 otherwise, whoever asks)."""
    if not user.has_perm(WATCH):
        raise PermissionDenied()
    conversation = conversation_get_for_live(user=user, conversation_id=pk)
    if conversation.channel != selectors.CHANNEL or conversation.shop_id not in monitor_shop_ids(user):
        raise NotFound()
    return conversation


def _panel_context(request) -> dict:
    shop_ids = _shop_ids(request.user)
    return {"snapshot": monitor.monitor_snapshot(shop_ids=shop_ids), "can_manage": request.user.has_perm(MANAGE),
            "refresh_seconds": REFRESH_SECONDS, "negative_threshold": monitor.NEGATIVE_THRESHOLD,
            "live_limit": monitor.LIVE_LIMIT}


@login_required
def monitor_view(request):
    return render(request, "live/monitor.html", _panel_context(request))


@login_required
def monitor_panel_view(request):
    return render(request, "live/_monitor_panel.html", _panel_context(request))


@login_required
def monitor_conversation_view(request, pk: int):
    conversation = _conversation(request.user, pk)
    can_manage = request.user.has_perm(MANAGE)
    return render(request, "live/monitor_conversation.html", {
        "conversation": conversation,
        "line": monitor.conversation_line(conversation),
        "timeline": _timeline(conversation),
        "history": monitor.assignment_history(conversation),
        "targets": monitor.reassign_targets(conversation) if can_manage else None,
        "can_manage": can_manage,
        "now": timezone.now(),
        "refresh_seconds": REFRESH_SECONDS,
    })


def _timeline(conversation: Conversation) -> list[dict]:
    """Messages and whispers in the order they were written (whispers are staff-only)."""
    items = [{"kind": "message", "at": m.sent_at, "obj": m} for m in selectors.conversation_messages(conversation)]
    items += [{"kind": "whisper", "at": w.created_at, "obj": w} for w in selectors.conversation_whispers(conversation)]
    return sorted(items, key=lambda item: item["at"])


def _back(pk: int):
    return redirect("live:monitor_conversation", pk=pk)


@login_required
@require_POST
def whisper_view(request, pk: int):
    conversation = _conversation(request.user, pk)
    try:
        services.whisper_add(actor=request.user, conversation=conversation, text=request.POST.get("text", ""))
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Whisper sent to the agent; the customer does not see it."))
    return _back(pk)


@login_required
@require_POST
def takeover_view(request, pk: int):
    conversation = _conversation(request.user, pk)
    try:
        services.conversation_takeover(actor=request.user, conversation=conversation)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You have taken over this conversation; it is now in your workspace."))
    return _back(pk)


def _target(conversation: Conversation, value: str) -> dict:
    """``agent:<id>`` or ``group:<id>`` from the reassign form, among the targets offered."""
    kind, _sep, raw = (value or "").partition(":")
    if kind not in ("agent", "group") or not raw.isdigit():
        raise ValidationError(_("Choose an agent or a skill group to reassign to."), code="reassign_target")
    targets = monitor.reassign_targets(conversation)
    if kind == "agent":
        if int(raw) not in {row.agent_id for row in targets.agents}:
            raise ValidationError(_("That agent is not online with room for another chat."), code="agent_unavailable")
        return {"to_agent": Agent.objects.get(pk=int(raw))}
    group = SkillGroup.objects.filter(pk=int(raw), shop_id=conversation.shop_id).first()
    if group is None:
        raise ValidationError(_("That skill group is not one of this shop's."), code="reassign_target")
    return {"to_group": group}


@login_required
@require_POST
def reassign_view(request, pk: int):
    conversation = _conversation(request.user, pk)
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied()
    try:
        result = services.conversation_handover(actor=request.user, conversation=conversation,
                                                **_target(conversation, request.POST.get("target", "")))
    except KefuError as error:
        if isinstance(error, (NotFound, PermissionDenied)):
            raise
        messages.error(request, error.message)
    else:
        if result["assigned"]:
            messages.success(request, _("Conversation reassigned."))
        else:
            messages.success(request, _("Conversation reassigned; it waits in the queue at position %(position)s.")
                             % {"position": result["position"]})
    return _back(pk)
