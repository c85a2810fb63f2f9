"""The record types of spec/events.md as validation tables.

``record_validate(raw)`` turns one incoming JSON object into a clean dict of Python
values or raises ``RecordError`` with a reason a person can act on. It is hand-written
rather than built on a schema library because it runs a million times on a 双11 import
and its error messages are part of the public contract.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from kefu.commerce.models import AfterSaleKind, AfterSaleStatus, LogisticsStatus
from kefu.conversations.models import Sender, Stage
from kefu.presence.models import PresenceStatus
from kefu.shops.models import Platform


class RecordError(ValueError):
    """A record that cannot be taken in, with the reason (English, stable wording)."""


Check = Callable[[str, Any], Any]


def _id(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError(f"{name} must be a string id")
    value = str(value).strip()
    if not value:
        raise RecordError(f"{name} is empty")
    if len(value) > 128:
        raise RecordError(f"{name} is longer than 128 characters")
    return value


def _text(limit: int) -> Check:
    def check(name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise RecordError(f"{name} must be a string")
        if len(value) > limit:
            raise RecordError(f"{name} is longer than {limit} characters")
        return value

    return check


def _long_text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise RecordError(f"{name} must be a string")
    return value


def _time(name: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise RecordError(f"{name} must be an ISO 8601 time string with an offset")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"{name} is not an ISO 8601 time: {value!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise RecordError(f"{name} has no UTC offset: {value!r} (write e.g. {value}+08:00)")
    return parsed


def _date(name: str, value: Any) -> date:
    if not isinstance(value, str):
        raise RecordError(f"{name} must be a date string YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RecordError(f"{name} is not a date YYYY-MM-DD: {value!r}") from None


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise RecordError(f"{name} must be true or false")
    return value


def _money(name: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordError(f"{name} must be a decimal amount in yuan, e.g. \"199.00\"")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise RecordError(f"{name} is not a number: {value!r}") from None
    if not amount.is_finite():
        raise RecordError(f"{name} is not a finite number: {value!r}")
    if amount.as_tuple().exponent < -2:
        raise RecordError(f"{name} has more than 2 decimal places: {value!r}")
    if abs(amount) >= Decimal("1e12"):
        raise RecordError(f"{name} is too large: {value!r}")
    return amount


def _rating(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise RecordError(f"{name} must be a whole number from 1 to 5, got {value!r}")
    return value


def _enum(choices: type) -> Check:
    allowed = tuple(choices.values)

    def check(name: str, value: Any) -> str:
        if value not in allowed:
            raise RecordError(f"{name} {value!r} is not one of: {', '.join(allowed)}")
        return value

    return check


def _str_list(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RecordError(f"{name} must be a list of strings")
    return value


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError(f"{name} must be a string or a whole number")
    value = str(value)
    if len(value) > 32:
        raise RecordError(f"{name} is longer than 32 characters")
    return value


def _hours(name: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) != 11 or value[5] != "-":
        raise RecordError(f"{name} must look like \"09:00-24:00\", got {value!r}")
    start, end = value[:5], value[6:]
    for part in (start, end):
        hh, sep, mm = part.partition(":")
        if sep != ":" or not (hh.isdigit() and mm.isdigit()) or int(hh) > 24 or int(mm) > 59:
            raise RecordError(f"{name} must look like \"09:00-24:00\", got {value!r}")
        if int(hh) == 24 and int(mm) != 0:
            raise RecordError(f"{name} must look like \"09:00-24:00\", got {value!r}")
    return value


def _timezone(name: str, value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(value, str):
        raise RecordError(f"{name} must be an IANA timezone name such as Asia/Shanghai")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecordError(f"{name} {value!r} is not a known timezone") from None
    return value


def _items(name: str, value: Any) -> list[dict]:
    if not isinstance(value, list):
        raise RecordError(f"{name} must be a list of {{sku, title, qty, price}}")
    items = []
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            raise RecordError(f"{where} must be an object {{sku, title, qty, price}}")
        clean = dict(item)
        if "sku" in item:
            clean["sku"] = _id(f"{where}.sku", item["sku"])
        if "qty" in item and (isinstance(item["qty"], bool) or not isinstance(item["qty"], int) or item["qty"] < 0):
            raise RecordError(f"{where}.qty must be a whole number ≥ 0")
        if "price" in item:
            clean["price"] = str(_money(f"{where}.price", item["price"]))
        items.append(clean)
    return items


@dataclass(frozen=True)
class Field:
    name: str
    check: Check
    required: bool = False


@dataclass(frozen=True)
class RecordType:
    """One row of events.md's table of record types."""

    name: str
    fields: tuple[Field, ...]

    def validate(self, raw: dict) -> dict:
        clean = {}
        for field in self.fields:
            value = raw.get(field.name)
            if value is None:
                if field.required:
                    raise RecordError(f"missing required field {field.name}")
                continue
            clean[field.name] = field.check(field.name, value)
        return clean


def _type(name: str, *fields: Field) -> RecordType:
    return RecordType(name, (Field("id", _id, True), *fields))


def req(name: str, check: Check) -> Field:
    return Field(name, check, True)


def opt(name: str, check: Check) -> Field:
    return Field(name, check, False)


RECORD_TYPES: dict[str, RecordType] = {
    t.name: t
    for t in (
        _type(
            "shop",
            req("name", _text(200)),
            req("platform", _enum(Platform)),
            opt("timezone", _timezone),
            opt("service_hours", _hours),
        ),
        _type(
            "agent",
            req("name", _text(100)),
            opt("shop_id", _id),
            opt("team", _text(100)),
            opt("skills", _str_list),
            opt("hired_on", _date),
            opt("active", _bool),
        ),
        _type(
            "customer",
            req("shop_id", _id),
            opt("nick", _text(200)),
            opt("vip_level", _scalar),
            opt("tags", _str_list),
            opt("phone", _text(64)),
            opt("address", _text(500)),
            opt("marketing_consent", _bool),
        ),
        _type(
            "conversation",
            req("shop_id", _id),
            req("customer_id", _id),
            req("started_at", _time),
            opt("channel", _text(64)),
            opt("stage", _enum(Stage)),
            opt("order_id", _id),
            opt("assigned_agent_id", _id),
            opt("rating", _rating),
            opt("rated_at", _time),
            opt("tags", _str_list),
            opt("ended_at", _time),
        ),
        _type(
            "message",
            req("conversation_id", _id),
            req("sent_at", _time),
            req("sender", _enum(Sender)),
            opt("shop_id", _id),  # an extension: names the shop when conversation ids repeat across shops
            opt("agent_id", _id),
            opt("is_auto", _bool),
            opt("text", _long_text),
            opt("attachments", _str_list),
        ),
        _type(
            "order",
            req("shop_id", _id),
            req("customer_id", _id),
            req("created_at", _time),
            req("amount", _money),
            opt("paid_at", _time),
            opt("status", _text(32)),
            opt("items", _items),
        ),
        _type(
            "aftersale",
            req("shop_id", _id),
            req("order_id", _id),
            req("kind", _enum(AfterSaleKind)),
            req("opened_at", _time),
            opt("reason", _text(500)),
            opt("status", _enum(AfterSaleStatus)),
            opt("closed_at", _time),
            opt("amount", _money),
            opt("platform_intervened", _bool),
            opt("judged_against_seller", _bool),
        ),
        _type(
            "review",
            req("shop_id", _id),
            req("order_id", _id),
            req("rating", _rating),
            req("created_at", _time),
            opt("customer_id", _id),
            opt("sku", _id),
            opt("text", _long_text),
            opt("reply_text", _long_text),
            opt("replied_at", _time),
        ),
        _type(
            "logistics",
            req("shop_id", _id),
            req("order_id", _id),
            req("at", _time),
            req("status", _enum(LogisticsStatus)),
            opt("carrier", _text(64)),
            opt("tracking_no", _text(64)),
            opt("detail", _text(500)),
        ),
        _type(
            "agent_status",
            req("agent_id", _id),
            req("at", _time),
            req("status", _enum(PresenceStatus)),
            opt("note", _text(200)),
        ),
    )
}


def record_validate(raw: Any) -> tuple[str, dict]:
    """Validate one record; returns (type, clean fields) or raises RecordError."""
    if not isinstance(raw, dict):
        raise RecordError("a record must be a JSON object")
    kind = raw.get("type")
    if kind is None:
        raise RecordError("missing required field type")
    record_type = RECORD_TYPES.get(kind) if isinstance(kind, str) else None
    if record_type is None:
        raise RecordError(f"type {kind!r} is not one of: {', '.join(RECORD_TYPES)}")
    clean = record_type.validate(raw)
    if kind == "message" and clean["sender"] == "agent" and "agent_id" not in clean:
        raise RecordError("agent_id is required when sender is agent")
    return kind, clean
