"""The inbox API: the caller's own notifications, marking one read, the forbidden cases."""

from kefu.notify.models import Notification
from kefu.notify.services import notify

URL = "/api/v1/notifications"


def test_the_inbox_api_lists_the_callers_notifications(agent_client, agent_user, other_agent_user,
                                                      django_assert_max_num_queries):
    notify(event="notify.test", title="一", body="正文", link="/x/", recipients=[agent_user])
    notify(event="notify.test", title="二", recipients=[agent_user])
    notify(event="notify.test", title="别人的", recipients=[other_agent_user])
    with django_assert_max_num_queries(6):
        body = agent_client.get(URL).json()
    assert body["count"] == 2 and body["unread"] == 2
    assert [item["title"] for item in body["items"]] == ["二", "一"]
    assert body["items"][1]["body"] == "正文" and body["items"][1]["read_at"] is None


def test_marking_one_read(agent_client, agent_user):
    [notification] = notify(event="notify.test", title="一", recipients=[agent_user])
    response = agent_client.post(f"{URL}/{notification.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"]
    assert agent_client.get(URL, {"unread_only": True}).json() == {"count": 0, "unread": 0, "items": []}


def test_someone_elses_notification_is_a_404(agent_client, other_agent_user):
    [notification] = notify(event="notify.test", title="x", recipients=[other_agent_user])
    response = agent_client.post(f"{URL}/{notification.pk}/read")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert Notification.objects.get().read_at is None


def test_without_a_session_it_is_a_401(client):
    assert client.get(URL).status_code == 401
