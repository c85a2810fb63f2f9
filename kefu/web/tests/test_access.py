"""Every page sends an anonymous visitor to the login page; login and logout work."""

import pytest
from django.urls import reverse

from kefu.accounts.tests.factories import PASSWORD
from kefu.core.testing.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_urls(shop):
    conversation = ConversationFactory(shop=shop)
    return [
        reverse("home"),
        reverse("conversation_list"),
        reverse("conversation_detail", args=[conversation.pk]),
        reverse("customer_detail", args=[conversation.customer.pk]),
    ]


def test_anonymous_is_redirected_to_login_on_every_page(client, page_urls):
    for url in page_urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_post_to_reveal_is_redirected_to_login(client, shop):
    customer = ConversationFactory(shop=shop).customer
    response = client.post(reverse("customer_reveal", args=[customer.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_anonymous_admin_is_redirected_to_admin_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_login_page_renders_in_chinese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html


def test_login_then_home(client, supervisor):
    response = client.post(reverse("login"), {"username": "zhuguan", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_stays_on_login(client, supervisor):
    response = client.post(reverse("login"), {"username": "zhuguan", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(supervisor_client):
    assert supervisor_client.get(reverse("logout")).status_code == 405
    response = supervisor_client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert supervisor_client.get(reverse("home")).status_code == 302
