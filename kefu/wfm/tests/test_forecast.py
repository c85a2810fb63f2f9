"""Volume forecast: input checks, closed hours, promotions, handle time, backtest, command."""

from datetime import datetime, timedelta, timezone
from io import StringIO

import numpy as np
import orjson
import pytest
from django.core.management import CommandError, call_command

from kefu.text.tests.datasets import shared_data_dir
from kefu.wfm.forecast import (
    ForecastInputError,
    forecast_backtest,
    forecast_errors,
    history_parse,
    promotions_parse,
    volume_forecast,
)

CST = timezone(timedelta(hours=8))
START = datetime(2026, 9, 7, tzinfo=CST)  # a Monday


def rate(moment: datetime) -> float:
    """Expected chats in the 30 minutes from ``moment``: 0 when closed."""
    hour = moment.hour + moment.minute / 60
    if moment.weekday() == 6 or not 9 <= hour < 21:
        return 0.0
    return 40 + 30 * np.exp(-((hour - 12) ** 2) / 2) + 40 * np.exp(-((hour - 20) ** 2) / 2)


def shop_history(weeks: int = 6, *, promotion_day: int | None = None, with_aht: bool = False) -> str:
    """Open 09:00-21:00 Monday-Saturday, closed on Sundays; a midday and an evening peak."""
    rng = np.random.default_rng(11)
    lines = ["start,volume" + (",aht" if with_aht else "")]
    for i in range(weeks * 7 * 48):
        moment = START + timedelta(minutes=30 * i)
        hour = moment.hour + moment.minute / 60
        expected = rate(moment) * (2 if i // 48 == promotion_day else 1)
        volume = rng.poisson(expected)
        row = f"{moment.isoformat()},{volume}"
        if with_aht:
            row += f",{300 + 60 * (hour >= 18):.0f}" if volume else ","
        lines.append(row)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def history():
    return history_parse(text=shop_history(), interval_minutes=30)


@pytest.fixture(scope="module")
def forecast(history):
    return volume_forecast(history=history, horizon_days=7)


def test_forecast_starts_after_the_history_and_covers_the_horizon(history, forecast):
    rows = forecast.rows()
    assert len(rows) == 7 * 48
    assert rows[0]["start"] == (history.starts[-1] + timedelta(minutes=30)).astimezone(CST).isoformat()
    assert rows[0]["start"].endswith("+08:00")


def test_closed_hours_stay_closed_and_nothing_is_negative(forecast):
    local = [s.astimezone(CST) for s in forecast.starts]
    closed = np.array([m.weekday() == 6 or not 9 <= m.hour < 21 for m in local])
    assert (forecast.volume[closed] == 0).all()
    assert (forecast.volume[~closed] > 10).all()
    assert (forecast.lower >= 0).all() and (forecast.lower <= forecast.volume).all()
    assert (forecast.upper >= forecast.volume).all()


def test_forecast_keeps_the_daily_rhythm(forecast):
    local = [s.astimezone(CST) for s in forecast.starts]
    monday = {m.hour * 60 + m.minute: v for m, v in zip(local, forecast.volume) if m.weekday() == 0}
    assert monday[20 * 60] > monday[16 * 60] and monday[12 * 60] > monday[15 * 60]
    expected = sum(rate(START + timedelta(minutes=30 * i)) for i in range(48))
    assert sum(monday.values()) == pytest.approx(expected, rel=0.1)


def test_promotion_uplift_is_learned_from_the_past_and_applied():
    history = history_parse(text=shop_history(promotion_day=30), interval_minutes=30)  # a Saturday, doubled
    past_day = START + timedelta(days=30)
    future_day = START + timedelta(days=44)  # Saturday of the forecast week
    promotions = promotions_parse(
        text="start,end,name,kind,uplift\n"
        f"{past_day.isoformat()},{(past_day + timedelta(days=1)).isoformat()},9.9 sale 2026,flash sale,\n"
        f"{future_day.isoformat()},{(future_day + timedelta(days=1)).isoformat()},10.10 sale,flash sale,\n"
    )
    plain = volume_forecast(history=history_parse(text=shop_history(), interval_minutes=30), horizon_days=7)
    promoted = volume_forecast(history=history, horizon_days=7, promotions=promotions)
    learned = promoted.promotions[1]
    assert learned.source == "learned"
    assert learned.uplift == pytest.approx(2, rel=0.15)
    inside = np.array([future_day <= s < future_day + timedelta(days=1) for s in promoted.starts])
    assert promoted.volume[inside].sum() == pytest.approx(plain.volume[inside].sum() * learned.uplift, rel=0.1)
    assert promoted.volume[~inside].sum() == pytest.approx(plain.volume[~inside].sum(), rel=0.05)


def test_given_uplift_is_used_as_is(history, forecast):
    night = forecast.starts[0].astimezone(CST).replace(hour=20, minute=0)
    promotions = promotions_parse(
        text=f"start,end,name,uplift\n{night.isoformat()},{(night + timedelta(hours=1)).isoformat()},night peak,3\n"
    )
    result = volume_forecast(history=history, horizon_days=7, promotions=promotions)
    i = result.starts.index(night.astimezone(timezone.utc))
    assert result.volume[i] == pytest.approx(3 * forecast.volume[i])
    assert result.promotions[0].source == "given"


def test_handle_time_is_forecast_when_the_history_has_it():
    history = history_parse(text=shop_history(weeks=3, with_aht=True), interval_minutes=30)
    result = volume_forecast(history=history, horizon_days=2)
    local = [s.astimezone(CST) for s in result.starts]
    evening = [a for m, a in zip(local, result.aht) if m.hour == 19 and m.weekday() < 6]
    morning = [a for m, a in zip(local, result.aht) if m.hour == 10 and m.weekday() < 6]
    assert evening and all(a == pytest.approx(360) for a in evening)
    assert morning and all(a == pytest.approx(300) for a in morning)
    assert "aht" in result.rows()[0]


def test_a_history_ending_mid_day_continues_from_the_next_interval(history):
    cut = history.head(len(history) - 17)
    result = volume_forecast(history=cut, horizon_days=1)
    assert result.starts[0] == cut.starts[-1] + timedelta(minutes=30)
    assert len(result.starts) == 48


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("start,volume\n2026-01-01T00:00:00+08:00,3\n2026-01-01T00:30:00,4\n", "line 3: start .* has no UTC offset"),
        ("start,volume\n2026-01-01T00:00:00+08:00,-3\n", "line 2: volume '-3' is negative"),
        ("start,volume\n2026-01-01T00:00:00+08:00,3\n2026-01-01T01:30:00+08:00,4\n", "line 3: irregular spacing"),
        ("start,volume\n2026-01-01T00:00:00+08:00,many\n", "line 2: volume 'many' is not a number"),
        ("start,volume\n2026-01-01T00:10:00+08:00,3\n", "line 2: .* not on a 30-minute boundary"),
        ("when,volume\n2026-01-01T00:00:00+08:00,3\n", "line 1: history header needs column"),
        ("start,volume\n", "no rows"),
    ],
)
def test_bad_history_lines_are_named(text, message):
    with pytest.raises(ForecastInputError, match=message):
        history_parse(text=text, interval_minutes=30)


def test_bad_promotion_lines_are_named():
    with pytest.raises(ForecastInputError, match="line 2: end .* is not after start"):
        promotions_parse(text="start,end,name\n2026-11-11T00:00:00+08:00,2026-11-10T00:00:00+08:00,11.11\n")
    with pytest.raises(ForecastInputError, match="line 2: uplift '-2' is negative"):
        promotions_parse(text="start,end,name,uplift\n2026-11-10T00:00:00+08:00,2026-11-11T00:00:00+08:00,11.11,-2\n")


def test_error_measures():
    actual = np.array([0.0, 10, 20])
    errors = forecast_errors(actual=actual, predicted=np.array([0.0, 12, 15]), scale=2.0)
    assert errors["mape"] == pytest.approx((0.2 + 0.25) / 2 * 100)
    assert errors["smape"] == pytest.approx((0 + 4 / 22 + 10 / 35) / 3 * 100, abs=0.01)
    assert errors["mase"] == pytest.approx((0 + 2 + 5) / 3 / 2, abs=1e-3)


def test_backtest_needs_enough_history(history):
    with pytest.raises(ForecastInputError, match="two weeks of history"):
        forecast_backtest(history=history, weeks=5, horizon_days=7)


def test_beats_seasonal_naive_on_real_bank_calls():
    folder = shared_data_dir("us_bank_calls")
    history = history_parse(text=(folder / "arrivals_30min.csv").read_text(), interval_minutes=30)
    result = forecast_backtest(history=history, weeks=4, horizon_days=7)
    model, naive = result["model"], result["seasonal_naive"]
    assert result["windows"] == 4
    assert model["mase"] < naive["mase"]
    assert model["smape"] < naive["smape"]
    assert model["mape"] < naive["mape"]


def test_command_writes_csv_and_json(tmp_path, capsys):
    path = tmp_path / "history.csv"
    path.write_text(shop_history(weeks=4, with_aht=True))
    out = StringIO()
    call_command("forecast", "--history", str(path), "--interval-minutes", "30", "--horizon-days", "1", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "start,volume,lower,upper,aht"
    assert len(lines) == 1 + 48
    assert "backtest" in capsys.readouterr().err
    out = StringIO()
    call_command("forecast", "--history", str(path), "--horizon-days", "1", "--backtest-weeks", "1", "--format", "json", stdout=out)
    data = orjson.loads(out.getvalue())
    assert len(data["forecast"]) == 48
    assert set(data["backtest"]) >= {"model", "seasonal_naive"}
    assert set(data["backtest"]["model"]) >= {"mape", "smape", "mase"}


def test_command_names_the_bad_file_and_line(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("start,volume\n2026-01-01T00:00:00+08:00,3\n2026-01-01T00:30:00,4\n")
    with pytest.raises(CommandError, match=r"history.csv: line 3: .*no UTC offset"):
        call_command("forecast", "--history", str(path), "--format", "csv")


def test_yearly_rhythm_is_learned_from_two_years_of_history():
    """Three years of hourly history with a December high season: the forecast sees it coming."""
    first = datetime(2023, 11, 20, tzinfo=CST)
    rng = np.random.default_rng(5)

    def expected(moment: datetime) -> float:
        season = 1 + 1.5 * np.exp(-(((moment.timetuple().tm_yday - 350) / 12) ** 2))  # peak mid-December
        return 20 * season if 9 <= moment.hour < 21 else 0.0

    hours = (datetime(2026, 12, 1, tzinfo=CST) - first) // timedelta(hours=1)
    moments = [first + timedelta(hours=i) for i in range(hours)]
    text = "start,volume\n" + "".join(f"{m.isoformat()},{rng.poisson(expected(m))}\n" for m in moments)
    history = history_parse(text=text, interval_minutes=60)
    result = volume_forecast(history=history, horizon_days=21)
    assert result.model.startswith("top-down: daily totals by MSTL(7, 365)")
    truth = np.array([expected(s.astimezone(CST)) for s in result.starts])
    mid_december = np.array([s.astimezone(CST).day >= 12 for s in result.starts])
    # Early-December history alone would forecast about 25 a day-hour; mid-December is about 50.
    assert result.volume[mid_december].sum() == pytest.approx(truth[mid_december].sum(), rel=0.15)
