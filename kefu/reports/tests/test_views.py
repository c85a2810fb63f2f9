"""Report pages: who may see them, the shops they cover, downloads, subscriptions, the log."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kefu.accounts.roles import Role
from kefu.reports.choices import DeliveryStatus
from kefu.reports.models import Delivery, Subscription
from kefu.reports.services import subscription_create

INDEX = reverse("reports:index")
DOWNLOAD = reverse("reports:download")


def test_an_agent_may_not_see_reports(agent_client):
    assert agent_client.get(INDEX).status_code == 403
    assert agent_client.get(DOWNLOAD, {"period": "daily", "date": "2026-11-11", "format": "csv"}).status_code == 403
    assert agent_client.get(reverse("reports:subscription_list")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(INDEX)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_team_lead_reads_reports_but_does_not_subscribe(client_for, team_lead, shop):
    client = client_for(team_lead)
    assert client.get(INDEX, {"period": "daily", "date": "2026-11-11"}).status_code == 200
    assert client.get(reverse("reports:subscription_list")).status_code == 403


def test_the_supervisor_sees_the_weekly_report_with_download_links(supervisor_client, imported):
    response = supervisor_client.get(INDEX, {"period": "weekly", "date": "2026-11-11"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "客服周报 · 2026-11-09 – 2026-11-15" in page
    assert f'{DOWNLOAD}?period=weekly&amp;date=2026-11-11&amp;format=xlsx' in page
    assert 'data-figure="conversations"' in page and 'data-table="agents"' in page


def test_the_page_defaults_to_the_week_of_yesterday(supervisor_client, shop):
    response = supervisor_client.get(INDEX)
    assert response.status_code == 200 and response.context["report"].period.kind == "weekly"


def test_downloads_have_the_right_type_and_name(supervisor_client, imported):
    query = {"period": "weekly", "date": "2026-11-11"}
    xlsx = supervisor_client.get(DOWNLOAD, {**query, "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx["Content-Disposition"] == 'attachment; filename="kefu-weekly-2026-11-09.xlsx"'
    assert load_workbook(BytesIO(xlsx.content)).sheetnames == ["汇总", "按组", "按客服", "按日"]
    assert supervisor_client.get(DOWNLOAD, {**query, "format": "pdf"}).content.startswith(b"%PDF-")
    assert supervisor_client.get(DOWNLOAD, {**query, "format": "csv"})["Content-Type"] == "text/csv; charset=utf-8"


def test_a_bad_download_request_is_a_400(supervisor_client, shop):
    response = supervisor_client.get(DOWNLOAD, {"period": "weekly", "date": "soon", "format": "xlsx"})
    assert response.status_code == 400
    bad_format = supervisor_client.get(DOWNLOAD, {"period": "weekly", "date": "2026-11-11", "format": "doc"})
    assert bad_format.status_code == 400


def test_a_shop_outside_the_users_shops_is_not_found(client_for, make_user, shop, other_shop):
    limited = make_user(Role.SUPERVISOR, shops=[shop])
    client = client_for(limited)
    query = {"period": "daily", "date": "2026-11-11", "format": "csv"}
    assert client.get(DOWNLOAD, {**query, "shop": shop.pk}).status_code == 200
    assert client.get(DOWNLOAD, {**query, "shop": other_shop.pk}).status_code == 404
    assert client.get(DOWNLOAD, {**query, "shop": 999999}).status_code == 404


def test_a_limited_supervisor_gets_only_their_shops(client_for, make_user, shop, other_shop):
    limited = make_user(Role.SUPERVISOR, shops=[shop])
    response = client_for(limited).get(INDEX, {"period": "daily", "date": "2026-11-11"})
    assert response.context["report"].shop_ids == [shop.pk]
    assert list(response.context["form"].fields["shop"].queryset) == [shop]


def test_the_report_page_query_count_stays_bounded(supervisor_client, imported, django_assert_max_num_queries):
    with django_assert_max_num_queries(100):  # constant: the engine groups in SQL, whatever the team size
        supervisor_client.get(INDEX, {"period": "weekly", "date": "2026-11-11"})


def test_a_supervisor_creates_a_subscription(supervisor_client, supervisor, shop):
    response = supervisor_client.post(reverse("reports:subscription_create"), {
        "name": "早报", "period": "daily", "send_time": "09:00", "weekday": "0", "month_day": "1",
        "shops": [shop.pk], "channel": "email", "target": "boss@example.cn", "format": "xlsx",
        "language": "zh-hans", "active": "on",
    })
    assert response.status_code == 302, response.context["form"].errors
    subscription = Subscription.objects.get()
    assert (subscription.owner, subscription.name, list(subscription.shops.all())) == (supervisor, "早报", [shop])
    page = supervisor_client.get(reverse("reports:subscription_list")).content.decode()
    assert "早报" in page and "每天 09:00" in page


def test_a_robot_url_elsewhere_is_a_form_error(supervisor_client):
    response = supervisor_client.post(reverse("reports:subscription_create"), {
        "period": "daily", "send_time": "09:00", "weekday": "0", "month_day": "1", "channel": "dingtalk",
        "target": "http://192.168.1.5/robot/send", "format": "xlsx", "language": "zh-hans", "active": "on",
    })
    assert response.status_code == 200
    assert "oapi.dingtalk.com" in str(response.context["form"].errors["target"])
    assert not Subscription.objects.exists()


def test_editing_keeps_the_stored_secret_when_left_blank(supervisor_client, supervisor, settings):
    settings.KEFU_WEBHOOK_HOSTS = ["127.0.0.1"]
    subscription = subscription_create(owner=supervisor, channel="dingtalk", secret="SEC-keep",
                                       target="http://127.0.0.1/robot/send?access_token=t")
    response = supervisor_client.post(reverse("reports:subscription_edit", args=[subscription.pk]), {
        "period": "weekly", "send_time": "08:30", "weekday": "0", "month_day": "1", "channel": "dingtalk",
        "target": "http://127.0.0.1/robot/send?access_token=t", "secret": "", "format": "pdf",
        "language": "zh-hans", "active": "on",
    })
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.period, subscription.secret) == ("weekly", "SEC-keep")


def test_someone_elses_subscription_is_not_found(client_for, make_user, supervisor):
    subscription = subscription_create(owner=supervisor, channel="email", target="boss@example.cn")
    other = client_for(make_user(Role.SUPERVISOR))
    assert other.get(reverse("reports:subscription_edit", args=[subscription.pk])).status_code == 404
    assert other.post(reverse("reports:subscription_delete", args=[subscription.pk])).status_code == 404


def test_the_delivery_log_shows_failures_and_retries(supervisor_client, supervisor, django_capture_on_commit_callbacks):
    subscription = subscription_create(owner=supervisor, channel="email", target="boss@example.cn")
    from django.utils import timezone

    delivery = Delivery.objects.create(subscription=subscription, scheduled_for=timezone.now(),
                                       period_start=timezone.localdate(), status=DeliveryStatus.FAILED, attempts=4,
                                       last_error="HTTP 500 Internal Server Error")
    page = supervisor_client.get(reverse("reports:delivery_list")).content.decode()
    assert "HTTP 500 Internal Server Error" in page and 'data-action="retry"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_client.post(reverse("reports:delivery_retry", args=[delivery.pk]),
                                          {"next": "https://evil.example.com/"})
    assert response["Location"] == reverse("reports:delivery_list")  # never off-site
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


@pytest.mark.parametrize("name", ["subscription_list", "delivery_list", "subscription_create"])
def test_subscription_pages_render(supervisor_client, name):
    assert supervisor_client.get(reverse(f"reports:{name}")).status_code == 200


def test_the_page_speaks_english_when_chosen(supervisor_client, shop):
    supervisor_client.cookies["django_language"] = "en"
    page = supervisor_client.get(INDEX, {"period": "monthly", "date": "2026-11-11"}).content.decode()
    assert "Monthly service report · 2026-11" in page and "Conversations" in page and "Show report" in page
