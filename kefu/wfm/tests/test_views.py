"""The roster pages: who may open what, the grid and chart, hand edits, publishing, the
agent's requests and the supervisor's queue, the rules page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import UserFactory
from kefu.wfm.models import RequestStatus, Roster, RosterStatus, ShiftRequest
from kefu.wfm.selectors import next_monday, week_bounds
from kefu.wfm.services import roster_publish
from kefu.wfm.tests.test_services import roster, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_is_sent_to_their_shifts_and_kept_out_of_the_planning_pages(world, roster):
    _shop, _supervisor, agents = world
    agent = client_of(agents[0].user)
    assert agent.get(reverse("wfm:overview")).url == reverse("wfm:my")
    assert agent.get(reverse("wfm:roster", args=[roster.pk])).status_code == 404
    assert agent.get(reverse("wfm:requests")).status_code == 403
    assert agent.get(reverse("wfm:plan_new")).status_code == 403
    assert agent.get(reverse("wfm:settings")).status_code == 403
    shift = roster.shifts.first()
    assert agent.post(reverse("wfm:shift_delete", args=[shift.pk])).status_code == 404
    assert agent.post(reverse("wfm:publish", args=[roster.pk])).status_code == 404
    assert Roster.objects.get(pk=roster.pk).status == RosterStatus.DRAFT


def test_a_supervisor_of_another_shop_does_not_see_the_roster(world, roster):
    from kefu.core.testing.factories import ShopFactory

    outsider = UserFactory(roles=[Role.SUPERVISOR], shops=[ShopFactory()])
    assert client_of(outsider).get(reverse("wfm:roster", args=[roster.pk])).status_code == 404
    assert str(roster.week_start) not in client_of(outsider).get(reverse("wfm:overview")).content.decode()


def test_the_roster_page_shows_grid_chart_and_violations(world, roster, django_assert_max_num_queries):
    _shop, supervisor, agents = world
    client = client_of(supervisor)
    with django_assert_max_num_queries(40):
        html = client.get(reverse("wfm:roster", args=[roster.pk])).content.decode()
    assert 'id="coverage-chart"' in html and "vendor/echarts/echarts.min.js" in html
    assert html.count("data-shift=") == roster.shifts.count()
    assert f'data-agent="{agents[0].name}"' in html
    assert 'data-figure="shortfall">0<' in html and "data-no-violations" in html
    assert "排班表" in html or "发布" in html  # Chinese by default


def test_a_hand_edit_shows_the_violations_it_causes(world, roster):
    _shop, supervisor, _agents = world
    client = client_of(supervisor)
    shift = roster.shifts.exclude(agent=None).first()
    response = client.post(reverse("wfm:shift_delete", args=[shift.pk]), follow=True)
    html = response.content.decode()
    assert 'data-kind="coverage"' in html
    assert "条规则冲突" in html or "rule violation" in html


def test_publish_then_the_agent_asks_for_a_swap_and_the_supervisor_approves(world, roster):
    _shop, supervisor, agents = world
    boss = client_of(supervisor)
    boss.post(reverse("wfm:publish", args=[roster.pk]))
    assert Roster.objects.get(pk=roster.pk).status == RosterStatus.PUBLISHED
    shift = roster.shifts.exclude(agent=None).order_by("start").first()
    owner = shift.agent
    colleague = next(a for a in agents if a.pk != owner.pk and not roster.shifts.filter(
        agent=a, start__date__gte=shift.start.date() - timedelta(days=1),
        start__date__lte=shift.start.date() + timedelta(days=1)).exists())
    mine = client_of(owner.user)
    page = mine.get(reverse("wfm:my")).content.decode()
    assert f'data-shift="{shift.pk}"' in page
    mine.post(reverse("wfm:my_request", args=[shift.pk]), {"kind": "swap", "target_agent": colleague.pk,
                                                          "reason": "调休"})
    request = ShiftRequest.objects.get(shift=shift)
    # Another agent neither sees the request nor may decide it.
    stranger = next(a for a in agents if a.pk not in (owner.pk, colleague.pk))
    assert f'data-request="{request.pk}"' not in client_of(stranger.user).get(reverse("wfm:my")).content.decode()
    assert client_of(stranger.user).post(reverse("wfm:decide", args=[request.pk]),
                                         {"decision": "approve"}).status_code == 404
    # The colleague sees it (they were named).
    assert f'data-request="{request.pk}"' in client_of(colleague.user).get(reverse("wfm:my")).content.decode()
    queue = boss.get(reverse("wfm:requests")).content.decode()
    assert f'data-request="{request.pk}"' in queue and "data-approve" in queue
    boss.post(reverse("wfm:decide", args=[request.pk]), {"decision": "approve"})
    request.refresh_from_db()
    shift.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and shift.agent_id == colleague.pk


def test_another_agent_cannot_request_on_someone_elses_shift(world, roster):
    _shop, supervisor, agents = world
    roster_publish(roster=roster, actor=supervisor)
    shift = roster.shifts.exclude(agent=None).first()
    other = next(a for a in agents if a.pk != shift.agent_id)
    response = client_of(other.user).post(reverse("wfm:my_request", args=[shift.pk]), {"kind": "leave"})
    assert response.status_code == 404
    assert not ShiftRequest.objects.exists()


def test_plan_page_generates_a_roster_with_a_promotion(world):
    shop, supervisor, _agents = world
    monday = next_monday(shop=shop)
    start, _end = week_bounds(shop=shop, week_start=monday)
    night = start + timedelta(days=3, hours=19)
    data = {"shop": shop.pk, "week_start": monday.isoformat(), "target_sl": 0.8, "target_seconds": 30, "aht": "",
            "concurrency": 3, "shrinkage": 0.2, "max_occupancy": 0.85, "promo-TOTAL_FORMS": 2,
            "promo-INITIAL_FORMS": 0, "promo-MIN_NUM_FORMS": 0, "promo-MAX_NUM_FORMS": 5,
            "promo-0-name": "双11", "promo-0-start": night.strftime("%Y-%m-%dT%H:%M"),
            "promo-0-end": (night + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "promo-0-uplift": "6"}
    response = client_of(supervisor).post(reverse("wfm:plan_new"), data)
    roster = Roster.objects.get()
    assert response.status_code == 302 and response.url == reverse("wfm:roster", args=[roster.pk])
    assert roster.forecast_params["promotions"][0]["name"] == "双11"
    assert roster.requirements.get(start=night).volume > 0


def test_plan_page_refuses_a_day_that_is_not_monday(world):
    shop, supervisor, _agents = world
    response = client_of(supervisor).post(reverse("wfm:plan_new"), {
        "shop": shop.pk, "week_start": (next_monday(shop=shop) + timedelta(days=2)).isoformat(), "target_sl": 0.8,
        "target_seconds": 30, "concurrency": 3, "shrinkage": 0.2, "max_occupancy": 0.85, "promo-TOTAL_FORMS": 0,
        "promo-INITIAL_FORMS": 0})
    assert response.status_code == 400 and not Roster.objects.exists()


def test_the_rules_page_shows_the_error_of_a_bad_key(world):
    shop, supervisor, _agents = world
    client = client_of(supervisor)
    assert '&quot;FT&quot;' in client.get(reverse("wfm:settings")).content.decode()
    response = client.post(reverse("wfm:settings"), {"shop": shop.pk, "rules": '{"shift_types": [], "x": 1}'})
    assert response.status_code == 400
    assert "unknown key(s) x" in response.content.decode()


def test_labels_are_translated():
    with translation.override("zh-hans"):
        assert str(Roster._meta.verbose_name) == "排班表"
        assert str(RosterStatus.PUBLISHED.label) == "已发布"
        assert str(ShiftRequest._meta.get_field("kind").verbose_name) == "类型"
