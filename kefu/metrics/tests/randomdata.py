"""Random, edge-case-dense event sets in the events.md format, for the metric comparison tests.

``random_events(seed)`` gives the same records for the same seed. The data is realistic in
shape (customers who ask in bursts, agents who answer, orders, after-sales, presence) but
each day is packed with the cases a metric engine gets wrong: automatic replies inside a
burst, off-hours questions, transfers, ties in ``sent_at``, agent messages before the first
customer message, orders at the last second of the attribution window and the first
second after it, a return exactly 48 h after the last message, after-sales closed exactly
at their due time, statuses spanning midnight and an open-ended last status.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

# (id, name, platform, timezone or None for the default, service_hours or None for the default)
SHOP_SPECS = (
    ("s1", "旗舰店", "tmall", None, "09:00-23:00"),
    ("s2", "柏林店", "web", "Europe/Berlin", None),
    ("s3", "东京夜店", "jd", "Asia/Tokyo", "20:00-02:00"),
)
TEAMS = ("售前一组", "售后二组")
KINDS = ("refund", "return", "exchange", "repair", "reship")
SKILLS = ("presale", "aftersale", "vip")


class _Gen:
    def __init__(self, seed: int, shops: int, agents: int, customers: int, days: int, start: date):
        self.rng = random.Random(seed)
        self.days = days
        self.start = start
        self.out: list[dict] = []
        self.counters: dict[str, int] = {}
        self.shops = [s for s in SHOP_SPECS[:shops]]
        self.tz = {s[0]: ZoneInfo(s[3] or "Asia/Shanghai") for s in self.shops}
        self.hours = {s[0]: s[4] or "00:00-24:00" for s in self.shops}
        self.n_agents = agents
        self.n_customers = customers
        self.orders: dict[str, list[dict]] = {}  # "shop/customer" -> orders

    # ---- helpers -----------------------------------------------------------------------

    def next_id(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]}"  # unpadded on purpose: "v10" < "v9" as strings

    def iso(self, moment: datetime, shop: str | None = None) -> str:
        """The moment as ISO text: mostly in the shop's offset, sometimes UTC or another offset."""
        roll = self.rng.random()
        if roll < 0.7 and shop:
            return moment.astimezone(self.tz[shop]).isoformat()
        if roll < 0.85:
            return moment.astimezone(ZoneInfo("UTC")).isoformat()
        if roll < 0.92:
            return moment.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")
        return moment.astimezone(ZoneInfo("America/New_York")).isoformat()

    def local(self, shop: str, day: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
        d = self.start + timedelta(days=day)
        return datetime.combine(d, time(hh, mm, ss), tzinfo=self.tz[shop])

    def local_day(self, shop: str, moment: datetime) -> date:
        return moment.astimezone(self.tz[shop]).date()

    def midnight(self, shop: str, d: date) -> datetime:
        return datetime.combine(d, time.min, tzinfo=self.tz[shop])

    def emit(self, record: dict) -> dict:
        self.out.append(record)
        return record

    # ---- the cast ----------------------------------------------------------------------

    def cast(self) -> None:
        for sid, name, platform, tz, hours in self.shops:
            record = {"type": "shop", "id": sid, "name": name, "platform": platform}
            if tz:
                record["timezone"] = tz
            if hours:
                record["service_hours"] = hours
            self.emit(record)
        self.agents: dict[str, dict] = {}
        shop_ids = [s[0] for s in self.shops]
        for i in range(self.n_agents):
            aid = f"a{i + 1}"
            record = {"type": "agent", "id": aid, "name": f"客服{i + 1}",
                      "skills": self.rng.sample(SKILLS, self.rng.randint(1, 2)),
                      "hired_on": (self.start - timedelta(days=30 * (i + 1))).isoformat()}
            if not (self.n_agents >= 5 and i == self.n_agents - 2):  # one agent serves every shop
                record["shop_id"] = shop_ids[i % len(shop_ids)]
            if i != self.n_agents - 1:  # one agent without a team
                record["team"] = TEAMS[i % 2]
            self.agents[aid] = self.emit(record)
        self.shop_agents = {
            s: [a for a, r in self.agents.items() if r.get("shop_id") in (s, None)] for s in shop_ids
        }
        # customer ids overlap across shops: c17 of s1 and c17 of s2 are different customers
        self.customers = {}
        per_shop = max(4, self.n_customers * 3 // (2 * len(shop_ids)))
        step = max(1, (self.n_customers - per_shop) // max(1, len(shop_ids) - 1))
        for k, s in enumerate(shop_ids):
            first = 1 + k * step
            ids = [f"c{n:02d}" for n in range(first, min(first + per_shop, self.n_customers + 1))]
            self.customers[s] = ids
            for cid in ids:
                self.emit({"type": "customer", "id": cid, "shop_id": s, "nick": f"nick_{s}_{cid}",
                           "vip_level": self.rng.choice(["", "1", "2"])})

    # ---- conversations -----------------------------------------------------------------

    def visit_start(self, shop: str) -> datetime:
        day = self.rng.randrange(-1, self.days)
        roll = self.rng.random()
        if roll < 0.6:
            return self.local(shop, day, self.rng.randint(9, 22), self.rng.randint(0, 59), self.rng.randint(0, 59))
        if roll < 0.75:  # off hours for s1
            hh = self.rng.choice([0, 1, 2, 3, 6, 8, 23])
            return self.local(shop, day, hh, self.rng.randint(0, 59), self.rng.randint(0, 59))
        if roll < 0.9:  # just before midnight: the conversation spans two days
            return self.local(shop, day, 23, self.rng.randint(40, 59), self.rng.randint(0, 59))
        # exactly at a service-hours edge
        return self.local(shop, day, self.rng.choice([8, 9, 20, 22, 23, 1, 2]), self.rng.choice([0, 59]),
                          self.rng.choice([0, 59]))

    def reply_delay(self) -> int:
        return self.rng.choice([
            self.rng.randint(1, 29), 30, 31, self.rng.randint(32, 179), 180, 181,
            self.rng.randint(182, 900), self.rng.randint(5, 60), 0,
        ])

    def conversation(self, shop: str, customer: str, at: datetime) -> datetime:
        """One conversation from ``at``; returns its last message's time."""
        rng = self.rng
        cid = self.next_id("v")
        agents = self.shop_agents[shop]
        primary = rng.choice(agents)
        scenario = rng.choices(
            ["normal", "transfer", "assigned_silent", "unanswered", "agent_first", "no_customer", "tie",
             "last_unanswered"],
            weights=[30, 10, 8, 10, 6, 4, 8, 8],
        )[0]
        msgs: list[tuple[datetime, str, str | None, bool]] = []  # (at, sender, agent, is_auto)
        ids: dict[int, str] = {}  # message index -> id override
        t = at
        if scenario == "agent_first":
            msgs.append((t, "agent", primary, False))
            t += timedelta(seconds=rng.randint(0, 600))
        if scenario == "no_customer":
            msgs.append((t, "system", None, False))
            msgs.append((t + timedelta(seconds=5), "agent", primary, False))
            if rng.random() < 0.5:
                msgs.append((t + timedelta(seconds=9), "agent", primary, True))
        else:
            rounds = rng.randint(1, 3)
            replier = primary
            for k in range(rounds):
                burst_start = t
                n = rng.randint(1, 4)
                for j in range(n):
                    msgs.append((t, "customer", None, False))
                    if j == 0 and rng.random() < 0.35:  # the automatic greeting, inside the burst
                        msgs.append((t + timedelta(seconds=1), "agent", replier, True))
                    if rng.random() < 0.15:
                        msgs.append((t + timedelta(seconds=2), "bot", None, False))
                    if j < n - 1:
                        t += timedelta(seconds=rng.choice([0, rng.randint(1, 90)]))  # 0: a tie between customer messages
                last_round = k == rounds - 1
                if scenario == "unanswered" or (scenario == "last_unanswered" and last_round):
                    t += timedelta(seconds=rng.randint(30, 1200))
                    continue
                if scenario == "transfer" and k >= 1:
                    msgs.append((t + timedelta(seconds=1), "system", None, False))
                    replier = rng.choice([a for a in agents if a != replier] or agents)
                if scenario == "assigned_silent":
                    replier = rng.choice([a for a in agents if a != primary] or agents)
                if scenario == "tie" and k == 0:
                    # the reply at the same second as the burst's last message: ids decide the order
                    msgs.append((t, "agent", replier, False))
                    first_id, second_id = f"{cid}-x1", f"{cid}-x2"
                    if rng.random() < 0.5:
                        first_id, second_id = second_id, first_id
                    ids[len(msgs) - 2], ids[len(msgs) - 1] = first_id, second_id
                    if msgs[-2][1] != "customer":  # a bot or auto message came last: tie with the customer's
                        ids.pop(len(msgs) - 2)
                else:
                    t = max(t, burst_start) + timedelta(seconds=self.reply_delay())
                    msgs.append((t, "agent", replier, False))
                if rng.random() < 0.3:  # a second human reply in a row
                    t += timedelta(seconds=rng.randint(5, 60))
                    msgs.append((t, "agent", replier, False))
                t += timedelta(seconds=rng.randint(20, 1800))
        record = {"type": "conversation", "id": cid, "shop_id": shop, "customer_id": customer,
                  "started_at": self.iso(at - timedelta(seconds=rng.choice([0, 0, 30, 7200])), shop),
                  "channel": rng.choice(["app", "web", "mini"])}
        if scenario in ("assigned_silent", "unanswered", "last_unanswered") or rng.random() < 0.3:
            # mostly the first replier; sometimes another agent, or a99 (no such agent)
            record["assigned_agent_id"] = rng.choice([primary, primary, rng.choice(agents), "a99"])
        roll = rng.random()
        past_orders = self.orders.get(f"{shop}/{customer}", [])
        if roll < 0.15 and past_orders:
            record["order_id"] = rng.choice(past_orders)["id"]  # aftersale by default
        elif roll < 0.2:
            record["stage"] = "aftersale"
        elif roll < 0.25 and past_orders:
            record["stage"] = "presale"
            record["order_id"] = rng.choice(past_orders)["id"]
        elif roll < 0.3:
            record["stage"] = "presale"
        if rng.random() < 0.35:
            record["rating"] = rng.randint(1, 5)
        if rng.random() < 0.1:
            # sent first without a rating, then again with one: the later record wins
            self.emit({k: v for k, v in record.items() if k != "rating"})
            record = {**record, "rating": rng.randint(1, 5)}
        self.emit(record)
        for i, (moment, sender, agent, auto) in enumerate(msgs):
            m = {"type": "message", "id": ids.get(i, f"{cid}-m{i + 1:02d}"), "conversation_id": cid,
                 "sent_at": self.iso(moment, shop), "sender": sender, "text": "…"}
            if sender == "agent":
                m["agent_id"] = agent
                if auto or rng.random() < 0.5:
                    m["is_auto"] = auto
            self.emit(m)
        replies = [(moment, agent) for moment, sender, agent, auto in msgs if sender == "agent" and not auto]
        self.conv_info.append({"id": cid, "shop": shop, "customer": customer, "replies": replies,
                               "stage": record.get("stage") or ("aftersale" if "order_id" in record else "presale"),
                               "first": next((m[0] for m in msgs if m[1] == "customer"), None)})
        return max(m[0] for m in msgs)

    def conversations(self) -> None:
        self.conv_info: list[dict] = []
        for shop in self.customers:
            for customer in self.customers[shop]:
                self.past_orders(shop, customer)
                visits = self.rng.choices([0, 1, 2, 3], weights=[2, 5, 3, 1])[0]
                for _ in range(visits):
                    last = self.conversation(shop, customer, self.visit_start(shop))
                    if self.rng.random() < 0.35:  # the customer comes back: within, at or just after 48 h
                        gap = self.rng.choice([timedelta(minutes=self.rng.randint(10, 2800)), timedelta(hours=48),
                                               timedelta(hours=48, seconds=1), timedelta(seconds=1)])
                        self.conversation(shop, customer, last + gap)
        # two concurrent presale conversations of one customer whose last replies tie: the greater id wins
        for shop in self.customers:
            customer = self.rng.choice(self.customers[shop])
            at = self.local(shop, self.rng.randrange(0, self.days), 15, 0, 0)
            agents = self.shop_agents[shop]
            pair = []
            for k in range(2):
                cid = self.next_id("v")
                pair.append(cid)
                self.emit({"type": "conversation", "id": cid, "shop_id": shop, "customer_id": customer,
                           "started_at": self.iso(at, shop)})
                self.emit({"type": "message", "id": f"{cid}-m1", "conversation_id": cid,
                           "sent_at": self.iso(at + timedelta(seconds=k), shop), "sender": "customer"})
                self.emit({"type": "message", "id": f"{cid}-m2", "conversation_id": cid,
                           "sent_at": self.iso(at + timedelta(seconds=40), shop), "sender": "agent",
                           "agent_id": agents[k % len(agents)]})
            self.order(shop, customer, at + timedelta(minutes=5), paid=True)

    def scripted(self, shop: str, customer: str, at: datetime, lines, **fields) -> str:
        """A conversation with exact messages: ``lines`` of (seconds after ``at``, who, id) where
        who is "c" (customer), an agent id, "auto:<agent id>" or "bot"."""
        cid = self.next_id("v")
        self.emit({"type": "conversation", "id": cid, "shop_id": shop, "customer_id": customer,
                   "started_at": self.iso(at, shop), **fields})
        replies = []
        for offset, who, mid in lines:
            moment = at + timedelta(seconds=offset)
            m = {"type": "message", "id": f"{cid}-{mid}", "conversation_id": cid, "sent_at": self.iso(moment, shop)}
            if who in ("c", "bot"):
                m["sender"] = "customer" if who == "c" else "bot"
            else:
                m.update(sender="agent", agent_id=who.removeprefix("auto:"), is_auto=who.startswith("auto:"))
                if not m["is_auto"]:
                    replies.append((moment, m["agent_id"]))
            self.emit(m)
        first = min((at + timedelta(seconds=o) for o, who, _ in lines if who == "c"), default=None)
        self.conv_info.append({"id": cid, "shop": shop, "customer": customer, "replies": replies,
                               "stage": fields.get("stage", "aftersale" if "order_id" in fields else "presale"),
                               "first": first})
        return cid

    def edges(self) -> None:
        """The same boundary cases in every data set, on days 1 and 2 (inside the test periods)."""
        rng = self.rng
        for shop, hours in self.hours.items():
            agents = self.shop_agents[shop]
            a, b = agents[0], agents[1 % len(agents)]
            customers = self.customers[shop]
            start_h, end_h = int(hours[:2]), int(hours[6:8])
            for day in (1, 2):
                def who():
                    return rng.choice(customers)

                # bursts exactly at the start and the end of service hours, and one second before the end
                base = self.local(shop, day, start_h % 24)
                self.scripted(shop, who(), base, [(0, "c", "m1"), (30, a, "m2")])
                end = self.midnight(shop, base.date() + timedelta(days=1)) if end_h in (0, 24) else self.local(
                    shop, day, end_h)
                self.scripted(shop, who(), end, [(0, "c", "m1"), (31, a, "m2")])
                self.scripted(shop, who(), end - timedelta(seconds=1), [(0, "c", "m1"), (180, b, "m2")])
                # ties: a reply at the same second as the question, before or after it by id
                noon = self.local(shop, day, 14, 30)
                self.scripted(shop, who(), noon, [(0, "c", "m2"), (0, a, "m1"), (181, b, "m3")])
                self.scripted(shop, who(), noon, [(0, "c", "m1"), (0, a, "m2")])
                # an unanswered last burst: assigned to one agent, last answered by another
                self.scripted(shop, who(), noon + timedelta(minutes=7),
                              [(0, "c", "m1"), (1, f"auto:{a}", "m2"), (20, b, "m3"), (600, "c", "m4"), (601, "bot", "m5")],
                              assigned_agent_id=a)
                # a reply before the first question, at the same second, then nothing
                self.scripted(shop, who(), noon + timedelta(minutes=9), [(0, b, "m1"), (0, "c", "m2")])
                # orders: at the reply's second (silent), at the window's last second, one second after
                customer = who()
                at = self.local(shop, day, 16, 0)
                self.scripted(shop, customer, at, [(0, "c", "m1"), (45, a, "m2")], stage="presale")
                self.order(shop, customer, at + timedelta(seconds=45), paid=True)
                window_end = self.midnight(shop, at.astimezone(self.tz[shop]).date() + timedelta(days=2))
                self.order(shop, customer, window_end - timedelta(seconds=1), paid=True)
                self.order(shop, customer, window_end, paid=True)
                # first contact resolution: the customer returns exactly 48 h later, or one second more
                for gap in (timedelta(hours=48), timedelta(hours=48, seconds=1)):
                    customer = who()
                    at = self.local(shop, day, 11, 0)
                    self.scripted(shop, customer, at, [(0, "c", "m1"), (29, b, "m2"), (40, "c", "m3")])
                    self.scripted(shop, customer, at + timedelta(seconds=40) + gap, [(0, "c", "m1")])

    # ---- orders ------------------------------------------------------------------------

    def past_orders(self, shop: str, customer: str) -> None:
        """Orders from before the data (after-sale conversations point at them)."""
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            at = self.local(shop, -self.rng.randint(2, 6), self.rng.randint(0, 23), self.rng.randint(0, 59))
            self.order(shop, customer, at, paid=True)

    def order(self, shop: str, customer: str, created: datetime, *, paid: bool | None = None) -> dict:
        rng = self.rng
        oid = self.next_id("o")  # the same order ids in every shop: orders are found in their own shop
        amount = Decimal(rng.randint(990, 99999)) / 100
        record = {"type": "order", "id": oid, "shop_id": shop, "customer_id": customer,
                  "created_at": self.iso(created, shop),
                  "amount": str(amount) if rng.random() < 0.8 else float(amount),
                  "status": "created"}
        paid = rng.random() < 0.75 if paid is None else paid
        if paid:
            paid_at = created + timedelta(seconds=rng.choice([rng.randint(5, 600), rng.randint(3600, 2 * 86400)]))
            if rng.random() < 0.15:
                self.emit(dict(record))  # first unpaid, then updated with the payment
            record["paid_at"] = self.iso(paid_at, shop)
            record["status"] = "paid"
        self.emit(record)
        self.orders.setdefault(f"{shop}/{customer}", []).append(record)
        if rng.random() < 0.3:
            self.emit({"type": "logistics", "id": self.next_id("l"), "shop_id": shop, "order_id": oid,
                       "at": self.iso(created + timedelta(hours=20), shop), "status": "shipped"})
        return record

    def sales(self) -> None:
        rng = self.rng
        for info in list(self.conv_info):
            shop, customer = info["shop"], info["customer"]
            if info["first"] is None or rng.random() < 0.4:
                continue
            day = self.local_day(shop, info["first"])
            replies = info["replies"]
            choice = rng.choices(
                ["after_reply", "window_last", "window_first_out", "same_second", "before_reply", "next_day"],
                weights=[10, 3, 3, 2, 2, 3],
            )[0]
            if choice == "after_reply" and replies:
                created = replies[-1][0] + timedelta(seconds=rng.randint(1, 4 * 3600))
            elif choice == "window_last":
                created = self.midnight(shop, day + timedelta(days=2)) - timedelta(seconds=1)
            elif choice == "window_first_out":
                created = self.midnight(shop, day + timedelta(days=2))
            elif choice == "same_second" and replies:
                created = replies[0][0]  # not *before* created_at: this reply does not count
            elif choice == "next_day":
                created = self.midnight(shop, day + timedelta(days=1)) + timedelta(hours=rng.randint(0, 23))
            else:
                created = info["first"] - timedelta(minutes=rng.randint(1, 120))
            self.order(shop, customer, created)
            if rng.random() < 0.2:
                self.order(shop, customer, created + timedelta(minutes=rng.randint(1, 90)))
        for shop in self.customers:  # customers who buy without asking
            for customer in rng.sample(self.customers[shop], min(4, len(self.customers[shop]))):
                self.order(shop, customer, self.local(shop, rng.randrange(0, self.days), rng.randint(0, 23),
                                                      rng.randint(0, 59)))

    # ---- after-sales and reviews -------------------------------------------------------

    def after_sales(self) -> None:
        rng = self.rng
        all_orders = [(key.split("/")[0], o) for key, orders in self.orders.items() for o in orders]
        for shop, o in all_orders:
            created = datetime.fromisoformat(o["created_at"])
            if rng.random() < 0.35:
                self.after_sale(shop, o["id"], created)
            if o.get("paid_at") and rng.random() < 0.35:
                at = datetime.fromisoformat(o["paid_at"]) + timedelta(hours=rng.randint(2, 96))
                review = {"type": "review", "id": self.next_id("r"), "shop_id": shop, "order_id": o["id"],
                          "rating": rng.randint(1, 5), "created_at": self.iso(at, shop)}
                if rng.random() < 0.5:
                    review["customer_id"] = o["customer_id"]
                self.emit(review)
        for shop in self.customers:  # an after-sale and a review of orders Kefu never saw
            at = self.local(shop, rng.randrange(0, self.days), 11)
            self.after_sale(shop, "o-missing", at)
            self.emit({"type": "review", "id": self.next_id("r"), "shop_id": shop, "order_id": "o-missing",
                       "rating": rng.randint(1, 5), "created_at": self.iso(at, shop)})

    def after_sale(self, shop: str, order_id: str, created: datetime) -> None:
        rng = self.rng
        opened = created + timedelta(hours=rng.randint(1, 100), seconds=rng.randint(0, 3599))
        end = self.local(shop, self.days, 0)
        if opened >= end:
            opened = end - timedelta(hours=rng.randint(1, 80))
        record = {"type": "aftersale", "id": self.next_id("as"), "shop_id": shop, "order_id": order_id,
                  "kind": rng.choice(KINDS), "opened_at": self.iso(opened, shop), "amount": "19.90"}
        outcome = rng.choice(["on_time", "at_due", "late", "just_late", "open", "cancelled", "rejected",
                              "no_closed_at", "unspecified"])
        due_gap = timedelta(hours=48)
        if outcome in ("on_time", "rejected"):
            closed = opened + timedelta(hours=rng.randint(1, 47), seconds=rng.randint(0, 3599))
        elif outcome == "at_due":
            closed = opened + due_gap
        elif outcome == "just_late":
            closed = opened + due_gap + timedelta(seconds=1)
        else:
            closed = opened + due_gap + timedelta(hours=rng.randint(1, 60))
        if outcome == "unspecified":
            pass  # no status: open by default
        elif outcome == "open":
            record["status"] = "open"
        elif outcome == "cancelled":
            record["status"] = "cancelled"
            if rng.random() < 0.5:
                record["closed_at"] = self.iso(closed, shop)
        elif outcome == "no_closed_at":
            record["status"] = "completed"
        else:
            if rng.random() < 0.3:
                self.emit({**record, "status": "open"})  # opened, later updated when closed
            record["status"] = "rejected" if outcome == "rejected" or rng.random() < 0.2 else "completed"
            record["closed_at"] = self.iso(closed, shop)
            if rng.random() < 0.3:
                record["platform_intervened"] = True
                record["judged_against_seller"] = rng.random() < 0.6
            elif rng.random() < 0.1:
                record["judged_against_seller"] = True  # without intervention: not a dispute
        self.emit(record)

    # ---- presence ----------------------------------------------------------------------

    def presence(self) -> None:
        rng = self.rng
        for aid, agent in self.agents.items():
            tz = self.tz.get(agent.get("shop_id"), ZoneInfo("Asia/Shanghai"))
            at = datetime.combine(self.start - timedelta(days=1), time(rng.randint(7, 10)), tzinfo=tz)
            end = datetime.combine(self.start + timedelta(days=self.days), time(rng.randint(1, 20)), tzinfo=tz)
            n = 0
            while at < end:
                n += 1
                status = rng.choices(["online", "busy", "away", "offline"], weights=[4, 2, 2, 2])[0]
                self.emit({"type": "agent_status", "id": f"{aid}-st{n}", "agent_id": aid,
                           "at": self.iso(at, agent.get("shop_id")), "status": status})
                if rng.random() < 0.05:  # two changes at the same moment: the greater id lasts
                    n += 1
                    self.emit({"type": "agent_status", "id": f"{aid}-st{n}", "agent_id": aid,
                               "at": self.iso(at, agent.get("shop_id")), "status": rng.choice(["online", "away"])})
                at += timedelta(minutes=rng.randint(20, 600), seconds=rng.randint(0, 59))
            # the last status stays open: online (or busy) until now
            self.emit({"type": "agent_status", "id": f"{aid}-st{n + 1}", "agent_id": aid,
                       "at": self.iso(at, agent.get("shop_id")), "status": rng.choice(["online", "busy"])})

    def build(self) -> list[dict]:
        self.cast()
        self.conversations()
        self.edges()
        self.sales()
        self.after_sales()
        self.presence()
        # re-sent records (idempotent updates): the same content again, anywhere in the stream
        for record in self.rng.sample(self.out, len(self.out) // 30):
            self.out.insert(self.rng.randrange(len(self.out) + 1), dict(record))
        return self.out


def random_events(seed: int, *, shops: int = 2, agents: int = 6, customers: int = 40, days: int = 5,
                  start: date = date(2026, 11, 9)) -> list[dict]:
    """A reproducible event set: ``shops`` shops (Asia/Shanghai 09:00-23:00, Europe/Berlin all
    day, Asia/Tokyo 20:00-02:00), ``agents`` agents in two teams (the last without a team, the
    one before it without a shop), ``customers`` customer ids spread over the shops with
    overlaps, and ``days`` days of activity from ``start`` (plus some from the days before)."""
    if not 1 <= shops <= len(SHOP_SPECS):
        raise ValueError(f"shops must be 1-{len(SHOP_SPECS)}")
    return _Gen(seed, shops, agents, customers, days, start).build()


def shuffled_batches(records: list[dict], seed: int, n: int) -> list[list[dict]]:
    """The records in a random order, cut into ``n`` batches: messages before their
    conversation, orders before their customer, statuses before their agent. The
    concatenation of the batches is the order the records arrive in (for "the later
    one wins")."""
    rng = random.Random(seed)
    shuffled = list(records)
    rng.shuffle(shuffled)
    size = -(-len(shuffled) // n)
    return [shuffled[i : i + size] for i in range(0, len(shuffled), size)]
