"""Promotions and their campaign reviews."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from kefu.accounts.roles import Role
from kefu.core.models import AuditEntry
from kefu.dashboards.formatting import figure_text
from kefu.dashboards.periods import Span
from kefu.dashboards.selectors.campaigns import CAMPAIGN_KEYS, promotion_phases
from kefu.dashboards.tests.helpers import rows, text
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.metrics.engine import metrics_compute
from kefu.shops.models import Promotion

pytestmark = pytest.mark.django_db


def cells_in_order(row: str) -> list[str]:
    return re.findall(r'<td class="num">(.*?)</td>', row, re.S)


def test_phases_before_and_after_are_as_long_as_the_promotion():
    promotion = Promotion(name="双11", presale_start=date(2026, 10, 31), main_start=date(2026, 11, 10),
                          main_end=date(2026, 11, 11))
    assert [(p.key, p.span) for p in promotion_phases(promotion)] == [
        ("before", Span(date(2026, 10, 19), date(2026, 10, 31))),
        ("presale", Span(date(2026, 10, 31), date(2026, 11, 10))),
        ("main", Span(date(2026, 11, 10), date(2026, 11, 12))),
        ("after", Span(date(2026, 11, 12), date(2026, 11, 24))),
    ]
    promotion = Promotion(name="618", main_start=date(2026, 6, 18), main_end=date(2026, 6, 18), after_days=7)
    assert [(p.key, p.span) for p in promotion_phases(promotion)] == [
        ("before", Span(date(2026, 6, 17), date(2026, 6, 18))),
        ("main", Span(date(2026, 6, 18), date(2026, 6, 19))),
        ("after", Span(date(2026, 6, 19), date(2026, 6, 26))),
    ]


def test_a_supervisor_adds_a_promotion_and_it_is_audited(client_for, s1_supervisor, shops, past_day):
    data = {"name": "双11 2026", "shop": shops[0].pk, "presale_start": (past_day - timedelta(days=3)).isoformat(),
            "main_start": past_day.isoformat(), "main_end": past_day.isoformat(), "after_days": ""}
    response = client_for(s1_supervisor).post(reverse("dashboards:campaign_create"), data)
    promotion = Promotion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:campaign", args=[promotion.pk])
    assert (promotion.shop, promotion.main_start, promotion.after_days) == (shops[0], past_day, None)
    assert AuditEntry.objects.filter(action="promotion.create", actor=s1_supervisor).count() == 1


def test_the_form_refuses_a_main_phase_that_ends_before_it_starts(client_for, s1_supervisor, shops, past_day):
    data = {"name": "坏活动", "shop": shops[0].pk, "main_start": past_day.isoformat(),
            "main_end": (past_day - timedelta(days=1)).isoformat()}
    response = client_for(s1_supervisor).post(reverse("dashboards:campaign_create"), data)
    assert response.status_code == 200 and response.context["form"].errors["main_end"]
    assert not Promotion.objects.exists()


def test_a_shop_supervisor_cannot_add_a_promotion_of_every_shop(client_for, s1_supervisor, past_day):
    data = {"name": "全店活动", "shop": "", "main_start": past_day.isoformat(), "main_end": past_day.isoformat()}
    response = client_for(s1_supervisor).post(reverse("dashboards:campaign_create"), data)
    assert response.status_code == 200 and response.context["form"].errors["shop"]
    assert not Promotion.objects.exists()


def test_team_leads_review_but_do_not_edit(client_for, make_user, shops, past_day):
    promotion = Promotion.objects.create(name="双11", shop=shops[0], main_start=past_day, main_end=past_day)
    client = client_for(make_user(Role.TEAM_LEAD, shops=[shops[0]]))
    assert client.get(reverse("dashboards:campaign", args=[promotion.pk])).status_code == 200
    assert client.get(reverse("dashboards:campaign_create")).status_code == 403
    assert client.get(reverse("dashboards:campaign_edit", args=[promotion.pk])).status_code == 403
    assert client.post(reverse("dashboards:campaign_delete", args=[promotion.pk])).status_code == 403


def test_another_shops_promotion_is_not_found(client_for, s1_supervisor, shops, past_day):
    theirs = Promotion.objects.create(name="二号店周年庆", shop=shops[1], main_start=past_day, main_end=past_day)
    shared = Promotion.objects.create(name="双11", main_start=past_day, main_end=past_day)
    client = client_for(s1_supervisor)
    assert client.get(reverse("dashboards:campaign", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("dashboards:campaign", args=[shared.pk])).status_code == 200
    listed = [p for p, _phases in client.get(reverse("dashboards:campaigns")).context["promotions"]]
    assert listed == [shared]


def test_the_review_shows_each_phases_figures_from_the_engine(client_for, s1_supervisor, shops, past_day):
    promotion = Promotion.objects.create(name="双11", shop=shops[0], main_start=past_day, main_end=past_day)
    response = client_for(s1_supervisor).get(reverse("dashboards:campaign", args=[promotion.pk]))
    review = response.context["review"]
    assert [p.key for p in review.phases] == ["before", "main", "after"]
    shown = rows(response.content.decode(), "data-metric")
    for index, phase in enumerate(review.phases):
        figures = metrics_compute(start=phase.span.start, end=phase.span.end, shops=[shops[0]],
                                  keys=list(CAMPAIGN_KEYS))[0].metrics
        for key in CAMPAIGN_KEYS:
            shown_cells = [text(c) for c in cells_in_order(shown[key])]
            assert shown_cells[index] == figure_text(METRIC_BY_KEY[key], figures[key]), (phase.key, key)
    # Three days in all, so the curve is hourly: 3 × 24 points adding up to the phases' volume.
    assert review.hourly and len(review.curve["labels"]) == 3 * 24
    assert sum(review.curve["series"][0]["values"]) == 7
    assert [a["key"] for a in review.curve["areas"]] == ["before", "main", "after"]


def test_a_long_promotion_is_drawn_by_day(client_for, s1_supervisor, shops, past_day):
    promotion = Promotion.objects.create(name="年货节", shop=shops[0], presale_start=past_day - timedelta(days=5),
                                         main_start=past_day, main_end=past_day + timedelta(days=2))
    review = client_for(s1_supervisor).get(reverse("dashboards:campaign", args=[promotion.pk])).context["review"]
    assert not review.hourly and len(review.curve["labels"]) == 8 * 3
    assert review.curve["labels"][0] == (past_day - timedelta(days=13)).isoformat()
    assert sum(review.curve["series"][0]["values"]) == 7


def test_editing_and_deleting_a_promotion(client_for, s1_supervisor, shops, past_day):
    promotion = Promotion.objects.create(name="双11", shop=shops[0], main_start=past_day, main_end=past_day)
    client = client_for(s1_supervisor)
    data = {"name": "双11 2026", "shop": shops[0].pk, "main_start": past_day.isoformat(),
            "main_end": past_day.isoformat(), "after_days": "3"}
    assert client.post(reverse("dashboards:campaign_edit", args=[promotion.pk]), data).status_code == 302
    promotion.refresh_from_db()
    assert (promotion.name, promotion.after_days) == ("双11 2026", 3)
    change = AuditEntry.objects.get(action="promotion.change")
    assert change.detail == {"name": {"from": "双11", "to": "双11 2026"}, "after_days": {"from": None, "to": 3}}
    assert client.post(reverse("dashboards:campaign_delete", args=[promotion.pk])).status_code == 302
    assert not Promotion.objects.exists()


def test_promotions_are_in_the_admin(client_for, make_user, past_day):
    Promotion.objects.create(name="618", main_start=past_day, main_end=past_day)
    admin = make_user(Role.ADMIN, is_superuser=True, is_staff=True)
    response = client_for(admin).get(reverse("admin:shops_promotion_changelist"))
    assert response.status_code == 200 and "618" in response.content.decode()
