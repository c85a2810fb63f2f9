"""The shop's own history for the forecast: conversations started per interval, from the database."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
from django.utils import timezone as django_timezone

from kefu.conversations.models import Conversation
from kefu.shops.models import Shop
from kefu.wfm.forecast import ForecastInputError, History


def conversation_arrivals(
    *, shop_ext_id: str, interval_minutes: int, skill_group: str | None = None, until: datetime | None = None
) -> History:
    """Conversations started per interval (and their mean duration as handle time) up to ``until``.

    Intervals are cut in the shop's timezone, at its UTC offset at ``until`` (a fixed offset:
    across a daylight-saving change the intervals stay on the later offset's boundaries).
    ``until`` defaults to the end of the last complete interval before now. ``skill_group``
    (a group key) keeps the conversations ever assigned to that group.
    """
    if interval_minutes <= 0 or 1440 % interval_minutes:
        raise ForecastInputError(f"interval minutes must divide a day (e.g. 15 or 30), got {interval_minutes}")
    shop = Shop.objects.filter(ext_id=shop_ext_id).first()
    if shop is None:
        raise ForecastInputError(f"unknown shop {shop_ext_id!r}")
    step = timedelta(minutes=interval_minutes)
    moment = until or django_timezone.now()
    tz = timezone(moment.astimezone(ZoneInfo(shop.timezone)).utcoffset())

    def floor(t: datetime) -> datetime:
        local = t.astimezone(tz)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight + step * ((local - midnight) // step)

    end = floor(moment)
    conversations = Conversation.objects.filter(shop=shop, started_at__lt=end)
    if skill_group:
        conversations = conversations.filter(assignments__group__key=skill_group).distinct()
    rows = list(conversations.order_by().values_list("started_at", "ended_at"))
    if not rows:
        group = f" in skill group {skill_group!r}" if skill_group else ""
        raise ForecastInputError(f"shop {shop_ext_id!r} has no conversations{group} before {end.isoformat()}")
    first = floor(min(started for started, _ in rows))
    count = math.ceil((end - first) / step)
    index = np.array([(started - first) // step for started, _ in rows])
    volume = np.bincount(index, minlength=count).astype(float)
    durations = np.array([(ended - started).total_seconds() if ended else math.nan for started, ended in rows])
    known = ~np.isnan(durations)
    seconds = np.bincount(index[known], weights=durations[known], minlength=count)
    ended = np.bincount(index[known], minlength=count)
    aht = np.divide(seconds, ended, out=np.full(count, np.nan), where=ended > 0)
    return History(
        starts=[(first + step * i).astimezone(timezone.utc) for i in range(count)],
        volume=volume,
        interval_minutes=interval_minutes,
        tz=tz,
        aht=aht if known.any() else None,
    )
