"""Small builders of events.md records for intake tests."""


def shop(id="s1", **kw):
    return {"type": "shop", "id": id, "name": "旗舰店", "platform": "tmall", **kw}


def agent(id="a1", shop_id="s1", **kw):
    return {"type": "agent", "id": id, "name": "小美", "shop_id": shop_id, "team": "售前一组", **kw}


def customer(id="c1", shop_id="s1", **kw):
    return {"type": "customer", "id": id, "shop_id": shop_id, "nick": "tb_8812", **kw}


def conversation(id="v1", shop_id="s1", customer_id="c1", **kw):
    return {"type": "conversation", "id": id, "shop_id": shop_id, "customer_id": customer_id,
            "started_at": "2026-11-11T20:00:00+08:00", **kw}


def message(id="m1", conversation_id="v1", sender="customer", **kw):
    record = {"type": "message", "id": id, "conversation_id": conversation_id,
              "sent_at": "2026-11-11T20:00:00+08:00", "sender": sender, "text": "在吗？这款有L码吗", **kw}
    if sender == "agent":
        record.setdefault("agent_id", "a1")
    return record


def order(id="o1", shop_id="s1", customer_id="c1", **kw):
    return {"type": "order", "id": id, "shop_id": shop_id, "customer_id": customer_id,
            "created_at": "2026-11-11T20:05:00+08:00", "amount": "199.00", **kw}


def numbered(records):
    return list(enumerate(records, start=1))
