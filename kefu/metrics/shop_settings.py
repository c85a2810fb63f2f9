"""The shop settings metric definitions depend on (metrics.md names each and its default).

They live in ``Shop.settings`` (JSON) under the keys below, and ``Shop.service_hours``.
Thresholds and targets are applied when figures are computed; service hours, the
attribution window and the after-sale SLA are baked into the rollups, so changing one
recomputes the shop's rollups."""

from dataclasses import dataclass, field
from datetime import time

from django.db import transaction

from kefu.core.audit import audit_record
from kefu.core.errors import ValidationError
from kefu.metrics.definitions import METRIC_BY_KEY, Unit

AFTERSALE_KINDS = ("refund", "return", "exchange", "repair", "reship")
DEFAULTS = {
    "response_within_seconds": 180,
    "service_level_seconds": 30,
    "attribution_extra_days": 1,
}
DEFAULT_SLA_HOURS = 48
# Settings whose change invalidates stored rollups (the rest apply at query time).
ROLLUP_SETTINGS = {"service_hours", "attribution_extra_days", "aftersale_sla_hours"}
# Settings only the daily rollups (kefu.metrics.levels) depend on: the facts stay.
LEVEL_SETTINGS = {"response_within_seconds", "service_level_seconds"}


@dataclass(frozen=True)
class MetricSettings:
    service_hours: str = "00:00-24:00"
    response_within_seconds: int = 180
    service_level_seconds: int = 30
    attribution_extra_days: int = 1
    aftersale_sla_hours: dict = field(default_factory=lambda: dict.fromkeys(AFTERSALE_KINDS, DEFAULT_SLA_HOURS))
    targets: dict = field(default_factory=dict)


def metric_settings_for(shop) -> MetricSettings:
    stored = shop.settings or {}
    sla = dict.fromkeys(AFTERSALE_KINDS, DEFAULT_SLA_HOURS)
    sla.update({k: v for k, v in (stored.get("aftersale_sla_hours") or {}).items() if k in sla})
    return MetricSettings(
        service_hours=shop.service_hours or "00:00-24:00",
        response_within_seconds=int(stored.get("response_within_seconds", DEFAULTS["response_within_seconds"])),
        service_level_seconds=int(stored.get("service_level_seconds", DEFAULTS["service_level_seconds"])),
        attribution_extra_days=int(stored.get("attribution_extra_days", DEFAULTS["attribution_extra_days"])),
        aftersale_sla_hours=sla,
        targets=dict(stored.get("targets") or {}),
    )


def service_hours_parse(value: str) -> tuple[time | None, time | None]:
    """``"09:00-24:00"`` -> (start, end) as times; ``None`` for 24:00 (end of day).
    Raises ValueError for anything else."""
    if not isinstance(value, str) or len(value) != 11 or value[5] != "-":
        raise ValueError(f'service hours must look like "09:00-24:00", got {value!r}')
    parts = []
    for text in (value[:5], value[6:]):
        hh, sep, mm = text.partition(":")
        if sep != ":" or not (hh.isdigit() and mm.isdigit()) or int(hh) > 24 or int(mm) > 59:
            raise ValueError(f'service hours must look like "09:00-24:00", got {value!r}')
        if int(hh) == 24:
            if int(mm):
                raise ValueError(f'service hours must look like "09:00-24:00", got {value!r}')
            parts.append(None)
        else:
            parts.append(time(int(hh), int(mm)))
    return parts[0], parts[1]


def in_service_hours(local_time: time, hours: tuple[time | None, time | None]) -> bool:
    """Start inclusive, end exclusive; an end before the start wraps past midnight."""
    start, end = hours
    start = start or time(0)
    if end is None:
        return local_time >= start
    if start == end:
        return True
    if start < end:
        return start <= local_time < end
    return local_time >= start or local_time < end


def _positive_int(name: str, value, *, minimum: int = 0, maximum: int = 10**7) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a whole number", detail={"field": name}) from None
    if str(number) != str(value).strip() and not isinstance(value, int):
        raise ValidationError(f"{name} must be a whole number", detail={"field": name})
    if not minimum <= number <= maximum:
        raise ValidationError(f"{name} must be between {minimum} and {maximum}", detail={"field": name})
    return number


def metric_settings_update(shop, *, actor=None, request=None, **changes) -> MetricSettings:
    """Validate and save changes to a shop's metric settings, audit them, and recompute
    the shop's rollups when a setting they depend on changed."""
    stored = dict(shop.settings or {})
    before = metric_settings_for(shop)
    unknown = set(changes) - {"service_hours", "targets", "aftersale_sla_hours", *DEFAULTS}
    if unknown:
        raise ValidationError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    if "service_hours" in changes:
        try:
            service_hours_parse(changes["service_hours"])
        except ValueError as error:
            raise ValidationError(str(error), detail={"field": "service_hours"}) from None
    for name in DEFAULTS:
        if name in changes:
            maximum = 30 if name == "attribution_extra_days" else 86400
            stored[name] = _positive_int(name, changes[name], maximum=maximum)
    if "aftersale_sla_hours" in changes:
        sla = dict(stored.get("aftersale_sla_hours") or {})
        for kind, hours in (changes["aftersale_sla_hours"] or {}).items():
            if kind not in AFTERSALE_KINDS:
                raise ValidationError(f"unknown after-sale kind {kind!r}", detail={"field": "aftersale_sla_hours"})
            sla[kind] = _positive_int(f"aftersale_sla_hours.{kind}", hours, minimum=1, maximum=24 * 365)
        stored["aftersale_sla_hours"] = sla
    if "targets" in changes:
        targets = {}
        for key, value in (changes["targets"] or {}).items():
            metric = METRIC_BY_KEY.get(key)
            if metric is None:
                raise ValidationError(f"unknown metric {key!r}", detail={"field": "targets"})
            if value in (None, ""):
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValidationError(f"target of {key} must be a number", detail={"field": "targets"}) from None
            if metric.unit == Unit.RATIO and key != "answer_question_ratio" and not 0 <= number <= 1 and \
                    key != "conversations_per_online_hour":
                raise ValidationError(f"target of {key} must be a fraction between 0 and 1", detail={"field": "targets"})
            if number < 0:
                raise ValidationError(f"target of {key} must not be negative", detail={"field": "targets"})
            targets[key] = number
        stored["targets"] = targets
    with transaction.atomic():
        if "service_hours" in changes:
            shop.service_hours = changes["service_hours"]
        shop.settings = stored
        shop.save(update_fields=["service_hours", "settings"])
        after = metric_settings_for(shop)
        changed = {
            name: {"from": getattr(before, name), "to": getattr(after, name)}
            for name in MetricSettings.__dataclass_fields__
            if getattr(before, name) != getattr(after, name)
        }
        if changed:
            audit_record(actor=actor, action="metrics.settings_change", target=shop, detail=changed, request=request)
    if changed.keys() & ROLLUP_SETTINGS:
        from kefu.metrics.rollups import shop_recompute_request

        shop_recompute_request(shop)
    elif changed.keys() & LEVEL_SETTINGS:
        from kefu.metrics.rollups import shop_levels_recompute_request

        shop_levels_recompute_request(shop)
    return after
