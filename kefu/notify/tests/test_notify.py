"""notify(): who gets what (preferences, their defaults), deduplication, e-mail, skipped
addressees."""

import pytest
from django.core import mail

from kefu.notify.choices import SendChannel, SendStatus
from kefu.notify.events import EVENTS, event_register
from kefu.notify.models import Notification, RobotEndpoint, Send
from kefu.notify.services import notify, preferences_save
from kefu.notify.tests.receivers import RobotReceiver


@pytest.fixture(autouse=True)
def events():
    event_register("test.quiet", "Quiet event")  # in-app only, the default
    event_register("test.loud", "Loud event", default_channels=("in_app", "email"))
    yield
    EVENTS.pop("test.quiet"), EVENTS.pop("test.loud")


def test_defaults_come_from_the_event_registry(agent_user):
    agent_user.email = "xiaomei@example.cn"
    agent_user.save()
    notify(event="test.quiet", title="Hello", recipients=[agent_user])
    assert Notification.objects.filter(recipient=agent_user).count() == 1
    assert not Send.objects.exists()
    notify(event="test.loud", title="Loud", recipients=[agent_user])
    assert Notification.objects.filter(recipient=agent_user).count() == 2
    assert Send.objects.get().target == "xiaomei@example.cn"


def test_a_persons_choice_overrides_the_defaults(agent_user, other_agent_user):
    agent_user.email, other_agent_user.email = "a@example.cn", "b@example.cn"
    agent_user.save(), other_agent_user.save()
    preferences_save(user=agent_user, choices={"test.loud": {"in_app": False}, "test.quiet": {"email": True}})
    notify(event="test.loud", title="Loud", recipients=[agent_user, other_agent_user])
    notify(event="test.quiet", title="Quiet", recipients=[agent_user, other_agent_user])
    assert list(Notification.objects.filter(recipient=agent_user).values_list("title", flat=True)) == ["Quiet"]
    assert Notification.objects.filter(recipient=other_agent_user).count() == 2
    assert sorted(Send.objects.values_list("target", "title")) == [
        ("a@example.cn", "Loud"), ("a@example.cn", "Quiet"), ("b@example.cn", "Loud")
    ]


def test_the_same_dedupe_key_tells_each_addressee_once(agent_user, other_agent_user):
    first = notify(event="test.quiet", title="SLA near", recipients=[agent_user], dedupe_key="ticket:7:near")
    again = notify(event="test.quiet", title="SLA near", recipients=[agent_user, other_agent_user],
                   dedupe_key="ticket:7:near")
    assert len(first) == 1 and [n.recipient for n in again] == [other_agent_user]
    other = notify(event="test.quiet", title="SLA breached", recipients=[agent_user], dedupe_key="ticket:7:breached")
    assert len(other) == 1 and Notification.objects.count() == 3


def test_a_dedupe_key_also_guards_robots(supervisor, make_robot):
    with RobotReceiver("wecom") as receiver:
        robot = make_robot(receiver)
        assert len(notify(event="test.quiet", title="x", robots=[robot.pk], dedupe_key="k")) == 1
        assert notify(event="test.quiet", title="x", robots=[robot], dedupe_key="k") == []


def test_an_email_goes_out_after_commit_and_is_logged(agent_user, django_capture_on_commit_callbacks):
    agent_user.email = "xiaomei@example.cn"
    agent_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="test.loud", title="工单已升级", body="订单 1001 的退款工单已升级。", link="/tickets/1/",
               recipients=[agent_user])
    [message] = mail.outbox
    assert message.to == ["xiaomei@example.cn"] and message.subject == "工单已升级"
    assert "订单 1001" in message.body and "https://kefu.example.cn/tickets/1/" in message.body
    send = Send.objects.get()
    assert (send.channel, send.status, send.attempts, send.recipient) == (SendChannel.EMAIL, SendStatus.SENT, 1,
                                                                          agent_user)


def test_nothing_leaves_before_the_transaction_commits(agent_user, django_capture_on_commit_callbacks):
    agent_user.email = "xiaomei@example.cn"
    agent_user.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(event="test.loud", title="Later", recipients=[agent_user])
    assert len(callbacks) == 1 and mail.outbox == []
    assert Send.objects.get().status == SendStatus.PENDING


def test_no_address_no_email_and_inactive_people_get_nothing(agent_user, other_agent_user):
    agent_user.email = ""
    agent_user.save()
    other_agent_user.email, other_agent_user.is_active = "b@example.cn", False
    other_agent_user.save()
    created = notify(event="test.loud", title="x", recipients=[agent_user, other_agent_user])
    assert [type(row) for row in created] == [Notification]
    assert not Send.objects.exists()


def test_an_inactive_robot_is_skipped(supervisor, make_robot):
    with RobotReceiver("dingtalk") as receiver:
        robot = make_robot(receiver, active=False)
        assert notify(event="test.quiet", title="x", robots=[robot]) == []


def test_a_robot_follows_the_preference_of_whoever_set_it_up(supervisor, make_robot):
    with RobotReceiver("feishu") as receiver:
        robot = make_robot(receiver)
        assert len(notify(event="test.quiet", title="on by default", robots=[robot])) == 1
        preferences_save(user=supervisor, choices={"test.quiet": {"robot": False}})
        assert notify(event="test.quiet", title="turned off", robots=[robot]) == []
        RobotEndpoint.objects.filter(pk=robot.pk).update(created_by=None)
        assert len(notify(event="test.quiet", title="no owner: default", robots=[robot.pk])) == 1


def test_an_unregistered_event_is_a_programming_error(agent_user):
    with pytest.raises(ValueError, match="unregistered"):
        notify(event="nobody.registered.this", title="x", recipients=[agent_user])


def test_recipients_may_be_ids_and_are_told_once(agent_user):
    created = notify(event="test.quiet", title="x", recipients=[agent_user, agent_user.pk])
    assert len(created) == 1
