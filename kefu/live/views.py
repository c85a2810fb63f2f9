"""The agent workspace (工作台), mounted at /live/: my conversations (waiting, active,
ended today), the conversation with the customer panel beside it, the reply box with the
script library, and the quick actions (ticket, transfer, end with a disposition, rating).
Widget settings for supervisors. The supervisor's monitor is ``views_monitor``."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.models import Agent
from kefu.accounts.selectors import user_agent
from kefu.core.errors import KefuError, NotFound, PermissionDenied, ValidationError
from kefu.live import panel, permissions, selectors, services
from kefu.live.choices import Disposition
from kefu.live.forms import WidgetSettingsForm
from kefu.live.tokens import customer_token_make
from kefu.presence.models import PresenceStatus
from kefu.routing.models import AgentRouting, SkillGroup
from kefu.routing.services import agent_activity_touch


def _agent_required(user) -> Agent:
    agent = user_agent(user)
    if agent is None:
        raise PermissionDenied(_("The workspace is for agents: your login has no agent record."),
                               code="no_agent")
    return agent


def _error_response(request, error: KefuError, *, back: str):
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(error.as_dict(), status=error.status)
    messages.error(request, error.message)
    return redirect(back)


@login_required
@require_GET
def workspace_view(request, pk: int | None = None):
    agent = _agent_required(request.user)
    conversation = permissions.conversation_get_for_live(user=request.user, conversation_id=pk) if pk else None
    agent_activity_touch(agent)  # working in the workspace postpones automatic away
    routing_row = AgentRouting.objects.filter(agent=agent).first()
    context = {
        "agent": agent,
        "status": routing_row.status if routing_row else PresenceStatus.OFFLINE,
        "statuses": PresenceStatus.choices,
        "lists": selectors.agent_conversations(agent),
        "conversation": conversation,
    }
    if conversation is not None:
        serving = selectors.active_agent_id(conversation) == agent.pk
        context.update({
            "serving": serving,
            "messages_json": [selectors.message_dict(m) for m in selectors.conversation_messages(conversation)],
            "whispers_json": [selectors.whisper_dict(w) for w in selectors.conversation_whispers(conversation)],
            "customer": panel.customer_panel(conversation, user=request.user),
            "dispositions": Disposition.choices,
            "transfer_agents": panel.transfer_agents(conversation, exclude=agent),
            "transfer_groups": SkillGroup.objects.filter(shop=conversation.shop).order_by("name"),
            "categories": panel.script_categories(request.user, conversation),
            "boot": {
                "conversation": conversation.pk, "serving": serving, "agent": agent.pk,
                "socket": "/ws/live/staff/",
                "urls": {"reply": reverse("live:reply", args=[conversation.pk]),
                         "suggest": reverse("live:suggest", args=[conversation.pk]),
                         "list": reverse("live:list")},
                "text": {"customer": _("Customer"), "agent": _("Agent"), "system": _("Notice"),
                         "whisper": _("Whisper"), "read": _("Read"), "typing": _("The customer is typing…"),
                         "image": _("Image"), "failed": _("Not sent. Please try again.")},
            },
        })
    else:
        context["boot"] = {"conversation": None, "agent": agent.pk, "socket": "/ws/live/staff/",
                           "urls": {"list": reverse("live:list")}, "text": {}}
    context["boot"]["messages"] = context.get("messages_json", [])
    context["boot"]["whispers"] = context.get("whispers_json", [])
    return render(request, "live/workspace.html", context)


@login_required
@require_GET
def list_view(request):
    agent = _agent_required(request.user)
    current = request.GET.get("c")
    return render(request, "live/_list.html", {
        "lists": selectors.agent_conversations(agent),
        "current": int(current) if current and current.isdigit() else None,
    })


@login_required
@require_POST
def status_view(request):
    agent = _agent_required(request.user)
    back = request.POST.get("next") or reverse("live:workspace")
    try:
        services.presence_set(actor=request.user, agent=agent, status=request.POST.get("status", ""))
    except KefuError as error:
        return _error_response(request, error, back=back)
    return redirect(back if back.startswith("/") else reverse("live:workspace"))


def _body(request) -> dict:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise ValidationError(_("The request body is not JSON."), code="bad_json") from None
        return body if isinstance(body, dict) else {}
    return request.POST.dict()


@login_required
@require_POST
def reply_view(request, pk: int):
    """The agent's answer (JSON from the workspace's script, or a plain form post)."""
    conversation = permissions.conversation_get_for_live(user=request.user, conversation_id=pk)
    try:
        body = _body(request)
        script = None
        script_id = body.get("script")
        if script_id:
            from kefu.scripts.permissions import script_get_for_user

            script = script_get_for_user(user=request.user, script_id=int(script_id))
        message = services.agent_reply(user=request.user, conversation=conversation,
                                       text=str(body.get("text", "")), script=script)
    except (KefuError, ValueError) as error:
        error = error if isinstance(error, KefuError) else ValidationError(str(error))
        return _error_response(request, error, back=reverse("live:conversation", args=[pk]))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"message": selectors.message_dict(message)}, status=201)
    return redirect("live:conversation", pk=pk)


@login_required
@require_POST
def end_view(request, pk: int):
    conversation = permissions.conversation_get_for_live(user=request.user, conversation_id=pk)
    try:
        services.conversation_finish(user=request.user, conversation=conversation,
                                     disposition=request.POST.get("disposition", ""))
    except KefuError as error:
        return _error_response(request, error, back=reverse("live:conversation", args=[pk]))
    messages.success(request, _("The conversation has ended; the customer was invited to rate it."))
    return redirect("live:conversation", pk=pk)


@login_required
@require_POST
def transfer_view(request, pk: int):
    conversation = permissions.conversation_get_for_live(user=request.user, conversation_id=pk)
    target = request.POST.get("target", "")
    try:
        kind, _sep, target_id = target.partition(":")
        if kind == "agent" and target_id.isdigit():
            to_agent = panel.transfer_agents(conversation).filter(pk=int(target_id)).first()
            if to_agent is None:
                raise NotFound()
            result = services.conversation_handover(actor=request.user, conversation=conversation, to_agent=to_agent)
        elif kind == "group" and target_id.isdigit():
            group = SkillGroup.objects.filter(shop=conversation.shop, pk=int(target_id)).first()
            if group is None:
                raise NotFound()
            result = services.conversation_handover(actor=request.user, conversation=conversation, to_group=group)
        else:
            raise ValidationError(_("Choose an agent or a skill group."), code="transfer_target")
    except KefuError as error:
        return _error_response(request, error, back=reverse("live:conversation", args=[pk]))
    if result["assigned"]:
        messages.success(request, _("The conversation was transferred."))
    else:
        messages.success(request, _("The conversation waits in the group's queue (position %(n)s).")
                         % {"n": result["position"]})
    return redirect("live:workspace")


@login_required
@require_POST
def invite_view(request, pk: int):
    conversation = permissions.conversation_get_for_live(user=request.user, conversation_id=pk)
    try:
        services.rating_invite(user=request.user, conversation=conversation)
    except KefuError as error:
        return _error_response(request, error, back=reverse("live:conversation", args=[pk]))
    messages.success(request, _("The customer was invited to rate the service."))
    return redirect("live:conversation", pk=pk)


@login_required
@require_GET
def scripts_view(request, pk: int):
    """The script panel: search by keyword or category, each with its variables filled."""
    conversation = permissions.conversation_get_for_live(user=request.user, conversation_id=pk)
    category = request.GET.get("category", "")
    scripts = panel.scripts_found(request.user, conversation, search=request.GET.get("q", "").strip(),
                                  category=int(category) if category.isdigit() else None)
    return render(request, "live/_scripts.html", {"scripts": scripts, "conversation": conversation})


@login_required
@require_GET
def suggest_view(request, pk: int):
    """The scripts that best answer the customer's last message."""
    conversation = permissions.conversation_get_for_live(user=request.user, conversation_id=pk)
    text, suggestions = panel.suggestions(request.user, conversation)
    return render(request, "live/_scripts.html", {"scripts": suggestions, "conversation": conversation,
                                                  "suggesting": text})


@login_required
def widget_settings_view(request):
    """The shop's chat widget: texts, allowed sites, the signing secret, and a preview."""
    if not request.user.has_perm(permissions.MANAGE):
        raise PermissionDenied()
    from kefu.accounts.permissions import shops_for_user

    shops = list(shops_for_user(request.user).order_by("name"))
    if not shops:
        raise NotFound()
    shop_id = request.POST.get("shop") or request.GET.get("shop")
    shop = next((s for s in shops if str(s.pk) == shop_id), shops[0])
    widget = selectors.widget_settings_for(shop)
    form = WidgetSettingsForm(request.POST or None, instance=widget)
    if request.method == "POST":
        if request.POST.get("rotate"):
            services.widget_secret_rotate(widget=widget, actor=request.user)
            messages.success(request, _("A new signing secret was made; the old one no longer works."))
            return redirect(f"{reverse('live:settings')}?shop={shop.pk}")
        if form.is_valid():
            form.save()
            messages.success(request, _("The widget settings were saved."))
            return redirect(f"{reverse('live:settings')}?shop={shop.pk}")
    preview = customer_token_make(secret=widget.secret, shop_ext=shop.ext_id, customer_ext="kefu-preview",
                                  nick=_("Preview customer"), ttl_seconds=3600)
    return render(request, "live/settings.html", {
        "shops": shops, "shop": shop, "widget": widget, "form": form,
        "preview_url": f"{reverse('live:widget')}?token={preview}",
        "embed_url": request.build_absolute_uri(reverse("live:embed")),
    })
