"""The SimPy simulation agrees with Erlang C where Erlang C is exact, and shows abandonment."""

import orjson
import pytest
from django.core.management import call_command

from kefu.wfm.simulation import staffing_simulate
from kefu.wfm.staffing import erlang_service_level

# 4 erlangs (120 chats per half hour, 60 s each), 80 % occupancy on 5 agents.
CASE = {"volume": 120, "interval_minutes": 30, "aht": 60, "target_seconds": 20}


def test_one_at_a_time_without_abandonment_matches_erlang_c():
    result = staffing_simulate(**CASE, agents=5, arrivals=6000, warmup=500, seed=7)
    expected = erlang_service_level(servers=5, load=4, handle_seconds=60, target_seconds=20)
    assert result.abandon_rate == 0
    assert result.service_level == pytest.approx(expected, abs=0.04)
    assert result.occupancy == pytest.approx(0.8, abs=0.04)


def test_concurrency_matches_erlang_c_over_slots():
    result = staffing_simulate(**CASE, agents=3, concurrency=2, arrivals=6000, warmup=500, seed=7)
    expected = erlang_service_level(servers=6, load=4, handle_seconds=60, target_seconds=20)
    assert result.service_level == pytest.approx(expected, abs=0.04)


def test_impatient_customers_give_up():
    patient = staffing_simulate(**CASE, agents=4, arrivals=3000, warmup=300, seed=3)
    impatient = staffing_simulate(**CASE, agents=4, patience=30, arrivals=3000, warmup=300, seed=3)
    assert patient.abandon_rate == 0
    assert 0.05 < impatient.abandon_rate < 0.5
    # Those who stay wait less once others leave the queue.
    assert impatient.asa < patient.asa


def test_inflation_slows_concurrent_chats():
    plain = staffing_simulate(**CASE, agents=2, concurrency=3, arrivals=3000, warmup=300, seed=5)
    slowed = staffing_simulate(**CASE, agents=2, concurrency=3, concurrency_inflation=0.3, arrivals=3000, warmup=300, seed=5)
    assert slowed.service_level < plain.service_level


def test_lognormal_handle_times_run():
    result = staffing_simulate(**CASE, agents=6, handle_distribution="lognormal", handle_cv=0.5, arrivals=2000, warmup=200)
    assert 0.8 < result.service_level <= 1


def test_command_reports_the_simulated_service_level():
    from io import StringIO

    out = StringIO()
    call_command(
        "staffing", "--volume", "120", "--aht", "60", "--target-sl", "0.8", "--target-seconds", "20",
        "--shrinkage", "0", "--simulate", "--patience", "120", "--simulate-arrivals", "2000", "--format", "json", stdout=out,
    )
    data = orjson.loads(out.getvalue())
    assert data["agents"] == 6  # 4 erlangs / 0.85 occupancy
    assert data["simulated_arrivals"] == 2000
    assert 0.8 <= data["simulated_service_level"] <= 1
    assert 0 <= data["simulated_abandon_rate"] < 0.05
