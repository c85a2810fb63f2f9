"""The home page of each role; the supervisor's figures match the data."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.accounts.roles import Role
from kefu.commerce.models import LogisticsStatus
from kefu.core.testing.factories import LogisticsEventFactory, ReviewFactory
from kefu.intake.models import ImportRun, PendingRecord, RejectedRecord
from kefu.web.selectors import supervisor_dashboard
from kefu.web.tests.scenario import build_scenario, expected_figures

pytestmark = pytest.mark.django_db


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}"[^>]*>([^<]*)<', html)
    assert match, f"figure {name} not on the page"
    return match.group(1).strip()


def test_dashboard_figures_match_the_data(supervisor, shop):
    scenario = build_scenario(shop=shop)
    expected = expected_figures(scenario)
    board = supervisor_dashboard(user=supervisor, now=scenario.now)
    assert {
        "conversations_today": board.today.conversations,
        "conversations_yesterday": board.yesterday.conversations,
        "unanswered_today": board.today.unanswered,
        "messages_today": board.messages.total,
        "orders_today": board.orders.orders,
        "order_amount_today": board.orders.amount,
        "aftersales_today": board.aftersales_opened,
        "bad_reviews_today": board.reviews.bad,
        "agents_online": board.agents_online,
    } == expected
    # The scenario's hand count, so that a mistake in both would still show.
    assert (expected["conversations_today"], expected["unanswered_today"], expected["agents_online"]) == (5, 2, 2)


def test_supervisor_home_shows_the_figures(supervisor_client, shop):
    scenario = build_scenario(shop=shop)
    expected = expected_figures(scenario)
    html = supervisor_client.get(reverse("home")).content.decode()
    for name, value in expected.items():
        shown = figure(html, name).replace(",", "")
        assert shown == (f"{value:.2f}" if name == "order_amount_today" else str(value)), name


def test_shop_limited_supervisor_counts_only_their_shop(make_user, client_for, shop, other_shop):
    build_scenario(shop=other_shop)
    html = client_for(make_user(Role.SUPERVISOR, shops=[shop])).get(reverse("home")).content.decode()
    assert figure(html, "conversations_today") == "0"
    assert figure(html, "agents_online") == "0"


def test_unanswered_list_links_to_unanswered_conversations(supervisor_client, shop):
    scenario = build_scenario(shop=shop)
    html = supervisor_client.get(reverse("home")).content.decode()
    linked = set(re.findall(r'href="/conversations/(\d+)/"', html))
    with_customer = [c for c in scenario.conversations if c.messages.filter(sender="customer").exists()]
    unanswered = {str(c.pk) for c in with_customer if not c.messages.filter(sender="agent", is_auto=False).exists()}
    assert linked == unanswered and len(linked) == 2


def test_intake_status_is_shown(supervisor_client, shop):
    run = ImportRun.objects.create(source="file", name="2026-11-11.jsonl", records=10, rejected_count=2)
    RejectedRecord.objects.create(run=run, line=3, reason="time without offset")
    RejectedRecord.objects.create(run=run, line=7, reason="unknown sender")
    PendingRecord.objects.create(type="message", ext_id="m1", ref_type="conversation", ref_ext="v9", payload={})
    html = supervisor_client.get(reverse("home")).content.decode()
    assert figure(html, "last_import_name") == "2026-11-11.jsonl"
    assert figure(html, "rejected_last_run") == "2"
    assert figure(html, "rejected_total") == "2"
    assert figure(html, "unresolved_total").startswith("1")


def test_home_without_data_shows_zeros_not_errors(supervisor_client):
    html = supervisor_client.get(reverse("home")).content.decode()
    assert figure(html, "conversations_today") == "0"
    assert figure(html, "unresolved_total") == "0"


def test_team_lead_gets_the_dashboard(client_for, team_lead):
    assert client_for(team_lead).get(reverse("home")).templates[0].name == "web/home_supervisor.html"


@pytest.mark.parametrize("user_fixture", ["agent_user", "qa_user"])
def test_agents_and_qa_go_to_the_conversation_list(request, client_for, user_fixture):
    response = client_for(request.getfixturevalue(user_fixture)).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("conversation_list")


def test_logistics_home_counts_logistics_exceptions(client_for, logistics_user, shop):
    now = timezone.now()
    LogisticsEventFactory(shop=shop, status=LogisticsStatus.STALLED, at=now)
    LogisticsEventFactory(shop=shop, status=LogisticsStatus.LOST, at=now - timedelta(days=2))
    LogisticsEventFactory(shop=shop, status=LogisticsStatus.DELIVERED, at=now)
    response = client_for(logistics_user).get(reverse("home"))
    today_and_week, by_status = response.context["sections"][0]["groups"]
    assert [f.value for f in today_and_week.figures] == [1, 2]
    # Stalled, lost, wrong item, returned.
    assert [f.value for f in by_status.figures] == [1, 1, 0, 0]


def test_product_home_counts_bad_reviews(make_user, client_for, shop):
    ReviewFactory(shop=shop, rating=1)
    ReviewFactory(shop=shop, rating=4)
    response = client_for(make_user(Role.PRODUCT)).get(reverse("home"))
    reviews = response.context["sections"][0]["groups"][0]
    assert [f.value for f in reviews.figures] == [1, 0, 2]


def test_user_without_role_sees_the_no_role_page(make_user, client_for):
    response = client_for(make_user()).get(reverse("home"))
    assert response.templates[0].name == "web/home_no_role.html"


def test_operations_home_counts_todays_orders_and_open_aftersales(make_user, client_for, shop):
    from kefu.core.testing.factories import AfterSaleFactory, OrderFactory

    order = OrderFactory(shop=shop, paid_at=timezone.now())
    OrderFactory(shop=shop)
    AfterSaleFactory(shop=shop, order=order)
    response = client_for(make_user(Role.OPERATIONS)).get(reverse("home"))
    today, now = response.context["sections"][0]["groups"]
    assert [f.value for f in today.figures][0] == 2
    assert [f.value for f in now.figures] == [1]


def test_department_user_limited_to_a_shop_counts_only_that_shop(make_user, client_for, shop, other_shop):
    LogisticsEventFactory(shop=other_shop, status=LogisticsStatus.LOST)
    response = client_for(make_user(Role.LOGISTICS, shops=[shop])).get(reverse("home"))
    assert response.context["sections"][0]["groups"][0].figures[0].value == 0


def test_home_conversation_figures_are_the_metric_engines(supervisor, shop):
    from kefu.metrics.engine import metrics_compute

    scenario = build_scenario(shop=shop)
    board = supervisor_dashboard(user=supervisor, now=scenario.now)
    for day, counts in ((scenario.today, board.today), (scenario.today - timedelta(days=1), board.yesterday)):
        figures = metrics_compute(start=day, end=day + timedelta(days=1), keys=["conversations", "unanswered_conversations"])
        assert (counts.conversations, counts.unanswered) == (
            figures[0].metrics["conversations"], figures[0].metrics["unanswered_conversations"]
        )


def test_home_links_the_service_dashboard(supervisor_client):
    html = supervisor_client.get(reverse("home")).content.decode()
    assert 'data-link="dashboard"' in html and reverse("dashboards:dashboard") in html
