"""The intake engine: idempotency, counts, early references, scope, bad records kept apart."""

import pytest

from kefu.accounts.models import Agent, Team
from kefu.commerce.models import Order
from kefu.conversations.models import Conversation, Message
from kefu.customers.models import Customer
from kefu.intake.models import ImportRun, PendingRecord, RejectedRecord
from kefu.intake.schema import RecordError
from kefu.intake.services import events_import
from kefu.intake.tests import records as r
from kefu.shops.models import Shop

pytestmark = pytest.mark.django_db

EXAMPLE = [
    r.shop(service_hours="09:00-24:00"),
    r.agent(),
    r.customer(),
    r.conversation(rating=5),
    r.message("m1"),
    r.message("m2", sender="agent", is_auto=True, sent_at="2026-11-11T20:00:01+08:00", text="亲，欢迎光临～"),
    r.message("m3", sender="agent", sent_at="2026-11-11T20:00:25+08:00", text="亲，L码有货的"),
    r.order(paid_at="2026-11-11T20:05:40+08:00"),
]


def run(records, **kw):
    return events_import(records=r.numbered(records), **kw)[1]


def test_first_import_creates_every_record():
    summary = run(EXAMPLE)
    assert summary.as_dict()["created"] == {
        "agent": 1, "conversation": 1, "customer": 1, "message": 3, "order": 1, "shop": 1,
    }
    assert summary.rejected == [] and summary.unresolved == {}
    conversation = Conversation.objects.get()
    assert conversation.customer.nick == "tb_8812" and conversation.stage == "presale"
    assert [m.ext_id for m in conversation.messages.order_by("sent_at")] == ["m1", "m2", "m3"]
    assert Message.objects.get(ext_id="m3").agent == Agent.objects.get(ext_id="a1")
    assert Agent.objects.get().team == Team.objects.get(name="售前一组")
    assert str(Order.objects.get().amount) == "199.00"


def test_importing_the_same_records_twice_creates_nothing():
    run(EXAMPLE)
    summary = run(EXAMPLE)
    assert summary.as_dict()["created"] == {} and summary.as_dict()["updated"] == {}
    assert sum(summary.unchanged.values()) == len(EXAMPLE)
    assert Message.objects.count() == 3


def test_a_changed_record_is_updated_in_place():
    run(EXAMPLE)
    summary = run([r.conversation(rating=2)])
    assert summary.updated == {"conversation": 1}
    assert Conversation.objects.get().rating == 2
    assert Conversation.objects.count() == 1


def test_the_same_record_twice_in_one_batch_counts_once_and_the_later_wins():
    summary = run([r.shop(), r.shop(), r.shop(name="新名字")])
    assert summary.created == {"shop": 1} and summary.unchanged == {"shop": 1} and summary.updated == {"shop": 1}
    assert Shop.objects.get().name == "新名字"


def test_a_message_before_its_conversation_waits_and_then_lands():
    first = run([r.shop(), r.message("m1", conversation_id="v1")])
    assert first.unresolved == {"message": 1}
    assert PendingRecord.objects.count() == 1
    second = run([r.conversation()])
    assert second.created == {"conversation": 1, "message": 1}
    assert Message.objects.get().conversation.ext_id == "v1"
    assert PendingRecord.objects.count() == 0
    # the conversation's customer has not arrived yet: that reference is still unresolved
    assert second.unresolved == {"conversation": 1}
    third = run([r.customer()])
    assert third.unresolved == {}
    assert Conversation.objects.get().customer.ext_id == "c1"


def test_early_references_within_one_file_resolve_in_the_same_import():
    records = [r.message("m1"), r.order(), r.conversation(), r.customer(), r.shop()]
    summary = run(records)
    assert summary.created == {"shop": 1, "customer": 1, "conversation": 1, "order": 1, "message": 1}
    assert summary.unresolved == {}
    assert Order.objects.get().customer == Customer.objects.get()


def test_waiting_records_are_not_duplicated_by_a_second_import():
    run([r.shop(), r.message("m1", conversation_id="v9")])
    run([r.shop(), r.message("m1", conversation_id="v9")])
    assert PendingRecord.objects.count() == 1


def test_bad_records_are_rejected_with_line_and_reason_and_the_rest_is_kept():
    records = list(r.numbered(EXAMPLE))
    records.insert(3, (40, RecordError("malformed JSON: unexpected end")))
    records.append((41, r.conversation("v2", started_at="2026-11-11 20:00")))
    run_obj, summary = events_import(records=records)
    assert [(x.line, x.type, x.id) for x in summary.rejected] == [(40, "", ""), (41, "conversation", "v2")]
    assert Message.objects.count() == 3
    assert run_obj.rejected_count == 2
    assert RejectedRecord.objects.filter(run=run_obj).count() == 2
    assert "no UTC offset" in RejectedRecord.objects.get(line=41).reason


def test_stage_defaults_to_aftersale_when_the_conversation_names_an_order():
    run([r.shop(), r.customer(), r.order(), r.conversation(order_id="o1")])
    conversation = Conversation.objects.get()
    assert conversation.stage == "aftersale" and conversation.order.ext_id == "o1"


def test_ids_are_unique_per_shop_not_globally():
    run([r.shop("s1"), r.shop("s2", name="二店"), r.customer("c1", "s1"), r.customer("c1", "s2")])
    assert Customer.objects.count() == 2


def test_a_message_whose_conversation_id_repeats_across_shops_needs_shop_id():
    base = [r.shop("s1"), r.shop("s2", name="二店"), r.conversation("v1", "s1"), r.conversation("v1", "s2")]
    summary = run([*base, r.message("m1")])
    assert "exists in several shops" in summary.rejected[0].reason
    summary = run([r.message("m1", shop_id="s2")])
    assert summary.created == {"message": 1}
    assert Message.objects.get().shop.ext_id == "s2"


def test_a_shop_scoped_import_refuses_other_shops():
    run([r.shop("s1"), r.shop("s2", name="二店")])
    s1 = Shop.objects.get(ext_id="s1")
    summary = run([r.customer("c1", "s1"), r.customer("c2", "s2"), r.shop("s2", name="改名")], scope=s1)
    assert summary.created == {"customer": 1}
    assert sorted(x.reason for x in summary.rejected) == [
        "shop 's2' is outside this token's shop 's1'",
        "shop_id 's2' is outside this token's shop 's1'",
    ]


def test_agent_status_finds_its_agent_and_shop():
    run([r.shop(), r.agent(), {"type": "agent_status", "id": "st1", "agent_id": "a1", "at": "2026-11-11T09:00:00+08:00",
                               "status": "online"}])
    from kefu.presence.models import AgentStatus

    status = AgentStatus.objects.get()
    assert status.agent.ext_id == "a1" and status.shop.ext_id == "s1"


def test_a_shopless_agent_serves_every_shop():
    run([r.shop(), {"type": "agent", "id": "a9", "name": "共享客服"}, r.customer(), r.conversation(),
         r.message("m1", sender="agent", agent_id="a9")])
    assert Message.objects.get().agent.ext_id == "a9"


def test_the_run_is_recorded():
    run(EXAMPLE)
    last = ImportRun.objects.get()
    assert last.records == len(EXAMPLE) and last.created["message"] == 3 and last.finished_at is not None


def test_a_record_repeated_in_a_later_chunk_of_a_first_load_is_not_inserted_twice(monkeypatch):
    from kefu.intake import engine

    monkeypatch.setattr(engine, "CHUNK_SIZE", 3)
    records = [r.shop(), r.customer(), r.conversation(), r.message("m1"), r.message("m2"), r.message("m3"),
               r.message("m1"), r.message("m2", text="改了")]
    summary = run(records)
    assert summary.created == {"shop": 1, "customer": 1, "conversation": 1, "message": 3}
    assert summary.unchanged == {"message": 1} and summary.updated == {"message": 1}
    assert Message.objects.get(ext_id="m2").text == "改了"


def test_a_chunk_that_collides_with_a_concurrent_import_is_written_again_as_updates(monkeypatch):
    from kefu.intake.engine import Intake

    run([r.shop()])
    intake = Intake()
    intake._prefetch("customer", ["c1"])  # this import looks first and finds no c1 ...
    run([r.customer(nick="别人先写的")])  # ... then another import writes c1
    intake.feed(r.numbered([r.customer()]))
    summary = intake.finish()
    assert summary.created == {} and summary.updated == {"customer": 1}
    assert Customer.objects.get().nick == "tb_8812"
