"""Orders and what follows them: payment, logistics, after-sales, reviews, follow-up chats.

When an order is placed its whole future is decided at once (shipping batch, parcel
route and exceptions, after-sale, review) and written into the emitter at the times it
happens; follow-up conversations (催发货, 改地址, 快递到哪了, 退换货 ...) are scheduled as
tasks, because routing them needs the agents on shift on that day. Whatever lies
past the end of the period is simply not written yet: an order paid after "now"
is unpaid as of now, an after-sale still running is ``open``.
"""

import random
from dataclasses import dataclass

from kefu.demo import sim_catalog as cat
from kefu.demo.sim_calendar import DAY, HOUR, MINUTE
from kefu.demo.sim_chat import chat_run
from kefu.demo.sim_shop import Customer, Product, Shop

PAID = 0.93  # share of orders paid (the rest stay unpaid and close)
EXCEPTIONS = (("stalled", 0.03), ("lost", 0.006), ("wrong_item", 0.006), ("returned", 0.004))
AFTERSALE = 0.06  # of delivered orders, besides the exceptions and refunds before shipping
REFUND_BEFORE_SHIPPING = 0.025
AFTERSALE_KINDS = (("return", 45), ("exchange", 22), ("repair", 6), ("reship", 10), ("refund", 17))
REVIEW = 0.45
REVIEW_HAPPY = (2, 1, 3, 7, 87)  # weights of 1..5 stars
REVIEW_UNHAPPY = (30, 15, 15, 10, 30)
# Which script an after-sales conversation follows, by after-sale reason.
REASON_INTENT = {"七天无理由": "return", "尺码不合适": "return", "不喜欢": "return", "颜色不喜欢": "return",
                 "质量问题": "quality", "与描述不符": "quality", "拉链坏了": "quality", "开线": "quality",
                 "包装破损": "quality", "少件": "wrong_item", "发错货": "wrong_item", "快递丢件": "lost",
                 "拒收": "refund", "拍错了": "refund", "不想要了": "refund", "多拍了": "refund", "缺货": "refund",
                 "保价退差价": "price_protect"}


@dataclass(slots=True, eq=False)
class Order:
    id: str
    customer: Customer
    product: Product
    color: str
    size: str
    created: int
    paid: int | None
    amount: int  # cents
    first_price: int  # cents, of the first line (what a return refunds)
    carrier: str
    tracking: str
    bad: str = ""  # the issue category of a bad experience, if any
    refunded: int | None = None  # when a refund completed
    shipped: int | None = None
    delivered: int | None = None


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def order_place(shop: Shop, *, customer: Customer, t: int, product: Product, color: str | None = None,
                size: str | None = None, pay_at: int | None = None, backlog: int = 0, bad: str = "") -> None:
    """Place an order at ``t`` and decide its future.

    ``pay_at``: when a pre-sale's final payment is made; ``backlog``: extra days before
    shipping; ``bad``: an issue category the customer already has (it colours the review).
    """
    if t > shop.out.horizon:
        return
    rng = shop.rng
    color = color or rng.choice(cat.COLORS)
    size = size or rng.choice(cat.SIZES[:4])
    qty = 1 if rng.random() < 0.88 else 2
    items = [_item(product, color, size, qty)]
    for _ in range(rng.choice((0, 0, 0, 0, 1, 1, 2))):
        items.append(_item(shop.product(), rng.choice(cat.COLORS), rng.choice(cat.SIZES[:4]), 1))
    carrier = rng.choice(shop.profile.carriers)
    paid = (pay_at or t + min(1800, 10 + int(rng.lognormvariate(4.0, 0.8)))) if rng.random() < PAID else None
    order = Order(id=shop.new_id("o", 6), customer=customer, product=product, color=color, size=size, created=t,
                  paid=paid, amount=sum(i[1] for i in items), first_price=product.price * qty, carrier=carrier,
                  tracking=cat.TRACKING_PREFIX[carrier] + str(rng.randrange(10**11, 10**12)), bad=bad)
    if paid is not None:
        _fulfil(shop, order, backlog)
    deposit_only = pay_at is not None and pay_at > shop.out.horizon  # the final payment is still to come
    record = {"type": "order", "id": order.id, "shop_id": shop.id, "customer_id": customer.id,
              "created_at": shop.clock.iso(t), "amount": money(order.amount),
              "status": "deposit_paid" if deposit_only else _status(shop, order), "items": [i[0] for i in items]}
    if paid is not None and paid <= shop.out.horizon:
        record["paid_at"] = shop.clock.iso(paid)
    shop.out.add(t, record)


def _item(product: Product, color: str, size: str, qty: int) -> tuple[dict, int]:
    code = cat.COLOR_CODES[cat.COLORS.index(color)]
    return ({"sku": f"{product.sku}-{code}-{size}", "title": f"{product.name} {color} {size}", "qty": qty,
             "price": money(product.price)}, product.price * qty)


def _status(shop: Shop, order: Order) -> str:
    """The order's status as of the end of the period."""
    horizon = shop.out.horizon
    if order.paid is None or order.paid > horizon:
        return "closed" if order.created + DAY < horizon else "unpaid"
    if order.refunded is not None and order.refunded <= horizon:
        return "refunded"
    if order.delivered is not None and order.delivered <= horizon:
        return "delivered"
    return "shipped" if order.shipped is not None and order.shipped <= horizon else "paid"


def _fulfil(shop: Shop, order: Order, backlog: int) -> None:
    rng = shop.rng
    paid = order.paid
    if rng.random() < REFUND_BEFORE_SHIPPING:
        opened = _daytime(rng, paid + rng.randint(5 * MINUTE, 8 * HOUR))
        _aftersale(shop, order, "refund", rng.choice(cat.PRESHIP_REASONS), opened, amount=order.amount, chat=0.5,
                   fast=True)
        return
    ship = _ship_time(rng, paid, backlog)
    order.shipped = ship
    _follow_ups_before_shipping(shop, order, ship)
    exception = _exception(rng)
    _parcel(shop, order, ship, exception)
    if order.delivered is not None and exception == "" and rng.random() < AFTERSALE:
        kind = _weighted(rng, AFTERSALE_KINDS)
        reason = _weighted(rng, cat.AFTERSALE_REASONS[kind])
        opened = _daytime(rng, order.delivered + rng.randint(2 * HOUR, 6 * DAY))
        amount = {"return": order.first_price, "refund": order.first_price * rng.choice((20, 30, 50)) // 100}.get(kind)
        order.bad = {"质量问题": "质量差", "尺码不合适": "尺码不准", "与描述不符": "描述不符",
                     "包装破损": "包装破损"}.get(reason, order.bad)
        _aftersale(shop, order, kind, reason, opened, amount=amount, chat=0.8)
    if order.delivered is not None:
        _follow_ups_after_delivery(shop, order)
        if exception != "returned" and rng.random() < REVIEW + (0.15 if order.bad else 0):
            _review(shop, order)


def _ship_time(rng: random.Random, paid: int, backlog: int) -> int:
    """The warehouse hands parcels to the carrier at 17:00-19:30; cut-off 16:00."""
    day, second = divmod(paid, DAY)
    if second >= 16 * HOUR:
        day += 1
    return (day + backlog) * DAY + 17 * HOUR + rng.randrange(150 * MINUTE)


def _exception(rng: random.Random) -> str:
    draw = rng.random()
    for name, share in EXCEPTIONS:
        if draw < share:
            return name
        draw -= share
    return ""


def _parcel(shop: Shop, order: Order, ship: int, exception: str) -> None:
    """The parcel's logistics events, from the shipping scan to delivery (or not)."""
    rng = shop.rng
    origin, hub = cat.HUBS[shop.index % len(cat.HUBS)], rng.choice(cat.HUBS)
    fields = {"origin": origin, "hub": hub, "dest": order.customer.city, "carrier": order.carrier}
    transit = cat.LOGISTICS_TEXT["in_transit"]
    _track(shop, order, ship, "shipped", cat.LOGISTICS_TEXT["shipped"].format_map(fields))
    t = ship + rng.randint(3 * HOUR, 8 * HOUR)
    _track(shop, order, t, "in_transit", transit[0].format_map(fields))
    t += rng.randint(10 * HOUR, 20 * HOUR)
    _track(shop, order, t, "in_transit", transit[1].format_map(fields))
    if exception in ("stalled", "lost"):
        t += rng.randint(6 * HOUR, 20 * HOUR)
        _track(shop, order, t, "stalled", rng.choice(cat.LOGISTICS_TEXT["stalled"]).format_map(fields))
        order.bad = "物流慢"
        if rng.random() < 0.6:
            shop.schedule(t + rng.randint(6 * HOUR, 30 * HOUR), _follow_up_chat, order, "logistics_stuck")
        if exception == "lost":
            t += rng.randint(2 * DAY, 4 * DAY)
            _track(shop, order, t, "lost", cat.LOGISTICS_TEXT["lost"].format_map(fields))
            _aftersale(shop, order, "reship", "快递丢件", _daytime(rng, t + rng.randint(1 * HOUR, 10 * HOUR)), chat=0.9)
            return
        t += rng.randint(1 * DAY, 3 * DAY)
    delivered = _courier_hours(rng, t + rng.randint(2 * HOUR, 2 * DAY))
    _track(shop, order, delivered - rng.randint(1 * HOUR, 4 * HOUR), "in_transit", transit[2].format_map(fields))
    if exception == "returned":
        _track(shop, order, delivered, "returned", cat.LOGISTICS_TEXT["returned"])
        refunded = delivered + rng.randint(1 * DAY, 3 * DAY)
        _aftersale(shop, order, "refund", "拒收", refunded, amount=order.amount, chat=0.0)
        return
    order.delivered = delivered
    _track(shop, order, delivered, "delivered", rng.choice(cat.LOGISTICS_TEXT["delivered"]))
    if exception == "wrong_item":
        reported = _daytime(rng, delivered + rng.randint(2 * HOUR, 30 * HOUR))
        _track(shop, order, reported, "wrong_item", cat.LOGISTICS_TEXT["wrong_item"])
        order.bad = "描述不符"
        _aftersale(shop, order, "exchange", "发错货", reported + rng.randint(5 * MINUTE, 30 * MINUTE), chat=0.9)


def _track(shop: Shop, order: Order, t: int, status: str, detail: str) -> None:
    shop.out.add(t, {"type": "logistics", "id": shop.new_id("lg", 7), "shop_id": shop.id, "order_id": order.id,
                     "at": shop.clock.iso(t), "status": status, "carrier": order.carrier,
                     "tracking_no": order.tracking, "detail": detail})


def _aftersale(shop: Shop, order: Order, kind: str, reason: str, opened: int, *, amount: int | None = None,
               chat: float, fast: bool = False) -> None:
    """An after-sale case with its outcome; the customer usually chats about it first."""
    rng, horizon = shop.rng, shop.out.horizon
    if rng.random() < chat:
        shop.schedule(opened - rng.randint(1 * MINUTE, 15 * MINUTE), _follow_up_chat, order, REASON_INTENT[reason])
    draw = 1.0 if fast else rng.random()  # a refund before shipping goes through at once
    status = "cancelled" if draw < 0.07 else "rejected" if draw < 0.15 else "completed"
    hours = rng.uniform(0.1, 1.0) if fast else min(240.0, max(0.3, rng.lognormvariate(2.9, 0.9)))
    intervened = rng.random() < (0.3 if status == "rejected" else 0.01)
    against = intervened and rng.random() < 0.5
    if intervened:
        hours += rng.randint(48, 120)  # the platform takes days to rule
        status = "completed" if against else status
    closed = _daytime(rng, opened + int(hours * HOUR))
    if status == "rejected":
        reason = f"{reason}（{rng.choice(cat.REJECT_REASONS)}）"
        order.bad = "售后麻烦"
    record = {"type": "aftersale", "id": shop.new_id("as", 6), "shop_id": shop.id, "order_id": order.id,
              "kind": kind, "opened_at": shop.clock.iso(opened), "reason": reason, "status": status}
    if closed <= horizon:
        record["closed_at"] = shop.clock.iso(closed)
    else:
        record["status"] = "open"
    if amount is not None:
        record["amount"] = money(amount)
    if intervened:
        record["platform_intervened"] = True
        record["judged_against_seller"] = against
    if status == "completed" and amount == order.amount:
        order.refunded = closed
    shop.out.add(opened, record)


def _follow_ups_before_shipping(shop: Shop, order: Order, ship: int) -> None:
    rng, paid = shop.rng, order.paid
    if ship - paid > 30 * HOUR and rng.random() < 0.3:
        shop.schedule(_daytime(rng, paid + rng.randint(20 * HOUR, ship - paid - HOUR)), _follow_up_chat, order, "hurry")
    elif rng.random() < 0.025:
        shop.schedule(paid + rng.randint(1 * HOUR, 5 * HOUR), _follow_up_chat, order, "hurry")
    if rng.random() < 0.025:
        shop.schedule(paid + rng.randint(2 * MINUTE, 90 * MINUTE), _follow_up_chat, order, "address")


def _follow_ups_after_delivery(shop: Shop, order: Order) -> None:
    rng, shipped, delivered = shop.rng, order.shipped, order.delivered
    if rng.random() < 0.18 and delivered - shipped > 22 * HOUR:
        shop.schedule(_daytime(rng, rng.randint(shipped + 20 * HOUR, delivered - HOUR)), _follow_up_chat, order,
                      "logistics")
    if rng.random() < 0.025:
        shop.schedule(_daytime(rng, delivered + rng.randint(1 * HOUR, 5 * DAY)), _follow_up_chat, order, "invoice")
    if rng.random() < 0.02:
        shop.schedule(_daytime(rng, delivered + rng.randint(DAY, 6 * DAY)), _follow_up_chat, order, "care")
    if rng.random() < 0.012:
        opened = _daytime(rng, order.paid + rng.randint(DAY, 6 * DAY))
        _aftersale(shop, order, "refund", "保价退差价", opened, amount=rng.choice((500, 1000, 2000)), chat=0.9)


def _follow_up_chat(shop: Shop, t: int, order: Order, intent: str) -> None:
    """A scheduled after-sales conversation about ``order`` (a task, see ``Shop.schedule``)."""
    if shop.out.start <= t <= shop.out.horizon:
        chat_run(shop, customer=order.customer, intent=intent, t0=t, product=order.product, order_id=order.id,
                 color=order.color, size=order.size, carrier=order.carrier, tracking=order.tracking)


def _review(shop: Shop, order: Order) -> None:
    rng = shop.rng
    created = _daytime(rng, order.delivered + rng.randint(6 * HOUR, 10 * DAY))
    rating = rng.choices((1, 2, 3, 4, 5), weights=REVIEW_UNHAPPY if order.bad else REVIEW_HAPPY)[0]
    record = {"type": "review", "id": shop.new_id("rv", 6), "shop_id": shop.id, "order_id": order.id,
              "rating": rating, "created_at": shop.clock.iso(created), "customer_id": order.customer.id,
              "sku": f"{order.product.sku}-{cat.COLOR_CODES[cat.COLORS.index(order.color)]}-{order.size}"}
    text = _review_text(rng, rating, order.bad)
    if text:
        record["text"] = text
    if rng.random() < (0.8 if rating <= 3 else 0.1):
        replied = _daytime(rng, created + rng.randint(2 * HOUR, 2 * DAY))
        if replied <= shop.out.horizon:
            record["reply_text"] = rng.choice(cat.REVIEW_REPLY_BAD if rating <= 3 else cat.REVIEW_REPLY_GOOD)
            record["replied_at"] = shop.clock.iso(replied)
    shop.out.add(created, record)


def _review_text(rng: random.Random, rating: int, bad: str) -> str:
    if rating >= 4:
        return rng.choice(cat.REVIEW_GOOD) if rng.random() < 0.7 else ""
    if rating == 3:
        return rng.choice(cat.REVIEW_NEUTRAL)
    category = bad or rng.choice(tuple(cat.REVIEW_BAD))
    return rng.choice(cat.REVIEW_BAD[category])


def _daytime(rng: random.Random, t: int) -> int:
    """People act in the day: a time in the small hours moves to that morning."""
    second = t % DAY
    if 1 * HOUR <= second < 8 * HOUR:
        return t - second + 8 * HOUR + rng.randrange(4 * HOUR)
    return t


def _courier_hours(rng: random.Random, t: int) -> int:
    """Couriers deliver from 09:00 to 20:00: a later parcel comes the next morning or day."""
    second = t % DAY
    if 9 * HOUR <= second < 20 * HOUR:
        return t
    day = t // DAY + (1 if second >= 20 * HOUR else 0)
    return day * DAY + 9 * HOUR + rng.randrange(11 * HOUR)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]
