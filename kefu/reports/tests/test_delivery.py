"""Scheduled delivery: robots on loopback verify the signatures, a failing robot is retried
with backoff and then shown as failed, e-mail carries the file, scheduling is idempotent."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, connection
from django.utils import timezone

from kefu.accounts.roles import Role
from kefu.core.errors import ValidationError
from kefu.notify.tests.receivers import RobotReceiver
from kefu.reports.choices import DeliveryStatus
from kefu.reports.models import Delivery, Subscription
from kefu.reports.services import (
    delivery_retry,
    reports_tick,
    subscription_create,
    subscription_send_now,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _loopback_robots(settings):
    settings.KEFU_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.KEFU_BASE_URL = "https://kefu.example.cn"


@pytest.fixture
def subscribe(supervisor, shop):
    def make(**fields):
        fields.setdefault("period", "daily")
        return subscription_create(owner=supervisor, shops=[shop], **fields)

    return make


def send_now(subscription, run):
    with run(execute=True):
        delivery = subscription_send_now(subscription=subscription, actor=subscription.owner)
    delivery.refresh_from_db()
    return delivery


def test_a_signed_dingtalk_robot_accepts_the_report(subscribe, django_capture_on_commit_callbacks):
    with RobotReceiver("dingtalk", secret="SEC-dingtalk-secret") as robot:
        subscription = subscribe(channel="dingtalk", target=robot.url, secret="SEC-dingtalk-secret")
        delivery = send_now(subscription, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.SENT, delivery.last_error
    assert delivery.attempts == 1 and '"errcode": 0' in delivery.response
    [request] = robot.requests
    text = request["body"]["markdown"]["text"]
    assert "客服日报" in text and "咨询量" in text
    assert "https://kefu.example.cn/reports/?period=daily&date=" in text


def test_a_wrong_dingtalk_secret_is_refused_and_logged(subscribe, django_capture_on_commit_callbacks):
    with RobotReceiver("dingtalk", secret="SEC-right") as robot:
        subscription = subscribe(channel="dingtalk", target=robot.url, secret="SEC-wrong")
        delivery = send_now(subscription, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "sign not match" in delivery.last_error


def test_a_signed_feishu_robot_accepts_the_report(subscribe, django_capture_on_commit_callbacks):
    with RobotReceiver("feishu", secret="feishu-secret") as robot:
        subscription = subscribe(channel="feishu", target=robot.url, secret="feishu-secret", period="weekly")
        delivery = send_now(subscription, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.SENT, delivery.last_error
    [request] = robot.requests
    assert request["body"]["card"]["header"]["title"]["content"].startswith("客服周报")
    assert "period=weekly" in request["body"]["card"]["elements"][0]["content"]


def test_a_wecom_robot_gets_markdown(subscribe, django_capture_on_commit_callbacks):
    with RobotReceiver("wecom", key="wecom-key") as robot:
        subscription = subscribe(channel="wecom", target=robot.url, period="monthly")
        delivery = send_now(subscription, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.SENT, delivery.last_error
    assert robot.requests[0]["body"]["markdown"]["content"].startswith("### 客服月报")


def test_email_carries_the_report_file(subscribe, django_capture_on_commit_callbacks):
    subscription = subscribe(channel="email", target="boss@example.cn; lead@example.cn", format="pdf")
    delivery = send_now(subscription, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.SENT, delivery.last_error
    [message] = mail.outbox
    assert message.to == ["boss@example.cn", "lead@example.cn"]
    assert message.subject.startswith("客服日报 · ")
    [(name, content, mimetype)] = message.attachments
    assert name.startswith("kefu-daily-") and name.endswith(".pdf") and mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    assert "https://kefu.example.cn/reports/" in message.body


def test_a_failing_robot_is_retried_after_1_5_and_30_minutes_then_failed(subscribe, django_capture_on_commit_callbacks):
    with RobotReceiver("wecom", status=500) as robot:
        # Weekly, three days from now: no other run falls within the test's next hours.
        weekday = (timezone.localdate().weekday() + 3) % 7
        subscription = subscribe(channel="wecom", target=robot.url, period="weekly", weekday=weekday)
        start = timezone.now()
        Delivery.objects.create(subscription=subscription, scheduled_for=start, next_attempt_at=start,
                                period_start=timezone.localdate() - timedelta(days=7))

        def tick(at):
            with django_capture_on_commit_callbacks(execute=True):
                reports_tick(now=at)
            return Delivery.objects.get()

        delivery = tick(start)
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert "HTTP 500" in delivery.last_error
        assert timedelta(seconds=55) < delivery.next_attempt_at - start < timedelta(seconds=65)
        assert tick(start + timedelta(seconds=30)).attempts == 1  # not yet due
        delivery = tick(start + timedelta(minutes=1, seconds=5))
        assert delivery.attempts == 2
        assert timedelta(minutes=4) < delivery.next_attempt_at - start < timedelta(minutes=6, seconds=10)
        delivery = tick(start + timedelta(minutes=7))
        assert delivery.attempts == 3
        delivery = tick(start + timedelta(minutes=40))
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 4, None)
        assert tick(start + timedelta(hours=5)).attempts == 4  # failed stays failed
        assert len(robot.requests) == 4


def test_a_person_retries_a_failed_delivery(subscribe, supervisor, django_capture_on_commit_callbacks):
    with RobotReceiver("wecom") as robot:
        subscription = subscribe(channel="wecom", target=robot.url)
        delivery = Delivery.objects.create(subscription=subscription, scheduled_for=timezone.now(),
                                           period_start=timezone.localdate(), status=DeliveryStatus.FAILED,
                                           attempts=4, last_error="HTTP 500")
        with django_capture_on_commit_callbacks(execute=True):
            delivery_retry(delivery=delivery, actor=supervisor)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 5, "")
    assert len(robot.requests) == 1


def test_ticking_twice_creates_one_delivery_per_scheduled_time(subscribe):
    subscription = subscribe(channel="email", target="boss@example.cn", send_time=time(9, 0))
    Subscription.objects.filter(pk=subscription.pk).update(starts_at=datetime(2026, 11, 1, tzinfo=SHANGHAI))
    now = datetime(2026, 11, 11, 9, 0, 30, tzinfo=SHANGHAI)
    assert reports_tick(now=now)["created"] == 1
    assert reports_tick(now=now + timedelta(seconds=60))["created"] == 0
    delivery = Delivery.objects.get()
    assert delivery.scheduled_for == datetime(2026, 11, 11, 9, 0, tzinfo=SHANGHAI)
    assert delivery.period_start.isoformat() == "2026-11-10"  # yesterday's report
    with pytest.raises(IntegrityError):
        Delivery.objects.create(subscription=subscription, scheduled_for=delivery.scheduled_for,
                                period_start=delivery.period_start)


def test_a_new_subscription_does_not_send_for_times_before_it_existed(subscribe):
    subscribe(channel="email", target="boss@example.cn", send_time=time(0, 0))
    assert reports_tick()["created"] == 0


def test_a_robot_webhook_must_point_at_the_platform(settings, supervisor):
    settings.KEFU_WEBHOOK_HOSTS = None
    with pytest.raises(ValidationError, match="oapi.dingtalk.com"):
        subscription_create(owner=supervisor, channel="dingtalk", target="http://10.0.0.8/robot/send")
    created = subscription_create(owner=supervisor, channel="dingtalk",
                                  target="https://oapi.dingtalk.com/robot/send?access_token=abc")
    assert created.pk


def test_targets_and_secrets_are_stored_encrypted(subscribe):
    subscription = subscribe(channel="dingtalk", target="http://127.0.0.1:9/robot/send?access_token=tok",
                             secret="SEC-very-secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT target, secret FROM reports_subscription WHERE id = %s", [subscription.pk])
        target, secret = cursor.fetchone()
    assert target.startswith("enc1:") and secret.startswith("enc1:") and "tok" not in target
    assert Subscription.objects.get().secret == "SEC-very-secret"


def test_an_owner_who_lost_the_role_gets_nothing(subscribe, supervisor, django_capture_on_commit_callbacks):
    subscription = subscribe(channel="email", target="boss@example.cn")
    supervisor.groups.clear()
    subscription.owner = type(supervisor).objects.get(pk=supervisor.pk)  # no cached roles
    delivery = send_now(subscription, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.FAILED and "无权接收" in delivery.last_error
    assert mail.outbox == []
    assert Role.SUPERVISOR  # the role existed; it was taken away
