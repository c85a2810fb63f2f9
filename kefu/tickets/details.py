"""The type-specific fields of a ticket (``Ticket.details``), validated per type.

complaint: escalation level 组长 → 主管 → 经理, flags 大额订单纠纷 / 恶意投诉;
platform dispute: platform, the platform's deadline, evidence checklist, outcome;
review recovery: contact attempts and outcome; follow-up: reason, script, due date,
result; product feedback: kind and SKU; logistics: kind, carrier, tracking number;
after-sales: kind.
"""

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from kefu.core.errors import ValidationError

ESCALATION_LEVELS = ("team_lead", "supervisor", "manager")  # 组长 → 主管 → 经理
ESCALATION_LABELS = {"team_lead": _("Team lead"), "supervisor": _("Supervisor"), "manager": _("Manager")}


def _text(max_length=500):
    def check(value):
        if not isinstance(value, str) or len(value) > max_length:
            raise ValueError(f"a text of at most {max_length} characters")
        return value

    return check


def _choice(*values):
    def check(value):
        if value not in values:
            raise ValueError(f"one of {', '.join(v or '(empty)' for v in values)}")
        return value

    return check


def _bool(value):
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _date(value):
    if value in ("", None):
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ValueError("a date YYYY-MM-DD") from None


def _datetime(value):
    if value in ("", None):
        return ""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError("a time with offset, e.g. 2026-11-12T18:00:00+08:00") from None
    if parsed.tzinfo is None:
        raise ValueError("a time with offset, e.g. 2026-11-12T18:00:00+08:00")
    return parsed.isoformat()


def _evidence(value):
    if not isinstance(value, list):
        raise ValueError("a list of {item, done}")
    items = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("item"), str):
            raise ValueError("a list of {item, done}")
        items.append({"item": entry["item"][:200], "done": bool(entry.get("done", False))})
    return items


def _attempts(value):
    if not isinstance(value, list):
        raise ValueError("a list of {at, channel, note, reached}")
    attempts = []
    for entry in value:
        if not isinstance(entry, dict):
            raise ValueError("a list of {at, channel, note, reached}")
        attempts.append({
            "at": _datetime(entry.get("at")),
            "channel": _text(32)(entry.get("channel", "")),
            "note": _text(500)(entry.get("note", "")),
            "reached": bool(entry.get("reached", False)),
        })
    return attempts


# type -> field -> (check, default)
SCHEMAS = {
    "aftersale": {"kind": (_choice("", "refund", "return", "exchange", "repair", "reship"), "")},
    "complaint": {
        "escalation_level": (_choice(*ESCALATION_LEVELS), "team_lead"),
        "large_order_dispute": (_bool, False),  # 大额订单纠纷
        "malicious": (_bool, False),  # 恶意投诉
    },
    "logistics": {
        "kind": (_choice("stalled", "lost", "wrong_item"), "stalled"),
        "carrier": (_text(64), ""),
        "tracking_no": (_text(64), ""),
    },
    "product_feedback": {"kind": (_choice("quality", "suggestion", "size"), "quality"), "sku": (_text(128), "")},
    "platform_dispute": {
        "platform": (_choice("", "taobao", "tmall", "jd", "pdd", "douyin", "other"), ""),
        "platform_deadline": (_datetime, ""),
        "evidence": (_evidence, []),
        "outcome": (_choice("", "for_seller", "against_seller"), ""),
    },
    "review_recovery": {
        "contact_attempts": (_attempts, []),
        "outcome": (_choice("", "review_changed", "compensated", "unreachable"), ""),
    },
    "follow_up": {
        "reason": (_choice("", "aftersale", "bad_review", "vip", "old_customer"), ""),
        "script": (_text(2000), ""),
        "due_date": (_date, ""),
        "result": (_text(2000), ""),
    },
}


def details_clean(type: str, details: dict | None, *, base: dict | None = None) -> dict:
    """The type's details with defaults filled in: ``details`` over ``base`` (a ticket's
    current details). Unknown keys and bad values raise ``ValidationError``."""
    schema = SCHEMAS[type]
    details = details or {}
    if not isinstance(details, dict):
        raise ValidationError(_("Details must be an object."), code="bad_details")
    unknown = set(details) - set(schema)
    if unknown:
        raise ValidationError(
            _("Unknown detail fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}, code="bad_details"
        )
    merged = {key: default for key, (_check, default) in schema.items()}
    merged.update({k: v for k, v in (base or {}).items() if k in schema})
    merged.update(details)
    clean = {}
    for key, (check, _default) in schema.items():
        try:
            clean[key] = check(merged[key])
        except ValueError as error:
            raise ValidationError(
                _("%(field)s must be %(what)s.") % {"field": key, "what": str(error)},
                code="bad_details",
                detail={"field": key},
            ) from None
    return clean
