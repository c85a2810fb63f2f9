"""State of one simulated shop: ids, customers, products, day plans, pending work, output.

Conversations and orders (``sim_chat``, ``sim_commerce``) read and change a ``Shop``;
the ``Emitter`` collects their records per hour of the clock so the stream comes out
in time order however far ahead a record was decided (a review is decided when its
order is placed, but written on the day it is posted).
"""

import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from kefu.demo import sim_catalog as cat
from kefu.demo.sim_calendar import (DAY, HOUR, HOUR_WEIGHTS, KIND_FACTOR, PROMO_HOUR_WEIGHTS, TZ_NAME,
                                    WEEKDAY_FACTOR, Clock, day_kind, parse_hours)
from kefu.demo.sim_staff import DAY_SLOTS, PLAN_SLOTS, SLOT, Agent, DayPlan, agents_make

PRESALE_PER_AGENT_DAY = 27.0  # presale conversations per agent on a normal day (12 agents ≈ 325)
CHATS_PER_AGENT_SLOT = 2.0  # new chats one agent takes per 10 minutes at a sustainable pace
EARLY_TYPES = frozenset({"shop", "agent", "order", "customer"})  # kept from before the period


class Emitter:
    """Buckets records by hour; drops what lies outside the period [start, horizon]."""

    def __init__(self, *, start: int, horizon: int) -> None:
        self.start = start
        self.horizon = horizon
        self.hour = -(10**9)  # the hour being generated; nothing goes into flushed hours
        self.buckets: dict[int, list[tuple[int, dict]]] = {}

    def add(self, t: int, record: dict) -> None:
        if t > self.horizon or (t < self.start and record["type"] not in EARLY_TYPES):
            return
        hour = max(t // HOUR, self.hour)
        bucket = self.buckets.get(hour)
        if bucket is None:
            bucket = self.buckets[hour] = []
        bucket.append((t, record))

    def take(self, hour: int) -> list[dict]:
        """The records of one hour in time order (ties keep the order they were added in)."""
        bucket = self.buckets.pop(hour, [])
        bucket.sort(key=itemgetter(0))
        self.hour = hour + 1
        return [record for _, record in bucket]


@dataclass(slots=True, eq=False)
class Customer:
    id: str
    nick: str
    vip: int
    city: str
    address: str
    phone: str
    tags: list[str]

    def record(self, shop_id: str) -> dict:
        return {"type": "customer", "id": self.id, "shop_id": shop_id, "nick": self.nick, "vip_level": self.vip,
                "tags": self.tags, "phone": self.phone, "address": self.address}


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    price: int  # cents
    fabric: str


@dataclass(slots=True, eq=False)
class Shop:
    """One simulated shop and everything it has generated so far."""

    index: int
    seed: int
    agent_count: int
    scale: float
    clock: Clock
    out: Emitter
    promo: int  # day index of the promotion day
    rng: random.Random = field(init=False)
    id: str = field(init=False)
    profile: cat.ShopProfile = field(init=False)
    agents: list[Agent] = field(init=False)
    products: list[Product] = field(init=False)
    open: int = field(init=False)  # service hours, seconds of the day
    close: int = field(init=False)
    customers: list[Customer] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    tasks: list = field(default_factory=list)
    plans: dict[int, DayPlan] = field(default_factory=dict)
    _free: dict[tuple[int, int, str], list[Agent]] = field(default_factory=dict)
    _sequence: Iterator[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}:{self.index}")
        self.id = f"s{self.index + 1}"
        self.profile = cat.SHOP_PROFILES[self.index % len(cat.SHOP_PROFILES)]
        hours = self.profile.service_hours
        self.open, self.close = parse_hours(hours) if hours else (0, DAY)
        self.agents = agents_make(self.rng, shop_id=self.id, count=self.agent_count,
                                  first_day=self.clock.first_day, all_day=hours is None)
        self.products = _catalog(self.rng, self.index)

    @property
    def name(self) -> str:
        copy = self.index // len(cat.SHOP_PROFILES)
        return self.profile.brand + self.profile.suffix + (f" {copy + 1}号店" if copy else "")

    def record(self) -> dict:
        record = {"type": "shop", "id": self.id, "name": self.name, "platform": self.profile.platform,
                  "timezone": TZ_NAME}
        if self.profile.service_hours:
            record["service_hours"] = self.profile.service_hours
        return record

    def new_id(self, prefix: str, width: int) -> str:
        number = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = number
        return f"{self.id}-{prefix}{number:0{width}d}"

    def schedule(self, t: int, action: Callable, *args) -> None:
        """Run ``action(shop, t, *args)`` when the simulation reaches ``t``."""
        heapq.heappush(self.tasks, (t, next(self._sequence), action, args))

    def run_tasks(self, until: int) -> None:
        while self.tasks and self.tasks[0][0] < until:
            t, _, action, args = heapq.heappop(self.tasks)
            action(self, t, *args)

    # -- time, staffing and routing ---------------------------------------------------

    def in_service(self, t: int) -> bool:
        return self.open <= t % DAY < self.close

    def next_open(self, t: int) -> int:
        """The next start of service hours at or after ``t``."""
        day = t // DAY
        opening = day * DAY + self.open
        return opening if opening >= t else opening + DAY

    def plan(self, day: int) -> DayPlan:
        plan = self.plans.get(day)
        if plan is None:
            plan = self.plans[day] = self._plan_make(day)
            for old in [d for d in self.plans if d < day - 3]:
                del self.plans[old]
        return plan

    def _plan_make(self, day: int) -> DayPlan:
        # Each day has its own generator: a plan built early (to route a chat that runs
        # past midnight) is the same as one built on the day.
        rng = random.Random(f"{self.seed}:{self.index}:day{day}")
        date = self.clock.day_date(day)
        kind = day_kind(date, self.clock.day_date(self.promo))
        weights = PROMO_HOUR_WEIGHTS if kind == "promo" else HOUR_WEIGHTS
        total = (PRESALE_PER_AGENT_DAY * self.agent_count * self.scale * KIND_FACTOR[kind]
                 * WEEKDAY_FACTOR[date.weekday()] * rng.uniform(0.92, 1.08))
        lam = [total * w / sum(weights) for w in weights]
        capacity = CHATS_PER_AGENT_SLOT * self.scale * (1.6 if kind == "promo" else 1.0)
        return DayPlan(rng=rng, agents=self.agents, day=day, weekday=date.weekday(), kind=kind,
                       promo_eve=day == self.promo - 1, service_hours=self.profile.service_hours,
                       lam=lam, capacity=capacity)

    def free_agents(self, t: int, group: str) -> list[Agent]:
        day, second = divmod(t, DAY)
        slot = second // SLOT
        key = (day, slot, group)
        free = self._free.get(key)
        if free is None:
            free = list(self.plan(day).free[group][slot])
            late = slot + DAY_SLOTS
            if late < PLAN_SLOTS:  # yesterday's shifts that run past midnight
                free += self.plan(day - 1).free[group][late]
            if len(self._free) > 4096:
                self._free.clear()
            self._free[key] = free
        return free

    def load(self, t: int) -> float:
        plan = self.plan(t // DAY)
        free = len(self.free_agents(t, "any"))
        return plan.expected[t % DAY // SLOT] / (max(free, 0.5) * plan.capacity)

    def pick_agent(self, t: int, stage: str, vip: bool = False) -> Agent | None:
        """Route a new chat: the skill group first, any free agent otherwise."""
        if vip:
            vips = [a for a in self.free_agents(t, stage) if "vip" in a.skills]
            if vips:
                return self.rng.choice(vips)
        free = self.free_agents(t, stage) or self.free_agents(t, "any")
        return self.rng.choice(free) if free else None

    # -- customers ------------------------------------------------------------------

    def customer_new(self, t: int) -> Customer:
        rng = self.rng
        province, districts = rng.choice(cat.PLACES)
        district, roads = rng.choice(districts)
        city = province.removesuffix("市")[-2:]
        customer = Customer(
            id=self.new_id("c", 6),
            nick=self._nick(),
            vip=rng.choice(cat.VIP_LEVELS),
            city=city,
            address=f"{province}{district}{rng.choice(roads)}{rng.randint(1, 999)}号",
            phone=rng.choice(cat.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            tags=rng.sample(cat.CUSTOMER_TAGS, rng.choice((0, 0, 0, 1, 1, 2))),
        )
        if rng.random() < 0.5:
            customer.address += f"{rng.randint(1, 30)}栋{rng.randint(1, 3)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
        self.customers.append(customer)
        # A CRM sync now and then lags behind the chat: the customer record arrives later,
        # but still inside the period (a stream that ends with a reference never resolved
        # would make every demo report an unresolved record).
        lag = rng.randint(300, 3600) if rng.random() < 0.02 else 0
        self.out.add(max(t, min(t + lag, self.out.horizon)), customer.record(self.id))
        return customer

    def customer_for(self, t: int, returning: float) -> Customer:
        """A returning customer with probability ``returning``, else a new one."""
        if self.customers and self.rng.random() < returning:
            return self.rng.choice(self.customers)
        return self.customer_new(t)

    def _nick(self) -> str:
        rng, style = self.rng, self.profile.nick_style
        if style in ("tb", "dy") and rng.random() < 0.3:
            return rng.choice(cat.NICK_WORDS) + rng.choice(cat.NICK_NOUNS) + str(rng.randint(1, 999))
        alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
        tail = "".join(rng.choice(alphabet) for _ in range(rng.randint(6, 9)))
        return {"tb": "tb_", "jd": "jd_", "pdd": "pdd_", "dy": "dy_", "web": "u_"}[style] + tail

    def product(self) -> Product:
        return self.rng.choice(self.products)


def _catalog(rng: random.Random, index: int) -> list[Product]:
    """24 products of 8 garment kinds; SKUs like B2103 (order items add colour and size)."""
    products = []
    for number, (garment, low, high) in enumerate(rng.sample(cat.GARMENTS, 8)):
        for adjective in rng.sample(cat.ADJECTIVES, 3):
            price = (rng.randrange(low, high + 1, 10) - 1) * 100 + rng.choice((0, 0, 0, 90))
            products.append(Product(sku=f"{'MBCSQL'[index % 6]}{index + 1}{number}{len(products):02d}",
                                    name=adjective + garment, price=price, fabric=rng.choice(cat.FABRICS)))
    return products
