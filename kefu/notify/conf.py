"""The notification service's settings, each with its default (``config/settings.py`` may override)."""

from django.conf import settings

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
# The robots' official hosts: a webhook elsewhere is refused, so a robot endpoint or a report
# subscription cannot make the server post to addresses of its own network.
DEFAULT_WEBHOOK_HOSTS = {
    "dingtalk": ["oapi.dingtalk.com"],
    "feishu": ["open.feishu.cn", "open.larksuite.com"],
    "wecom": ["qyapi.weixin.qq.com"],
}
# Minutes to wait before the 2nd, 3rd and 4th attempt; after the last, the sending has failed.
DEFAULT_RETRY_MINUTES = (1, 5, 30)


def base_url() -> str:
    """Kefu's address as people reach it (links in robot messages and e-mails): ``KEFU_BASE_URL``."""
    return (getattr(settings, "KEFU_BASE_URL", "") or DEFAULT_BASE_URL).rstrip("/")


def absolute_url(link: str) -> str:
    """``link`` as a full address: a path gets ``base_url()`` in front, a full URL stays."""
    if not link or "://" in link:
        return link
    return f"{base_url()}/{link.lstrip('/')}"


def webhook_hosts(channel: str) -> list[str]:
    """Hosts a robot webhook may point at: ``KEFU_WEBHOOK_HOSTS`` (a list for every channel),
    else the platform's own."""
    extra = getattr(settings, "KEFU_WEBHOOK_HOSTS", None)
    if extra is not None:
        return list(extra)
    return DEFAULT_WEBHOOK_HOSTS.get(channel, [])


def retry_minutes() -> tuple[int, ...]:
    """``KEFU_NOTIFY_RETRY_MINUTES`` (``KEFU_REPORT_RETRY_MINUTES``, its older name, still works)."""
    value = getattr(settings, "KEFU_NOTIFY_RETRY_MINUTES", None)
    if value is None:
        value = getattr(settings, "KEFU_REPORT_RETRY_MINUTES", DEFAULT_RETRY_MINUTES)
    return tuple(value)


def max_attempts() -> int:
    return len(retry_minutes()) + 1


def attempt_failure_record(item, error: Exception, now, *, final: bool) -> None:
    """The shared retry policy of everything sent out (notification sends, report
    deliveries): after a failed attempt, pending again after the next back-off delay,
    or failed for good when the attempts are used up or ``final``. ``item`` has
    ``status`` ("pending"/"failed"), ``attempts``, ``next_attempt_at`` and ``last_error``."""
    from datetime import timedelta

    delays = retry_minutes()
    retry = not final and item.attempts < max_attempts()
    item.status = "pending" if retry else "failed"
    item.next_attempt_at = now + timedelta(minutes=delays[item.attempts - 1]) if retry else None
    item.last_error = (str(error) or type(error).__name__)[:2000]
    item.save(update_fields=["status", "next_attempt_at", "last_error"])
