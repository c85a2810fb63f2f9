"""One simulated conversation: routing, bots, the human dialogue, violations, rating.

``chat_run`` writes a conversation record and its messages as a real shop's chat log
would show them: the customer's burst (在吗 + the question), an automatic welcome in
1-2 s, the agent's reply after a delay that depends on the agent and on how busy the
shop is, follow-up rounds on the same topic, the 好的谢谢 at the end and the agent's
closing (or not, for curt agents). Outside service hours a bot answers and a human
follows up when the shift starts; at peaks some customers never get a reply.
"""

import math
import random
from dataclasses import dataclass

from kefu.demo import sim_phrases as ph
from kefu.demo.sim_catalog import BOT_NAMES, COLORS, COMPANIES, HUBS, PLACES, SIZES
from kefu.demo.sim_calendar import MINUTE
from kefu.demo.sim_shop import Customer, Product, Shop
from kefu.demo.sim_staff import SLOT, Agent
from kefu.demo.sim_violations import MANNER_FACTOR, MISSED_QUESTION_RATE, VIOLATIONS, Violation

ROUNDS = (1, 2, 3, 4, 5, 6, 7)  # question-and-answer pairs before the goodbye
ROUND_WEIGHTS = (6, 14, 22, 21, 16, 12, 9)
RATINGS = (1, 2, 3, 4, 5)
HAPPY = (2.5, 1.5, 4, 10, 82)  # weights of 1..5 stars
UNHAPPY = (25, 10, 15, 15, 35)  # after rudeness or an unsoothed complaint
# Body sizes that make a size recommendation plausible: (height cm, weight 斤) ranges.
BODY = {"S": ((150, 160), (80, 95)), "M": ((156, 166), (95, 110)), "L": ((162, 172), (110, 125)),
        "XL": ((168, 178), (125, 145)), "XXL": ((172, 186), (145, 175))}


@dataclass(slots=True)
class ChatResult:
    last_reply: int | None  # time of the last human reply, None when nobody answered
    rude: bool  # the agent was rude (the customer remembers it in a review)


class Ctx(dict):
    """The ``{fields}`` of one conversation, drawn lazily and then kept (coherent text)."""

    def __init__(self, shop: Shop, values: dict) -> None:
        super().__init__(values)
        self.shop = shop

    def __missing__(self, key: str):
        value = self[key] = _FIELDS[key](self.shop.rng, self)
        return value


def _size_up(rng: random.Random, ctx: Ctx) -> str:
    index = SIZES.index(ctx["size"])
    return SIZES[index + 1] if index + 1 < len(SIZES) else SIZES[index - 1]


def _other_color(rng: random.Random, ctx: Ctx) -> str:
    color = rng.choice(COLORS)
    return color if color != ctx["color"] else COLORS[(COLORS.index(color) + 1) % len(COLORS)]


def _address(rng: random.Random, ctx: Ctx) -> str:
    province, districts = rng.choice(PLACES)
    district, roads = rng.choice(districts)
    return f"新地址：{province}{district}{rng.choice(roads)}{rng.randint(1, 999)}号 电话{ctx['phone']}"


_FIELDS = {
    "size2": _size_up,
    "color2": _other_color,
    "h": lambda rng, c: rng.randint(*BODY[c["size"]][0]),
    "w": lambda rng, c: rng.randint(*BODY[c["size"]][1]),
    "len": lambda rng, c: 62 + 2 * SIZES.index(c["size"]) + rng.randint(0, 6),
    "days": lambda rng, c: rng.choice((2, 3, 3, 4, 5)),
    "coupon": lambda rng, c: rng.choice((5, 10, 10, 20, 30, 50)),
    "thr": lambda rng, c: rng.choice((199, 299, 399)),
    "city": lambda rng, c: rng.choice(HUBS),
    "cotton": lambda rng, c: rng.randint(60, 95),
    "new_address": _address,
    "company": lambda rng, c: rng.choice(COMPANIES),
    "dep": lambda rng, c: rng.choice((20, 50, 100)),
    "dep2": lambda rng, c: c["dep"] * 2,
    "topn": lambda rng, c: rng.choice((100, 200, 500)),
    "item2": lambda rng, c: c.shop.product().name,
    "wx": lambda rng, c: rng.choice(("kf", "ms", "xm", "vip")) + str(rng.randint(10000, 99999)),
    "n": lambda rng, c: str(rng.randint(1000, 9999)),
    "tracking": lambda rng, c: "ZT" + str(rng.randint(10**12, 10**13 - 1)),
}


class Chat:
    """Writes the messages of one conversation, keeping their times in order."""

    def __init__(self, shop: Shop, conversation: dict, ctx: Ctx) -> None:
        self.shop = shop
        self.rng = shop.rng
        self.conversation = conversation
        self.id = conversation["id"]
        self.ctx = ctx
        self.t = 0  # time of the latest message
        self.last_reply: int | None = None

    def say(self, t: int, sender: str, text: str, agent: Agent | None = None, auto: bool = False,
            attachments: list[str] | None = None) -> None:
        t = max(t, self.t)
        self.t = t
        shop = self.shop
        record = {"type": "message", "id": shop.new_id("m", 8), "conversation_id": self.id,
                  "sent_at": shop.clock.iso(t), "sender": sender}
        if agent is not None:
            record["agent_id"] = agent.id
            if auto:
                record["is_auto"] = True
            else:
                self.last_reply = t
        record["text"] = text
        if attachments:
            record["attachments"] = attachments
        shop.out.add(t, record)

    def customer(self, t: int, template: str, photo: bool = False) -> int:
        """A customer turn (``|`` = several messages typed in a row); returns its first time."""
        rng, start = self.rng, max(t, self.t)
        for number, part in enumerate(template.format_map(self.ctx).split("|")):
            if number:
                t += rng.randint(3, 20)
            attachments = [self._picture()] if photo or part == "[图片]" else None
            if attachments is None and rng.random() < 0.07:
                part += rng.choice(ph.CUSTOMER_EMOJI)
            self.say(t, "customer", part, attachments=attachments)
        return start

    def agent(self, t: int, agent: Agent, text: str) -> None:
        for number, part in enumerate(text.split("|")):
            self.say(t + number * self.rng.randint(4, 18), "agent", part, agent)

    def _picture(self) -> str:
        return f"https://img.example.com/{self.shop.id}/{self.id}/{self.rng.randint(1, 9)}.jpg"


def chat_run(shop: Shop, *, customer: Customer, intent: str, t0: int, product: Product,
             order_id: str | None = None, color: str | None = None, size: str | None = None,
             carrier: str | None = None, tracking: str | None = None) -> ChatResult:
    """Simulate one conversation that starts with the customer's message at ``t0``."""
    rng, spec = shop.rng, ph.INTENTS[intent]
    conversation = {"type": "conversation", "id": shop.new_id("v", 6), "shop_id": shop.id,
                    "customer_id": customer.id, "started_at": shop.clock.iso(t0),
                    "channel": "mobile" if rng.random() < 0.8 else "pc", "stage": spec.stage}
    if order_id:
        conversation["order_id"] = order_id
    shop.out.add(t0, conversation)
    ctx = Ctx(shop, {
        "item": product.name, "fabric": product.fabric, "color": color or rng.choice(COLORS),
        "size": size or rng.choice(SIZES[:4]), "shop": shop.name, "mycity": customer.city,
        "carrier": carrier or shop.profile.carriers[0], "bot": BOT_NAMES[shop.index % len(BOT_NAMES)],
        "hours": shop.profile.service_hours or "00:00-24:00", "pay_answer": shop.profile.pay_answer,
        "pay_methods": shop.profile.pay_methods, "promo_date": _month_day(shop), "phone": customer.phone,
    })
    if order_id:
        ctx["n"] = order_id[-4:]
    if tracking:
        ctx["tracking"] = tracking
    chat = Chat(shop, conversation, ctx)
    main = rng.choice(spec.main)
    agent, ready = shop.pick_agent(t0, spec.stage, vip=customer.vip >= 3), t0
    if agent is None and shop.in_service(t0):
        agent, ready = _queue(shop, t0, spec.stage)
    if agent is not None:
        ctx["agent"] = agent.name
    _opening(chat, spec, main[0], product, t0, agent)
    rude = False
    if agent is None:
        _offhours(chat, spec, main[1])
    else:
        rude = _attended(chat, spec, main[1], agent, t0, ready)
    _finish(chat, spec, chat.t + rng.randint(60, 900), rude)
    return ChatResult(chat.last_reply, rude)


def _month_day(shop: Shop) -> str:
    promo = shop.clock.day_date(shop.promo)
    return f"{promo.month}月{promo.day}日"


def _opening(chat: Chat, spec: ph.Intent, asks: tuple[str, ...], product: Product, t0: int,
             agent: Agent | None) -> None:
    """The customer's first burst; the machines greet within 1-2 s of its first message."""
    rng = chat.rng
    question = rng.choice(asks)
    if spec.stage == "presale" and rng.random() < 0.22:  # the product card the customer came from
        chat.say(t0, "customer", product.name, attachments=[f"https://shop.example.com/item/{product.sku}"])
    elif rng.random() < 0.35:
        chat.customer(t0, rng.choice(ph.CUSTOMER_OPENERS))
    else:
        chat.customer(t0, question, photo=rng.random() < spec.photo)
        question = ""
    _hello(chat, agent)
    if question:
        chat.customer(t0 + rng.randint(3, 15), question, photo=rng.random() < spec.photo)
    if rng.random() < 0.1:
        chat.customer(chat.t + rng.randint(3, 30), rng.choice(ph.CUSTOMER_EXTRA))


def _hello(chat: Chat, agent: Agent | None) -> None:
    """Out of hours the bot says so; in hours a bot or the agent's automatic welcome greets."""
    shop, rng = chat.shop, chat.rng
    if agent is None:
        if shop.profile.service_hours and not shop.in_service(chat.t):
            chat.say(chat.t + rng.randint(1, 2), "bot", ph.BOT_OFFHOURS.format_map(chat.ctx))
    elif shop.profile.bot_front:
        chat.say(chat.t + 1, "bot", ph.BOT_HELLO.format_map(chat.ctx))
    elif rng.random() < 0.75:
        chat.say(chat.t + rng.randint(1, 2), "agent", rng.choice(ph.AUTO_WELCOME).format_map(chat.ctx), agent,
                 auto=True)


def _queue(shop: Shop, t0: int, stage: str) -> tuple[Agent | None, int]:
    """In service hours with nobody free: the chat waits up to two slots for an agent."""
    for wait in (SLOT, 2 * SLOT):
        agent = shop.pick_agent(t0 + wait, stage)
        if agent is not None:
            return agent, t0 + wait - shop.rng.randint(0, SLOT - 1)
    return None, t0


def _attended(chat: Chat, spec: ph.Intent, answers: tuple[str, ...], agent: Agent, t0: int,
              ready: int) -> bool:
    """The chat as a human handles it (free from ``ready`` on); returns whether the agent was rude."""
    rng, load = chat.rng, chat.shop.load(ready)
    chat.conversation["assigned_agent_id"] = agent.id
    if chat.shop.profile.bot_front:
        _bot_front(chat, spec)
    if rng.random() < min(0.35, 0.006 + 0.12 * max(0.0, load - 1.0)):  # more chats than hands
        _unanswered(chat, agent, load)
        return False
    pairs = _pairs(rng, spec, answers)
    violation = _violation(rng, agent)
    at = rng.randrange(1 if violation and violation.replaces and len(pairs) > 1 else 0, len(pairs))
    missed = len(pairs) > 1 and rng.random() < MISSED_QUESTION_RATE * (2 if agent.manner == "curt" else 1)
    rude, burst = False, t0
    for number, (asks, answers) in enumerate(pairs):
        if number:
            burst = chat.customer(chat.t + _think(rng), rng.choice(asks))
            if rng.random() < 0.1:
                chat.customer(chat.t + rng.randint(3, 20), rng.choice(ph.CUSTOMER_EXTRA))
        if missed and number == len(pairs) - 1:
            return rude  # the agent never answers the last question
        text = rng.choice(answers).format_map(chat.ctx)
        if violation is not None and number == at and violation.replaces:
            text, rude = rng.choice(violation.lines), True
        _answer(chat, spec, agent, text, first=number == 0 and not rude,
                at=max(burst + agent.reply_delay(rng, load), chat.t + 3, ready), burst=burst)
        if violation is not None and number == at and not violation.replaces:
            chat.agent(chat.t + rng.randint(5, 25), agent, rng.choice(violation.lines).format_map(chat.ctx))
        if number == 0 and spec.stage == "aftersale" and "aftersale" not in agent.skills:
            agent = _transfer(chat, agent)
    _goodbye(chat, spec, agent, load)
    return rude


def _bot_front(chat: Chat, spec: ph.Intent) -> None:
    """A shop whose bot answers first: its FAQ answer, then the customer asks for a human."""
    rng = chat.rng
    if spec.bot:
        chat.say(chat.t + 2, "bot", spec.bot.format_map(chat.ctx))
    chat.customer(chat.t + rng.randint(6, 25), rng.choice(ph.CUSTOMER_HUMAN))


def _answer(chat: Chat, spec: ph.Intent, agent: Agent, text: str, *, first: bool, at: int, burst: int) -> None:
    """One human reply; the first one greets, apologises or buys time the way the agent does."""
    rng = chat.rng
    if first:
        text = _first_words(chat, spec, agent, text, at - burst)
        if spec.stage == "aftersale" and rng.random() < 0.35:
            # "One moment, I'll look it up": a quick holding reply, then the answer.
            chat.agent(at, agent, rng.choice(ph.AGENT_HOLD))
            at = chat.t + rng.randint(15, 90)
    chat.agent(at, agent, text)


def _pairs(rng: random.Random, spec: ph.Intent, answers: tuple[str, ...]) -> list[ph.Pair]:
    """The main answer, then follow-ups on the same topic in script order."""
    pool = spec.follow
    if spec.generic:
        pool += ph.PRESALE_FOLLOW if spec.stage == "presale" else ph.AFTERSALE_FOLLOW
    count = min(rng.choices(ROUNDS, weights=ROUND_WEIGHTS)[0] - 1, len(pool))
    return [((), answers)] + [pool[i] for i in sorted(rng.sample(range(len(pool)), count))]


def _violation(rng: random.Random, agent: Agent) -> Violation | None:
    for violation in VIOLATIONS:
        rate = violation.rate * (MANNER_FACTOR[agent.manner] if violation.manners else 1.0)
        if rng.random() < rate:
            return violation
    return None


def _think(rng: random.Random) -> int:
    """How long a customer takes to read a reply and write the next question."""
    return min(1200, max(5, int(rng.lognormvariate(math.log(30), 0.7))))


def _first_words(chat: Chat, spec: ph.Intent, agent: Agent, text: str, waited: int) -> str:
    """Greeting (per the agent's manner) and, to a complaint or after a long wait, an apology."""
    rng = chat.rng
    if waited > 180 and rng.random() < agent.apologises:
        text = ph.AGENT_SORRY_WAIT + text
    elif spec.complaint and rng.random() < agent.apologises:
        text = rng.choice(ph.AGENT_APOLOGY) + text
    if rng.random() < agent.greets:
        if rng.random() < 0.25:
            return rng.choice(ph.AGENT_GREETING_ALONE).format_map(chat.ctx) + "|" + text
        return rng.choice(ph.AGENT_GREETING) + text
    return text


def _transfer(chat: Chat, agent: Agent) -> Agent:
    """A presale agent hands an after-sales question to the after-sales team."""
    shop, rng = chat.shop, chat.rng
    free = [a for a in shop.free_agents(chat.t, "aftersale") if a is not agent]
    if not free:
        return agent
    target = rng.choice(free)
    chat.agent(chat.t + rng.randint(5, 20), agent, rng.choice(ph.AGENT_TRANSFER))
    chat.say(chat.t + rng.randint(2, 10), "system", ph.SYSTEM_TRANSFER.format(team=target.team, agent=target.name))
    chat.conversation["assigned_agent_id"] = target.id
    return target


def _goodbye(chat: Chat, spec: ph.Intent, agent: Agent, load: float) -> None:
    rng = chat.rng
    if spec.stage == "presale" and rng.random() < 0.3:
        asks, answers = rng.choice(ph.CUSTOMER_DECIDE)
        burst = chat.customer(chat.t + _think(rng), rng.choice(asks))
        chat.agent(max(burst + agent.reply_delay(rng, load), chat.t + 3), agent, rng.choice(answers))
    acked = rng.random() < 0.7
    if acked:
        chat.customer(chat.t + _think(rng) // 2, rng.choice(ph.CUSTOMER_ACKS))
    if rng.random() < agent.closes * (1.0 if acked else 0.85):
        closings = ph.AGENT_WELCOME_THANKS if acked else ph.AGENT_CLOSING
        chat.agent(chat.t + rng.randint(4, 40), agent, rng.choice(closings))
        if rng.random() < 0.2:
            chat.say(chat.t + 1, "system", ph.SYSTEM_INVITE)
    elif agent.manner == "curt" and rng.random() < 0.5:
        chat.agent(chat.t + rng.randint(4, 40), agent, rng.choice(ph.AGENT_CURT_END))


def _unanswered(chat: Chat, agent: Agent, load: float) -> None:
    """Nobody gets to this customer: at most an automatic 'please wait'."""
    rng = chat.rng
    if load > 1.2 and rng.random() < 0.5:
        chat.say(chat.t + rng.randint(5, 30), "agent", ph.AUTO_BUSY, agent, auto=True)
    if rng.random() < 0.5:
        chat.customer(chat.t + rng.randint(2 * MINUTE, 6 * MINUTE), rng.choice(ph.CUSTOMER_WAITING))
    if rng.random() < 0.5:
        del chat.conversation["assigned_agent_id"]  # still in the queue when the customer left


def _offhours(chat: Chat, spec: ph.Intent, answers: tuple[str, ...]) -> None:
    """The bot answers now; an agent picks the message up when service starts."""
    shop, rng = chat.shop, chat.rng
    if spec.bot:
        chat.say(chat.t + rng.randint(1, 3), "bot", spec.bot.format_map(chat.ctx))
    if rng.random() < 0.3:
        chat.customer(chat.t + rng.randint(20, 120), rng.choice(ph.CUSTOMER_ACKS + ph.CUSTOMER_EXTRA))
    if rng.random() > 0.85:
        return
    opening = shop.next_open(chat.t) + rng.randint(2 * MINUTE, 60 * MINUTE)
    agent = shop.pick_agent(opening, spec.stage)
    if agent is None:
        return
    chat.ctx["agent"] = agent.name
    chat.conversation["assigned_agent_id"] = agent.id
    chat.agent(opening, agent, rng.choice(ph.AGENT_MORNING) + rng.choice(answers).format_map(chat.ctx))
    if rng.random() < 0.5:
        chat.customer(chat.t + rng.randint(5 * MINUTE, 180 * MINUTE), rng.choice(ph.CUSTOMER_ACKS))
        if rng.random() < agent.closes:
            chat.agent(chat.t + agent.reply_delay(rng, 0.5), agent, rng.choice(ph.AGENT_WELCOME_THANKS))


def _finish(chat: Chat, spec: ph.Intent, end: int, rude: bool) -> None:
    """Closing time, the optional service rating, the shop's topic tag."""
    rng, conversation, horizon = chat.rng, chat.conversation, chat.shop.out.horizon
    if rng.random() < 0.2:
        chat.say(end, "system", rng.choice(ph.SYSTEM_END))
    if end <= horizon:  # else still open at the end of the period
        conversation["ended_at"] = chat.shop.clock.iso(end)
    rated = end + rng.randint(5, 300)
    if chat.last_reply is not None and rated <= horizon and rng.random() < 0.36:
        unhappy = rude or (spec.complaint and rng.random() < 0.5)
        conversation["rating"] = rng.choices(RATINGS, weights=UNHAPPY if unhappy else HAPPY)[0]
        conversation["rated_at"] = chat.shop.clock.iso(rated)
    conversation["tags"] = [spec.tag]
