"""Forecast accuracy: the model against seasonal naive and the mean of the last 4 same weekdays.

Rolling origin, 4 folds of one week each (``forecast_backtest(weeks=4, horizon_days=7)``).
On the real bank call-centre arrivals the model must beat both baselines on MAPE, sMAPE and
MASE; so that the method is not tuned to that one file it must also beat them (on sMAPE and
MASE) on series built from it that the method was not developed on — each half of the file
and the file summed to 60-minute intervals — and on synthetic series of other shapes: 24/7
with a night trough, a closed weekday, a trend, over-dispersed noise, low volume. The
figures are in docs/wfm.md ("Forecast accuracy"); ``bench/wfm_accuracy.py`` prints them.
"""

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from kefu.text.tests.datasets import shared_data_dir
from kefu.wfm.baselines import same_weekday_mean_forecast, seasonal_naive_forecast
from kefu.wfm.forecast import History, forecast_backtest, history_parse, volume_forecast

CST = timezone(timedelta(hours=8))
START = datetime(2026, 3, 2, tzinfo=CST)  # a Monday
BASELINES = ("seasonal_naive", "same_weekday_mean")


def _bump(hour: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.exp(-(((hour - centre) / width) ** 2))


def synthetic_rate(shape: str, weeks: int, per_day: int = 48) -> np.ndarray:
    """Expected arrivals per interval of a ``shape`` of series (see SHAPES)."""
    n = weeks * 7 * per_day
    i = np.arange(n)
    hour = (i % per_day) * 24 / per_day
    weekday = (i // per_day) % 7
    if shape == "24/7 shop, evening peak, night trough":
        rate = 6 + 20 * _bump(hour, 14, 3) + 45 * _bump(hour, 21, 1.5) + 4 * _bump(hour, 0.5, 1)
        rate *= np.where(weekday >= 5, 1.3, 1.0)
    elif shape == "closed on Wednesdays, midday peak":
        rate = np.where((hour >= 8) & (hour < 20), 25 + 40 * _bump(hour, 12.5, 2), 0.0)
        rate = np.where(weekday == 2, 0.0, rate)
    elif shape == "growing 3 % a week":
        rate = np.where((hour >= 9) & (hour < 22), 30 + 30 * _bump(hour, 20, 2), 0.0)
        rate = rate * 1.03 ** (i / (7 * per_day))
    elif shape == "over-dispersed (gamma-Poisson), weekday-heavy":
        rate = np.where((hour >= 7) & (hour < 23), 40 + 25 * _bump(hour, 10, 2) + 20 * _bump(hour, 16, 2), 0.0)
        rate *= np.array([1.4, 1.2, 1.1, 1.0, 1.0, 0.7, 0.6])[weekday]
    elif shape == "low volume (about 3 an interval)":
        rate = np.where((hour >= 9) & (hour < 21), 2 + 2 * _bump(hour, 15, 3), 0.0)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return rate


SHAPES = (
    "24/7 shop, evening peak, night trough",
    "closed on Wednesdays, midday peak",
    "growing 3 % a week",
    "over-dispersed (gamma-Poisson), weekday-heavy",
    "low volume (about 3 an interval)",
)


def synthetic_history(shape: str, *, weeks: int = 14, seed: int = 3) -> History:
    rng = np.random.default_rng(seed)
    rate = synthetic_rate(shape, weeks)
    if shape.startswith("over-dispersed"):
        rate = rng.gamma(shape=8.0, scale=rate / 8.0)  # extra-Poisson noise: variance = mean + mean² / 8
    volume = rng.poisson(rate).astype(float)
    starts = [(START + timedelta(minutes=30 * k)).astimezone(timezone.utc) for k in range(len(volume))]
    return History(starts=starts, volume=volume, interval_minutes=30, tz=CST)


def bank_history() -> History:
    folder = shared_data_dir("us_bank_calls")
    return history_parse(text=(folder / "arrivals_30min.csv").read_text(), interval_minutes=30)


def bank_variants(history: History) -> dict[str, History]:
    """Real series built from the bank file: each half (whole weeks) and 60-minute intervals."""
    per_week = 7 * 48
    half = (len(history) // per_week // 2) * per_week

    def part(lo: int, hi: int) -> History:
        return History(history.starts[lo:hi], history.volume[lo:hi], 30, history.tz)

    hourly = History(history.starts[::2], history.volume.reshape(-1, 2).sum(axis=1), 60, history.tz)
    return {"first half": part(0, half), "second half": part(half, len(history)), "60-minute intervals": hourly}


def assert_beats_baselines(result: dict, measures: tuple[str, ...]) -> None:
    model = result["model"]
    for baseline in BASELINES:
        for measure in measures:
            assert model[measure] < result[baseline][measure], (baseline, measure, result)


def test_baselines_by_hand():
    per_week = 3  # a "week" of 3 intervals keeps the arithmetic visible
    history = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.0])
    assert seasonal_naive_forecast(history=history, horizon=4, per_week=per_week).tolist() == [10, 11, 12, 10]
    # Same slot 1-4 "weeks" back: (10 + 7 + 4 + 1) / 4 = 5.5, then (11 + 8 + 5 + 2) / 4 = 6.5, …
    assert same_weekday_mean_forecast(history=history, horizon=4, per_week=per_week).tolist() == [5.5, 6.5, 7.5, 5.5]
    # With fewer than 4 weeks of history, the mean of those available.
    assert same_weekday_mean_forecast(history=history[-6:], horizon=1, per_week=per_week).tolist() == [8.5]
    with pytest.raises(ValueError, match="one week"):
        seasonal_naive_forecast(history=history[:2], horizon=1, per_week=per_week)


def test_backtest_reports_both_baselines_over_four_one_week_folds():
    result = forecast_backtest(history=synthetic_history(SHAPES[1], weeks=8), weeks=4, horizon_days=7)
    assert (result["windows"], result["window_days"], result["intervals"]) == (4, 7, 4 * 7 * 48)
    for key in ("model", *BASELINES):
        assert set(result[key]) >= {"mape", "smape", "mase"}


def test_beats_both_baselines_on_real_bank_calls():
    result = forecast_backtest(history=bank_history(), weeks=4, horizon_days=7)
    assert result["windows"] == 4
    assert_beats_baselines(result, ("mape", "smape", "mase"))


@pytest.mark.parametrize("variant", ["first half", "second half", "60-minute intervals"])
def test_beats_both_baselines_on_other_real_series(variant):
    history = bank_variants(bank_history())[variant]
    result = forecast_backtest(history=history, weeks=4, horizon_days=7)
    assert_beats_baselines(result, ("smape", "mase"))


@pytest.mark.parametrize("shape", SHAPES)
def test_beats_both_baselines_on_synthetic_shapes(shape):
    result = forecast_backtest(history=synthetic_history(shape), weeks=4, horizon_days=7)
    assert_beats_baselines(result, ("smape", "mase"))


def test_closed_intervals_and_days_stay_closed_in_the_blend():
    history = synthetic_history("closed on Wednesdays, midday peak", weeks=8)
    forecast = volume_forecast(history=history, horizon_days=7)
    local = [s.astimezone(CST) for s in forecast.starts]
    closed = np.array([m.weekday() == 2 or not 8 <= m.hour < 20 for m in local])
    assert (forecast.volume[closed] == 0).all() and (forecast.volume[~closed] > 0).all()
    assert 0 <= forecast.model_weight <= 1
