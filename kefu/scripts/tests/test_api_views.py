"""The script API and pages: who sees and does what."""

import pytest
from django.urls import reverse

from kefu.scripts import services
from kefu.scripts.choices import Scope, Status
from kefu.scripts.models import Category, Script, ScriptUse

pytestmark = pytest.mark.django_db


def test_api_suggest_and_use(client_for, agent_user, shop):
    client = client_for(agent_user)
    data = client.get("/api/v1/scripts/suggest", {"text": "退款什么时候到账", "shop_id": shop.ext_id}).json()
    top = data["items"][0]
    assert top["category"] == "退换货"
    response = client.post(f"/api/v1/scripts/{top['id']}/use", {}, content_type="application/json")
    assert response.status_code == 201 and ScriptUse.objects.filter(user=agent_user).count() == 1


def test_api_list_renders_variables(client_for, agent_user):
    items = client_for(agent_user).get("/api/v1/scripts", {"search": "欢迎"}).json()["items"]
    assert items and "小美" in items[0]["text"] and "客户昵称" in items[0]["missing"]


def test_api_forbidden_without_permission(client_for, logistics_user):
    assert client_for(logistics_user).get("/api/v1/scripts").status_code == 403


def test_api_cannot_use_another_agents_personal_script(client_for, agent_user, other_agent_user):
    category = Category.objects.get(key="other", shop__isnull=True)
    mine = services.script_create(actor=agent_user, category=category, title="私人", body="x", scope=Scope.PERSONAL)
    assert client_for(other_agent_user).post(f"/api/v1/scripts/{mine.pk}/use", {},
                                             content_type="application/json").status_code == 404


def test_pages(client_for, agent_user, team_lead, django_assert_max_num_queries):
    client = client_for(agent_user)
    with django_assert_max_num_queries(15):
        assert "欢迎语" in client.get(reverse("scripts:list"), {"q": "欢迎"}).content.decode()
    script = Script.objects.get(title="欢迎语")
    assert client.get(reverse("scripts:detail", args=[script.pk])).status_code == 200
    assert client.get(reverse("scripts:queue")).status_code == 403
    assert client.post(reverse("scripts:action", args=[script.pk, "approve"])).status_code == 302
    assert Script.objects.get(pk=script.pk).status == Status.APPROVED  # refused: message, no change
    assert client_for(team_lead).get(reverse("scripts:queue")).status_code == 200
    response = client.get(reverse("scripts:export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_xss_in_script_title_is_escaped(client_for, agent_user):
    category = Category.objects.get(key="other", shop__isnull=True)
    mine = services.script_create(actor=agent_user, category=category, title="<script>alert(1)</script>",
                                  body="<img src=x onerror=alert(1)>", scope=Scope.PERSONAL)
    html = client_for(agent_user).get(reverse("scripts:detail", args=[mine.pk])).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_pack_pages(client_for, supervisor, agent_user):
    from datetime import timedelta

    from django.utils import timezone

    from kefu.scripts.models import ScriptPack
    from kefu.shops.models import Promotion

    today = timezone.localdate()
    promo = Promotion.objects.create(name="年货节", main_start=today, main_end=today + timedelta(days=2))
    client = client_for(supervisor)
    response = client.post(reverse("scripts:packs"), {"promotion": promo.pk, "name": ""})
    pack = ScriptPack.objects.get()
    assert response.status_code == 302 and pack.name == "年货节"
    script = Script.objects.get(title="价格与优惠")
    client.post(reverse("scripts:pack", args=[pack.pk]), {"scripts": [script.pk]})
    client.post(reverse("scripts:pack", args=[pack.pk]), {"publish": "1"})
    pack.refresh_from_db()
    assert pack.published and Script.objects.get(pk=script.pk).pack == pack
    assert "年货节" in client.get(reverse("scripts:packs")).content.decode()
    assert client_for(agent_user).get(reverse("scripts:packs")).status_code == 403


def test_agent_library_hides_other_agents_personal_scripts(client_for, agent_user, other_agent_user):
    category = Category.objects.get(key="other", shop__isnull=True)
    services.script_create(actor=other_agent_user, category=category, title="小丽私藏", body="x", scope=Scope.PERSONAL)
    assert "小丽私藏" not in client_for(agent_user).get(reverse("scripts:list")).content.decode()
