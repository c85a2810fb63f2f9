"""``kefu metrics``: arguments, the JSON shape of metrics.md, CSV and table output."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from kefu.intake.services import events_import
from kefu.metrics.definitions import METRIC_KEYS

pytestmark = pytest.mark.django_db
T = "2026-11-11T10:00:{:02d}+08:00"


@pytest.fixture
def day_of_records():
    events_import(records=enumerate([
        {"type": "shop", "id": "s1", "name": "旗舰店", "platform": "tmall"},
        {"type": "shop", "id": "s2", "name": "二号店", "platform": "jd"},
        {"type": "agent", "id": "a1", "name": "小美", "shop_id": "s1", "team": "售前一组"},
        {"type": "conversation", "id": "v1", "shop_id": "s1", "customer_id": "c1", "started_at": T.format(0)},
        {"type": "message", "id": "m1", "conversation_id": "v1", "sent_at": T.format(0), "sender": "customer"},
        {"type": "message", "id": "m2", "conversation_id": "v1", "sent_at": T.format(25), "sender": "agent",
         "agent_id": "a1"},
        {"type": "order", "id": "o1", "shop_id": "s1", "customer_id": "c1", "created_at": T.format(50),
         "paid_at": T.format(55), "amount": "199.00"},
        {"type": "conversation", "id": "v2", "shop_id": "s2", "customer_id": "c9", "started_at": T.format(0)},
        {"type": "message", "id": "m3", "conversation_id": "v2", "sent_at": T.format(0), "sender": "customer"},
    ], 1))


def run(*args) -> str:
    out = io.StringIO()
    call_command("metrics", *args, stdout=out)
    return out.getvalue()


def test_json_is_the_shape_metrics_md_ends_with(day_of_records):
    rows = json.loads(run("--from", "2026-11-11", "--to", "2026-11-12", "--format", "json"))
    assert len(rows) == 1 and rows[0]["group"] == {}
    metrics = rows[0]["metrics"]
    assert list(metrics) == list(METRIC_KEYS)
    assert metrics["conversations"] == 2 and metrics["unanswered_conversations"] == 1
    assert metrics["first_response_time_avg"] == 25.0  # seconds
    assert metrics["reply_rate"] == 0.5  # a fraction
    assert metrics["agent_sales"] == "199.00" and metrics["avg_order_value"] == "199.00"  # decimal strings
    assert metrics["aftersale_completion_rate"] is None  # no denominator


def test_groups_and_a_metric_subset(day_of_records):
    by_agent = json.loads(run("--from", "2026-11-11", "--to", "2026-11-12", "--by", "agent",
                              "--metrics", "conversations,silent_orders", "--format", "json"))
    assert by_agent == [{"group": {"agent_id": "a1"}, "metrics": {"conversations": 1, "silent_orders": None}}]
    by_shop = json.loads(run("--from", "2026-11-11", "--to", "2026-11-12", "--by", "shop", "--metrics",
                             "conversations", "--format", "json"))
    assert by_shop == [{"group": {"shop_id": "s1"}, "metrics": {"conversations": 1}},
                       {"group": {"shop_id": "s2"}, "metrics": {"conversations": 1}}]
    one_shop = json.loads(run("--from", "2026-11-11", "--to", "2026-11-12", "--shop", "s2", "--metrics",
                              "conversations", "--format", "json"))
    assert one_shop[0]["metrics"]["conversations"] == 1
    weeks = json.loads(run("--from", "2026-11-01", "--to", "2026-11-12", "--by", "week", "--metrics", "conversations",
                           "--format", "json"))
    assert [row["group"]["week"] for row in weeks] == ["2026-10-26", "2026-11-02", "2026-11-09"]
    assert [row["metrics"]["conversations"] for row in weeks] == [0, 0, 2]
    months = json.loads(run("--from", "2026-10-31", "--to", "2026-11-12", "--by", "month", "--metrics",
                            "conversations", "--format", "json"))
    assert [row["group"] for row in months] == [{"month": "2026-10"}, {"month": "2026-11"}]


def test_times_with_offsets_and_as_of(day_of_records):
    rows = json.loads(run("--from", "2026-11-11T10:00:00+08:00", "--to", "2026-11-11T02:00:30Z",
                          "--as-of", "2026-11-12T00:00:00+08:00", "--metrics", "conversations", "--format", "json"))
    assert rows[0]["metrics"]["conversations"] == 2


def test_csv_and_table(day_of_records):
    text = run("--from", "2026-11-11", "--to", "2026-11-12", "--by", "day", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert table[0]["day"] == "2026-11-11" and table[0]["conversations"] == "2"
    assert table[0]["aftersale_completion_rate"] == ""
    assert "咨询量" in run("--from", "2026-11-11", "--to", "2026-11-12")


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-11-11T10:00:00", "--to", "2026-11-12"], "no UTC offset"),
    (["--from", "2026-11-11", "--to", "2026-11-12T00:00:00+08:00"], "both be dates"),
    (["--from", "2026-11-12", "--to", "2026-11-11"], "after from"),
    (["--from", "2026-11-11", "--to", "2026-11-12", "--shop", "nope"], "unknown shop"),
    (["--from", "2026-11-11", "--to", "2026-11-12", "--metrics", "conversations,nope"], "unknown metric"),
    (["--from", "11/11/2026", "--to", "2026-11-12"], "is not a date"),
])
def test_bad_arguments_are_clear_errors(day_of_records, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
