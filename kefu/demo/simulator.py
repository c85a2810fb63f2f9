"""The demo-shop simulator: a realistic, deterministic event stream in the events.md format.

``simulate()`` plays shops hour by hour: customers arrive following the day's and the
week's rhythm and a 双11-like promotion, chat in Chinese with bots and agents of
different speeds and manners, order (or not), and their orders bring logistics,
after-sales, reviews and more conversations. Records come out in time order
(shop and agents first), generated lazily so a run of any size streams to disk.
The same arguments give the same records; only a missing ``end`` looks at the clock.

This module and its ``sim_*`` helpers import nothing from Django: the ``simulate``
management command wraps them, and tests run them with plain pytest.
"""

import contextlib
import gzip
import sys
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import orjson

from kefu.demo.sim_calendar import DAY, HOUR, MINUTE, TZ, Clock, human_second, poisson, promo_day_default
from kefu.demo.sim_catalog import COLORS, SIZES
from kefu.demo.sim_chat import chat_run
from kefu.demo.sim_commerce import order_place
from kefu.demo.sim_phrases import PRESALE_MIX
from kefu.demo.sim_shop import Emitter, Shop

# Orders of the 10 days before the period come first in the stream (order and customer
# records only): the period's first days then have their parcels, after-sales and reviews.
WARMUP_DAYS = 10
RETURNING_PRESALE = 0.25  # share of presale chats from customers the shop already knows
RETURNING_SILENT = 0.55
SILENT_PER_PRESALE = 0.26  # silent orders per presale conversation (≈ 35 % of all orders)
ORDERS_PER_PRESALE = 0.62  # all orders per presale conversation, for the warm-up days
# Chance that an answered presale conversation leads to an order within a day.
CONVERSION = {"size": 0.5, "stock": 0.4, "ship_time": 0.5, "coupon": 0.45, "product": 0.45, "payment": 0.55,
              "invoice_pre": 0.35, "return_policy": 0.42, "deposit": 0.5}
UNANSWERED_CONVERSION = 0.2  # some buy anyway
BACKLOG_DAYS = {"promo": (1, 3), "after": (0, 2), "presale": (0, 0), "normal": (0, 0)}


def simulate(*, shops: int = 1, agents: int = 12, days: int = 14, seed: int = 1, end: date | None = None,
             now: datetime | None = None, scale: float = 1.0, promo_day: date | None = None) -> Iterator[dict]:
    """The records of ``shops`` shops over ``days`` days, as a lazy iterator.

    The last day is ``end`` (whole) or, without it, today up to ``now`` (default: the
    current time in China). ``agents`` is per shop and sets the shop's size (about 27
    presale chats per agent on a normal day); ``scale`` multiplies the volume without
    changing the quality of service. The promotion day is ``promo_day``, else the 11th
    of a month in the period, else 3 days before its end.
    """
    if shops < 1 or agents < 1 or days < 1 or scale <= 0:  # checked now, not at the first record
        raise ValueError("shops, agents and days must be at least 1 and scale above 0")
    if end is None:  # up to this very second; else the whole last day
        now = (now or datetime.now(TZ)).astimezone(TZ)
        first = now.date() - timedelta(days=days - 1)
        clock = Clock(first)
        horizon = clock.seconds(now)
    else:
        first = end - timedelta(days=days - 1)
        clock = Clock(first)
        horizon = days * DAY - 1
    promo = (promo_day or promo_day_default(first, clock.day_date(days - 1))) - first
    out = Emitter(start=0, horizon=horizon)
    sims = [ShopSim(Shop(index=i, seed=seed, agent_count=agents, scale=scale, clock=clock, out=out,
                         promo=promo.days)) for i in range(shops)]
    return _stream(sims, out)


def _stream(sims: list["ShopSim"], out: Emitter) -> Iterator[dict]:
    for sim in sims:
        yield sim.shop.record()
        yield from (agent.record(sim.shop.id) for agent in sim.shop.agents)
    for hour in range(-WARMUP_DAYS * 24, out.horizon // HOUR + 1):
        for sim in sims:
            sim.hour(hour)
        yield from out.take(hour)


class ShopSim:
    """Drives one shop hour by hour: arrivals of new chats and orders, then due tasks."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.rng = shop.rng
        self.mix = {kind: (list(weights), list(_cumulative(weights.values()))) for kind, weights in PRESALE_MIX.items()}

    def hour(self, hour: int) -> None:
        shop = self.shop
        day, hour_of_day = divmod(hour, 24)
        start = hour * HOUR
        plan = shop.plan(day)
        lam = plan.lam[hour_of_day]
        if day < 0:
            for t in self._arrivals(lam * ORDERS_PER_PRESALE, start):
                self._order(t, plan.kind, returning=0.3)
        else:
            if hour_of_day == 0:
                for t, agent_id, status, note in plan.status:
                    shop.out.add(t, _status_record(shop, t, agent_id, status, note))
            for t in self._arrivals(lam, start):
                self._inquiry(t, plan.kind)
            for t in self._arrivals(lam * SILENT_PER_PRESALE, start):
                self._order(t, plan.kind, returning=RETURNING_SILENT)
        shop.run_tasks(start + HOUR)

    def _arrivals(self, lam: float, start: int) -> list[int]:
        rng, horizon = self.rng, self.shop.out.horizon
        times = sorted(start + rng.randrange(HOUR) for _ in range(poisson(rng, lam)))
        return [t for t in times if t <= horizon]

    def _inquiry(self, t: int, kind: str) -> None:
        """A presale conversation, and the order it may lead to within a day."""
        shop, rng = self.shop, self.rng
        names, cumulative = self.mix[kind]
        intent = rng.choices(names, cum_weights=cumulative)[0]
        customer = shop.customer_for(t, RETURNING_PRESALE)
        product, color, size = shop.product(), rng.choice(COLORS), rng.choice(SIZES[:4])
        result = chat_run(shop, customer=customer, intent=intent, t0=t, product=product, color=color, size=size)
        chance = CONVERSION[intent] if result.last_reply is not None else UNANSWERED_CONVERSION
        if rng.random() >= chance * (0.4 if result.rude else 1.0):
            return
        after = result.last_reply or t
        placed = after + self._order_delay(after)
        pay_at = None
        if intent == "deposit" and placed < shop.promo * DAY:  # the final payment opens at midnight
            pay_at = shop.promo * DAY + rng.randint(0, 45 * MINUTE)
        order_place(shop, customer=customer, t=placed, product=product, color=color, size=size, pay_at=pay_at,
                    backlog=self._backlog(kind), bad="客服态度差" if result.rude else "")

    def _order_delay(self, after: int) -> int:
        """Most buy during or right after the chat, some later that day, some the next day."""
        rng, draw = self.rng, self.rng.random()
        if draw < 0.5:
            return rng.randint(1 * MINUTE, 30 * MINUTE)
        if draw < 0.8:
            return rng.randint(30 * MINUTE, 360 * MINUTE)
        next_day = (after // DAY + 1) * DAY + human_second(rng)
        return max(next_day - after, 6 * HOUR)

    def _order(self, t: int, kind: str, *, returning: float) -> None:
        """An order without any conversation (静默下单)."""
        shop = self.shop
        order_place(shop, customer=shop.customer_for(t, returning), t=t, product=shop.product(),
                    backlog=self._backlog(kind))

    def _backlog(self, kind: str) -> int:
        """Extra days before shipping: the warehouse falls behind after a promotion."""
        return self.rng.randint(*BACKLOG_DAYS[kind])


def _status_record(shop: Shop, t: int, agent_id: str, status: str, note: str) -> dict:
    record = {"type": "agent_status", "id": shop.new_id("st", 6), "agent_id": agent_id, "at": shop.clock.iso(t),
              "status": status}
    if note:
        record["note"] = note
    return record


def _cumulative(weights: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def write_events(records: Iterable[dict], path: str | Path) -> dict[str, int]:
    """Write records as JSON Lines (gzip when the name ends in .gz, stdout for '-'); counts per type."""
    counts: dict[str, int] = {}
    dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    with _sink(str(path)) as sink:
        buffer: list[bytes] = []
        for record in records:
            kind = record["type"]
            counts[kind] = counts.get(kind, 0) + 1
            buffer.append(dumps(record, option=option))
            if len(buffer) >= 8192:
                sink.write(b"".join(buffer))
                buffer.clear()
        sink.write(b"".join(buffer))
    return counts


@contextlib.contextmanager
def _sink(path: str) -> Iterator[BinaryIO]:
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with open(path, "wb") as raw:
        if path.endswith(".gz"):
            # mtime=0 and no file name in the header: the same records give the same bytes.
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=2, mtime=0) as packed:
                yield packed
        else:
            yield raw

