"""Saved segments: the form's errors, who may manage and export them, the export's
consent rule, masking and audit (the workbook is opened with openpyxl)."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kefu.accounts.roles import Role
from kefu.core.models import AuditEntry
from kefu.core.testing.factories import CustomerFactory
from kefu.customers.models import Segment
from kefu.customers.services import segment_create
from kefu.customers.tests.helpers import paid_order
from kefu.customers.tests.test_services import grant_personal_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def vips(shop, other_shop):
    consenting = CustomerFactory(shop=shop, ext_id="c-yes", nick="=HYPERLINK(\"http://x\")", vip_level="V1",
                                 phone="13912345678", marketing_consent=True)
    refusing = CustomerFactory(shop=shop, ext_id="c-no", vip_level="V1", phone="13700000000")
    away = CustomerFactory(shop=other_shop, ext_id="c-away", vip_level="V1", marketing_consent=True)
    paid_order(consenting, amount="88.80")
    return consenting, refusing, away


@pytest.fixture
def segment(supervisor):
    return segment_create(name="VIP 回访", shop=None, filters={"vip_level": "*"}, actor=supervisor)


def rows_of(response):
    sheet = load_workbook(BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_create_from_the_form(supervisor_client, vips):
    response = supervisor_client.post(reverse("customer_segment_new"), {"name": "高价值", "auto_tag": "vip",
                                                                        "value_min": "50", "consent": "yes"})
    assert response.status_code == 302
    segment = Segment.objects.get()
    assert segment.filters == {"auto_tag": "vip", "consent": "yes", "value_min": "50"}
    assert AuditEntry.objects.filter(action="segment.create", target_id=str(segment.pk)).exists()
    listing = supervisor_client.get(reverse("customer_segments"))
    assert [(s.name, total, consenting) for s, total, consenting in listing.context["rows"]] == [("高价值", 1, 1)]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"auto_tag": "vip"}, "name"),
        ({"name": "空"}, "__all__"),
        ({"name": "x", "value_min": "-1"}, "value_min"),
        ({"name": "x", "value_min": "9", "value_max": "1"}, "value_max"),
        ({"name": "x", "last_order_from": "2026-02-30"}, "last_order_from"),
        ({"name": "x", "last_order_from": "2026-03-02", "last_order_to": "2026-03-01"}, "last_order_to"),
        ({"name": "x", "auto_tag": "rich"}, "auto_tag"),
    ],
)
def test_form_errors(supervisor_client, data, field):
    response = supervisor_client.post(reverse("customer_segment_new"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'data-error="{field}"' in response.content.decode()
    assert not Segment.objects.exists()


def test_edit_and_delete_are_audited(supervisor_client, segment):
    supervisor_client.post(reverse("customer_segment_edit", args=[segment.pk]), {"name": "改名", "vip_level": "V1"})
    segment.refresh_from_db()
    assert (segment.name, segment.filters) == ("改名", {"vip_level": "V1"})
    supervisor_client.post(reverse("customer_segment_delete", args=[segment.pk]))
    assert not Segment.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"segment.create", "segment.update", "segment.delete"} <= actions


def test_export_has_only_consenting_customers_with_masked_phones(supervisor_client, supervisor, segment, vips):
    response = supervisor_client.post(reverse("customer_segment_export", args=[segment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = rows_of(response)
    assert len(rows) == 3  # header + the two consenting customers of both shops (supervisor sees every shop)
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {"c-yes", "c-away"}  # c-no has no marketing consent: never exported
    assert by_id["c-yes"][4] == "139****5678"
    assert by_id["c-yes"][1] == "'=HYPERLINK(\"http://x\")"  # kept as text, never a formula
    assert by_id["c-yes"][6] == 88.8
    entry = AuditEntry.objects.get(action="segment.export")
    assert entry.actor == supervisor and entry.target_id == str(segment.pk)
    assert entry.detail["exported"] == 2 and entry.detail["without_consent"] == 1 and entry.detail["phones_masked"]


def test_export_unmasked_for_the_personal_data_permission(client_for, make_user, segment, vips):
    client = client_for(grant_personal_data(make_user(Role.SUPERVISOR)))
    rows = rows_of(client.post(reverse("customer_segment_export", args=[segment.pk])))
    assert "13912345678" in [row[4] for row in rows]
    assert AuditEntry.objects.get(action="segment.export").detail["phones_masked"] is False


def test_export_is_limited_to_the_users_shops(client_for, make_user, shop, segment, vips):
    client = client_for(make_user(Role.OPERATIONS, shops=[shop]))
    rows = rows_of(client.post(reverse("customer_segment_export", args=[segment.pk])))
    assert [row[0] for row in rows[1:]] == ["c-yes"]


def test_a_segment_of_another_shop_is_invisible(client_for, make_user, other_shop, vips, supervisor):
    segment = segment_create(name="二号店", shop=other_shop, filters={"vip_level": "*"}, actor=supervisor)
    client = client_for(make_user(Role.SUPERVISOR, shops=[vips[0].shop]))
    assert client.get(reverse("customer_segment_edit", args=[segment.pk])).status_code == 404
    assert client.post(reverse("customer_segment_export", args=[segment.pk])).status_code == 404
    assert client.get(reverse("customer_segments")).context["rows"] == []


def test_who_may_manage_and_export(client_for, make_user, agent_client, segment):
    assert agent_client.get(reverse("customer_segments")).status_code == 403
    assert agent_client.post(reverse("customer_segment_export", args=[segment.pk])).status_code == 404
    operations = client_for(make_user(Role.OPERATIONS))
    assert operations.get(reverse("customer_segments")).status_code == 200
    team_lead = client_for(make_user(Role.TEAM_LEAD))
    assert team_lead.post(reverse("customer_segment_new"), {"name": "x", "vip_level": "*"}).status_code == 403
    assert not AuditEntry.objects.filter(action="segment.export").exists()


def test_save_as_segment_carries_the_search_filters(supervisor_client, vips):
    page = supervisor_client.get("/customers/", {"vip_level": "V1", "consent": "yes"}).content.decode()
    assert reverse("customer_segment_new") + "?" in page
    form = supervisor_client.get(reverse("customer_segment_new"), {"vip_level": "V1", "consent": "yes"}).context["form"]
    assert (form["vip_level"].value(), form["consent"].value()) == ("V1", "yes")


def test_open_segment_as_search(supervisor_client, segment, vips):
    response = supervisor_client.get(reverse("customer_segment_search", args=[segment.pk]))
    assert response.status_code == 302 and "vip_level=%2A" in response["Location"]
