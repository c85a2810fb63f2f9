"""Shop time (metrics.md, "Building blocks"): days are cut in each shop's own timezone.

A filter over several shops is therefore a union of per-timezone windows."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q


def day_window(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of a calendar day in a timezone, as aware datetimes."""
    tz = ZoneInfo(tz_name)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def shop_timezones(*, shop_ids: list[int] | None) -> dict[str, list[int]]:
    """Shop ids grouped by timezone (None: every shop)."""
    from kefu.shops.models import Shop

    shops = Shop.objects.all() if shop_ids is None else Shop.objects.filter(id__in=shop_ids)
    grouped: dict[str, list[int]] = defaultdict(list)
    for shop_id, tz_name in shops.values_list("id", "timezone"):
        grouped[tz_name].append(shop_id)
    return dict(grouped)


def shop_days_filter(
    *,
    shop_ids: list[int] | None,
    first_day: date,
    days: int = 1,
    field: str,
    shop_field: str = "shop_id",
    zones: dict[str, list[int]] | None = None,
) -> Q:
    """A filter selecting rows whose ``field`` lies within ``days`` shop-days starting at
    ``first_day``, each row judged in the timezone of its own shop. Matches nothing when
    there is no shop. ``zones`` (from ``shop_timezones``) saves the look-up when a caller
    builds several filters over the same shops."""
    if zones is None:
        zones = shop_timezones(shop_ids=shop_ids)
    condition = Q(pk__in=[])
    for tz_name, ids in zones.items():
        start, _ = day_window(first_day, tz_name)
        _, end = day_window(first_day + timedelta(days=days - 1), tz_name)
        condition |= Q(**{f"{shop_field}__in": ids, f"{field}__gte": start, f"{field}__lt": end})
    return condition
