"""The demo shop's agents: profiles, shifts, presence timelines and who is free when.

An agent has a speed (how fast they answer) and a manner (greetings, closings,
apologies), both stable over the run, so per-agent metrics and QA findings differ the
way they do in a real team. A ``DayPlan`` is one shop-day of work: the shifts, the
agent_status records they produce (online, away for breaks, busy at peaks, offline at
the end of every shift) and, per 10-minute slot, the agents free to take a new chat.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from kefu.demo.sim_calendar import DAY, HOUR, MINUTE, parse_hours
from kefu.demo.sim_catalog import AGENT_NICKS, GIVEN_NAMES, SURNAMES

SLOT = 600  # seconds; routing and load are decided per 10-minute slot
DAY_SLOTS = DAY // SLOT
PLAN_SLOTS = DAY_SLOTS + 3 * HOUR // SLOT  # a promotion-eve shift runs until 02:00 (+1 h margin)
GROUPS = ("presale", "aftersale", "any")
EXPECTED_PER_PRESALE = 1.3  # all conversations per presale conversation (after-sales come on top)

# log-normal parameters of a human reply delay (median e^mu seconds) and the share of
# replies that drag on 4-9 times longer (the agent is juggling or away from the desk).
SPEEDS = {"fast": (math.log(20), 0.4, 0.003), "normal": (math.log(42), 0.55, 0.012),
          "slow": (math.log(75), 0.7, 0.05)}
SPEED_MIX = (("fast", 30), ("normal", 45), ("slow", 25))
# (greets first, closes last, apologises to complaints) probabilities per manner.
MANNERS = {"polite": (0.98, 0.95, 0.97), "plain": (0.88, 0.6, 0.85), "curt": (0.35, 0.12, 0.45)}
MANNER_MIX = (("polite", 50), ("plain", 30), ("curt", 20))
REST_PATTERNS = ((0, 1), (1, 2), (2, 3), (3, 4), (0, 3), (1, 4), (2, 4))  # two weekdays off


@dataclass(slots=True, eq=False)
class Agent:
    id: str
    name: str
    team: str
    skills: tuple[str, ...]
    hired_on: date
    speed: str
    manner: str
    shift: str  # early | late | night (early and late swap every week)
    rest: tuple[int, int]

    def record(self, shop_id: str) -> dict:
        return {"type": "agent", "id": self.id, "name": self.name, "shop_id": shop_id, "team": self.team,
                "skills": list(self.skills), "hired_on": self.hired_on.isoformat(), "active": True}

    def reply_delay(self, rng: random.Random, load: float) -> int:
        mu, sigma, tail = SPEEDS[self.speed]
        delay = rng.lognormvariate(mu, sigma)
        if rng.random() < tail:
            delay *= rng.uniform(4, 9)
        return max(4, int(delay * load_factor(load)))

    @property
    def greets(self) -> float:
        return MANNERS[self.manner][0]

    @property
    def closes(self) -> float:
        return MANNERS[self.manner][1]

    @property
    def apologises(self) -> float:
        return MANNERS[self.manner][2]


def load_factor(load: float) -> float:
    """How much slower everyone answers when there are more chats than hands."""
    return 1.0 if load <= 0.8 else min(7.0, 1.0 + 1.6 * (load - 0.8))


def agents_make(rng: random.Random, *, shop_id: str, count: int, first_day: date, all_day: bool) -> list[Agent]:
    names = _names(rng, count)
    speeds, manners = _spread(rng, SPEED_MIX, count), _spread(rng, MANNER_MIX, count)
    aftersale = max(1, round(count * 0.3)) if count > 1 else 0
    night = max(1, count // 8) if all_day and count > 2 else 0
    presale = count - aftersale
    agents = []
    for index in range(count):
        if index < presale:
            team = "售前一组" if presale < 6 or index < (presale + 1) // 2 else "售前二组"
            skills = ("presale", "vip") if index == 0 and count >= 6 else ("presale",)
        else:
            team = "售后组"
            skills = ("aftersale", "presale") if rng.random() < 0.3 else ("aftersale",)
        shift = "night" if index >= count - night else ("early", "late")[index % 2]
        agents.append(Agent(
            id=f"{shop_id}-a{index + 1:02d}",
            name=names[index],
            team=team,
            skills=skills,
            hired_on=first_day - timedelta(days=rng.randint(20, 1500)),
            speed=speeds[index],
            manner=manners[index],
            shift=shift,
            rest=REST_PATTERNS[index % len(REST_PATTERNS)],
        ))
    return agents


def _names(rng: random.Random, count: int) -> list[str]:
    if count <= len(AGENT_NICKS):
        return rng.sample(AGENT_NICKS, count)
    names: dict[str, None] = {}
    while len(names) < count:
        names[rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)] = None
    return list(names)


def _spread(rng: random.Random, mix: tuple[tuple[str, int], ...], count: int) -> list[str]:
    """Profiles in the mix's proportions, shuffled: every team of four has a slow and a curt one."""
    total = sum(weight for _, weight in mix)
    profiles = [name for name, weight in mix for _ in range(max(1, round(count * weight / total)))]
    rng.shuffle(profiles)
    return (profiles * count)[:count]


class DayPlan:
    """One shop-day of work: shifts, status records and per-slot free agents."""

    def __init__(self, *, rng: random.Random, agents: list[Agent], day: int, weekday: int, kind: str,
                 promo_eve: bool, service_hours: str | None, lam: list[float], capacity: float) -> None:
        self.day = day
        self.kind = kind
        self.lam = lam  # presale conversations expected per hour
        # All conversations (after-sales included) expected per slot, for the load.
        self.expected = [lam[slot * SLOT // HOUR] * EXPECTED_PER_PRESALE * SLOT / HOUR for slot in range(DAY_SLOTS)]
        self.capacity = capacity  # chats one agent takes per slot
        self.status: list[tuple[int, str, str, str]] = []  # (t, agent id, status, note)
        self.free: dict[str, list[list[Agent]]] = {g: [[] for _ in range(PLAN_SLOTS)] for g in GROUPS}
        week = day // 7
        all_hands = kind == "promo" or promo_eve or kind == "after"
        staffed = [0] * PLAN_SLOTS
        shifts = {}
        for agent in agents:
            if not all_hands and weekday in agent.rest:
                continue
            segments = _segments(agent, week, kind, promo_eve, service_hours)
            shifts[agent.id] = segments
            for start, end in segments:
                for slot in range(start // SLOT, min(PLAN_SLOTS, end // SLOT)):
                    staffed[slot] += 1
        for agent in agents:
            if agent.id in shifts:
                self._work(rng, agent, shifts[agent.id], staffed)

    def _work(self, rng: random.Random, agent: Agent, segments: list[tuple[int, int]], staffed: list[int]) -> None:
        base = self.day * DAY
        for start, end in segments:
            on = start + (rng.randint(5 * MINUTE, 20 * MINUTE) if rng.random() < 0.04 else rng.randint(-300, 90))
            # Logged off within minutes of the shift's end (before midnight when it ends at 24:00).
            off = end - rng.randint(1, 240) if end % DAY == 0 else end + rng.randint(0, 240)
            pauses = _breaks(rng, agent, start, end) + self._busy(rng, start, end, staffed)
            pauses.sort()
            events = [(on, "online", "上线")]
            cursor = on
            for p_start, p_end, status, note in pauses:
                if p_start < cursor + 10 * MINUTE or p_end > end - 10 * MINUTE:
                    continue  # overlapping or at the edge of the shift: skip, like a real agent would
                events += [(p_start, status, note), (p_end, "online", "")]
                cursor = p_end
            events.append((off, "offline", "下班"))
            for (t, status, note), nxt in zip(events, events[1:] + [(off, "", "")]):
                self.status.append((base + t, agent.id, status, note))
                if status == "online":
                    self._mark_free(agent, t, nxt[0], nxt[0] == off)

    def _busy(self, rng: random.Random, start: int, end: int, staffed: list[int]) -> list[tuple]:
        """Short busy spells when the expected load is high (the agent stops taking new chats)."""
        spells = []
        for hour_start in range(start - start % HOUR, end, HOUR):
            slot = hour_start // SLOT
            if slot >= PLAN_SLOTS or slot >= len(self.expected):
                break
            load = self.expected[slot] / (max(1, staffed[slot]) * self.capacity)
            if load > 0.9 and rng.random() < min(0.6, 0.25 * load):
                at = hour_start + rng.randrange(45 * MINUTE)
                spells.append((at, at + rng.randint(5 * MINUTE, 15 * MINUTE), "busy", "接待已满"))
        return spells

    def _mark_free(self, agent: Agent, start: int, end: int, shift_end: bool) -> None:
        # Routing stops giving an agent new chats 10 minutes before the end of their shift.
        last = end - SLOT if shift_end else end
        for slot in range(-(-start // SLOT), min(PLAN_SLOTS, last // SLOT)):
            self.free["any"][slot].append(agent)
            for skill in agent.skills:
                if skill in self.free:
                    self.free[skill][slot].append(agent)


def _segments(agent: Agent, week: int, kind: str, promo_eve: bool, service_hours: str | None) -> list[tuple[int, int]]:
    open_, close = parse_hours(service_hours) if service_hours else (9 * HOUR, DAY)
    if agent.shift == "night":
        return [(0, 9 * HOUR)]
    early = (agent.shift == "early") != (week % 2 == 1)
    if kind == "promo":  # they worked the midnight rush: a later start for the early shift
        return [(open_ + HOUR, open_ + 10 * HOUR)] if early else [(14 * HOUR, close)]
    if promo_eve:  # everybody covers the midnight rush of the promotion day
        return [(open_, open_ + 9 * HOUR), (DAY - 30 * MINUTE, DAY + 2 * HOUR)] if early \
            else [(14 * HOUR, DAY + 2 * HOUR)]
    return [(open_, open_ + 9 * HOUR)] if early else [(max(open_, close - 10 * HOUR), close)]


def _breaks(rng: random.Random, agent: Agent, start: int, end: int) -> list[tuple]:
    """A meal break staggered across the team and one short break, both as 'away'."""
    if end - start < 6 * HOUR:
        return []
    stagger = int(agent.id[-2:]) % 3 * 30 * MINUTE
    meal = (11 * HOUR + 30 * MINUTE if start < 11 * HOUR else 17 * HOUR + 30 * MINUTE) + stagger + rng.randint(-90, 300)
    if not start + 2 * HOUR < meal < end - 2 * HOUR:
        meal = start + (end - start) // 2
    note = "午休" if 10 * HOUR <= meal < 15 * HOUR else "晚饭" if 16 * HOUR <= meal < 21 * HOUR else "用餐"
    short = meal + rng.randint(150 * MINUTE, 200 * MINUTE)
    pauses = [(meal, meal + rng.randint(30 * MINUTE, 45 * MINUTE), "away", note)]
    if short < end - HOUR:
        pauses.append((short, short + rng.randint(8 * MINUTE, 15 * MINUTE), "away", "小休"))
    return pauses
