"""The metric engine against an independent reference implementation of spec/metrics.md.

First the reference itself is pinned on small hand-computed cases (so it can be trusted
as an oracle); then random, edge-case-dense event sets are imported and every grouping
of ``kefu metrics --format json`` is compared with it, row by row and key by key."""

import io
import json
import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from kefu.intake.services import events_import
from kefu.metrics.tests.randomdata import random_events, shuffled_batches
from kefu.metrics.tests.reference import COUNT_KEYS, METRIC_KEYS, reference_metrics

GROUPINGS = ("none", "agent", "team", "shop", "day", "week", "month")


@pytest.fixture(autouse=True, params=["daily-rollups", "facts-only"])
def _levels(request, settings):
    """Every case twice: whole-day periods from the daily rollups (kefu.metrics.levels),
    and from the facts alone. Both must equal the reference."""
    settings.KEFU_METRIC_LEVELS = request.param == "daily-rollups"
AS_OF = "2026-11-20T00:00:00+08:00"

# ---- small record builders ---------------------------------------------------------------


def shop(id="s1", **kw):
    return {"type": "shop", "id": id, "name": id, "platform": "tmall", "service_hours": "09:00-23:00", **kw}


def agent(id, shop_id="s1", **kw):
    record = {"type": "agent", "id": id, "name": id, **kw}
    if shop_id:
        record["shop_id"] = shop_id
    return record


def conv(id, customer="c1", shop_id="s1", **kw):
    return {"type": "conversation", "id": id, "shop_id": shop_id, "customer_id": customer,
            "started_at": "2026-11-11T00:00:00+08:00", **kw}


def msg(id, conversation, at, sender="customer", agent_id=None, auto=False):
    record = {"type": "message", "id": id, "conversation_id": conversation, "sent_at": at, "sender": sender}
    if sender == "agent":
        record.update(agent_id=agent_id or "a1", is_auto=auto)
    return record


def order(id, at, paid_at=None, amount="100.00", customer="c1", shop_id="s1"):
    record = {"type": "order", "id": id, "shop_id": shop_id, "customer_id": customer, "created_at": at,
              "amount": amount}
    if paid_at:
        record["paid_at"] = paid_at
    return record


def t(clock, day=11):
    """A moment of 2026-11-<day> in Shanghai time."""
    return f"2026-11-{day:02d}T{clock}+08:00"


def chat(cid, *lines, customer="c1", **kw):
    """A conversation and its messages: ``("10:00:00", "c")`` a customer message,
    ``("10:00:05", "a1")`` a human reply of a1, ``("...", "auto:a1")``, ``("...", "bot")``."""
    records = [conv(cid, customer=customer, **kw)]
    for n, (clock, who, *day) in enumerate(lines, 1):
        at = t(clock, *day)
        if who == "c":
            records.append(msg(f"{cid}-m{n}", cid, at))
        elif who in ("bot", "system"):
            records.append(msg(f"{cid}-m{n}", cid, at, sender=who))
        else:
            auto = who.startswith("auto:")
            records.append(msg(f"{cid}-m{n}", cid, at, "agent", who.removeprefix("auto:"), auto))
    return records


BASE = [shop(), agent("a1", team="售前一组"), agent("a2", team="售前一组"), agent("a3")]


def rows_of(records, by="none", start=date(2026, 11, 11), end=date(2026, 11, 12), as_of=AS_OF, **kw):
    return reference_metrics(BASE + records, start=start, end=end, by=by, as_of=as_of, **kw)


def whole(records, **kw):
    (row,) = rows_of(records, **kw)
    return row["metrics"]


def by_group(records, by, **kw):
    return {next(iter(r["group"].values())): r["metrics"] for r in rows_of(records, by=by, **kw)}


# ---- the reference on hand-computed cases --------------------------------------------------


def test_an_automatic_reply_inside_a_burst_neither_answers_nor_splits_it():
    m = whole(chat("v1", ("10:00:00", "c"), ("10:00:01", "auto:a1"), ("10:00:20", "c"), ("10:00:50", "a1")))
    assert set(m) == set(METRIC_KEYS)
    assert (m["conversations"], m["offhours_bursts"], m["unanswered_conversations"]) == (1, 0, 0)
    assert (m["reply_rate"], m["response_time_avg"], m["response_within_rate"]) == (1.0, 50.0, 1.0)
    assert (m["first_response_time_avg"], m["service_level"]) == (50.0, 0.0)
    assert (m["answer_question_ratio"], m["conversation_duration_avg"]) == (0.5, 50.0)


def test_off_hours_bursts_are_counted_apart_and_the_end_of_service_hours_is_exclusive():
    m = whole(
        chat("v1", ("08:59:59", "c"), ("09:00:10", "a1"), ("09:05:00", "c"), ("09:05:20", "a1"))
        + chat("v2", ("22:59:59", "c"), ("23:00:30", "a1"), ("23:00:40", "c"), customer="c2")
    )
    assert m["offhours_bursts"] == 2  # v1's first burst, v2's second (23:00:40)
    assert m["reply_rate"] == 1.0 and m["response_time_avg"] == 25.5  # the unanswered burst is off hours
    assert m["first_response_time_avg"] == 31.0  # v1 started off hours: only v2
    assert m["service_level"] == 0.0


def test_a_transfer_splits_bursts_between_agents_and_a_team_counts_the_conversation_once():
    records = chat("v1", ("10:00:00", "c"), ("10:00:20", "a1"), ("10:05:00", "c"), ("10:05:01", "system"),
                   ("10:08:01", "a2"), rating=5)
    agents = by_group(records, "agent")
    assert list(agents) == ["a1", "a2"]  # a3 did nothing: no row
    a1, a2 = agents["a1"], agents["a2"]
    assert (a1["conversations"], a1["response_time_avg"], a1["response_within_rate"]) == (1, 20.0, 1.0)
    assert (a1["first_response_time_avg"], a1["service_level"], a1["csat"], a1["rating_rate"]) == (20.0, 1.0, None, None)
    assert (a2["conversations"], a2["response_time_avg"], a2["response_within_rate"]) == (1, 181.0, 0.0)
    assert (a2["first_response_time_avg"], a2["service_level"], a2["csat"], a2["rating_rate"]) == (None, None, 1.0, 1.0)
    assert a1["answer_question_ratio"] == a2["answer_question_ratio"] == 1.0
    assert a1["silent_orders"] is None
    (team,) = rows_of(records, by="team")
    assert team["group"] == {"team": "售前一组"}
    assert (team["metrics"]["conversations"], team["metrics"]["response_time_avg"]) == (1, 100.5)


def test_unanswered_bursts_go_to_the_assigned_agent_else_the_last_replier():
    records = (
        chat("v1", ("10:00:00", "c"), assigned_agent_id="a3")
        + chat("v2", ("09:59:00", "a1"), ("10:00:00", "c"), customer="c2")  # a reply before the question
        + chat("v3", ("11:00:00", "a1"), ("11:00:30", "c"), customer="c3", assigned_agent_id="a99")  # no such agent
    )
    m = whole(records)
    assert (m["conversations"], m["consult_customers"], m["served_customers"]) == (3, 3, 2)
    assert (m["unanswered_conversations"], m["reply_rate"], m["service_level"]) == (1, 0.0, 0.0)
    assert m["first_response_time_avg"] is None
    agents = by_group(records, "agent")
    assert (agents["a3"]["unanswered_conversations"], agents["a3"]["reply_rate"], agents["a3"]["service_level"]) == (1, 0.0, 0.0)
    assert agents["a3"]["conversations"] == 0
    a1 = agents["a1"]
    assert (a1["conversations"], a1["unanswered_conversations"], a1["reply_rate"], a1["service_level"]) == (2, 0, 0.0, None)
    assert a1["answer_question_ratio"] == 1.0  # 2 replies / the 2 customer messages of its 2 bursts


def test_ties_in_sent_at_are_ordered_by_message_id():
    records = [
        conv("v1"), msg("v1-2", "v1", t("10:00:00")), msg("v1-1", "v1", t("10:00:00"), "agent", "a1"),
        conv("v2", customer="c2"), msg("v2-1", "v2", t("10:00:00")), msg("v2-2", "v2", t("10:00:00"), "agent", "a1"),
    ]
    m = whole(records)
    assert (m["reply_rate"], m["response_time_avg"], m["first_response_time_avg"], m["service_level"]) == (0.5, 0.0, 0.0, 0.5)


def test_a_conversation_without_a_customer_message_counts_nowhere():
    m = whole(chat("v1", ("10:00:00", "system"), ("10:00:05", "a1"), rating=1))
    assert (m["conversations"], m["unanswered_conversations"], m["rating_rate"], m["csat"]) == (0, 0, None, None)
    assert m["conversations_per_online_hour"] is None and m["online_hours"] == 0.0
    assert rows_of(chat("v1", ("10:00:00", "a1")), by="agent") == []


def test_an_order_at_the_windows_last_second_is_driven_and_one_second_later_silent():
    records = chat("v1", ("20:00:00", "c"), ("20:00:30", "a1")) + [
        order("o1", t("23:59:59", 12), paid_at=t("00:10:00", 13)),
        order("o2", t("00:00:00", 13), paid_at=t("00:10:00", 13), amount="50.00"),
    ]
    period = dict(start=date(2026, 11, 11), end=date(2026, 11, 14))
    m = whole(records, **period)
    assert (m["inquiries"], m["ordered_inquiries"], m["paid_inquiries"], m["silent_orders"]) == (1, 1, 1, 1)
    assert (m["agent_sales"], m["avg_order_value"], m["final_payment_rate"]) == ("100.00", "100.00", 1.0)
    days = by_group(records, "day", **period)
    assert [d["ordered_inquiries"] for d in days.values()] == [1, 0, 0]  # the inquiry's day
    assert [d["agent_sales"] for d in days.values()] == ["0.00", "100.00", "0.00"]  # the order's day
    assert [d["silent_orders"] for d in days.values()] == [0, 0, 1]
    assert by_group(records, "agent", **period)["a1"]["agent_sales"] == "100.00"
    longer = whole(records, **period, settings={"s1": {"attribution_extra_days": 2}})
    assert (longer["agent_sales"], longer["avg_order_value"], longer["silent_orders"]) == ("150.00", "150.00", 0)


def test_an_unpaid_order_converts_without_paying_and_a_reply_at_the_same_second_does_not_count():
    records = chat("v1", ("10:00:00", "c"), ("10:01:00", "a1")) + [
        order("o1", t("10:01:00"), paid_at=t("10:02:00")),  # the reply is not *before* it: silent
        order("o2", t("10:05:00")),
    ]
    m = whole(records)
    assert (m["ordered_inquiries"], m["paid_inquiries"], m["silent_orders"]) == (1, 0, 1)
    assert (m["final_payment_rate"], m["payment_conversion_rate"], m["agent_sales"], m["avg_order_value"]) == (
        0.0, 0.0, "0.00", None)


def test_an_order_goes_to_the_greater_conversation_id_on_a_tie_and_the_inquiry_to_the_last_replier():
    records = (
        chat("v9", ("15:00:00", "c"), ("15:00:40", "a1"))
        + chat("v10", ("15:00:01", "c"), ("15:00:40", "a2"), ("15:10:00", "a2"))
        + [order("o1", t("15:05:00"), paid_at=t("15:06:00"), amount="88.00")]
    )
    agents = by_group(records, "agent")
    assert (agents["a1"]["inquiries"], agents["a1"]["agent_sales"]) == (0, "88.00")  # "v9" > "v10"
    assert (agents["a2"]["inquiries"], agents["a2"]["ordered_inquiries"], agents["a2"]["agent_sales"]) == (1, 1, "0.00")
    assert whole(records)["inquiries"] == 1  # one customer-day


def test_after_sales_completion_counts_closed_or_past_due_and_never_cancelled():
    def aftersale(id, kind, status=None, closed=None, **kw):
        record = {"type": "aftersale", "id": id, "shop_id": "s1", "order_id": "o1", "kind": kind,
                  "opened_at": t("10:00:00"), **kw}
        if status:
            record["status"] = status
        if closed:
            record["closed_at"] = closed
        return record

    records = [
        order("o1", t("09:00:00", 10), paid_at=t("09:00:00", 11)), order("o2", t("09:00:00"), paid_at=t("09:10:00")),
        order("o3", t("09:00:00"), paid_at=t("09:10:00", 12)),
        aftersale("as1", "refund", "completed", t("10:00:00", 13), platform_intervened=True),  # exactly at due
        aftersale("as2", "exchange", "rejected", t("10:00:01", 13), platform_intervened=True, judged_against_seller=True),
        aftersale("as3", "refund", "cancelled", t("12:00:00")),
        aftersale("as4", "reship"),  # open, past due as of 11-14
        aftersale("as5", "repair", "open"),
        aftersale("as6", "return", "completed", t("12:00:00", 14)),  # closed after the as-of moment
    ]
    period = dict(start=date(2026, 11, 11), end=date(2026, 11, 15), as_of="2026-11-14T00:00:00+08:00")
    m = whole(records, **period)
    assert m["aftersale_completion_rate"] == 1 / 5
    assert m["aftersale_duration_avg"] == (172800 + 172801 + 266400) / 3
    assert (m["refund_rate"], m["dispute_rate"]) == (2 / 3, 1 / 3)
    slow_repairs = whole(records, **period, settings={"s1": {"aftersale_sla_hours": {"repair": 100}}})
    assert slow_repairs["aftersale_completion_rate"] == 1 / 4


def test_reviews_bad_and_neutral_rates():
    reviews = [{"type": "review", "id": f"r{n}", "shop_id": "s1", "order_id": "o-x", "rating": rating,
                "created_at": t("12:00:00", 11 if n < 6 else 12)} for n, rating in enumerate([1, 2, 3, 4, 5, 3, 1])]
    m = whole(reviews)
    assert (m["bad_review_rate"], m["neutral_bad_review_rate"]) == (2 / 6, 4 / 6)


def test_online_hours_span_midnight_and_an_open_ended_status_lasts_until_as_of():
    statuses = [{"type": "agent_status", "id": f"st{n}", "agent_id": "a1", "at": at, "status": status}
                for n, (at, status) in enumerate([
                    (t("22:00:00", 10), "online"), (t("01:00:00", 11), "offline"), (t("09:00:00", 11), "busy"),
                    (t("11:00:00", 11), "away"), (t("22:00:00", 11), "online")])]
    period = dict(start=date(2026, 11, 11), end=date(2026, 11, 13), as_of=t("01:30:00", 12))
    assert whole(statuses, **period)["online_hours"] == 6.5
    assert [d["online_hours"] for d in by_group(statuses, "day", **period).values()] == [5.0, 1.5]
    a1 = by_group(statuses, "agent", **period)["a1"]
    assert (a1["online_hours"], a1["conversations"], a1["conversations_per_online_hour"]) == (6.5, 0, 0.0)


def test_first_contact_resolution_looks_48_hours_past_the_last_message_inclusive():
    records = (
        chat("v1", ("10:00:00", "c"), ("10:01:00", "a1"))
        + chat("v2", ("10:01:00", "c", 13), customer="c1")  # exactly 48 h later: v1 not resolved
        + chat("v3", ("10:00:00", "c"), ("10:01:00", "a1"), customer="c2")
        + chat("v4", ("10:01:01", "c", 13), customer="c2")  # one second more: v3 resolved
    )
    assert whole(records)["first_contact_resolution"] == 0.5


def test_customers_are_counted_per_shop_day():
    records = (
        chat("v1", ("10:00:00", "c"), ("10:00:10", "a1"))
        + chat("v2", ("11:00:00", "c"))  # the same customer, the same day
        + chat("v3", ("10:00:00", "c", 12))  # the same customer, the next day
        + chat("v4", ("10:00:00", "c"), ("10:00:10", "a1"), shop_id="s2")  # c1 of another shop
        + [shop("s2")]
    )
    m = whole(records, end=date(2026, 11, 13))
    assert (m["conversations"], m["consult_customers"], m["served_customers"]) == (4, 3, 2)


def test_the_later_record_wins():
    records = chat("v1", ("10:00:00", "c"), ("10:00:10", "a1"), rating=1) + [conv("v1", rating=5)]
    m = whole(records)
    assert (m["csat"], m["rating_rate"], m["conversations"]) == (1.0, 1.0, 1)


def test_days_are_cut_in_the_shops_timezone_and_datetime_periods_are_absolute():
    berlin = [shop("s2", timezone="Europe/Berlin", service_hours="00:00-24:00"), conv("v1", shop_id="s2"),
              msg("v1-m1", "v1", "2026-11-11T23:30:00+01:00")]
    days = by_group(berlin, "day", start=date(2026, 11, 11), end=date(2026, 11, 13))
    assert [d["conversations"] for d in days.values()] == [1, 0]
    moment = dict(start=datetime(2026, 11, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
                  end=datetime(2026, 11, 12, 7, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert whole(berlin, **moment)["conversations"] == 1
    assert [r["group"] for r in rows_of(berlin, by="day", **moment)] == [{"day": "2026-11-11"}, {"day": "2026-11-12"}]


def test_service_hours_that_wrap_past_midnight():
    tokyo = [shop("s3", timezone="Asia/Tokyo", service_hours="20:00-02:00"), conv("v1", shop_id="s3")] + [
        msg(f"v1-m{n}", "v1", f"2026-11-11T{clock}+09:00")
        for n, clock in enumerate(["01:59:59", "05:00:00", "19:59:59", "20:00:00"])
    ]
    # one burst (nobody replies), started at 01:59:59: in hours
    assert (whole(tokyo)["offhours_bursts"], whole(tokyo)["reply_rate"]) == (0, 0.0)
    bursts = [shop("s3", timezone="Asia/Tokyo", service_hours="20:00-02:00")]
    for n, clock in enumerate(["01:59:59", "02:00:00", "19:59:59", "20:00:00"]):
        bursts += [conv(f"w{n}", shop_id="s3", customer=f"c{n}"), msg(f"w{n}-m", f"w{n}", f"2026-11-11T{clock}+09:00")]
    assert (whole(bursts)["offhours_bursts"], whole(bursts)["reply_rate"], whole(bursts)["conversations"]) == (2, 0.0, 4)


def test_shop_thresholds_override_the_defaults():
    records = chat("v1", ("10:00:00", "c"), ("10:01:40", "a1"))
    assert (whole(records)["response_within_rate"], whole(records)["service_level"]) == (1.0, 0.0)
    tight = whole(records, settings={"s1": {"response_within_seconds": 60, "service_level_seconds": 100}})
    assert (tight["response_within_rate"], tight["service_level"]) == (0.0, 1.0)


def test_calendar_rows_cover_every_day_week_and_month_of_the_period():
    records = chat("v1", ("10:00:00", "c"), ("10:00:10", "a1"))
    period = dict(start=date(2026, 11, 9), end=date(2026, 11, 17))
    days = rows_of(records, by="day", **period)
    assert [r["group"]["day"] for r in days][0::7] == ["2026-11-09", "2026-11-16"] and len(days) == 8
    assert days[0]["metrics"]["conversations"] == 0 and days[0]["metrics"]["reply_rate"] is None
    assert [r["group"] for r in rows_of(records, by="week", **period)] == [{"week": "2026-11-09"}, {"week": "2026-11-16"}]
    assert [r["group"] for r in rows_of(records, by="month", **period)] == [{"month": "2026-11"}]
    assert [r["group"] for r in rows_of(records, by="shop", **period)] == [{"shop_id": "s1"}]


# ---- the engine against the reference ----------------------------------------------------


def figures_refresh():
    """Tests run with KEFU_TASKS=immediate semantics: the CLI must show current figures right
    after an import. Should the engine ever need an explicit step, it goes here."""
    from kefu.metrics.rollups import rollups_refresh

    rollups_refresh()


def records_import(batches):
    line = 1
    for batch in batches:
        run, summary = events_import(records=enumerate(batch, line))
        line += len(batch)
        assert summary.rejected == [], summary.rejected[:3]
    figures_refresh()


def cli_metrics(start, end, by, as_of, shop_id=None):
    buf = io.StringIO()
    args = ["--from", start, "--to", end, "--by", by, "--format", "json", "--as-of", as_of]
    if shop_id:
        args += ["--shop", shop_id]
    call_command("metrics", *args, stdout=buf)
    return json.loads(buf.getvalue())


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool)
                and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9))
    return a == b and type(a) is type(b)


def differences(label, got, expected) -> list[str]:
    """Readable differences between the CLI's rows and the reference's."""
    problems = []
    got_groups, expected_groups = [r["group"] for r in got], [r["group"] for r in expected]
    if got_groups != expected_groups:
        problems.append(f"{label}: groups differ\n  engine:    {got_groups}\n  reference: {expected_groups}")
    expected_by_group = {json.dumps(r["group"], sort_keys=True): r["metrics"] for r in expected}
    for row in got:
        want = expected_by_group.get(json.dumps(row["group"], sort_keys=True))
        if want is None:
            continue
        if set(row["metrics"]) != set(want):
            problems.append(f"{label} {row['group']}: keys differ: engine only {sorted(set(row['metrics']) - set(want))},"
                            f" reference only {sorted(set(want) - set(row['metrics']))}")
        for key in METRIC_KEYS:
            if key in row["metrics"] and key in want and not _same(row["metrics"][key], want[key]):
                problems.append(f"{label} {row['group']} {key}: engine {row['metrics'][key]!r} != reference {want[key]!r}")
    return problems


DATE_PERIOD = ("2026-11-10", "2026-11-13", date(2026, 11, 10), date(2026, 11, 13))
TIME_PERIOD = ("2026-11-10T12:00:00+08:00", "2026-11-12T12:00:00+08:00",
               datetime.fromisoformat("2026-11-10T12:00:00+08:00"), datetime.fromisoformat("2026-11-12T12:00:00+08:00"))


def compare_all(records, *, as_of=AS_OF, settings=None, shop_ids=("s2",), periods=(DATE_PERIOD, TIME_PERIOD)):
    problems = []
    for cli_from, cli_to, start, end in periods:
        for shop_id in (None, *shop_ids):
            for by in GROUPINGS:
                label = f"[{cli_from}..{cli_to} by={by}{' shop=' + shop_id if shop_id else ''}]"
                got = cli_metrics(cli_from, cli_to, by, as_of, shop_id)
                expected = reference_metrics(records, start=start, end=end, by=by, as_of=as_of, shop=shop_id,
                                             settings=settings)
                problems += differences(label, got, expected)
    return problems


def report(problems):
    shown = "\n".join(problems[:60])
    more = f"\n... and {len(problems) - 60} more" if len(problems) > 60 else ""
    return f"{len(problems)} difference(s) between the engine and the reference:\n{shown}{more}"


@pytest.mark.django_db
@pytest.mark.parametrize("seed,batches", [(1, 1), (2, 4), (3, 7)])
def test_the_engine_matches_the_reference(seed, batches):
    records = random_events(seed)
    order = shuffled_batches(records, seed, batches) if batches > 1 else [records]
    records_import(order)
    problems = compare_all([r for batch in order for r in batch])
    assert not problems, report(problems)


@pytest.mark.django_db
def test_the_engine_matches_the_reference_with_three_shops_and_a_wrapping_service_day():
    records = random_events(11, shops=3, agents=7, customers=45)
    order = shuffled_batches(records, 11, 3)
    records_import(order)
    problems = compare_all([r for batch in order for r in batch], shop_ids=("s1", "s3"))
    assert not problems, report(problems)


@pytest.mark.django_db
def test_the_engine_matches_the_reference_with_shop_settings_and_an_early_as_of():
    from kefu.metrics.shop_settings import metric_settings_update
    from kefu.shops.models import Shop

    records = random_events(5)
    records_import([records])
    settings = {
        "s1": {"response_within_seconds": 60, "service_level_seconds": 45, "attribution_extra_days": 0,
               "aftersale_sla_hours": {"refund": 24, "repair": 96}},
        "s2": {"attribution_extra_days": 2, "aftersale_sla_hours": {"exchange": 12}},
    }
    for shop_id, changes in settings.items():
        metric_settings_update(Shop.objects.get(ext_id=shop_id), **changes)
    figures_refresh()
    problems = compare_all(records, as_of="2026-11-12T15:30:00+08:00", settings=settings, shop_ids=("s1",))
    assert not problems, report(problems)


@pytest.mark.django_db
def test_counts_add_up_over_days_and_weeks():
    records = random_events(7, days=9)
    records_import(shuffled_batches(records, 7, 2))
    for start, end, parts in (("2026-11-09", "2026-11-16", "day"), ("2026-11-09", "2026-11-23", "week"),
                              ("2026-11-09", "2026-11-23", "day")):
        (total,) = cli_metrics(start, end, "none", AS_OF)
        rows = cli_metrics(start, end, parts, AS_OF)
        for key in COUNT_KEYS:
            assert sum(r["metrics"][key] for r in rows) == total["metrics"][key], (start, end, parts, key)
        assert math.isclose(sum(r["metrics"]["online_hours"] for r in rows), total["metrics"]["online_hours"],
                            rel_tol=1e-9)
    weeks = cli_metrics("2026-11-09", "2026-11-23", "week", AS_OF)
    days = cli_metrics("2026-11-09", "2026-11-23", "day", AS_OF)
    for n, week in enumerate(weeks):
        for key in COUNT_KEYS:
            assert sum(d["metrics"][key] for d in days[7 * n : 7 * n + 7]) == week["metrics"][key], (week["group"], key)


def _period(start: str, end: str):
    parse = date.fromisoformat if len(start) == 10 else datetime.fromisoformat
    return start, end, parse(start), parse(end)


STATUSES_ACROSS_MIDNIGHT = BASE + [
    {"type": "agent_status", "id": "st1", "agent_id": "a1", "at": t("20:00:00"), "status": "online"},
    {"type": "agent_status", "id": "st2", "agent_id": "a1", "at": t("02:00:00", 12), "status": "offline"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [t("12:00:00"), t("22:00:00"), t("01:00:00", 12), AS_OF])
def test_the_engine_matches_the_reference_on_a_status_that_ends_after_the_period(as_of):
    """online 20:00 -> offline 02:00 the next day: not open-ended, so it counts 4 h of the
    first day whatever the as-of moment (interpretation 17: each status lasts until the next)."""
    records_import([STATUSES_ACROSS_MIDNIGHT])
    periods = [_period("2026-11-11", "2026-11-12"), _period("2026-11-11", "2026-11-13")]
    problems = compare_all(STATUSES_ACROSS_MIDNIGHT, as_of=as_of, shop_ids=(), periods=periods)
    assert not problems, report(problems)


@pytest.mark.django_db
def test_the_later_version_of_a_record_wins_when_an_earlier_one_waits_for_its_shop():
    """A conversation first arrives before its shop (so it waits), then again with a rating in
    the batch that brings the shop, next to a record still waiting for another shop."""
    first = [conv("v1"), msg("v1-m1", "v1", t("10:00:00")), msg("v1-m2", "v1", t("10:00:20"), "agent", "a1")]
    second = BASE + [conv("v1", rating=5), conv("v2", shop_id="s2")]
    records_import([first, second])
    problems = compare_all(first + second, shop_ids=(), periods=[_period("2026-11-11", "2026-11-12")])
    assert not problems, report(problems)
