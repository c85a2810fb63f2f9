"""Validation of single records: every rejection reason of events.md."""

import pytest

from kefu.intake.schema import RecordError, record_validate
from kefu.intake.tests import records as r


def reason(raw) -> str:
    with pytest.raises(RecordError) as error:
        record_validate(raw)
    return str(error.value)


def test_a_valid_record_is_returned_clean():
    kind, clean = record_validate(r.order(paid_at="2026-11-11T20:05:40+08:00"))
    assert kind == "order"
    assert str(clean["amount"]) == "199.00"
    assert clean["paid_at"].utcoffset().total_seconds() == 8 * 3600


def test_time_without_offset_is_rejected():
    assert "no UTC offset" in reason(r.conversation(started_at="2026-11-11T20:00:00"))


def test_utc_z_suffix_is_an_offset():
    _, clean = record_validate(r.conversation(started_at="2026-11-11T12:00:00Z"))
    assert clean["started_at"].utcoffset().total_seconds() == 0


def test_unknown_enum_value_is_rejected_with_the_allowed_values():
    assert "'weibo' is not one of" in reason(r.shop(platform="weibo"))


def test_missing_required_field_is_rejected():
    raw = r.customer()
    del raw["shop_id"]
    assert reason(raw) == "missing required field shop_id"


@pytest.mark.parametrize("amount", ["abc", "1e", True, [], "NaN"])
def test_non_numeric_amount_is_rejected(amount):
    assert "amount" in reason(r.order(amount=amount))


def test_amount_keeps_exact_decimals_and_refuses_fractions_of_a_fen():
    _, clean = record_validate(r.order(amount=19.9))
    assert str(clean["amount"]) == "19.9"
    assert "more than 2 decimal places" in reason(r.order(amount="1.005"))


@pytest.mark.parametrize("rating", [0, 6, "5", 4.5, True])
def test_rating_outside_1_to_5_is_rejected(rating):
    assert "rating must be a whole number from 1 to 5" in reason(r.conversation(rating=rating))


def test_agent_message_needs_an_agent_id():
    raw = r.message(sender="agent")
    del raw["agent_id"]
    assert reason(raw) == "agent_id is required when sender is agent"


def test_unknown_type_and_non_objects_are_rejected():
    assert "type 'ticket' is not one of" in reason({"type": "ticket", "id": "x"})
    assert reason([1, 2]) == "a record must be a JSON object"
    assert reason({"id": "x"}) == "missing required field type"


def test_service_hours_and_timezone_are_checked():
    assert "service_hours" in reason(r.shop(service_hours="9-24"))
    assert "not a known timezone" in reason(r.shop(timezone="Mars/Base"))
    _, clean = record_validate(r.shop(service_hours="09:00-24:00", timezone="Asia/Shanghai"))
    assert clean["service_hours"] == "09:00-24:00"
