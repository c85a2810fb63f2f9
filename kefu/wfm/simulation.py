"""Discrete-event simulation (SimPy) of one staffed interval: does the staffing meet the target?

Poisson arrivals at a steady rate, ``agents`` agents who each hold up to ``concurrency``
chats, one first-come-first-served queue, and customers who give up after an exponential
patience. An arriving chat goes to the agent holding the fewest chats; when an agent
already holds k−1 chats, the new one lasts ``handle × (1 + inflation × (k − 1))``
(``handle`` exponential or lognormal with mean ``aht``). With concurrency 1, no inflation,
exponential handle times and infinite patience this is exactly the Erlang C queue, which
the tests use to check both sides.

The run is steady-state: it simulates ``arrivals`` conversations after a warm-up of
``warmup`` arrivals (not counted), seeded so that the same inputs give the same figures.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass

HANDLE_DISTRIBUTIONS = ("exponential", "lognormal")


@dataclass(frozen=True)
class SimulationResult:
    """What the simulated customers experienced (counted after the warm-up)."""

    arrivals: int
    service_level: float  # answered within the target / all arrivals (abandons count as missed)
    abandon_rate: float
    asa: float  # mean wait of the answered, seconds
    occupancy: float  # busy slot time / available slot time

    def as_dict(self) -> dict:
        return {
            "simulated_service_level": round(self.service_level, 6),
            "simulated_abandon_rate": round(self.abandon_rate, 6),
            "simulated_asa": round(self.asa, 3),
            "simulated_occupancy": round(self.occupancy, 6),
            "simulated_arrivals": self.arrivals,
        }


def staffing_simulate(
    *,
    volume: float,
    interval_minutes: float,
    aht: float,
    agents: int,
    target_seconds: float,
    concurrency: int = 1,
    concurrency_inflation: float = 0.0,
    patience: float | None = None,
    handle_distribution: str = "exponential",
    handle_cv: float = 1.0,
    arrivals: int = 20000,
    warmup: int = 2000,
    seed: int = 1,
) -> SimulationResult:
    """Simulate ``warmup + arrivals`` conversations and measure service level and abandonment.

    ``patience`` is the mean seconds a customer waits before giving up (None: never).
    ``handle_cv`` is the coefficient of variation of lognormal handle times.
    """
    import simpy  # only the commands that simulate pay for the import

    if handle_distribution not in HANDLE_DISTRIBUTIONS:
        raise ValueError(f"handle distribution must be one of {', '.join(HANDLE_DISTRIBUTIONS)}")
    if agents < 1 or concurrency < 1 or volume <= 0 or aht <= 0 or arrivals < 1:
        raise ValueError("simulation needs at least one agent, one arrival, and positive volume and aht")
    rng = random.Random(seed)
    rate = volume / (interval_minutes * 60)  # arrivals per second
    if handle_distribution == "lognormal":
        sigma2 = math.log(1 + handle_cv**2)
        mu, sigma = math.log(aht) - sigma2 / 2, math.sqrt(sigma2)

        def handle_sample() -> float:
            return rng.lognormvariate(mu, sigma)
    else:

        def handle_sample() -> float:
            return rng.expovariate(1 / aht)

    env = simpy.Environment()
    held = [0] * agents  # chats each agent holds now
    waiting: deque = deque()  # (event, customer) in arrival order
    stats = {"answered_in_target": 0, "abandoned": 0, "answered": 0, "wait_sum": 0.0, "counted": 0}
    busy = {"since": None}
    served: list[tuple[float, float]] = []  # (start, end) of every service, for occupancy
    total = warmup + arrivals

    def least_busy() -> int | None:
        index = min(range(agents), key=held.__getitem__)
        return index if held[index] < concurrency else None

    def serve(agent: int):
        held[agent] += 1
        duration = handle_sample() * (1 + concurrency_inflation * (held[agent] - 1))
        start = env.now
        yield env.timeout(duration)
        served.append((start, env.now))
        held[agent] -= 1
        if waiting:
            event, _ = waiting.popleft()
            event.succeed(agent)

    def customer(number: int):
        counted = number >= warmup
        if counted and busy["since"] is None:
            busy["since"] = env.now
        arrived = env.now
        agent = least_busy()
        if agent is None:
            event = env.event()
            waiting.append((event, number))
            if patience is None:
                yield event
            else:
                yield event | env.timeout(rng.expovariate(1 / patience))
            if not event.triggered:
                waiting.remove((event, number))
                if counted:
                    stats["counted"] += 1
                    stats["abandoned"] += 1
                return
            agent = event.value
        wait = env.now - arrived
        if counted:
            stats["counted"] += 1
            stats["answered"] += 1
            stats["wait_sum"] += wait
            if wait <= target_seconds:
                stats["answered_in_target"] += 1
        yield from serve(agent)

    def source():
        for number in range(total):
            env.process(customer(number))
            yield env.timeout(rng.expovariate(rate))
        busy["until"] = env.now

    env.process(source())
    env.run()
    since, until = busy["since"] or 0.0, busy.get("until", env.now)
    capacity = (until - since) * agents * concurrency
    busy_seconds = sum(max(0.0, min(end, until) - max(start, since)) for start, end in served)
    counted = stats["counted"] or 1
    return SimulationResult(
        arrivals=stats["counted"],
        service_level=stats["answered_in_target"] / counted,
        abandon_rate=stats["abandoned"] / counted,
        asa=stats["wait_sum"] / stats["answered"] if stats["answered"] else math.inf,
        occupancy=busy_seconds / capacity if capacity > 0 else 0.0,
    )
