"""`kefu staffing` against an independent Erlang C on a wide grid, and the simulation against both.

The reference below does not use the module's Erlang B recursion: it sums the Poisson terms
A^k / k! in log space (``math.lgamma``) and forms Erlang C from its textbook definition

    C(N, A) = (A^N / N! · N / (N − A)) / (Σ_{k<N} A^k / k! + A^N / N! · N / (N − A)),

so a slip in either the recursion or the conversion B → C would show. The grid spans 10 to
5,000 conversations per interval, handle times of 60 to 900 seconds and targets from 80/20
to 95/60 (200 points), plus concurrency, occupancy caps and shrinkage.
"""

import math
import statistics
from io import StringIO

import orjson
import pytest
from django.core.management import call_command

from kefu.wfm.simulation import staffing_simulate
from kefu.wfm.staffing import staffing_required

VOLUMES = (10, 35, 120, 400, 900, 1800, 3200, 5000)
HANDLE_TIMES = (60, 150, 300, 600, 900)
TARGETS = ((0.80, 20), (0.80, 30), (0.85, 15), (0.90, 30), (0.95, 60))
GRID = [(v, h, sl, t) for v in VOLUMES for h in HANDLE_TIMES for sl, t in TARGETS]


def _logsumexp(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


class Reference:
    """Exact Erlang C for one offered load, for every N, from log-space Poisson terms."""

    def __init__(self, load: float):
        self.load = load
        self.log_a = math.log(load)

    def log_term(self, k: int) -> float:
        return k * self.log_a - math.lgamma(k + 1)  # log(A^k / k!)

    def wait_probability(self, n: int) -> float:
        head = _logsumexp([self.log_term(k) for k in range(n)])
        tail = self.log_term(n) + math.log(n / (n - self.load))
        return math.exp(tail - _logsumexp([head, tail]))

    def service_level(self, n: int, handle: float, target: float) -> float:
        return 1 - self.wait_probability(n) * math.exp(-(n - self.load) * target / handle)

    def asa(self, n: int, handle: float) -> float:
        return self.wait_probability(n) * handle / (n - self.load)


def reference_staffing(volume, interval_minutes, aht, target_sl, target_seconds, *, concurrency=1,
                       max_occupancy=1.0, shrinkage=0.0, inflation=0.0) -> dict:
    handle = aht * (1 + inflation * (concurrency - 1))
    load = volume * handle / (interval_minutes * 60)
    ref = Reference(load)
    n = math.floor(load) + 1
    while ref.service_level(n, handle, target_seconds) < target_sl:
        n += 1
    agents = max(math.ceil(n / concurrency - 1e-9), math.ceil(load / (concurrency * max_occupancy) - 1e-9))
    slots = agents * concurrency
    return {
        "agents": agents,
        "service_level": ref.service_level(slots, handle, target_seconds),
        "asa": ref.asa(slots, handle),
        "occupancy": load / slots,
        "scheduled_agents": math.ceil(agents / (1 - shrinkage) - 1e-9),
    }


def assert_matches(result, expected):
    assert result.agents == expected["agents"]
    assert result.scheduled_agents == expected["scheduled_agents"]
    assert result.service_level == pytest.approx(expected["service_level"], rel=1e-9, abs=1e-12)
    assert result.asa == pytest.approx(expected["asa"], rel=1e-7, abs=1e-9)
    assert result.occupancy == pytest.approx(expected["occupancy"], rel=1e-12)


def test_the_reference_agrees_with_the_factorial_formula_on_small_cases():
    # C(2, 1) = 1/3 and C(3, 2) = 4/9 by hand from the factorial definition.
    assert Reference(1.0).wait_probability(2) == pytest.approx(1 / 3, rel=1e-12)
    assert Reference(2.0).wait_probability(3) == pytest.approx(4 / 9, rel=1e-12)


def test_agents_service_level_and_asa_match_exact_erlang_c_on_the_grid():
    assert len(GRID) == 200
    loads = []
    for volume, aht, target_sl, target_seconds in GRID:
        result = staffing_required(volume=volume, interval_minutes=30, aht=aht, target_sl=target_sl,
                                   target_seconds=target_seconds)
        expected = reference_staffing(volume, 30, aht, target_sl, target_seconds)
        assert_matches(result, expected)
        assert result.service_level >= target_sl
        loads.append(result.offered_load)
    assert min(loads) < 1 and max(loads) == 2500  # from a third of an agent to 2,500 erlangs


@pytest.mark.parametrize(
    ("volume", "interval", "aht", "target", "concurrency", "inflation", "cap", "shrinkage"),
    [
        (600, 30, 720, (0.8, 30), 3, 0.0, 1.0, 0.0),
        (600, 30, 720, (0.8, 30), 3, 0.2, 1.0, 0.0),
        (2500, 30, 900, (0.9, 30), 4, 0.1, 0.85, 0.3),
        (45, 15, 300, (0.95, 60), 2, 0.0, 0.85, 0.35),
        (5000, 30, 300, (0.9, 15), 1, 0.0, 0.85, 0.3),
        (10, 30, 60, (0.8, 20), 5, 0.5, 0.7, 0.1),
        (1200, 60, 480, (0.85, 15), 2, 0.3, 0.9, 0.25),
    ],
)
def test_concurrency_occupancy_cap_and_shrinkage_match_the_reference(volume, interval, aht, target, concurrency,
                                                                     inflation, cap, shrinkage):
    result = staffing_required(volume=volume, interval_minutes=interval, aht=aht, target_sl=target[0],
                               target_seconds=target[1], concurrency=concurrency, concurrency_inflation=inflation,
                               max_occupancy=cap, shrinkage=shrinkage)
    expected = reference_staffing(volume, interval, aht, *target, concurrency=concurrency, max_occupancy=cap,
                                  shrinkage=shrinkage, inflation=inflation)
    assert_matches(result, expected)
    assert result.occupancy <= cap + 1e-12


def test_concurrency_is_erlang_c_over_slots():
    # c chats per agent = c slots: the slot count is the single-chat answer's agent count.
    single = staffing_required(volume=600, interval_minutes=30, aht=720, target_sl=0.8, target_seconds=30)
    triple = staffing_required(volume=600, interval_minutes=30, aht=720, target_sl=0.8, target_seconds=30, concurrency=3)
    assert triple.agents == math.ceil(single.agents / 3)
    # Inflation f lengthens every chat by f per extra concurrent chat: more load, more agents.
    slowed = staffing_required(volume=600, interval_minutes=30, aht=720, target_sl=0.8, target_seconds=30,
                               concurrency=3, concurrency_inflation=0.2)
    assert slowed.slot_handle_seconds == pytest.approx(720 * 1.4)
    assert slowed.agents > triple.agents


@pytest.mark.parametrize(("volume", "aht", "target_sl", "target_seconds"),
                         [(10, 60, 0.8, 20), (900, 300, 0.9, 30), (5000, 900, 0.95, 60)])
def test_the_command_prints_the_reference_answer(volume, aht, target_sl, target_seconds):
    out = StringIO()
    call_command("staffing", "--volume", str(volume), "--aht", str(aht), "--target-sl", str(target_sl),
                 "--target-seconds", str(target_seconds), "--shrinkage", "0.3", "--format", "json", stdout=out)
    data = orjson.loads(out.getvalue())
    expected = reference_staffing(volume, 30, aht, target_sl, target_seconds, shrinkage=0.3)
    assert data["agents"] == expected["agents"]
    assert data["scheduled_agents"] == expected["scheduled_agents"]
    assert data["service_level"] == pytest.approx(expected["service_level"], abs=1e-6)
    assert data["asa"] == pytest.approx(expected["asa"], abs=1e-3)


# Simulation: arrivals in one run are not independent (a long queue delays many customers in a
# row), so the binomial standard error √(p(1 − p)/n) understates the run-to-run spread by a
# factor of 7-10 at these occupancies (measured: docs/wfm.md, "Simulation agreement"). The
# tolerance is therefore taken from independent replications: 4 × (their sd / √R).
REPLICATIONS = 8
ARRIVALS = 12_000


@pytest.mark.parametrize(("volume", "aht", "target_sl", "target_seconds", "concurrency"),
                         [(100, 240, 0.8, 20, 1), (300, 600, 0.8, 30, 3)])
def test_simulation_agrees_with_the_analytic_service_level(volume, aht, target_sl, target_seconds, concurrency):
    staffing = staffing_required(volume=volume, interval_minutes=30, aht=aht, target_sl=target_sl,
                                 target_seconds=target_seconds, concurrency=concurrency)
    runs = [staffing_simulate(volume=volume, interval_minutes=30, aht=aht, agents=staffing.agents,
                              target_seconds=target_seconds, concurrency=concurrency, arrivals=ARRIVALS, seed=seed)
            for seed in range(1, REPLICATIONS + 1)]
    levels = [r.service_level for r in runs]
    standard_error = statistics.stdev(levels) / math.sqrt(REPLICATIONS)
    tolerance = 4 * standard_error
    binomial = math.sqrt(staffing.service_level * (1 - staffing.service_level) / (ARRIVALS * REPLICATIONS))
    print(f"\n{volume}/{aht}s c={concurrency}: {staffing.agents} agents, Erlang SL {staffing.service_level:.4f}, "
          f"simulated {statistics.mean(levels):.4f} ± {standard_error:.4f} (binomial SE {binomial:.4f})")
    assert tolerance < 0.05, "too few replications for the check to mean anything"
    assert statistics.mean(levels) == pytest.approx(staffing.service_level, abs=tolerance)
    assert statistics.mean(r.occupancy for r in runs) == pytest.approx(staffing.occupancy, abs=0.02)
