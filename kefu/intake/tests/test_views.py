"""Intake pages: who may see them, what they show, escaping, query ceilings."""

import pytest

from kefu.accounts.roles import Role
from kefu.intake.models import ImportRun
from kefu.intake.schema import RecordError
from kefu.intake.services import events_import
from kefu.intake.tests import records as r

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_with_rejections(shop):
    records = [(1, r.customer()), (2, RecordError("malformed JSON: x")),
               (3, r.conversation(started_at="2026-11-11T20:00:00", channel="<script>alert(1)</script>"))]
    return events_import(records=records, name="chat-export.jsonl")[0]


def test_supervisor_sees_the_runs_and_a_runs_rejections(supervisor_client, run_with_rejections):
    page = supervisor_client.get("/intake/")
    assert page.status_code == 200
    assert "chat-export.jsonl" in page.content.decode()
    detail = supervisor_client.get(f"/intake/{run_with_rejections.pk}/").content.decode()
    assert "malformed JSON: x" in detail and "started_at has no UTC offset" in detail


def test_a_rejected_record_is_shown_escaped(supervisor_client, run_with_rejections):
    detail = supervisor_client.get(f"/intake/{run_with_rejections.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail


def test_unresolved_records_are_listed(supervisor_client, shop):
    events_import(records=r.numbered([r.conversation()]))  # its customer has not arrived
    page = supervisor_client.get("/intake/").content.decode()
    assert 'data-unresolved="conversation">1<' in page


@pytest.mark.parametrize("fixture", ["agent_user", "logistics_user"])
def test_roles_without_intake_permission_are_refused(request, client_for, fixture, run_with_rejections):
    client = client_for(request.getfixturevalue(fixture))
    assert client.get("/intake/").status_code == 403
    assert client.get(f"/intake/{run_with_rejections.pk}/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get("/intake/")["Location"].startswith("/login/")


def test_a_supervisor_of_one_shop_does_not_see_another_shops_runs(make_user, client_for, shop, other_shop):
    own = events_import(records=r.numbered([r.customer("c1", "s1")]), scope=shop)[0]
    other = events_import(records=r.numbered([r.customer("c2", "s2")]), scope=other_shop)[0]
    client = client_for(make_user(Role.SUPERVISOR, shops=[shop]))
    assert client.get(f"/intake/{own.pk}/").status_code == 200
    assert client.get(f"/intake/{other.pk}/").status_code == 404
    assert client.get(f"/intake/{ImportRun.objects.count() + 99}/").status_code == 404


def test_the_run_list_needs_a_bounded_number_of_queries(supervisor_client, django_assert_max_num_queries, shop):
    for n in range(30):
        events_import(records=r.numbered([r.customer(f"c{n}")]), name=f"file{n}.jsonl")
    with django_assert_max_num_queries(20):
        assert supervisor_client.get("/intake/").status_code == 200
