"""The transport of every message that leaves Kefu: e-mail and group robots (report
deliveries and notifications both send through here).

Each robot platform signs its webhooks its own way:

- DingTalk (钉钉): ``sign = urlencode(base64(HMAC-SHA256(key=secret, msg=timestamp_ms + "\\n" + secret)))``,
  sent as the ``timestamp`` and ``sign`` query parameters;
- Feishu / Lark (飞书): ``sign = base64(HMAC-SHA256(key=timestamp_s + "\\n" + secret, msg=""))``,
  sent as ``timestamp`` and ``sign`` in the JSON body;
- WeCom (企业微信): no signature; the webhook URL's ``key`` is the secret.

A platform answers HTTP 200 with an error code in the body when it refuses a message, so
both are checked. Plain urllib: no HTTP client dependency for a few POSTs a minute at most."""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from kefu.notify.conf import webhook_hosts

TIMEOUT_SECONDS = 10
MAX_MARKDOWN_BYTES = 4000  # WeCom's limit is 4096 bytes of content


class DeliveryError(Exception):
    """Sending failed; the message says why (shown in the delivery log)."""


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return url
    query = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def email_addresses(target: str) -> list[str]:
    """``a@x.cn, b@x.cn`` (commas, semicolons or spaces) as a list; ValidationError if one is not an address."""
    addresses = [a for a in target.replace(";", ",").replace(" ", ",").split(",") if a.strip()]
    for address in addresses:
        validate_email(address.strip())
    if not addresses:
        raise ValidationError(_("Enter at least one e-mail address."))
    return [a.strip() for a in addresses]


def webhook_validate(channel: str, url: str) -> None:
    """A robot webhook must be https (or http to an allowed test host) on the platform's own host."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise ValidationError(_("Enter the robot's webhook URL (https://...)."))
    allowed = webhook_hosts(channel)
    if parsed.hostname not in allowed:
        raise ValidationError(
            _("A %(channel)s webhook must point at %(hosts)s.") % {"channel": channel, "hosts": ", ".join(allowed)}
        )


def robot_payload(channel: str, *, title: str, markdown: str, secret: str = "", now: float | None = None) -> dict:
    """The JSON a platform expects for a Markdown message (signature fields included for Feishu)."""
    if channel == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}
    if channel == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": _truncate(markdown, MAX_MARKDOWN_BYTES)}}
    if channel == "feishu":
        payload = {
            "msg_type": "interactive",
            "card": {
                "config": {"wide_screen_mode": True},
                "header": {"title": {"tag": "plain_text", "content": title}, "template": "blue"},
                "elements": [{"tag": "markdown", "content": markdown}],
            },
        }
        if secret:
            timestamp = int(now if now is not None else time.time())
            payload = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **payload}
        return payload
    raise ValueError(f"not a robot channel: {channel!r}")


def robot_send(channel: str, *, url: str, secret: str, title: str, markdown: str, now: float | None = None) -> str:
    """Post the message; return a short summary of the platform's answer. Raises DeliveryError."""
    webhook_validate(channel, url)
    now = time.time() if now is None else now
    if channel == "dingtalk" and secret:
        url = dingtalk_signed_url(url, secret, int(now * 1000))
    payload = robot_payload(channel, title=title, markdown=markdown, secret=secret, now=now)
    status, body = _post_json(url, payload)
    try:
        answer = json.loads(body or "{}")
    except ValueError:
        answer = {}
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0))) if isinstance(answer, dict) else 0
    summary = f"HTTP {status} {body[:300]}".strip()
    if code not in (0, None):
        raise DeliveryError(_("The robot refused the message: %(answer)s") % {"answer": summary})
    return summary


def _post_json(url: str, payload: dict) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "Kefu"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (host checked)
            return response.status, response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        body = error.read(1000).decode("utf-8", "replace") if error.fp else ""
        raise DeliveryError(f"HTTP {error.code} {error.reason}: {body[:300]}".strip()) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(_("Could not reach the robot: %(reason)s") % {"reason": reason}) from None


def email_send(*, to: list[str], subject: str, body: str, attachment: tuple[str, bytes, str] | None = None) -> str:
    message = EmailMessage(subject=subject, body=body, to=to)
    if attachment is not None:
        message.attach(*attachment)
    try:
        sent = message.send(fail_silently=False)
    except OSError as error:  # SMTP errors are OSErrors
        raise DeliveryError(_("The mail server refused the message: %(error)s") % {"error": error}) from None
    return _("Sent to %(count)d address(es)") % {"count": len(to)} if sent else ""


def _truncate(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "..."
