"""Tests of the demo-shop simulator: valid, deterministic, and realistic where it is measured.

Most tests read one run shaped like the default demo (14 days, 12 agents: deposit days,
the promotion on 11-11, a week of normal days after it), generated once per module; the
figures are computed the way spec/metrics.md defines them.
"""

import gzip
import io
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import orjson
import pytest
from django.core.management import call_command

from kefu.demo import sim_phrases as ph
from kefu.demo.sim_calendar import TZ, day_kind
from kefu.demo.sim_catalog import SHOP_PROFILES
from kefu.demo.sim_violations import VIOLATIONS
from kefu.demo.simulator import simulate, write_events

END = date(2026, 11, 20)
PROMO = date(2026, 11, 11)
DAYS = 14

REQUIRED = {
    "shop": ("id", "name", "platform"),
    "agent": ("id", "name"),
    "customer": ("id", "shop_id"),
    "conversation": ("id", "shop_id", "customer_id", "started_at"),
    "message": ("id", "conversation_id", "sent_at", "sender"),
    "order": ("id", "shop_id", "customer_id", "created_at", "amount"),
    "aftersale": ("id", "shop_id", "order_id", "kind", "opened_at"),
    "review": ("id", "shop_id", "order_id", "rating", "created_at"),
    "logistics": ("id", "shop_id", "order_id", "at", "status"),
    "agent_status": ("id", "agent_id", "at", "status"),
}
ENUMS = {
    ("shop", "platform"): {"taobao", "tmall", "jd", "pdd", "douyin", "web", "other"},
    ("conversation", "stage"): {"presale", "aftersale"},
    ("message", "sender"): {"customer", "agent", "bot", "system"},
    ("aftersale", "kind"): {"refund", "return", "exchange", "repair", "reship"},
    ("aftersale", "status"): {"open", "completed", "rejected", "cancelled"},
    ("logistics", "status"): {"shipped", "in_transit", "stalled", "lost", "wrong_item", "returned", "delivered"},
    ("agent_status", "status"): {"online", "busy", "away", "offline"},
}
TIMES = {
    "conversation": ("started_at", "rated_at", "ended_at"), "message": ("sent_at",),
    "order": ("created_at", "paid_at"), "aftersale": ("opened_at", "closed_at"),
    "review": ("created_at", "replied_at"), "logistics": ("at",), "agent_status": ("at",),
}
MONEY = {"order": ("amount",), "aftersale": ("amount",)}
# (record type, field) -> the record type it refers to.
REFERENCES = {
    ("agent", "shop_id"): "shop", ("customer", "shop_id"): "shop",
    ("conversation", "shop_id"): "shop", ("conversation", "customer_id"): "customer",
    ("conversation", "order_id"): "order", ("conversation", "assigned_agent_id"): "agent",
    ("message", "conversation_id"): "conversation", ("message", "agent_id"): "agent",
    ("order", "shop_id"): "shop", ("order", "customer_id"): "customer",
    ("aftersale", "order_id"): "order", ("review", "order_id"): "order", ("review", "customer_id"): "customer",
    ("logistics", "order_id"): "order", ("agent_status", "agent_id"): "agent",
}
GREETINGS = ("您好", "你好", "亲", "在的", "欢迎")  # qa.md's no_greeting rule
TIME_PATTERN = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
MONEY_PATTERN = re.compile(r"\d+\.\d\d")
# Innocent replies a good QA rule must not flag (qa.md "Precision matters").
NEAR_MISSES = ("支持微信支付", "您最好先量一下", "请勿向任何人透露验证码", "满300平台自动返现", "第一时间", "第一次",
               "不知道您", "滚筒", "不要相信任何让您加微信的人")
# qa.md's default word lists of the rules on human replies.
FORBIDDEN = ("滚", "傻", "神经病", "有病", "爱买不买", "关我什么事", "你自己看", "听不懂吗", "烦不烦", "随便你",
             "微信", "加V", "vx", "威信", "QQ号", "支付宝转账", "银行卡转账", "线下交易", "私下交易", "返现",
             "好评送", "晒图返", "五星返", "最好", "第一", "国家级", "顶级", "100%", "百分百", "绝对", "保证不会",
             "永久", "验证码", "密码", "银行卡号")


def record_problems(record: dict) -> list[str]:
    """What is wrong with one record per spec/events.md (empty when it is valid)."""
    kind = record.get("type")
    if kind not in REQUIRED:
        return [f"unknown type {kind!r}"]
    problems = [f"{kind} lacks {name}" for name in REQUIRED[kind] if record.get(name) in (None, "")]
    for (enum_kind, name), allowed in ENUMS.items():
        if enum_kind == kind and name in record and record[name] not in allowed:
            problems.append(f"{kind}.{name} {record[name]!r}")
    for name in TIMES.get(kind, ()):
        if name in record and not TIME_PATTERN.fullmatch(record[name]):
            problems.append(f"{kind}.{name} {record[name]!r} is not ISO 8601 with an offset")
    for name in MONEY.get(kind, ()):
        if name in record and not MONEY_PATTERN.fullmatch(record[name]):
            problems.append(f"{kind}.{name} {record[name]!r} is not a decimal string")
    for name in ("rating",):
        if name in record and (type(record[name]) is not int or not 1 <= record[name] <= 5):
            problems.append(f"{kind}.rating {record[name]!r}")
    if kind == "message" and record["sender"] == "agent" and not record.get("agent_id"):
        problems.append("agent message without agent_id")
    if kind == "message" and "is_auto" in record and type(record["is_auto"]) is not bool:
        problems.append("is_auto is not a bool")
    if kind == "order" and "items" in record:
        total = sum(Decimal(item["price"]) * item["qty"] for item in record["items"])
        if total != Decimal(record["amount"]):
            problems.append(f"order {record['id']} amount {record['amount']} != items {total}")
    return problems


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def all_times(records: list[dict]) -> list[datetime]:
    return [when(record[name]) for record in records for name in TIMES.get(record["type"], ()) if name in record]


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return list(simulate(days=DAYS, agents=12, seed=7, end=END))


@pytest.fixture(scope="module")
def log(records):
    """Per conversation: its record and its messages in time order."""
    conversations = {r["id"]: r for r in records if r["type"] == "conversation"}
    messages = defaultdict(list)
    for record in records:
        if record["type"] == "message":
            messages[record["conversation_id"]].append(record)
    for chat in messages.values():
        chat.sort(key=lambda m: (m["sent_at"], m["id"]))
    return conversations, messages


def first_customer_message(chat: list[dict]) -> datetime | None:
    return next((when(m["sent_at"]) for m in chat if m["sender"] == "customer"), None)


def human(message: dict) -> bool:
    return message["sender"] == "agent" and not message.get("is_auto", False)


def conversations_per_day(log) -> Counter:
    _, messages = log
    starts = (first_customer_message(chat) for chat in messages.values())
    return Counter(start.date() for start in starts if start is not None)


# -- determinism and format -------------------------------------------------------------

def test_same_arguments_give_the_same_bytes_and_another_seed_does_not(tmp_path):
    def run(seed: int, name: str) -> bytes:
        path = tmp_path / name
        write_events(simulate(days=2, agents=3, seed=seed, end=END), path)
        return path.read_bytes()

    assert run(5, "a.jsonl.gz") == run(5, "b.jsonl.gz")
    assert run(5, "c.jsonl.gz") != run(6, "d.jsonl.gz")


def test_write_events_counts_records_and_writes_plain_jsonl(tmp_path):
    path = tmp_path / "demo.jsonl"
    counts = write_events(simulate(days=1, agents=2, seed=1, end=END), path)
    lines = path.read_bytes().splitlines()
    assert sum(counts.values()) == len(lines)
    assert Counter(orjson.loads(line)["type"] for line in lines) == counts


def test_every_record_is_valid_per_events_md(records):
    problems = [problem for record in records for problem in record_problems(record)]
    assert problems == []


def test_ids_are_unique_per_type(records):
    seen = Counter((r["type"], r["id"]) for r in records)
    assert [key for key, count in seen.items() if count > 1] == []


def test_every_reference_exists_in_the_stream(records):
    ids = defaultdict(set)
    for record in records:
        ids[record["type"]].add(record["id"])
    dangling = [(r["type"], name, r[name]) for r in records for (kind, name), target in REFERENCES.items()
                if r["type"] == kind and name in r and r[name] not in ids[target]]
    assert dangling == []


def test_the_generator_does_not_need_django():
    code = "import sys, kefu.demo.simulator; print('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# -- the period -------------------------------------------------------------------------

def test_end_makes_the_last_event_fall_on_that_day(records):
    assert max(all_times(records)).date() == END


def test_without_end_nothing_lies_after_now():
    now = datetime(2026, 11, 20, 15, 30, 12, tzinfo=TZ)
    times = all_times(list(simulate(days=2, agents=3, seed=2, now=now)))
    assert max(times) <= now
    assert max(times).date() == now.date()
    assert max(all_times(list(simulate(days=1, agents=2, seed=2)))) <= datetime.now(TZ)


# -- rhythm and volume ------------------------------------------------------------------

def test_evening_peak_is_far_above_the_night_trough(log):
    _, messages = log
    hours = Counter()
    for chat in messages.values():
        start = first_customer_message(chat)
        if start is not None and day_kind(start.date(), PROMO) == "normal":
            hours[start.hour] += 1
    evening = statistics.mean(hours[h] for h in (20, 21, 22))
    night = statistics.mean(hours[h] for h in (3, 4, 5))
    assert evening > 5 * night


def test_promotion_day_has_at_least_five_times_a_normal_day(log):
    per_day = conversations_per_day(log)
    normal = [count for day, count in per_day.items() if day_kind(day, PROMO) == "normal"]
    assert len(normal) >= 3
    assert per_day[PROMO] >= 5 * statistics.median(normal)


def test_normal_day_volume_matches_a_twelve_agent_shop(records, log):
    per_day = conversations_per_day(log)
    normal = [day for day in per_day if day_kind(day, PROMO) == "normal"]
    messages = Counter(when(r["sent_at"]).date() for r in records if r["type"] == "message")
    assert 300 <= statistics.median(per_day[day] for day in normal) <= 650
    assert 4000 <= statistics.median(messages[day] for day in normal) <= 10000


# -- sales ------------------------------------------------------------------------------

def inquiry_sales(records, log) -> tuple[int, int, int, int]:
    """(inquiries, converted inquiries, inquiry-driven orders, silent orders), order-first per metrics.md."""
    conversations, messages = log
    inquiries = defaultdict(list)  # (customer, day) -> presale conversation ids
    for cid, chat in messages.items():
        start = first_customer_message(chat)
        if start is not None and conversations[cid].get("stage") == "presale":
            inquiries[(conversations[cid]["customer_id"], start.date())].append(cid)
    by_customer = defaultdict(list)
    for (customer, day), cids in inquiries.items():
        start = min(first_customer_message(messages[cid]) for cid in cids)
        window_end = datetime.combine(day + timedelta(days=2), datetime.min.time(), TZ)
        by_customer[customer].append(((customer, day), start, window_end, cids))
    converted, driven, silent = set(), 0, 0
    first_day = END - timedelta(days=DAYS - 1)
    for order in (r for r in records if r["type"] == "order"):
        created = when(order["created_at"])
        if created.date() < first_day:
            continue
        best = None
        for key, start, window_end, cids in by_customer[order["customer_id"]]:
            if not start <= created < window_end:
                continue
            for cid in cids:
                replies = [when(m["sent_at"]) for m in messages[cid] if human(m) and when(m["sent_at"]) < created]
                if replies and (best is None or (max(replies), cid) > best[:2]):
                    best = (max(replies), cid, key)
        if best is None:
            silent += 1
        else:
            driven += 1
            converted.add(best[2])
    return len(inquiries), len(converted), driven, silent


def test_inquiry_conversion_is_realistic_and_silent_orders_exist(records, log):
    inquiries, converted, driven, silent = inquiry_sales(records, log)
    assert 0.25 <= converted / inquiries <= 0.55
    assert 0.25 <= silent / (driven + silent) <= 0.45


def test_after_sales_reviews_and_parcels_follow_orders(records):
    kinds = Counter(r["type"] for r in records)
    parcels = Counter(r["status"] for r in records if r["type"] == "logistics")
    reviews = [r["rating"] for r in records if r["type"] == "review"]
    assert 0.04 <= kinds["aftersale"] / kinds["order"] <= 0.12
    assert 0.2 <= kinds["review"] / parcels["delivered"] <= 0.6
    assert Counter(reviews).most_common(1)[0][0] == 5
    assert 0.01 <= parcels["stalled"] / parcels["shipped"] <= 0.06
    assert 0 < parcels["lost"] / parcels["shipped"] < 0.015
    assert 0 < parcels["wrong_item"] / parcels["shipped"] < 0.015
    assert any(r.get("platform_intervened") for r in records if r["type"] == "aftersale")


# -- conversations ----------------------------------------------------------------------

def test_chats_have_bots_auto_replies_system_messages_and_some_go_unanswered(log):
    conversations, messages = log
    senders = Counter((m["sender"], m.get("is_auto", False)) for chat in messages.values() for m in chat)
    assert senders[("bot", False)] and senders[("system", False)] and senders[("agent", True)]
    unanswered = sum(1 for chat in messages.values() if not any(human(m) for m in chat))
    assert 0.01 <= unanswered / len(messages) <= 0.2
    rated = [c["rating"] for c in conversations.values() if "rating" in c]
    assert 0.25 <= len(rated) / len(conversations) <= 0.45
    assert Counter(rated)[5] / len(rated) >= 0.6


def test_chats_are_multi_turn_with_bursts(log):
    _, messages = log
    lengths = [len(chat) for chat in messages.values()]
    bursts = sum(1 for chat in messages.values()
                 if any(a["sender"] == b["sender"] == "customer" for a, b in zip(chat, chat[1:])))
    assert 8 <= statistics.mean(lengths) <= 16
    assert bursts / len(messages) >= 0.2


def test_agents_differ_in_speed_and_manners(log):
    _, messages = log
    delays, greeted = defaultdict(list), defaultdict(list)
    for chat in messages.values():
        burst, first = None, True
        for message in chat:
            if message["sender"] == "customer":
                burst = burst or when(message["sent_at"])
            elif human(message):
                if burst is not None:
                    delays[message["agent_id"]].append((when(message["sent_at"]) - burst).total_seconds())
                    burst = None
                if first:
                    greeted[message["agent_id"]].append(any(word in message["text"] for word in GREETINGS))
                    first = False
    medians = [statistics.median(d) for d in delays.values()]
    greeting = [sum(g) / len(g) for g in greeted.values()]
    assert max(medians) >= 2 * min(medians)
    assert max(greeting) - min(greeting) >= 0.3


def test_qa_violations_are_rare_and_near_misses_present(log):
    _, messages = log
    replies = [[m["text"] for m in chat if human(m)] for chat in messages.values()]
    replies = [texts for texts in replies if texts]
    for violation in VIOLATIONS:
        pattern = re.compile("|".join(re.escape(line).replace(r"\{wx\}", ".+") for line in violation.lines))
        found = sum(1 for texts in replies if any(pattern.fullmatch(text) for text in texts))
        assert found / len(replies) <= 3 * violation.rate + 0.002, violation.rule
        if violation.rate >= 0.003:
            assert found > 0, violation.rule
    texts = [text for chat in replies for text in chat]
    assert [near for near in NEAR_MISSES if not any(near in text for text in texts)] == []


def test_clean_agent_phrases_break_no_rule_except_as_near_misses():
    lines = [profile.pay_answer for profile in SHOP_PROFILES]
    for intent in ph.INTENTS.values():
        lines += [answer for _, answers in intent.main + intent.follow for answer in answers]
    for pairs in (ph.PRESALE_FOLLOW, ph.AFTERSALE_FOLLOW, ph.CUSTOMER_DECIDE):
        lines += [answer for _, answers in pairs for answer in answers]
    for name in ("AGENT_GREETING", "AGENT_GREETING_ALONE", "AGENT_MORNING", "AGENT_HOLD", "AGENT_APOLOGY",
                 "AGENT_WELCOME_THANKS", "AGENT_CLOSING", "AGENT_CURT_END", "AGENT_TRANSFER"):
        lines += getattr(ph, name)
    for line in lines:
        for near in NEAR_MISSES:
            line = line.replace(near, "")
        assert not [word for word in FORBIDDEN if word.lower() in line.lower()], line


def test_every_agent_ends_logged_off(records):
    statuses = defaultdict(list)
    for record in records:
        if record["type"] == "agent_status":
            statuses[record["agent_id"]].append((record["at"], record["status"]))
    assert len(statuses) == 12
    for timeline in statuses.values():
        timeline.sort()
        assert timeline[-1][1] == "offline"
        assert all(after == "online" for (_, before), (_, after) in zip(timeline, timeline[1:]) if before == "offline")


# -- the command ------------------------------------------------------------------------

def test_simulate_command_writes_a_gzip_file_and_a_summary(tmp_path):
    path, summary = tmp_path / "demo.jsonl.gz", io.StringIO()
    call_command("simulate", "--days=2", "--agents=3", "--end=2026-11-20", f"--out={path}", stderr=summary)
    with gzip.open(path) as lines:
        kinds = Counter(orjson.loads(line)["type"] for line in lines)
    assert kinds["shop"] == 1 and kinds["agent"] == 3 and kinds["message"] > 0
    assert f"{kinds['message']:,} messages" in summary.getvalue()
