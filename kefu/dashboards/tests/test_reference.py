"""The metric glossary and the metric settings page."""

import pytest
from django.urls import reverse
from django.utils import translation

from kefu.accounts.roles import Role
from kefu.core.models import AuditEntry
from kefu.metrics.definitions import METRIC_KEYS, METRICS
from kefu.metrics.glossary import GLOSSARY, glossary_text
from kefu.metrics.shop_settings import metric_settings_for
from kefu.shops.models import Shop

pytestmark = pytest.mark.django_db


def test_every_metric_has_a_glossary_entry_in_both_languages():
    assert set(GLOSSARY) == set(METRIC_KEYS)
    for key, entry in GLOSSARY.items():
        assert entry.zh.strip() and entry.en.strip(), key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.zh), key
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in entry.en), key


def test_the_glossary_text_follows_the_language():
    with translation.override("en"):
        assert glossary_text("csat").startswith("Share of rated conversations")
    with translation.override("zh-hans"):
        assert glossary_text("csat").startswith("有评价的会话中")


def test_the_glossary_page_lists_every_metric(client_for, make_user):
    page = client_for(make_user(Role.AGENT)).get(reverse("dashboards:glossary")).content.decode()
    for metric in METRICS:
        assert f'id="{metric.key}"' in page and metric.zh in page and metric.formula_zh in page
        assert glossary_text(metric.key) in page


def settings_form(shop, **changes) -> dict:
    data = {
        "shop": shop.pk,
        "service_hours": "09:00-24:00",
        "response_within_seconds": "120",
        "service_level_seconds": "20",
        "attribution_extra_days": "2",
        **{f"sla_{kind}": "48" for kind in ("refund", "return", "exchange", "repair", "reship")},
        "sla_refund": "24",
        "target_reply_rate": "95",
        "target_response_time_avg": "60",
        "target_agent_sales": "10000",
    }
    data.update(changes)
    return data


def test_a_supervisor_saves_the_settings_through_the_engine(client_for, make_user, shops):
    shop = shops[0]
    supervisor = make_user(Role.SUPERVISOR, shops=[shop])
    response = client_for(supervisor).post(reverse("dashboards:settings"), settings_form(shop))
    assert response.status_code == 302 and response["Location"].endswith(f"?shop={shop.pk}")
    saved = metric_settings_for(Shop.objects.get(pk=shop.pk))
    assert (saved.service_hours, saved.response_within_seconds, saved.service_level_seconds) == ("09:00-24:00", 120, 20)
    assert saved.attribution_extra_days == 2 and saved.aftersale_sla_hours["refund"] == 24
    # A rate's target is typed as a percentage and stored as a fraction.
    assert saved.targets == {"reply_rate": 0.95, "response_time_avg": 60.0, "agent_sales": 10000.0}
    assert AuditEntry.objects.filter(action="metrics.settings_change", actor=supervisor).count() == 1


def test_the_form_shows_the_saved_settings(client_for, make_user, shops):
    shop = shops[0]
    supervisor = make_user(Role.SUPERVISOR, shops=[shop])
    client = client_for(supervisor)
    client.post(reverse("dashboards:settings"), settings_form(shop))
    form = client.get(reverse("dashboards:settings")).context["form"]
    assert form["target_reply_rate"].value() == 95.0 and form["sla_refund"].value() == 24
    assert form["service_hours"].value() == "09:00-24:00"


def test_an_invalid_setting_shows_the_engines_error_and_saves_nothing(client_for, make_user, shops):
    shop = shops[0]
    client = client_for(make_user(Role.SUPERVISOR, shops=[shop]))
    response = client.post(reverse("dashboards:settings"), settings_form(shop, service_hours="25:00-26:00"))
    assert response.status_code == 200
    assert response.context["form"].errors["service_hours"]
    assert "服务时间格式应为" in response.content.decode()
    assert Shop.objects.get(pk=shop.pk).service_hours == "00:00-24:00"
    assert not AuditEntry.objects.filter(action="metrics.settings_change").exists()


def test_settings_of_another_shop_are_not_found(client_for, make_user, shops):
    client = client_for(make_user(Role.SUPERVISOR, shops=[shops[0]]))
    assert client.get(reverse("dashboards:settings"), {"shop": shops[1].pk}).status_code == 404
    assert client.post(reverse("dashboards:settings"), settings_form(shops[1])).status_code == 404
    assert Shop.objects.get(pk=shops[1].pk).settings == {}
