"""Conversation volume (and handle time) forecast per 15/30-minute interval, with a backtest.

The method, the CSV formats and the measured accuracy are in docs/wfm.md, "Forecast".
In short, the classic call-centre "top-down" forecast:

1. Daily totals: weekly totals forecast with statsforecast's AutoETS and split over the
   weekdays by the shares of the last 4 weeks, blended with the mean of the same weekday's
   totals in the last 4 weeks by a weight chosen on in-sample rolling origins; with two
   years of history, MSTL (weekly + yearly seasons, ETS trend) instead, not blended.
2. Each forecast day is split over its intervals by the intraday profile of the same
   weekday in the last ``PROFILE_WEEKS`` weeks, shrunk towards the profile of all open days
   of those weeks. Intervals that were closed (0) on all of those same weekdays stay
   closed, so nights, weekends and holidays off give 0, never negative.
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

from kefu.wfm.baselines import SAME_WEEKDAY_WEEKS, same_weekday_mean_forecast, seasonal_naive_forecast

PROFILE_WEEKS = 4  # weeks of the same weekday that shape a day's intraday profile
BASELINE_WEEKS = 4  # promotion-free weeks that make a promotion's baseline
WEEKLY_ETS_MIN_WEEKS = 6  # whole weeks before ETS is fitted to weekly totals (else their recent mean)
YEARLY_MIN_DAYS = 2 * 365 + 14  # history needed before a yearly season is fitted
DEFAULT_LEVEL = 80  # % prediction interval (lower, upper)
# The model is blended with the same-weekday mean by a weight chosen on this many weeks of
# in-sample rolling origins (docs/wfm.md, "Method", step 7).
BLEND_VALIDATION_WEEKS = 4
BLEND_WEIGHTS = tuple(k / 10 for k in range(11))
# Share of the all-days profile in a day's intraday profile (the rest: its own weekday's).
PROFILE_SHRINK = 0.5


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
    model_weight: float = 1.0  # weight of the top-down model in the blend (1: the model alone)

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


def _day_totals(totals: np.ndarray, steps: int, level: int, same_weekday: np.ndarray):
    """Mean and standard deviation of the next ``steps`` day totals, and the method's name.

    ``same_weekday[j]`` is the mean total of the same weekday as future day j (j < 7 at least)
    in the last weeks. With two years of history, MSTL with weekly and yearly seasons; with
    less, weekly totals by AutoETS (level and trend) split over the weekdays by the shares of
    ``same_weekday`` — weekly totals do not care when the busiest weekday moves (a holiday
    shifts it), while a daily seasonal model takes weeks to unlearn the old pattern.
    """
    from statsforecast.models import MSTL, AutoETS

    if len(totals) >= YEARLY_MIN_DAYS:
        model = MSTL(season_length=[7, 365], trend_forecaster=AutoETS(model="ZZN"))
        predicted = model.fit(totals).predict(steps, level=[level])
        mean, low, high = predicted["mean"], predicted[f"lo-{level}"], predicted[f"hi-{level}"]
        sd = (high - low) / 2 / _z(level)
        return np.clip(mean, 0, None), np.where(np.isfinite(sd), sd, 0.0), "MSTL(7, 365) + AutoETS trend"
    cycle = same_weekday[:7].sum()
    shares = same_weekday[np.arange(steps) % 7] / cycle if cycle > 0 else np.zeros(steps)
    n_weeks = len(totals) // 7
    weeks = totals[len(totals) - 7 * n_weeks :].reshape(n_weeks, 7).sum(axis=1)
    week_steps = -(-steps // 7)
    description = "AutoETS on weekly totals, split by the weekday shares of the last 4 weeks"
    try:
        if n_weeks < WEEKLY_ETS_MIN_WEEKS:
            raise ValueError("too few weeks")
        predicted = AutoETS(season_length=1).fit(weeks).predict(week_steps, level=[level])
        week_mean = np.clip(predicted["mean"], 0, None)
        week_sd = (predicted[f"hi-{level}"] - predicted[f"lo-{level}"]) / 2 / _z(level)
    except (ValueError, NotImplementedError):
        # Too few weeks for ETS (statsforecast refuses tiny series): the recent weekly mean.
        recent = weeks[-PROFILE_WEEKS:]
        week_mean = np.full(week_steps, recent.mean())
        week_sd = np.full(week_steps, recent.std(ddof=1) if len(recent) > 1 else 0.0)
        description = f"the mean of the last {len(recent)} weekly totals, split by the weekday shares"
    week_sd = np.where(np.isfinite(week_sd), week_sd, 0.0)
    index = np.arange(steps) // 7
    return week_mean[index] * shares, week_sd[index] * shares, description


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


def _top_down(history: History, horizon_days: int, level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """The top-down forecast of the intervals after ``history``, by its two day-total forecasts.

    Returns (intervals by the fitted day totals, intervals by the same-weekday mean of day
    totals, the day-total error spread over the intervals as a standard deviation, the fitted
    model's description). Both use the same intraday profile.
    """
    grid, offset, per_day = _grid(history)
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
    steps = horizon_days + (1 if last_partial else 0)
    n_hist_days = len(grid) if not last_partial else len(grid) - 1  # index of first forecast day
    # The all-days profile: every open whole day of the last PROFILE_WEEKS weeks pooled.
    recent = [d for d in range(max(first_full, n_hist_days - 7 * PROFILE_WEEKS), n_hist_days)
              if not np.isnan(grid[d]).any() and grid[d].sum() > 0]
    pooled = _shares(grid[recent].sum(axis=0)) if recent else np.zeros(per_day)
    profiles, same_weekday_totals = [], []
    for j in range(max(steps, 7)):
        day = n_hist_days + j
        past = range(day - 7, first_full - 1, -7)
        same = [d for d in past if d < len(grid) and not np.isnan(grid[d]).any()][:PROFILE_WEEKS]
        weekday = _shares(np.nansum(grid[same], axis=0)) if same else np.zeros(per_day)
        # Shrink the same-weekday profile (4 days of counts: noisy) towards the all-days
        # profile (up to 28 days), on the intervals the same weekday was open only.
        mixed = np.where(weekday > 0, PROFILE_SHRINK * pooled + (1 - PROFILE_SHRINK) * weekday, 0.0)
        profiles.append(_shares(mixed))
        same_weekday_totals.append(float(np.mean(grid[same].sum(axis=1))) if same else 0.0)
    profiles, same_weekday_totals = profiles[:steps], np.array(same_weekday_totals)
    day_mean, day_sd, description = _day_totals(totals, steps, level, same_weekday_totals)
    same_weekday_totals = same_weekday_totals[:steps]

    share = np.concatenate(profiles)
    by_model = np.repeat(day_mean, per_day) * share
    by_same_weekday = np.repeat(same_weekday_totals, per_day) * share
    day_part = np.repeat(day_sd, per_day) * share  # the day-total's error spread over its intervals
    # Keep the intervals after the last history row, horizon_days × per_day of them.
    start_slot = (offset + len(history)) % per_day if last_partial else 0
    keep = slice(start_slot, start_slot + horizon_days * per_day)
    return by_model[keep], by_same_weekday[keep], day_part[keep], description


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total > 0 else np.zeros_like(counts, dtype=float)


def _blend_weight(history: History, level: int) -> tuple[float | None, int]:
    """Weight of the fitted day totals against the same-weekday mean, from in-sample rolling origins.

    The last ``BLEND_VALIDATION_WEEKS`` weeks of ``history`` (as many as leave two weeks
    before them) are forecast one week at a time from the history before each week, by
    both day-total forecasts; the weight in 0, 0.1, …, 1 with the least mean absolute error
    of the intervals wins (ties: the larger weight). None when not even one week fits.
    """
    per_week = 7 * 1440 // history.interval_minutes
    weeks = min(BLEND_VALIDATION_WEEKS, len(history) // per_week - 2)
    model_parts, mean_parts, actual_parts = [], [], []
    for k in range(max(weeks, 0)):
        origin = len(history) - per_week * (k + 1)
        try:
            by_model, by_same_weekday, _, _ = _top_down(history.head(origin), 7, level)
        except ForecastInputError:
            continue
        model_parts.append(by_model)
        mean_parts.append(by_same_weekday)
        actual_parts.append(history.volume[origin : origin + per_week])
    if not model_parts:
        return None, 0
    model, mean, actual = (np.concatenate(x) for x in (model_parts, mean_parts, actual_parts))
    errors = {w: float(np.mean(np.abs(w * model + (1 - w) * mean - actual))) for w in BLEND_WEIGHTS}
    best = min(errors.values())
    return max(w for w, e in errors.items() if e <= best * (1 + 1e-9)), len(model_parts)


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
    per_day = 1440 // history.interval_minutes
    count = horizon_days * per_day
    by_model, by_same_weekday, day_part, description = _top_down(base, horizon_days, level)
    # A same-weekday mean cannot see a yearly season coming, so a yearly model is not blended.
    yearly = len(history) >= YEARLY_MIN_DAYS * per_day
    weight, windows = (None, 0) if yearly else _blend_weight(base, level)
    model_name = (f"top-down: daily totals by {description}, intraday profile of the last {PROFILE_WEEKS} same "
                  f"weekdays shrunk {PROFILE_SHRINK:g} towards all days of those weeks")
    if weight is None:
        weight, mean = 1.0, by_model
    else:
        mean = weight * by_model + (1 - weight) * by_same_weekday
        model_name += (f"; day totals blended {weight:.1f} : {1 - weight:.1f} with the mean of the last "
                       f"{SAME_WEEKDAY_WEEKS} same weekdays (weight from {windows} in-sample weeks)")
    sd = np.sqrt(day_part**2 + mean)  # day-level error + Poisson noise
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
        model=model_name,
        tz=history.tz,
        promotions=promotions,
        model_weight=weight,
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
    """Forecast the last ``weeks`` weeks from rolling origins and compare with two baselines.

    The backtest period is cut into windows of ``min(horizon_days, 7 × weeks)`` days; each
    is forecast from the history before it, as the forecast would have been made then.
    The baselines (:mod:`kefu.wfm.baselines`): the seasonal naive repeats the last week before
    each window; the same-weekday mean averages the same interval of the last 4 weeks before
    it. MASE is scaled by
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
    actual_parts, model_parts, naive_parts, mean_parts = [], [], [], []
    for w in range(windows):
        end = train_end + w * window_days * per_day
        past = history.head(end)
        forecast = volume_forecast(history=past, horizon_days=window_days, promotions=promotions)
        n = window_days * per_day
        actual_parts.append(history.volume[end : end + n])
        model_parts.append(forecast.volume)
        naive_parts.append(seasonal_naive_forecast(history=history.volume[:end], horizon=n, per_week=per_week))
        mean_parts.append(same_weekday_mean_forecast(history=history.volume[:end], horizon=n, per_week=per_week))
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
        "same_weekday_mean": forecast_errors(actual=actual, predicted=np.concatenate(mean_parts), scale=scale),
    }
