"""Notification pages: the bell, the inbox, preferences; robots and the send log for
supervisors and administrators only."""

import pytest
from django.urls import reverse

from kefu.notify.choices import SendStatus
from kefu.notify.models import Notification, NotificationPreference, RobotEndpoint, Send
from kefu.notify.services import notify
from kefu.notify.tests.receivers import RobotReceiver

INBOX = reverse("notify:inbox")


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_bell_shows_the_unread_count(agent_client, agent_user):
    notify(event="notify.test", title="一", recipients=[agent_user])
    notify(event="notify.test", title="二", recipients=[agent_user])
    html = agent_client.get(reverse("notify:preferences")).content.decode()
    assert 'data-unread="2"' in html and f'href="{INBOX}"' in html


def test_the_inbox_lists_unread_first_and_only_ones_own(agent_client, agent_user, other_agent_user):
    [old] = notify(event="notify.test", title="旧通知", recipients=[agent_user])
    notify(event="notify.test", title="新通知", recipients=[agent_user])
    notify(event="notify.test", title="别人的", recipients=[other_agent_user])
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    notify(event="notify.test", title="最新已读", recipients=[agent_user])
    Notification.objects.filter(title="最新已读").update(read_at=old.created_at)
    response = agent_client.get(INBOX)
    titles = [n.title for n in response.context["page"].object_list]
    assert titles == ["新通知", "最新已读", "旧通知"]
    assert "别人的" not in response.content.decode()


def test_the_inbox_has_a_query_ceiling(agent_client, agent_user, django_assert_max_num_queries):
    for i in range(30):
        notify(event="notify.test", title=f"通知 {i}", recipients=[agent_user])
    with django_assert_max_num_queries(12):
        assert agent_client.get(INBOX).status_code == 200


def test_opening_a_notification_marks_it_read_and_follows_its_link(agent_client, agent_user):
    [notification] = notify(event="notify.test", title="x", link="/conversations/", recipients=[agent_user])
    response = agent_client.get(reverse("notify:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/conversations/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_an_outside_link_is_not_followed(agent_client, agent_user):
    [notification] = notify(event="notify.test", title="x", link="https://evil.example/", recipients=[agent_user])
    assert agent_client.get(reverse("notify:open", args=[notification.pk]))["Location"] == INBOX


def test_someone_elses_notification_is_not_found(agent_client, other_agent_user):
    [notification] = notify(event="notify.test", title="x", recipients=[other_agent_user])
    assert agent_client.get(reverse("notify:open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(agent_client, agent_user, other_agent_user):
    notify(event="notify.test", title="x", recipients=[agent_user, other_agent_user])
    notify(event="notify.test", title="y", recipients=[agent_user])
    assert agent_client.post(reverse("notify:read_all")).status_code == 302
    assert not Notification.objects.filter(recipient=agent_user, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other_agent_user, read_at__isnull=True).count() == 1


def test_preferences_list_the_registered_events_and_save(agent_client, agent_user):
    page = agent_client.get(reverse("notify:preferences")).content.decode()
    assert 'data-event="notify.test"' in page and "notify.test__email" in page
    assert "notify.test__robot" not in page  # agents set up no robots
    response = agent_client.post(reverse("notify:preferences"), {"notify.test__in_app": "on"})
    assert response.status_code == 302
    row = NotificationPreference.objects.get(user=agent_user, event="notify.test")
    assert (row.in_app, row.email, row.robot) == (True, False, True)


def test_an_agent_may_not_manage_robots_or_read_the_send_log(agent_client, supervisor):
    robot = RobotEndpoint.objects.create(name="x", channel="wecom", url="http://127.0.0.1:9/", created_by=supervisor)
    send = Send.objects.create(channel="wecom", target="x", robot=robot, event="notify.test", title="x",
                               status=SendStatus.FAILED)
    assert agent_client.get(reverse("notify:robot_list")).status_code == 403
    assert agent_client.get(reverse("notify:robot_create")).status_code == 403
    assert agent_client.post(reverse("notify:robot_test", args=[robot.pk])).status_code == 403
    assert agent_client.post(reverse("notify:robot_deactivate", args=[robot.pk])).status_code == 403
    assert agent_client.get(reverse("notify:send_list")).status_code == 403
    assert agent_client.post(reverse("notify:send_retry", args=[send.pk])).status_code == 403
    assert 'href="/notifications/robots/"' not in agent_client.get(INBOX).content.decode()


def test_a_team_lead_may_not_either(client_for, team_lead):
    assert client_for(team_lead).get(reverse("notify:robot_list")).status_code == 403


def test_a_supervisor_adds_a_robot_and_sends_a_test(supervisor_client, django_capture_on_commit_callbacks):
    with RobotReceiver("feishu", secret="fs-secret") as receiver:
        response = supervisor_client.post(reverse("notify:robot_create"), {
            "name": "售后群", "channel": "feishu", "url": receiver.url, "secret": "fs-secret", "active": "on",
        })
        assert response.status_code == 302, response.context["form"].errors
        robot = RobotEndpoint.objects.get()
        assert robot.secret == "fs-secret"
        page = supervisor_client.get(reverse("notify:robot_list")).content.decode()
        assert "售后群" in page and "fs-secret" not in page and "fs-hook" not in page
        with django_capture_on_commit_callbacks(execute=True):
            response = supervisor_client.post(reverse("notify:robot_test", args=[robot.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notify:send_list")
    assert len(receiver.requests) == 1
    [send] = supervisor_client.get(response["Location"]).context["page"].object_list
    assert (send.status, send.robot, send.event) == (SendStatus.SENT, robot, "notify.test")


def test_editing_a_robot_with_a_blank_secret_keeps_it(supervisor_client, make_robot):
    with RobotReceiver("dingtalk") as receiver:
        robot = make_robot(receiver, secret="SEC-keep")
        response = supervisor_client.post(reverse("notify:robot_edit", args=[robot.pk]), {
            "name": "改名", "channel": "dingtalk", "url": receiver.url, "secret": "", "active": "on",
        })
    assert response.status_code == 302
    robot.refresh_from_db()
    assert (robot.name, robot.secret) == ("改名", "SEC-keep")


def test_a_bad_webhook_is_a_form_error(supervisor_client, settings):
    settings.KEFU_WEBHOOK_HOSTS = None
    response = supervisor_client.post(reverse("notify:robot_create"), {
        "name": "x", "channel": "dingtalk", "url": "http://10.0.0.8/robot/send", "active": "on",
    })
    assert response.status_code == 200 and "oapi.dingtalk.com" in str(response.context["form"].errors["url"])
    assert not RobotEndpoint.objects.exists()


def test_deactivating_a_robot(supervisor_client, make_robot):
    with RobotReceiver("wecom") as receiver:
        robot = make_robot(receiver)
    supervisor_client.post(reverse("notify:robot_deactivate", args=[robot.pk]))
    robot.refresh_from_db()
    assert robot.active is False


def test_the_send_log_highlights_failures_and_retries_them(supervisor_client, make_robot,
                                                            django_capture_on_commit_callbacks):
    with RobotReceiver("wecom") as receiver:
        robot = make_robot(receiver)
        notify(event="notify.test", title="x", robots=[robot])  # after commit never comes: still pending
        Send.objects.update(status=SendStatus.FAILED, attempts=4, last_error="HTTP 500 Internal Server Error")
        send = Send.objects.get()
        page = supervisor_client.get(reverse("notify:send_list")).content.decode()
        assert 'class="row-failed"' in page and "HTTP 500" in page and 'data-action="retry"' in page
        with django_capture_on_commit_callbacks(execute=True):
            response = supervisor_client.post(reverse("notify:send_retry", args=[send.pk]),
                                              {"next": reverse("notify:send_list") + "?status=failed"})
    assert response.status_code == 302 and response["Location"].endswith("?status=failed")
    send.refresh_from_db()
    assert send.status == SendStatus.SENT and len(receiver.requests) == 1


def test_a_supervisor_sees_only_the_robots_of_their_shops(client_for, make_user, shop, other_shop, admin_user):
    from kefu.accounts.roles import Role

    lead = make_user(Role.SUPERVISOR, shops=[shop], username="shop1boss")
    with RobotReceiver("wecom") as receiver:
        from kefu.notify.services import robot_endpoint_create

        mine = robot_endpoint_create(actor=admin_user, name="一号店群", channel="wecom", url=receiver.url, shop=shop)
        theirs = robot_endpoint_create(actor=admin_user, name="二号店群", channel="wecom", url=receiver.url,
                                       shop=other_shop)
    client = client_for(lead)
    page = client.get(reverse("notify:robot_list")).content.decode()
    assert "一号店群" in page and "二号店群" not in page
    assert client.get(reverse("notify:robot_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notify:robot_edit", args=[mine.pk])).status_code == 200


@pytest.mark.parametrize("language, text", [("zh-hans", "通知"), ("en", "Notifications")])
def test_the_inbox_is_translated(agent_client, language, text):
    agent_client.cookies["django_language"] = language
    assert f"<h1>{text}</h1>" in agent_client.get(INBOX).content.decode()
