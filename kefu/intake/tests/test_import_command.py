"""``kefu import``: the acceptance case of 1,000 records with 5 bad ones, formats, exit status."""

import gzip
import json

import orjson
import pytest
from django.core.management import call_command

from kefu.conversations.models import Conversation, Message
from kefu.intake.tests import records as r

pytestmark = pytest.mark.django_db

BAD = {
    101: b'{"type":"conversation","id":"bad1","shop_id":"s1","customer_id":"c1","started_at":"2026-11-11T20:00:00"}',
    202: b'{"type":"shop","id":"bad2","name":"x","platform":"weibo"}',
    303: b'{"type":"message","id":"bad3","conversation_id":"v1","sender":"customer"}',
    404: b'{"type":"order","id":"bad4","shop_id":"s1","customer_id":"c1","created_at":"2026-11-11T20:05:00+08:00","amount":"12yuan"}',
    505: b'{"type":"conversation","id":"bad5", this is not json',
}


def thousand_records(path, *, gz=False):
    """1,000 lines: 995 good records (a shop, an agent, a customer, conversations and messages) and 5 bad ones."""
    good = [r.shop(), r.agent(), r.customer()]
    n = 0
    while len(good) < 995:
        n += 1
        good.append(r.conversation(f"v{n}"))
        for k in range(4):
            if len(good) < 995:
                good.append(r.message(f"m{n}-{k}", conversation_id=f"v{n}", sender="customer" if k % 2 == 0 else "agent"))
    lines, good_iter = [], iter(good)
    for number in range(1, 1001):
        lines.append(BAD[number] if number in BAD else orjson.dumps(next(good_iter)))
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(data) if gz else data)
    return good


def run_import(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", *args, "--format", "json")
        raise SystemExit(0)
    return exit_info.value.code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name,gz", [("events.jsonl", False), ("events.jsonl.gz", True)])
def test_995_good_records_kept_5_reported_and_a_second_import_creates_nothing(tmp_path, capsys, name, gz):
    path = tmp_path / name
    good = thousand_records(path, gz=gz)
    status, summary = run_import(capsys, str(path))
    assert status == 1
    assert sum(summary["created"].values()) == 995
    assert Message.objects.count() == sum(1 for x in good if x["type"] == "message")
    assert Conversation.objects.count() == sum(1 for x in good if x["type"] == "conversation")
    assert [x["line"] for x in summary["rejected"]] == sorted(BAD)
    reasons = {x["line"]: x["reason"] for x in summary["rejected"]}
    assert "no UTC offset" in reasons[101]
    assert "'weibo' is not one of" in reasons[202]
    assert reasons[303] == "missing required field sent_at"
    assert "amount is not a number" in reasons[404]
    assert "malformed JSON" in reasons[505]
    assert summary["unresolved"] == {}

    status, again = run_import(capsys, str(path))
    assert status == 1  # the same 5 are still bad
    assert again["created"] == {} and again["updated"] == {}
    assert sum(again["unchanged"].values()) == 995


def test_a_clean_file_exits_0_and_prints_a_table(tmp_path, capsys):
    path = tmp_path / "ok.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(x) for x in [r.shop(), r.customer()]))
    call_command("import", str(path), "--no-progress")
    out = capsys.readouterr().out
    assert "customer" in out and "created" in out


def test_csv_without_a_mapping_is_refused(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "chat.csv"
    path.write_text("会话ID\nv1\n")
    with pytest.raises(CommandError, match="--mapping"):
        call_command("import", str(path))


def test_a_csv_whose_header_does_not_fit_the_mapping_stops_before_importing(tmp_path):
    from django.core.management.base import CommandError

    from kefu.intake.models import ImportRun

    path = tmp_path / "chat.csv"
    path.write_text("会话ID,内容\nv1,在吗\n", encoding="utf-8")
    with pytest.raises(CommandError, match="店铺ID"):
        call_command("import", str(path), "--mapping", "chat-log")
    assert not ImportRun.objects.exists()
