"""Group robots on loopback: each platform gets its payload with a valid signature; a
failing robot is retried with back-off, then the send is failed until a person retries."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from kefu.core.errors import ValidationError
from kefu.notify.choices import SendStatus
from kefu.notify.models import Send
from kefu.notify.services import notify, notify_tick, robot_endpoint_create, robot_endpoint_test, send_retry
from kefu.notify.tests.receivers import RobotReceiver


def send_to(robot, run, **fields):
    fields = {"event": "notify.test", "title": "工单升级", "body": "退款工单 #12 已升级", "link": "/tickets/12/"} | fields
    with run(execute=True):
        notify(robots=[robot], **fields)
    return Send.objects.get(robot=robot)


def test_a_signed_dingtalk_robot_accepts_the_message(make_robot, django_capture_on_commit_callbacks):
    with RobotReceiver("dingtalk", secret="SEC-dingtalk") as receiver:
        robot = make_robot(receiver, secret="SEC-dingtalk")
        send = send_to(robot, django_capture_on_commit_callbacks)
    assert send.status == SendStatus.SENT, send.last_error
    [request] = receiver.requests
    assert set(request["query"]) == {"access_token", "timestamp", "sign"}  # signed
    markdown = request["body"]["markdown"]
    assert markdown["title"] == "工单升级" and "退款工单 #12 已升级" in markdown["text"]
    assert "(https://kefu.example.cn/tickets/12/)" in markdown["text"]


def test_a_wrong_dingtalk_secret_is_refused_and_logged(make_robot, django_capture_on_commit_callbacks):
    with RobotReceiver("dingtalk", secret="SEC-right") as receiver:
        robot = make_robot(receiver, secret="SEC-wrong")
        send = send_to(robot, django_capture_on_commit_callbacks)
    assert (send.status, send.attempts) == (SendStatus.PENDING, 1)
    assert "sign not match" in send.last_error


def test_a_signed_feishu_robot_accepts_the_message(make_robot, django_capture_on_commit_callbacks):
    with RobotReceiver("feishu", secret="feishu-secret") as receiver:
        robot = make_robot(receiver, secret="feishu-secret")
        send = send_to(robot, django_capture_on_commit_callbacks)
    assert send.status == SendStatus.SENT, send.last_error
    body = receiver.requests[0]["body"]
    assert body["sign"] and body["timestamp"]
    assert body["card"]["header"]["title"]["content"] == "工单升级"
    assert "退款工单 #12 已升级" in body["card"]["elements"][0]["content"]


def test_a_wecom_robot_gets_markdown(make_robot, django_capture_on_commit_callbacks):
    with RobotReceiver("wecom", key="wecom-key") as receiver:
        robot = make_robot(receiver)
        send = send_to(robot, django_capture_on_commit_callbacks)
    assert send.status == SendStatus.SENT, send.last_error
    assert receiver.requests[0]["body"]["markdown"]["content"].startswith("#### 工单升级")


def test_the_log_names_the_robot_without_its_token(make_robot, django_capture_on_commit_callbacks):
    with RobotReceiver("wecom", key="very-secret-key") as receiver:
        robot = make_robot(receiver, name="售后群")
        send = send_to(robot, django_capture_on_commit_callbacks)
    assert send.target == "售后群 (127.0.0.1)" and "very-secret-key" not in send.target + send.response


def test_urls_and_secrets_are_stored_encrypted(make_robot):
    with RobotReceiver("dingtalk") as receiver:
        robot = make_robot(receiver, secret="SEC-very-secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT url, secret FROM notify_robotendpoint WHERE id = %s", [robot.pk])
        url, secret = cursor.fetchone()
    assert url.startswith("enc1:") and secret.startswith("enc1:") and "dt-token" not in url


def test_a_robot_webhook_must_point_at_the_platform(settings, supervisor):
    settings.KEFU_WEBHOOK_HOSTS = None
    with pytest.raises(ValidationError, match="qyapi.weixin.qq.com"):
        robot_endpoint_create(actor=supervisor, name="x", channel="wecom", url="http://10.0.0.8/cgi-bin/webhook/send")
    robot = robot_endpoint_create(actor=supervisor, name="x", channel="wecom",
                                  url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    assert urlsplit(robot.url).hostname == "qyapi.weixin.qq.com"


def _tick(run, at):
    with run(execute=True):
        notify_tick(now=at)
    return Send.objects.get()


def test_a_failing_robot_is_retried_after_1_and_5_minutes_then_succeeds(make_robot,
                                                                         django_capture_on_commit_callbacks):
    run = django_capture_on_commit_callbacks
    with RobotReceiver("wecom", status=500) as receiver:
        robot = make_robot(receiver)
        start = timezone.now()
        send = send_to(robot, run)
        assert (send.status, send.attempts) == (SendStatus.PENDING, 1) and "HTTP 500" in send.last_error
        assert timedelta(seconds=55) < send.next_attempt_at - start < timedelta(seconds=65)
        assert _tick(run, start + timedelta(seconds=30)).attempts == 1  # not yet due
        send = _tick(run, start + timedelta(minutes=1, seconds=5))
        assert (send.status, send.attempts) == (SendStatus.PENDING, 2)
        # The task runs now (the tick only decides what is due): 5 minutes from this attempt.
        assert timedelta(minutes=4, seconds=55) < send.next_attempt_at - start < timedelta(minutes=5, seconds=10)
        receiver.status = 200  # the platform is back
        send = _tick(run, start + timedelta(minutes=7))
    assert (send.status, send.attempts, send.last_error) == (SendStatus.SENT, 3, "")
    assert len(receiver.requests) == 3


def test_after_the_last_attempt_the_send_has_failed(make_robot, django_capture_on_commit_callbacks):
    run = django_capture_on_commit_callbacks
    with RobotReceiver("feishu", status=502) as receiver:
        robot = make_robot(receiver)
        start = timezone.now()
        send_to(robot, run)
        _tick(run, start + timedelta(minutes=2))
        _tick(run, start + timedelta(minutes=8))
        send = _tick(run, start + timedelta(minutes=40))
        assert (send.status, send.attempts, send.next_attempt_at) == (SendStatus.FAILED, 4, None)
        assert _tick(run, start + timedelta(hours=5)).attempts == 4  # failed stays failed
    assert len(receiver.requests) == 4


def test_a_person_retries_a_failed_send(make_robot, supervisor, django_capture_on_commit_callbacks):
    with RobotReceiver("wecom") as receiver:
        robot = make_robot(receiver)
        with django_capture_on_commit_callbacks(execute=False):
            notify(event="notify.test", title="x", robots=[robot])
        Send.objects.update(status=SendStatus.FAILED, attempts=4, last_error="HTTP 500")
        with django_capture_on_commit_callbacks(execute=True):
            send_retry(send=Send.objects.get(), actor=supervisor)
    send = Send.objects.get()
    assert (send.status, send.attempts, send.last_error) == (SendStatus.SENT, 5, "")
    assert len(receiver.requests) == 1


def test_a_robot_deactivated_while_queued_gets_nothing(make_robot, django_capture_on_commit_callbacks):
    with RobotReceiver("wecom") as receiver:
        robot = make_robot(receiver)
        with django_capture_on_commit_callbacks(execute=False):
            notify(event="notify.test", title="x", robots=[robot])
        robot.active = False
        robot.save()
        send = _tick(django_capture_on_commit_callbacks, timezone.now() + timedelta(minutes=20))
    assert send.status == SendStatus.FAILED and receiver.requests == []


def test_send_test_posts_to_the_robot(make_robot, supervisor, django_capture_on_commit_callbacks):
    with RobotReceiver("dingtalk", secret="SEC-x") as receiver:
        robot = make_robot(receiver, secret="SEC-x", name="客服主管群")
        with django_capture_on_commit_callbacks(execute=True):
            send = robot_endpoint_test(robot=robot, actor=supervisor)
    send.refresh_from_db()
    assert send.status == SendStatus.SENT and send.event == "notify.test"
    assert "客服主管群" in receiver.requests[0]["body"]["markdown"]["text"]


def test_the_worker_ticks_notify_every_minute(settings):
    assert "kefu.notify.services.notify_tick" in settings.KEFU_PERIODIC
