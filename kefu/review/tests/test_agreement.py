"""Agreement between reviewers: kappa on known examples and a calibration computed by hand."""

from math import sqrt

import pytest

from kefu.qa.models import Finding
from kefu.review.agreement import calibration_results, cohen_kappa, fleiss_kappa
from kefu.review.models import QueueItem
from kefu.review.services import calibration_create, review_submit
from kefu.review.tests.factories import inspected

C, R = "confirmed", "rejected"


def test_cohens_kappa_of_a_hand_computed_table():
    # 50 findings: both confirm 20, only A confirms 5, only B confirms 10, both reject 15.
    # p_o = 35/50 = 0.7; p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 - 0.5) / (1 - 0.5) = 0.4
    a = [C] * 20 + [C] * 5 + [R] * 10 + [R] * 15
    b = [C] * 20 + [R] * 5 + [C] * 10 + [R] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohens_kappa_of_perfect_and_opposite_raters():
    assert cohen_kappa([C, R, C, R], [C, R, C, R]) == pytest.approx(1.0)
    assert cohen_kappa([C, R, C, R], [R, C, R, C]) == pytest.approx(-1.0)


def test_kappa_is_undefined_when_every_decision_is_the_same():
    assert cohen_kappa([C, C, C], [C, C, C]) is None
    assert cohen_kappa([], []) is None
    assert fleiss_kappa([[3, 0], [3, 0]]) is None


def test_fleiss_kappa_of_the_classic_example():
    # Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories; κ ≈ 0.210.
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(table) == pytest.approx(0.20993, abs=1e-4)


def test_fleiss_kappa_needs_the_same_number_of_raters_everywhere():
    assert fleiss_kappa([[2, 1], [1, 1]]) is None


@pytest.mark.django_db
def test_calibration_agreement_computed_by_hand(s1_supervisor, shop, reviewer, reviewer2, reviewer3, agent):
    # Two conversations with two findings each; three reviewers decide:
    #   f1: C C C   f2: C R R   f3: R R R   f4: C C R
    # Cohen: A-B 0.5, A-C 0.2, B-C 0.5. Fleiss: P̄ = 2/3, P̄e = 0.5, κ = 1/3.
    # Totals: first conversation 100 / 80 / 60 (all items 5, 4, 3), second 100 each.
    one = inspected(shop, agent=agent, ext_id="cal-1", findings=[("off_platform", ["cal-1-a"]),
                                                                 ("no_greeting", ["cal-1-a"])],
                    messages=[("cal-1-q", "customer", "在吗"), ("cal-1-a", "agent", "加我微信")])
    two = inspected(shop, agent=agent, ext_id="cal-2", findings=[("absolute_claim", ["cal-2-a"]),
                                                                 ("no_closing", ["cal-2-a"])],
                    messages=[("cal-2-q", "customer", "会起球吗"), ("cal-2-a", "agent", "全网最好，绝对不起球")])
    calibration = calibration_create(shop=shop, name="十一月校准", conversation_ids=[one.conversation_id,
                                                                                 two.conversation_id],
                                     reviewers=[reviewer, reviewer2, reviewer3], actor=s1_supervisor)
    plan = {
        reviewer: ({"cal-1": [C, C], "cal-2": [R, C]}, {"cal-1": 5, "cal-2": 5}),
        reviewer2: ({"cal-1": [C, R], "cal-2": [R, C]}, {"cal-1": 4, "cal-2": 5}),
        reviewer3: ({"cal-1": [C, R], "cal-2": [R, R]}, {"cal-1": 3, "cal-2": 5}),
    }
    for person, (decisions, scores) in plan.items():
        for inspection in (one, two):
            ext = inspection.conversation.ext_id
            findings = Finding.objects.filter(inspection=inspection).order_by("id")
            review_submit(
                item=QueueItem.objects.get(calibration=calibration, reviewer=person,
                                           conversation=inspection.conversation),
                actor=person,
                scores={key: scores[ext] for key in ("attitude", "knowledge", "resolution", "wording")},
                decisions={f.pk: d for f, d in zip(findings, decisions[ext], strict=True)},
            )

    results = calibration_results(calibration)
    assert results.done == results.expected == 6
    kappas = {frozenset((p.a.pk, p.b.pk)): p.kappa for p in results.pairs}
    assert kappas[frozenset((reviewer.pk, reviewer2.pk))] == pytest.approx(0.5)
    assert kappas[frozenset((reviewer.pk, reviewer3.pk))] == pytest.approx(0.2)
    assert kappas[frozenset((reviewer2.pk, reviewer3.pk))] == pytest.approx(0.5)
    assert results.fleiss == pytest.approx(1 / 3) and results.fleiss_findings == 4
    assert results.total_spread == pytest.approx(sqrt(800 / 3) / 2)  # 16.33 and 0, averaged
    attitude = next(i for i in results.items if i.key == "attitude")
    assert attitude.spread == pytest.approx(sqrt(2 / 3) / 2) and attitude.widest == 2
    bias = {row.reviewer.pk: row.bias for row in results.reviewer_rows}
    assert bias == {reviewer.pk: pytest.approx(10), reviewer2.pk: pytest.approx(0), reviewer3.pk: pytest.approx(-10)}
    order = [r.pk for r in results.reviewers]
    rows = {row.conversation.ext_id: dict(zip(order, map(float, row.totals), strict=True))
            for row in results.conversations}
    assert rows["cal-1"] == {reviewer.pk: 100, reviewer2.pk: 80, reviewer3.pk: 60}
    assert rows["cal-2"] == {reviewer.pk: 100, reviewer2.pk: 100, reviewer3.pk: 100}
