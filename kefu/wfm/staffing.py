"""Agents needed per interval to meet a service-level target (Erlang C, with chat concurrency).

The model, its assumptions and the conventions (ceilings, occupancy cap, shrinkage) are
described in docs/wfm.md, "Staffing". In short: conversations arrive as a Poisson stream,
wait in one first-come-first-served queue, nobody gives up, and handle times are
exponential (Erlang C, M/M/N). An agent who sustains ``concurrency`` chats at once is
counted as that many parallel "slots"; when working several chats at once slows each
one down, ``concurrency_inflation`` lengthens the handle time accordingly. The
discrete-event simulation in :mod:`kefu.wfm.simulation` checks the answer, including
customers who give up waiting.

Everything here is plain ``math``: no numerical library, and stable for thousands of
conversations per interval and hundreds of agents (the Erlang B recursion never forms a
factorial or a power of the load).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Ceilings of quantities computed in floating point: 10 / 0.5 may come out as
# 20.000000000000004, which must stay 20 agents, not 21.
CEIL_EPSILON = 1e-9

DEFAULT_CONCURRENCY = 1
DEFAULT_MAX_OCCUPANCY = 1.0  # no cap unless asked: the plain Erlang C answer
DEFAULT_SHRINKAGE = 0.0


class StaffingInputError(ValueError):
    """A staffing parameter outside its meaningful range; the message names it."""


def safe_ceil(x: float) -> int:
    """``ceil`` that ignores floating-point noise just above a whole number."""
    return math.ceil(x - CEIL_EPSILON)


def erlang_b(*, servers: int, load: float) -> float:
    """Blocking probability of ``servers`` servers offered ``load`` erlangs (stable recursion)."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(*, servers: int, load: float) -> float:
    """Probability that an arriving conversation has to wait (1 when the queue is unstable)."""
    if servers <= load:
        return 1.0
    b = erlang_b(servers=servers, load=load)
    return servers * b / (servers - load * (1 - b))


def erlang_service_level(*, servers: int, load: float, handle_seconds: float, target_seconds: float) -> float:
    """Share of conversations answered within ``target_seconds`` (0 when servers ≤ load)."""
    if servers <= load:
        return 0.0
    c = erlang_c(servers=servers, load=load)
    return max(0.0, 1.0 - c * math.exp(-(servers - load) * target_seconds / handle_seconds))


def erlang_asa(*, servers: int, load: float, handle_seconds: float) -> float:
    """Average speed of answer in seconds (infinite when servers ≤ load)."""
    if servers <= load:
        return math.inf
    return erlang_c(servers=servers, load=load) * handle_seconds / (servers - load)


@dataclass(frozen=True)
class StaffingResult:
    """Agents for one interval and what that staffing achieves by the model."""

    agents: int
    service_level: float
    occupancy: float
    asa: float
    scheduled_agents: int
    offered_load: float  # erlangs of slot time (conversations × effective handle time / interval)
    slot_handle_seconds: float  # the handle time one slot is busy with one conversation

    def as_dict(self) -> dict:
        return {
            "agents": self.agents,
            "service_level": round(self.service_level, 6),
            "occupancy": round(self.occupancy, 6),
            "asa": round(self.asa, 3) if math.isfinite(self.asa) else None,
            "scheduled_agents": self.scheduled_agents,
        }


def _check(name: str, value: float, low: float, high: float, *, low_open=False, high_open=False) -> None:
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise StaffingInputError(f"{name} must be in {left}{low}, {high}{right}, got {value}")


def staffing_required(
    *,
    volume: float,
    interval_minutes: float,
    aht: float,
    target_sl: float,
    target_seconds: float,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_occupancy: float = DEFAULT_MAX_OCCUPANCY,
    shrinkage: float = DEFAULT_SHRINKAGE,
    concurrency_inflation: float = 0.0,
) -> StaffingResult:
    """Agents needed in one interval, by Erlang C over ``agents × concurrency`` slots.

    ``agents`` is the larger of the smallest N whose service level reaches ``target_sl``
    and ceil(offered load / (concurrency × max_occupancy)); ``scheduled_agents`` adds
    shrinkage: ceil(agents / (1 − shrinkage)). With ``concurrency`` 1 this is textbook
    Erlang C. ``concurrency_inflation`` f says each chat takes ``aht × (1 + f × (c − 1))``
    when an agent holds c chats at once (0: ``aht`` is already the chat's duration as
    measured under concurrency, which is what Kefu records).
    """
    _check("volume", volume, 0, math.inf, high_open=True)
    _check("interval minutes", interval_minutes, 0, math.inf, low_open=True, high_open=True)
    _check("aht", aht, 0, math.inf, low_open=True, high_open=True)
    _check("target service level", target_sl, 0, 1, high_open=True)
    _check("target seconds", target_seconds, 0, math.inf, high_open=True)
    _check("max occupancy", max_occupancy, 0, 1, low_open=True)
    _check("shrinkage", shrinkage, 0, 1, high_open=True)
    _check("concurrency inflation", concurrency_inflation, 0, math.inf, high_open=True)
    if int(concurrency) != concurrency or concurrency < 1:
        raise StaffingInputError(f"concurrency must be a whole number ≥ 1, got {concurrency}")
    concurrency = int(concurrency)

    slot_handle = aht * (1 + concurrency_inflation * (concurrency - 1))
    load = volume * slot_handle / (interval_minutes * 60)
    if load == 0:
        return StaffingResult(0, 1.0, 0.0, 0.0, 0, 0.0, slot_handle)

    # Smallest slot count meeting the target; N ≤ A is unstable (SL 0), so start just above A.
    slots = math.floor(load) + 1
    def level(servers: int) -> float:
        return erlang_service_level(
            servers=servers, load=load, handle_seconds=slot_handle, target_seconds=target_seconds
        )

    while level(slots) < target_sl:
        slots += 1
    agents_for_sl = safe_ceil(slots / concurrency)
    agents_for_occupancy = safe_ceil(load / (concurrency * max_occupancy))
    agents = max(agents_for_sl, agents_for_occupancy)
    servers = agents * concurrency
    return StaffingResult(
        agents=agents,
        service_level=level(servers),
        occupancy=load / servers,
        asa=erlang_asa(servers=servers, load=load, handle_seconds=slot_handle),
        scheduled_agents=safe_ceil(agents / (1 - shrinkage)),
        offered_load=load,
        slot_handle_seconds=slot_handle,
    )
