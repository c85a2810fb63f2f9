"""Trends of one metric, and two periods side by side."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from kefu.dashboards.formatting import figure_text
from kefu.dashboards.periods import Span, grain_buckets, span_parse, span_preset
from kefu.dashboards.selectors.trends import compare_spans
from kefu.dashboards.tests.helpers import cells, href, rows, text
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.metrics.engine import metrics_compute
from kefu.shops.models import Promotion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_a_trend_shows_the_engines_rows(client_for, s1_supervisor, past_day, shops, grain):
    start, end = past_day - timedelta(days=20), past_day + timedelta(days=3)
    params = {"metric": "unanswered_conversations", "grain": grain, "period": "custom",
              "start": start.isoformat(), "end": end.isoformat()}
    response = client_for(s1_supervisor).get(reverse("dashboards:trends"), params)
    expected = metrics_compute(start=start, end=end + timedelta(days=1), shops=[shops[0]], by=grain,
                               keys=["unanswered_conversations"])
    points = response.context["trend"].points
    assert [p.label for p in points] == [next(iter(r.group.values())) for r in expected]
    assert [p.cell.value for p in points] == [r.metrics["unanswered_conversations"] for r in expected]
    assert response.context["chart"]["series"][0]["values"] == [p.cell.value for p in points]
    assert sum(p.cell.value for p in points) == 4


def test_a_trend_point_lists_its_items(client_for, s1_supervisor, past_day):
    client = client_for(s1_supervisor)
    params = {"metric": "conversations", "grain": "day", "period": "custom",
              "start": (past_day - timedelta(days=1)).isoformat(), "end": past_day.isoformat()}
    page = client.get(reverse("dashboards:trends"), params).content.decode()
    point = rows(page, "data-bucket")[past_day.isoformat()]
    assert text(point).endswith("7")
    assert len(rows(client.get(href(point)).content.decode(), "data-conversation")) == 7


def test_comparing_two_custom_periods(client_for, s1_supervisor, past_day, shops):
    empty = past_day - timedelta(days=1)
    params = {"mode": "custom", "a_start": past_day.isoformat(), "a_end": past_day.isoformat(),
              "b_start": empty.isoformat(), "b_end": empty.isoformat(), "metrics": "default"}
    response = client_for(s1_supervisor).get(reverse("dashboards:trends"), params)
    comparison = response.context["comparison"]
    assert (comparison.a, comparison.b) == (Span(past_day, past_day + timedelta(days=1)), Span(empty, past_day))
    figures = metrics_compute(start=past_day, end=past_day + timedelta(days=1), shops=[shops[0]])[0].metrics
    shown = rows(response.content.decode(), "data-metric")
    for line in comparison.lines:
        key = line.metric.key
        assert text(cells(shown[key], "data-side")["a"]) == figure_text(METRIC_BY_KEY[key], figures[key])
    assert text(cells(shown["conversations"], "data-side")["b"]) == "0"
    assert text(cells(shown["reply_rate"], "data-side")["b"]) == "—"


def test_an_incomplete_custom_comparison_says_why(client_for, s1_supervisor, past_day):
    response = client_for(s1_supervisor).get(reverse("dashboards:trends"), {"mode": "custom", "a_start": "2026-11-01"})
    assert response.status_code == 200
    assert response.context["mode"] == "week"
    assert response.context["compare_form"].non_field_errors()


def test_compare_modes():
    today = date(2026, 11, 25)  # a Wednesday
    a, b, *_ = compare_spans(mode="week", today=today)
    assert (a, b) == (Span(date(2026, 11, 23), date(2026, 11, 26)), Span(date(2026, 11, 16), date(2026, 11, 19)))
    a, b, *_ = compare_spans(mode="month", today=date(2026, 3, 31))
    assert (a, b) == (Span(date(2026, 3, 1), date(2026, 4, 1)), Span(date(2026, 2, 1), date(2026, 3, 1)))
    a, b, *_ = compare_spans(mode="day", today=today)
    assert (a, b) == (Span(date(2026, 11, 24), today), Span(date(2026, 11, 17), date(2026, 11, 18)))
    promotion = Promotion(name="双11", presale_start=date(2026, 11, 1), main_start=date(2026, 11, 10),
                          main_end=date(2026, 11, 11))
    a, b, label, _ = compare_spans(mode="promotion", today=today, promotion=promotion)
    assert (a, b, label) == (Span(date(2026, 11, 10), date(2026, 11, 12)), Span(date(2026, 10, 30), date(2026, 11, 1)),
                             "双11")


def test_periods():
    wednesday = date(2026, 11, 25)
    assert span_preset("this_week", wednesday) == Span(date(2026, 11, 23), date(2026, 11, 26))
    assert span_preset("last_week", wednesday) == Span(date(2026, 11, 16), date(2026, 11, 23))
    assert span_preset("last_month", date(2026, 1, 5)) == Span(date(2025, 12, 1), date(2026, 1, 1))
    assert span_preset("last_30", wednesday).days == 30
    assert grain_buckets(Span(date(2026, 11, 25), date(2026, 12, 2)), "week") == [date(2026, 11, 23),
                                                                                  date(2026, 11, 30)]
    assert grain_buckets(Span(date(2026, 11, 25), date(2026, 12, 2)), "month") == [date(2026, 11, 1),
                                                                                   date(2026, 12, 1)]
    assert span_parse("2026-11-11T00:00:00+08:00", "2026-11-11T14:30:00+08:00").label == "2026-11-11 00:00 – 14:30"
    for bad in [("2026-11-12", "2026-11-11"), ("2026-11-11T00:00:00", "2026-11-11T01:00:00"), ("x", "y")]:
        with pytest.raises(ValueError):
            span_parse(*bad)
