"""Benchmark forecasts a volume forecast must beat: weekly seasonal naive and the mean of 4 weeks.

Both forecast interval t of the future from the same weekday and time of day before the
forecast origin, the two rules a planner uses by hand:

- **seasonal naive**: the value one week earlier (for a horizon beyond a week, the last
  observed week repeats);
- **mean of the last 4 same-weekday intervals**: the mean of the same interval 1-4 weeks
  earlier (with fewer weeks of history, of those available).

``history`` is the series up to the origin (a 1-D array of interval volumes, regular
spacing, the first future interval right after its last value).
"""

from __future__ import annotations

import numpy as np

SAME_WEEKDAY_WEEKS = 4


def _weeks_back(n: int, per_week: int) -> np.ndarray:
    """For each future step j, the smallest k ≥ 1 with j − k·per_week < 0 (a value in the history)."""
    return np.arange(n) // per_week + 1


def seasonal_naive_forecast(*, history: np.ndarray, horizon: int, per_week: int) -> np.ndarray:
    """The value of the same interval in the last observed week."""
    if len(history) < per_week:
        raise ValueError(f"seasonal naive needs one week ({per_week} intervals) of history, got {len(history)}")
    steps = np.arange(horizon)
    return np.asarray(history, dtype=float)[len(history) + steps - _weeks_back(horizon, per_week) * per_week]


def same_weekday_mean_forecast(
    *, history: np.ndarray, horizon: int, per_week: int, weeks: int = SAME_WEEKDAY_WEEKS
) -> np.ndarray:
    """Mean of the same interval in the last ``weeks`` weeks before the origin."""
    if len(history) < per_week:
        raise ValueError(f"the same-weekday mean needs one week ({per_week} intervals) of history, got {len(history)}")
    values = np.asarray(history, dtype=float)
    steps = np.arange(horizon)
    first = _weeks_back(horizon, per_week)
    total = np.zeros(horizon)
    found = np.zeros(horizon)
    for extra in range(weeks):
        index = len(values) + steps - (first + extra) * per_week
        ok = index >= 0
        total[ok] += values[index[ok]]
        found[ok] += 1
    return total / found
