"""WFM accuracy figures (not a test): the forecast against its baselines, and the 双11 schedule week.

    .venv/bin/python bench/wfm_accuracy.py                 # forecast tables (about a minute)
    .venv/bin/python bench/wfm_accuracy.py --seeds 10      # more synthetic draws per shape
    .venv/bin/python bench/wfm_accuracy.py --schedule 60   # also solve the 双11 week, 60 s limit

Forecast: rolling origin, 4 folds of one week (``forecast_backtest(weeks=4, horizon_days=7)``)
on the real bank call-centre arrivals (``shared/data/us_bank_calls``), on series built from
it (each half, 60-minute intervals), and on the synthetic shapes of
``kefu/wfm/tests/test_accuracy.py`` over several seeds. Prints Markdown tables for
docs/wfm.md ("Forecast accuracy", "Schedule checks").
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from kefu.text.tests.datasets import SHARED_DATA  # noqa: E402
from kefu.wfm.forecast import forecast_backtest  # noqa: E402
from kefu.wfm.tests import test_accuracy as series  # noqa: E402

KEYS = ("model", "seasonal_naive", "same_weekday_mean")


def row(name: str, result: dict, seconds: float) -> str:
    cells = [name]
    for key in KEYS:
        r = result[key]
        cells.append(f"{r['mape']:.2f} / {r['smape']:.2f} / {r['mase']:.3f}")
    wins = all(result["model"][m] < result[b][m] for b in KEYS[1:] for m in ("smape", "mase"))
    cells += ["yes" if wins else "**no**", f"{seconds:.1f}"]
    return "| " + " | ".join(cells) + " |"


def forecast_tables(seeds: int) -> None:
    print("| series | model MAPE / sMAPE / MASE | seasonal naive | mean of last 4 same weekdays | model best on sMAPE and MASE | s |")
    print("|---|---|---|---|---|---|")
    bank = None
    if (SHARED_DATA / "us_bank_calls").is_dir():
        bank = series.bank_history()
    else:
        print(f"| us_bank_calls | absent from {SHARED_DATA} | | | | |")
    if bank is not None:
        for name, history in {"us_bank_calls (whole file)": bank, **series.bank_variants(bank)}.items():
            began = time.perf_counter()
            result = forecast_backtest(history=history, weeks=4, horizon_days=7)
            print(row(name, result, time.perf_counter() - began))
    losses = 0
    for shape in series.SHAPES:
        for seed in range(1, seeds + 1):
            began = time.perf_counter()
            result = forecast_backtest(history=series.synthetic_history(shape, seed=seed), weeks=4, horizon_days=7)
            line = row(f"{shape}, seed {seed}", result, time.perf_counter() - began)
            losses += "**no**" in line
            print(line)
    print(f"\nsynthetic: the model lost on sMAPE or MASE in {losses} of {len(series.SHAPES) * seeds} series")


def schedule_week(time_limit: float) -> None:
    from kefu.wfm.checker import schedule_check, schedule_uncovered
    from kefu.wfm.tests.test_checker import DOUBLE11_RULES, double11_week, solved

    for limit in (10, time_limit):
        began = time.perf_counter()
        parsed, requirements, _, result = solved(double11_week(), DOUBLE11_RULES, time_limit=limit)
        wall = time.perf_counter() - began
        violations = schedule_check(rules=parsed, requirements=requirements, result=result)
        uncovered = schedule_uncovered(requirements=requirements, rules=parsed, result=result)
        print(f"双11 week, limit {limit} s: cost {result['cost']}, optimal {result['optimal']}, gap {result['gap']:.4%}, "
              f"solve {result['solve_seconds']} s (wall {wall:.1f} s), uncovered {uncovered}, "
              f"violations {len(violations)}, required agent-hours {result['required_agent_hours']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="synthetic draws per shape")
    parser.add_argument("--schedule", type=float, default=0, help="also solve the 双11 week with this time limit")
    args = parser.parse_args()
    forecast_tables(args.seeds)
    if args.schedule:
        schedule_week(args.schedule)


if __name__ == "__main__":
    main()
