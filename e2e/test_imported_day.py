"""The acceptance journey: a simulated shop is imported through intake, the supervisor logs
in, and the home page's figures equal those recomputed from the raw records of the file."""

import gzip
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
from django.utils import timezone

from e2e.pages import figure, login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, UserFactory
from kefu.demo.simulator import simulate, write_events
from kefu.intake.readers import file_records
from kefu.intake.services import events_import

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_day(text: str):
    return datetime.fromisoformat(text).astimezone(SHANGHAI).date()


def figures_from_records(records: list[dict], today) -> dict:
    """Today's home figures computed from the raw event records, without Kefu's code."""
    first_customer, human_reply = {}, set()
    for m in (r for r in records if r["type"] == "message"):
        if m["sender"] == "customer":
            sent = datetime.fromisoformat(m["sent_at"])
            first_customer[m["conversation_id"]] = min(first_customer.get(m["conversation_id"], sent), sent)
        elif m["sender"] == "agent" and not m.get("is_auto", False):
            human_reply.add(m["conversation_id"])
    by_day = defaultdict(list)
    for conversation_id, first in first_customer.items():
        by_day[first.astimezone(SHANGHAI).date()].append(conversation_id)
    orders_today = [o for o in records if o["type"] == "order" and local_day(o["created_at"]) == today]
    return {
        "conversations_today": len(by_day[today]),
        "conversations_yesterday": len(by_day[today - timedelta(days=1)]),
        "unanswered_today": sum(1 for c in by_day[today] if c not in human_reply),
        "messages_today": sum(1 for m in records if m["type"] == "message" and local_day(m["sent_at"]) == today),
        "orders_today": len(orders_today),
    }


def test_supervisor_sees_the_figures_of_the_imported_data(page, screenshot, tmp_path):
    path = tmp_path / "shop.jsonl.gz"
    write_events(simulate(shops=1, agents=4, days=3, seed=7), path)
    run, summary = events_import(records=file_records(path), name=path.name)
    assert summary.rejected == []
    with gzip.open(path, "rb") as stream:
        records = [orjson.loads(line) for line in stream]
    expected = figures_from_records(records, timezone.localdate())
    assert expected["conversations_today"] + expected["conversations_yesterday"] > 0  # just after midnight today is empty
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR])

    login(page, "zhuguan", PASSWORD)

    screenshot("20-supervisor-home-imported")
    for name, value in expected.items():
        assert figure(page, name) == str(value), name
    assert figure(page, "last_import_name") == path.name

    # A later feed with a bad record: the intake pages show where and why.
    events_import(records=[(7, {"type": "conversation", "id": "v-bad", "shop_id": "s1", "customer_id": "c1",
                                "started_at": "2026-11-11 20:00:00"})], name="late-feed.jsonl")
    page.get_by_role("link", name="数据接入").first.click()
    page.wait_for_load_state("networkidle")
    runs = page.locator('[data-table="runs"]').inner_text()
    assert path.name in runs and "late-feed.jsonl" in runs
    screenshot("21-intake-runs")
    page.locator('[data-table="runs"] a.text-alert').click()
    page.wait_for_load_state("networkidle")
    rejection = page.locator('[data-table="rejections"] tbody tr').first.inner_text()
    assert "7" in rejection and "v-bad" in rejection and "started_at has no UTC offset" in rejection
    screenshot("22-intake-run-rejections")
