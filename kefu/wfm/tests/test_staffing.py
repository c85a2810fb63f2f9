"""Erlang C staffing, checked against the direct factorial formula and the command's contract."""

import math
from fractions import Fraction

import orjson
import pytest
from django.core.management import CommandError, call_command

from kefu.wfm.staffing import (
    StaffingInputError,
    erlang_asa,
    erlang_c,
    erlang_service_level,
    safe_ceil,
    staffing_required,
)


def erlang_c_factorial(n: int, a: Fraction) -> Fraction:
    """Textbook Erlang C, exactly: (Aⁿ/n! · n/(n−A)) / (Σₖ<ₙ Aᵏ/k! + Aⁿ/n! · n/(n−A))."""
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def smallest_n(a: Fraction, aht: float, target_seconds: float, target_sl: float) -> int:
    n = 1
    while True:
        if n > a:
            sl = 1 - float(erlang_c_factorial(n, a)) * math.exp(-(n - float(a)) * target_seconds / aht)
            if sl >= target_sl:
                return n
        n += 1


def staff(**params):
    """Staffing for a 30-minute interval with no occupancy cap and no shrinkage unless given."""
    return staffing_required(**({"interval_minutes": 30, "max_occupancy": 1, "shrinkage": 0} | params))


@pytest.mark.parametrize(
    ("n", "a"), [(1, Fraction(1, 2)), (5, Fraction(4)), (14, Fraction(10)), (30, Fraction(251, 10))]
)
def test_erlang_c_matches_the_factorial_formula(n, a):
    assert erlang_c(servers=n, load=float(a)) == pytest.approx(float(erlang_c_factorial(n, a)), rel=1e-12)


def test_textbook_case_100_chats_per_half_hour():
    # 100 contacts in 30 minutes, 180 s handle time: 10 erlangs; 80 % within 20 s.
    result = staff(volume=100, aht=180, target_sl=0.8, target_seconds=20)
    assert result.agents == smallest_n(Fraction(10), 180, 20, 0.8)
    waiting = float(erlang_c_factorial(result.agents, Fraction(10)))
    expected_sl = 1 - waiting * math.exp(-(result.agents - 10) * 20 / 180)
    assert result.service_level == pytest.approx(expected_sl, rel=1e-12)
    # The classic answer: 13 agents reach only 79.6 %, 14 reach 88.8 %.
    assert round(erlang_service_level(servers=13, load=10, handle_seconds=180, target_seconds=20), 3) == 0.796
    assert result.agents == 14
    assert round(result.service_level, 3) == 0.888


def test_command_contract_defaults_and_without_cap():
    a = Fraction(600 * 240, 1800)  # 80 erlangs
    n_sl = smallest_n(a, 240, 20, 0.8)
    args = ("--volume", "600", "--aht", "240", "--target-sl", "0.8", "--target-seconds", "20")
    out = _run(*args, "--max-occupancy", "1", "--shrinkage", "0")
    assert out["agents"] == n_sl
    assert out["scheduled_agents"] == n_sl
    assert out["occupancy"] == pytest.approx(80 / n_sl, rel=1e-6)
    assert out["asa"] == pytest.approx(float(erlang_c_factorial(n_sl, a)) * 240 / (n_sl - 80), rel=1e-3)
    capped = _run(*args, "--max-occupancy", "0.85", "--shrinkage", "0.3")
    assert capped["agents"] == max(n_sl, math.ceil(80 / 0.85)) == 95
    assert capped["scheduled_agents"] == math.ceil(95 / 0.7) == 136
    assert set(capped) == {"agents", "service_level", "occupancy", "asa", "scheduled_agents"}


def test_ceilings_ignore_floating_point_noise():
    assert 21 / (1 - 0.3) > 30 and safe_ceil(21 / (1 - 0.3)) == 30
    assert 4.9 / 0.7 > 7 and safe_ceil(4.9 / 0.7) == 7
    # 14.7 erlangs at 70 % occupancy is exactly 21 agents, and 21 at 30 % shrinkage is 30.
    result = staff(volume=147, aht=180, target_sl=0, target_seconds=0, max_occupancy=0.7, shrinkage=0.3)
    assert result.agents == 21
    assert result.scheduled_agents == 30


def test_search_starts_just_above_the_load():
    # 1.6 erlangs: 2 agents already give 47 % in 60 s; round(A + 1) = 3 would overshoot.
    result = staff(volume=12, aht=240, target_sl=0.3, target_seconds=60)
    assert result.offered_load == pytest.approx(1.6)
    assert result.agents == smallest_n(Fraction(8, 5), 240, 60, 0.3) == 2


def test_unstable_queue_has_no_service():
    assert erlang_service_level(servers=80, load=80, handle_seconds=240, target_seconds=20) == 0
    assert erlang_service_level(servers=50, load=80, handle_seconds=240, target_seconds=20) == 0
    assert erlang_asa(servers=80, load=80, handle_seconds=240) == math.inf
    assert erlang_c(servers=79, load=80) == 1


def test_large_volume_is_stable_and_monotone():
    result = staff(volume=5000, aht=300, target_sl=0.9, target_seconds=15)
    load = 5000 * 300 / 1800
    assert load < result.agents < load + 60
    assert 0.9 <= result.service_level < 1
    levels = [
        erlang_service_level(servers=n, load=load, handle_seconds=300, target_seconds=15) for n in range(800, 1000)
    ]
    assert all(0 <= x <= 1 for x in levels)
    assert all(b >= a for a, b in zip(levels, levels[1:]))
    assert erlang_service_level(servers=result.agents - 1, load=load, handle_seconds=300, target_seconds=15) < 0.9


def test_concurrency_counts_agents_as_slots():
    single = staff(volume=600, aht=720, target_sl=0.8, target_seconds=30)
    triple = staff(volume=600, aht=720, target_sl=0.8, target_seconds=30, concurrency=3)
    assert triple.agents == math.ceil(single.agents / 3)
    assert triple.occupancy == pytest.approx(single.offered_load / (3 * triple.agents))
    slower = staff(volume=600, aht=720, target_sl=0.8, target_seconds=30, concurrency=3, concurrency_inflation=0.25)
    assert slower.slot_handle_seconds == 720 * 1.5
    assert slower.agents > triple.agents


def test_zero_volume_needs_nobody():
    result = staffing_required(volume=0, interval_minutes=30, aht=240, target_sl=0.8, target_seconds=20)
    assert (result.agents, result.scheduled_agents) == (0, 0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"volume": -1}, "volume"),
        ({"aht": 0}, "aht"),
        ({"target_sl": 1}, "target service level"),
        ({"max_occupancy": 0}, "max occupancy"),
        ({"shrinkage": 1}, "shrinkage"),
        ({"concurrency": 0}, "concurrency"),
    ],
)
def test_bad_parameters_are_named(changes, message):
    params = {"volume": 600, "interval_minutes": 30, "aht": 240, "target_sl": 0.8, "target_seconds": 20} | changes
    with pytest.raises(StaffingInputError, match=message):
        staffing_required(**params)


def test_command_rejects_bad_input():
    with pytest.raises(CommandError, match="shrinkage"):
        _run("--volume", "600", "--aht", "240", "--target-sl", "0.8", "--target-seconds", "20", "--shrinkage", "1.5")


def _run(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("staffing", *args, "--format", "json", stdout=out)
    return orjson.loads(out.getvalue())
