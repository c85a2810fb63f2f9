"""Conversation volume (and handle time) forecast per 15/30-minute interval, with a backtest.

The method, the CSV formats and the measured accuracy are in docs/wfm.md, "Forecast".
In short, the classic call-centre "top-down" forecast:

1. Daily totals are forecast with statsforecast's AutoETS (weekly season of 7 days), or
   with MSTL (weekly + yearly seasons, ETS trend) once two years of history exist.
2. Each forecast day is split over its intervals by the intraday profile of the same
   weekday in the last ``PROFILE_WEEKS`` weeks. Intervals that were closed (0) on all of
   those days stay closed, so nights, weekends and holidays off give 0, never negative.
3. Promotions multiply the intervals they cover by their uplift: given in the promotions
   file (the supervisor's figure) or learned from past promotions of the same kind in the
   history as actual ÷ baseline (the same intervals of earlier, promotion-free weeks).
   History inside past promotions is replaced by that baseline before the model is fitted.

statsforecast imports numba (seconds): it is imported inside the functions that fit.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import numpy as np

PROFILE_WEEKS = 4  # weeks of the same weekday that shape a day's intraday profile
BASELINE_WEEKS = 4  # promotion-free weeks that make a promotion's baseline
ETS_MIN_DAYS = 21  # whole days before a seasonal ETS is fitted to daily totals
YEARLY_MIN_DAYS = 2 * 365 + 14  # history needed before a yearly season is fitted
DEFAULT_LEVEL = 80  # % prediction interval (lower, upper)


class ForecastInputError(ValueError):
    """Bad history or promotions input; the message names the line and the reason."""


@dataclass(frozen=True)
class History:
    """A regular series of intervals: ``starts[i]`` (aware, UTC) has ``volume[i]`` arrivals."""

    starts: list[datetime]
    volume: np.ndarray
    interval_minutes: int
    tz: timezone  # the offset of the last row: forecasts are written in it
    aht: np.ndarray | None = None  # seconds; NaN where unknown (e.g. closed intervals)

    def __len__(self) -> int:
        return len(self.starts)

    def head(self, n: int) -> History:
        return History(
            self.starts[:n], self.volume[:n], self.interval_minutes, self.tz, None if self.aht is None else self.aht[:n]
        )


@dataclass
class Promotion:
    """A window [start, end) whose volume is multiplied by ``uplift``."""

    start: datetime
    end: datetime
    name: str
    kind: str
    uplift: float | None = None
    source: str = "given"  # given | learned | none (no uplift known: 1)
    line: int = 0

    def as_dict(self, tz: timezone) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "start": self.start.astimezone(tz).isoformat(),
            "end": self.end.astimezone(tz).isoformat(),
            "uplift": None if self.uplift is None else round(self.uplift, 4),
            "source": self.source,
        }


@dataclass
class Forecast:
    """One row per future interval, and how the forecast was made."""

    starts: list[datetime]
    volume: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    aht: np.ndarray | None
    model: str
    tz: timezone
    promotions: list[Promotion] = field(default_factory=list)

    def rows(self) -> list[dict]:
        out = []
        for i, start in enumerate(self.starts):
            row = {
                "start": start.astimezone(self.tz).isoformat(),
                "volume": round(float(self.volume[i]), 2),
                "lower": round(float(self.lower[i]), 2),
                "upper": round(float(self.upper[i]), 2),
            }
            if self.aht is not None:
                row["aht"] = None if math.isnan(self.aht[i]) else round(float(self.aht[i]), 1)
            out.append(row)
        return out


# --- parsing -----------------------------------------------------------------------------


def _parse_time(value: str, line: int, column: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ForecastInputError(f"line {line}: {column} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ForecastInputError(f"line {line}: {column} {value!r} has no UTC offset (write e.g. +08:00)")
    return moment


def _parse_number(value: str, line: int, column: str, *, allow_empty=False) -> float:
    if allow_empty and value.strip() == "":
        return math.nan
    try:
        number = float(value)
    except ValueError:
        raise ForecastInputError(f"line {line}: {column} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ForecastInputError(f"line {line}: {column} {value!r} is not a finite number")
    if number < 0:
        raise ForecastInputError(f"line {line}: {column} {value!r} is negative")
    return number


def _reader(text: str, required: tuple[str, ...], what: str) -> csv.DictReader:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ForecastInputError(f"line 1: {what} header needs column(s) {', '.join(missing)}, found {header}")
    reader.fieldnames = header
    return reader


def history_parse(*, text: str, interval_minutes: int) -> History:
    """Read a ``start,volume[,aht]`` CSV; every row one interval, regular spacing, no gaps."""
    if interval_minutes <= 0 or 1440 % interval_minutes:
        raise ForecastInputError(f"interval minutes must divide a day (e.g. 15 or 30), got {interval_minutes}")
    reader = _reader(text, ("start", "volume"), "history")
    has_aht = "aht" in reader.fieldnames
    starts, volume, aht = [], [], []
    step = timedelta(minutes=interval_minutes)
    for row in reader:
        line = reader.line_num
        if None in row or any(row.get(c) is None for c in ("start", "volume")):
            raise ForecastInputError(f"line {line}: expected {len(reader.fieldnames)} columns")
        start = _parse_time(row["start"], line, "start")
        if starts:
            gap = start - starts[-1]
            if gap != step:
                raise ForecastInputError(
                    f"line {line}: irregular spacing: {start.isoformat()} follows {starts[-1].isoformat()} "
                    f"by {gap}, expected {step} (write closed intervals as volume 0)"
                )
        elif (start.hour * 60 + start.minute) % interval_minutes or start.second or start.microsecond:
            raise ForecastInputError(
                f"line {line}: start {row['start']!r} is not on a {interval_minutes}-minute boundary"
            )
        starts.append(start)
        volume.append(_parse_number(row["volume"], line, "volume"))
        if has_aht:
            aht.append(_parse_number(row["aht"] or "", line, "aht", allow_empty=True))
    if not starts:
        raise ForecastInputError("history has no rows")
    tz = starts[-1].tzinfo if isinstance(starts[-1].tzinfo, timezone) else timezone(starts[-1].utcoffset())
    return History(
        starts=[s.astimezone(timezone.utc) for s in starts],
        volume=np.asarray(volume, dtype=float),
        interval_minutes=interval_minutes,
        tz=tz,
        aht=np.asarray(aht, dtype=float) if has_aht else None,
    )


def promotions_parse(*, text: str) -> list[Promotion]:
    """Read a ``start,end,name[,kind][,uplift]`` CSV (uplift empty: learn it from history)."""
    reader = _reader(text, ("start", "end", "name"), "promotions")
    promotions = []
    for row in reader:
        line = reader.line_num
        start = _parse_time(row["start"] or "", line, "start")
        end = _parse_time(row["end"] or "", line, "end")
        if end <= start:
            raise ForecastInputError(f"line {line}: end {row['end']!r} is not after start {row['start']!r}")
        name = (row["name"] or "").strip()
        if not name:
            raise ForecastInputError(f"line {line}: name is empty")
        kind = (row.get("kind") or "").strip() or name
        uplift = _parse_number(row.get("uplift") or "", line, "uplift", allow_empty=True)
        promotions.append(
            Promotion(
                start=start.astimezone(timezone.utc),
                end=end.astimezone(timezone.utc),
                name=name,
                kind=kind,
                uplift=None if math.isnan(uplift) else uplift,
                line=line,
            )
        )
    return promotions


# --- the model ---------------------------------------------------------------------------


def _grid(history: History) -> tuple[np.ndarray, int, int]:
    """Intervals laid out as days × slots in the forecast's timezone, NaN outside the history."""
    per_day = 1440 // history.interval_minutes
    first_local = history.starts[0].astimezone(history.tz)
    offset = (first_local.hour * 60 + first_local.minute) // history.interval_minutes
    days = math.ceil((offset + len(history)) / per_day)
    grid = np.full(days * per_day, np.nan)
    grid[offset : offset + len(history)] = history.volume
    return grid.reshape(days, per_day), offset, per_day


def _covered(starts: list[datetime], promotion: Promotion) -> np.ndarray:
    return np.array([promotion.start <= s < promotion.end for s in starts], dtype=bool)


def _baseline(values: np.ndarray, excluded: np.ndarray, index: int, per_week: int) -> float:
    """Mean of the same interval in up to BASELINE_WEEKS earlier weeks outside promotions."""
    found = []
    k = index - per_week
    while k >= 0 and len(found) < BASELINE_WEEKS:
        if not excluded[k]:
            found.append(values[k])
        k -= per_week
    return float(np.mean(found)) if found else math.nan


def _promotions_learn(history: History, promotions: list[Promotion]) -> tuple[np.ndarray, dict[str, float]]:
    """History with past promotions replaced by their baseline, and each kind's learned uplift."""
    per_week = 7 * 1440 // history.interval_minutes
    volume = history.volume.copy()
    inside = np.zeros(len(history), dtype=bool)
    masks = []
    for promotion in promotions:
        mask = _covered(history.starts, promotion)
        masks.append(mask)
        inside |= mask
    ratios: dict[str, list[float]] = {}
    for promotion, mask in zip(promotions, masks):
        indexes = np.flatnonzero(mask)
        if not len(indexes):
            continue
        baseline = np.array([_baseline(history.volume, inside, i, per_week) for i in indexes])
        known = ~np.isnan(baseline)
        if known.any() and baseline[known].sum() > 0:
            ratios.setdefault(promotion.kind, []).append(history.volume[indexes[known]].sum() / baseline[known].sum())
        volume[indexes[known]] = baseline[known]
    return volume, {kind: float(np.mean(values)) for kind, values in ratios.items()}


def _daily_model(days: int):
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    if days >= YEARLY_MIN_DAYS:
        return MSTL(season_length=[7, 365], trend_forecaster=AutoETS(model="ZZN")), "MSTL(7, 365) + AutoETS trend"
    if days >= ETS_MIN_DAYS:
        return AutoETS(season_length=7), "AutoETS(season 7)"
    # Too few days to estimate a seasonal ETS (as many parameters as observations).
    return SeasonalNaive(season_length=7), "seasonal naive (short history)"


def _slot(moment: datetime, tz: timezone, interval_minutes: int) -> int:
    """The interval of the day (0 = from midnight) that ``moment`` falls in, in ``tz``."""
    local = moment.astimezone(tz)
    return (local.hour * 60 + local.minute) // interval_minutes


def _aht_forecast(history: History, future: list[datetime]) -> np.ndarray:
    """Volume-weighted handle time of the same weekday and time in the last PROFILE_WEEKS weeks.

    Falls back to the same time of day on any day, then to the overall mean; NaN when the
    history has no handle time at all.
    """
    known = ~np.isnan(history.aht) & (history.volume > 0)
    weights = np.where(known, history.volume, 0.0)
    values = np.where(known, history.aht, 0.0)
    overall = float((values * weights).sum() / weights.sum()) if weights.sum() > 0 else math.nan
    per_day = 1440 // history.interval_minutes
    step = timedelta(minutes=history.interval_minutes)
    last = history.starts[-1]
    slots = (_slot(history.starts[0], history.tz, history.interval_minutes) + np.arange(len(history))) % per_day
    out = np.full(len(future), np.nan)
    for j, start in enumerate(future):
        # The same interval 1, 2, ... weeks earlier that lie inside the history.
        weeks_back = math.ceil((start - last) / timedelta(weeks=1))
        weeks = range(weeks_back, weeks_back + PROFILE_WEEKS)
        same = [len(history) - 1 - (last - (start - timedelta(weeks=w))) // step for w in weeks]
        same = [i for i in same if 0 <= i < len(history)]
        if same and weights[same].sum() > 0:
            out[j] = (values[same] * weights[same]).sum() / weights[same].sum()
            continue
        mask = slots == _slot(start, history.tz, history.interval_minutes)
        out[j] = (values[mask] * weights[mask]).sum() / weights[mask].sum() if weights[mask].sum() > 0 else overall
    return out


def volume_forecast(
    *, history: History, horizon_days: int, promotions: list[Promotion] | None = None, level: int = DEFAULT_LEVEL
) -> Forecast:
    """Forecast the ``horizon_days × intervals per day`` intervals after the last history row."""
    if horizon_days < 1:
        raise ForecastInputError("horizon must be at least one day")
    if not 0 < level < 100:
        raise ForecastInputError(f"prediction level must be between 0 and 100, got {level}")
    promotions = [Promotion(**vars(p)) for p in (promotions or [])]
    fitted_volume, learned = _promotions_learn(history, promotions)
    base = History(history.starts, fitted_volume, history.interval_minutes, history.tz, history.aht)
    grid, offset, per_day = _grid(base)
    # Fit on whole days only: the first day is dropped if it starts mid-day; a partial last
    # day is forecast (its remaining intervals) from the day-total forecast.
    first_full = 0 if offset == 0 else 1
    complete = grid[first_full:]
    last_partial = np.isnan(complete[-1]).any()
    if last_partial:
        complete = complete[:-1]
    if len(complete) < 7:
        raise ForecastInputError(f"history covers {len(complete)} whole days; at least 7 are needed")
    totals = complete.sum(axis=1)
    model, description = _daily_model(len(totals))
    steps = horizon_days + (1 if last_partial else 0)
    fitted = model.fit(totals)
    predicted = fitted.predict(steps, level=[level])
    day_mean = np.clip(predicted["mean"], 0, None)
    day_sd = (predicted[f"hi-{level}"] - predicted[f"lo-{level}"]) / 2 / _z(level)
    # A degenerate fit can report no or infinite spread; the Poisson part below still applies.
    day_sd = np.where(np.isfinite(day_sd), day_sd, 0.0)

    # Intraday profile of each forecast day from the same weekday in recent weeks.
    n_hist_days = len(grid) if not last_partial else len(grid) - 1  # index of first forecast day
    profiles = []
    for j in range(steps):
        day = n_hist_days + j
        past = range(day - 7, first_full - 1, -7)
        same = [d for d in past if d < len(grid) and not np.isnan(grid[d]).any()][:PROFILE_WEEKS]
        profile = np.nansum(grid[same], axis=0) if same else np.zeros(per_day)
        total = profile.sum()
        profiles.append(profile / total if total > 0 else np.zeros(per_day))
    share = np.concatenate(profiles)
    mean = np.repeat(day_mean, per_day) * share
    sd = np.sqrt((np.repeat(day_sd, per_day) * share) ** 2 + mean)  # day-level error + Poisson noise
    # Keep the intervals after the last history row, horizon_days × per_day of them.
    start_slot = (offset + len(history)) % per_day if last_partial else 0
    count = horizon_days * per_day
    mean, sd = mean[start_slot : start_slot + count], sd[start_slot : start_slot + count]
    step = timedelta(minutes=history.interval_minutes)
    future = [history.starts[-1] + step * (i + 1) for i in range(count)]

    uplift = np.full(count, np.nan)
    for promotion in promotions:
        if promotion.uplift is None:
            if promotion.kind in learned:
                promotion.uplift, promotion.source = learned[promotion.kind], "learned"
            else:
                promotion.source = "none"
        mask = _covered(future, promotion)
        if promotion.uplift is not None and mask.any():
            # Overlapping promotions: the largest uplift applies, they do not compound.
            uplift[mask] = np.fmax(uplift[mask], promotion.uplift)
    uplift = np.nan_to_num(uplift, nan=1.0)
    mean, sd = mean * uplift, sd * uplift
    z = _z(level)
    return Forecast(
        starts=future,
        volume=mean,
        lower=np.clip(mean - z * sd, 0, None),
        upper=mean + z * sd,
        aht=_aht_forecast(history, future) if history.aht is not None else None,
        model=f"top-down: daily totals by {description}, intraday profile of the last {PROFILE_WEEKS} same weekdays",
        tz=history.tz,
        promotions=promotions,
    )


def _z(level: int) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 200)


# --- backtest ----------------------------------------------------------------------------


def forecast_errors(*, actual: np.ndarray, predicted: np.ndarray, scale: float) -> dict:
    """MAPE (% over nonzero actuals), sMAPE (%, 0 where both are 0) and MASE (MAE ÷ scale)."""
    nonzero = actual > 0
    mape = None
    if nonzero.any():
        mape = float(np.mean(np.abs(predicted[nonzero] - actual[nonzero]) / actual[nonzero]) * 100)
    denominator = np.abs(actual) + np.abs(predicted)
    terms = np.divide(2 * np.abs(predicted - actual), denominator, out=np.zeros_like(actual), where=denominator > 0)
    mae = float(np.mean(np.abs(predicted - actual)))
    return {
        "mape": None if mape is None else round(mape, 2),
        "smape": round(float(np.mean(terms)) * 100, 2),
        "mase": round(mae / scale, 3) if scale > 0 else None,
        "mae": round(mae, 3),
    }


def forecast_backtest(
    *, history: History, weeks: int, horizon_days: int, promotions: list[Promotion] | None = None
) -> dict:
    """Forecast the last ``weeks`` weeks from rolling origins and compare with seasonal naive.

    The backtest period is cut into windows of ``min(horizon_days, 7 × weeks)`` days; each
    is forecast from the history before it, as the forecast would have been made then.
    The seasonal-naive baseline repeats the last week before each window. MASE is scaled by
    the in-sample error of the weekly seasonal naive before the backtest period.
    """
    per_day = 1440 // history.interval_minutes
    per_week = 7 * per_day
    window_days = min(horizon_days, 7 * weeks)
    windows = (7 * weeks) // window_days
    span = windows * window_days * per_day
    train_end = len(history) - span
    if train_end < 2 * per_week:
        raise ForecastInputError(
            f"a {weeks}-week backtest needs at least two weeks of history before it; "
            f"the history has {len(history) / per_day:.1f} days"
        )
    actual_parts, model_parts, naive_parts = [], [], []
    for w in range(windows):
        end = train_end + w * window_days * per_day
        past = history.head(end)
        forecast = volume_forecast(history=past, horizon_days=window_days, promotions=promotions)
        n = window_days * per_day
        actual_parts.append(history.volume[end : end + n])
        model_parts.append(forecast.volume)
        last_week = history.volume[end - per_week : end]
        naive_parts.append(np.tile(last_week, math.ceil(n / per_week))[:n])
    actual = np.concatenate(actual_parts)
    train = history.volume[:train_end]
    scale = float(np.mean(np.abs(train[per_week:] - train[:-per_week])))
    return {
        "weeks": weeks,
        "windows": windows,
        "window_days": window_days,
        "intervals": int(len(actual)),
        "from": history.starts[train_end].astimezone(history.tz).isoformat(),
        "model": forecast_errors(actual=actual, predicted=np.concatenate(model_parts), scale=scale),
        "seasonal_naive": forecast_errors(actual=actual, predicted=np.concatenate(naive_parts), scale=scale),
    }
