"""The customer's side of the live chat, mounted at /live/w/: the widget page a web shop
embeds (an iframe, see ``embed.js``), and the calls it makes. The customer is who the
shop's signed token says (``tokens``); no login, no cookies, so no CSRF token either:
each call carries the customer token in the ``X-Kefu-Token`` header."""

import json
import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import KefuError, ValidationError
from kefu.live import selectors, services
from kefu.live.models import LiveState

TOKEN_HEADER = "HTTP_X_KEFU_TOKEN"


def _error(error: KefuError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.status)


def _customer(request):
    token = request.META.get(TOKEN_HEADER) or request.GET.get("token", "")
    return services.customer_verify(token, origin=request.META.get("HTTP_ORIGIN", ""))


def _state(shop, claim) -> dict:
    conversation = selectors.conversation_open_for(shop=shop, customer_ext=claim.customer_ext)
    last = (shop.conversation_set.filter(customer_ext=claim.customer_ext, channel=selectors.CHANNEL)
            .order_by("-started_at", "-id").first())
    state = {"conversation": conversation.pk if conversation else None, "position": None, "rating_invite": None,
             "agent_read_at": None}
    if conversation is not None:
        state["position"] = selectors.queue_position_for(conversation)
    if last is not None:
        live = LiveState.objects.filter(conversation=last).first()
        if live is not None:
            state["agent_read_at"] = live.agent_read_at.isoformat() if live.agent_read_at else None
            if live.rating_invited_at and last.rating is None:
                state["rating_invite"] = last.pk
    return state


@xframe_options_exempt
@require_GET
def widget_view(request):
    try:
        shop, claim = _customer(request)
    except KefuError as error:
        return render(request, "live/widget_error.html", {"error": error}, status=error.status)
    widget = selectors.widget_settings_for(shop)
    history = [selectors.message_dict(m) for m in selectors.customer_history(shop=shop, customer_ext=claim.customer_ext)]
    response = render(request, "live/widget.html", {
        "shop": shop, "claim": claim, "widget": widget,
        "boot": {
            "token": request.GET.get("token", ""),
            "history": history,
            "state": _state(shop, claim),
            "urls": {"message": reverse("live:widget_message"), "image": reverse("live:widget_image"),
                     "rate": reverse("live:widget_rate"), "state": reverse("live:widget_state"),
                     "socket": "/ws/live/widget/"},
            "rating_text": widget.rating_invitation or _("How satisfied are you with our service?"),
            "text": {
                "you": _("You"), "agent": _("Agent"), "system": _("Notice"), "read": _("Read"),
                "queued": _("You are number %(n)s in the queue, please wait a moment."),
                "assigned": _("An agent is serving you."),
                "ended": _("The conversation has ended. Write again any time."),
                "failed": _("Not sent. Please try again."), "image": _("Image"),
            },
        },
    })
    origins = widget.origins()
    response["Content-Security-Policy"] = "frame-ancestors " + (" ".join(["'self'", *origins]) if origins else "*")
    return response


def _json_body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise ValidationError(_("The request body is not JSON."), code="bad_json") from None
    if not isinstance(body, dict):
        raise ValidationError(_("The request body is not JSON."), code="bad_json")
    return body


@csrf_exempt
@require_POST
def message_view(request):
    try:
        shop, claim = _customer(request)
        body = _json_body(request)
        text = body.get("text", "")
        if not isinstance(text, str):
            raise ValidationError(_("The message is empty."), code="empty_message")
        attachments = body.get("attachments") or []
        if not isinstance(attachments, list) or not all(
                isinstance(a, str) and a.startswith(reverse("live:file", args=[f"{shop.pk}/"])) for a in attachments):
            raise ValidationError(_("Attachments must be images sent through the chat."), code="bad_attachment")
        message, state = services.customer_message(shop=shop, claim=claim, text=text, attachments=attachments)
    except KefuError as error:
        return _error(error)
    return JsonResponse({"message": selectors.message_dict(message), "state": state}, status=201)


@csrf_exempt
@require_POST
def image_view(request):
    try:
        shop, _claim = _customer(request)
        upload = request.FILES.get("image")
        if upload is None:
            raise ValidationError(_("Choose an image to send."), code="bad_image")
        url = services.image_store(shop=shop, upload=upload)
    except KefuError as error:
        return _error(error)
    return JsonResponse({"url": url}, status=201)


@csrf_exempt
@require_POST
def rate_view(request):
    try:
        shop, claim = _customer(request)
        body = _json_body(request)
        conversation = shop.conversation_set.filter(
            pk=body.get("conversation") if isinstance(body.get("conversation"), int) else None,
            customer_ext=claim.customer_ext, channel=selectors.CHANNEL).first()
        if conversation is None:
            raise ValidationError(_("There is no conversation to rate."), code="no_conversation")
        services.customer_rate(conversation=conversation, rating=body.get("rating"))
    except KefuError as error:
        return _error(error)
    return JsonResponse({"rating": body["rating"]})


@require_GET
def state_view(request):
    """What the widget polls when its socket is down: the state and the last messages."""
    try:
        shop, claim = _customer(request)
    except KefuError as error:
        return _error(error)
    history = selectors.customer_history(shop=shop, customer_ext=claim.customer_ext, limit=50)
    return JsonResponse({"state": _state(shop, claim), "messages": [selectors.message_dict(m) for m in history]})


@require_GET
def embed_view(request):
    """The script a web shop puts on its pages: a chat button opening the widget."""
    response = render(request, "live/embed.js", {"widget_url": request.build_absolute_uri(reverse("live:widget")),
                                                       "embed_url": request.build_absolute_uri()},
                      content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "max-age=3600"
    return response


@require_GET
def file_view(request, name: str):
    """An image sent in a chat (names are random: the address is the key)."""
    path = f"live/{name}"
    if ".." in name or not default_storage.exists(path):
        raise Http404()
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        raise Http404()
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=86400"
    return response
