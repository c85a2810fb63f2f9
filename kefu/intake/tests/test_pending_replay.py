"""The periodic replay of parked records whose owner arrived without replaying them (a
concurrent import that looked for waiting records before this one was parked)."""

import pytest

from kefu.conversations.models import Conversation, Message
from kefu.intake.models import PendingRecord
from kefu.intake.services import events_import, pending_replay
from kefu.shops.models import Shop

pytestmark = pytest.mark.django_db
T = "2026-11-11T10:00:00+08:00"


def test_a_parked_record_is_written_once_its_owner_is_there():
    events_import(records=enumerate([
        {"type": "shop", "id": "s1", "name": "店", "platform": "web"},
        {"type": "message", "id": "m1", "conversation_id": "v1", "sent_at": T, "sender": "customer"},
    ], 1))
    assert PendingRecord.objects.count() == 1
    assert pending_replay() == 0  # the conversation has not arrived: it keeps waiting
    # The conversation arrives by a path that does not replay (as a concurrent import may).
    Conversation.objects.create(
        shop=Shop.objects.get(),
        ext_id="v1", customer_ext="c1", started_at=T, stage="presale", src_hash="x", imported_at=T, updated_at=T,
    )
    assert pending_replay() == 1
    assert Message.objects.get().conversation.ext_id == "v1"
    assert not PendingRecord.objects.exists()
