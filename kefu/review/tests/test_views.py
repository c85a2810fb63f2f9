"""The review pages: who may open what, shop scoping, the review and appeal forms, query
ceilings, escaping of chat text."""

import pytest
from django.urls import reverse

from kefu.accounts.roles import Role
from kefu.qa.models import Finding, FindingStatus
from kefu.review.models import Appeal, AppealStatus, PlanKind, QueueItem, Review, SamplingPlan
from kefu.review.sampling import plan_create, queues_fill
from kefu.review.services import appeal_create, review_submit
from kefu.review.tests.factories import inspected

pytestmark = pytest.mark.django_db

SCORES = {"score_attitude": "5", "score_knowledge": "4", "score_resolution": "5", "score_wording": "3"}
MANAGE_PAGES = ["review:plans", "review:plan_create", "review:scorecards", "review:calibrations",
                "review:calibration_create"]


@pytest.fixture
def queued(s1_supervisor, shop, reviewer, reviewer2, agent):
    """Two flagged conversations of 小美 in the reviewers' queues (one each)."""
    for n in range(2):
        inspected(shop, agent=agent, flagged=True, score=58, ext_id=f"v-{n}", messages=[
            (f"v{n}-1", "customer", "在吗"), (f"v{n}-2", "agent", "<script>alert(1)</script>加我微信")],
            findings=[("off_platform", [f"v{n}-2"]), ("no_greeting", [f"v{n}-2"])])
    plan_create(actor=s1_supervisor, shop=shop, reviewers=[reviewer, reviewer2], name="风险", kind=PlanKind.RISK,
                per_day=0)
    queues_fill()
    return QueueItem.objects.get(reviewer=reviewer)


def review_of(item, reviewer):
    findings = Finding.objects.filter(inspection__conversation=item.conversation).order_by("id")
    return review_submit(item=item, actor=reviewer, scores={"attitude": 5, "knowledge": 4, "resolution": 5,
                                                            "wording": 3},
                         decisions={f.pk: "confirmed" for f in findings}, comment="不要引导加微信")


# ---- who may open what ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_supervisors_open_the_management_pages(client_for, s1_supervisor, name):
    assert client_for(s1_supervisor).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_reviewers_and_agents_cannot_manage(client_for, reviewer, agent_user, name):
    assert client_for(reviewer).get(reverse(name)).status_code == 403
    assert client_for(agent_user).get(reverse(name)).status_code == 403


def test_the_queue_is_for_reviewers_and_agents_go_to_their_results(client_for, reviewer, agent_user, team_lead,
                                                                     logistics_user):
    assert client_for(reviewer).get(reverse("review:queue")).status_code == 200
    assert client_for(team_lead).get(reverse("review:queue")).status_code == 200
    response = client_for(agent_user).get(reverse("review:queue"))
    assert response.status_code == 302 and response["Location"] == reverse("review:mine")
    assert client_for(logistics_user).get(reverse("review:queue")).status_code == 403
    assert client_for(logistics_user).get(reverse("review:mine")).status_code == 403


def test_rule_precision_is_for_reviewers_and_supervisors(client_for, reviewer, s1_supervisor, agent_user):
    assert client_for(reviewer).get(reverse("review:precision")).status_code == 200
    assert client_for(s1_supervisor).get(reverse("review:precision")).status_code == 200
    assert client_for(agent_user).get(reverse("review:precision")).status_code == 403


def test_signed_out_visitors_go_to_the_login(client):
    response = client.get(reverse("review:queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_nav_shows_review_by_permission(client_for, reviewer, agent_user, logistics_user):
    assert "质检复核" in client_for(reviewer).get(reverse("review:queue")).content.decode()
    assert "我的质检" in client_for(agent_user).get(reverse("review:mine")).content.decode()
    assert "质检复核" not in client_for(logistics_user).get(reverse("home")).content.decode()


# ---- the review screen ------------------------------------------------------------------------------------


def test_next_opens_the_first_conversation_of_my_queue(client_for, queued, reviewer):
    response = client_for(reviewer).get(reverse("review:next"))
    assert response.status_code == 302 and response["Location"] == reverse("review:item", args=[queued.pk])


def test_the_review_screen_shows_messages_findings_and_scorecard(client_for, queued, reviewer):
    html = client_for(reviewer).get(reverse("review:item", args=[queued.pk])).content.decode()
    assert 'data-message="v0-2"' in html or 'data-message="v1-2"' in html
    assert "msg-flagged" in html and "引导站外交易" in html and "服务态度" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "review/review.js" in html and "<kbd>j</kbd>" in html


def test_submitting_the_review_saves_it_and_goes_on(client_for, queued, reviewer):
    findings = Finding.objects.filter(inspection__conversation=queued.conversation).order_by("id")
    data = {**SCORES, f"finding_{findings[0].pk}": "confirmed", f"finding_{findings[1].pk}": "rejected",
            "comment": "加微信属于引导站外"}
    response = client_for(reviewer).post(reverse("review:item", args=[queued.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("review:queue")  # queue now empty
    review = Review.objects.get()
    assert str(review.total) == "89.0" and review.comment == "加微信属于引导站外"
    assert [f.status for f in findings.all()] == [FindingStatus.CONFIRMED, FindingStatus.REJECTED]


def test_an_incomplete_review_comes_back_with_the_choices_kept(client_for, queued, reviewer):
    findings = Finding.objects.filter(inspection__conversation=queued.conversation).order_by("id")
    response = client_for(reviewer).post(reverse("review:item", args=[queued.pk]),
                                         {**SCORES, f"finding_{findings[0].pk}": "confirmed"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "还剩 1 条" in html or "1" in html
    assert 'value="confirmed" checked' in html
    assert Review.objects.count() == 0


def test_another_reviewers_item_is_not_found(client_for, queued, reviewer2):
    assert client_for(reviewer2).get(reverse("review:item", args=[queued.pk])).status_code == 404


# ---- results and appeals -------------------------------------------------------------------------------------


def test_the_agent_sees_their_reviews_and_appeals(client_for, queued, reviewer, agent_user):
    review = review_of(queued, reviewer)
    client = client_for(agent_user)
    html = client.get(reverse("review:mine")).content.decode()
    assert f'data-review="{review.pk}"' in html and "89.0" in html
    html = client.get(reverse("review:review", args=[review.pk])).content.decode()
    assert "不要引导加微信" in html and "申诉" in html
    response = client.post(reverse("review:appeal_create", args=[review.pk]), {"reason": "是微信支付"})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.reviewer != reviewer and appeal.status == AppealStatus.OPEN
    client.post(reverse("review:appeal_create", args=[review.pk]), {"reason": "再申诉"})
    assert Appeal.objects.count() == 1


def test_another_agent_cannot_see_or_appeal_the_review(client_for, queued, reviewer, other_agent_user):
    review = review_of(queued, reviewer)
    client = client_for(other_agent_user)
    assert client.get(reverse("review:review", args=[review.pk])).status_code == 404
    assert client.post(reverse("review:appeal_create", args=[review.pk]), {"reason": "x"}).status_code == 404
    assert f'data-review="{review.pk}"' not in client.get(reverse("review:mine")).content.decode()


def test_the_appeal_reviewer_decides_and_no_one_else(client_for, queued, reviewer, reviewer2, agent_user):
    review = review_of(queued, reviewer)
    appeal = appeal_create(review=review, actor=agent_user, reason="是微信支付")
    assert appeal.reviewer == reviewer2
    assert client_for(reviewer).get(reverse("review:appeal", args=[appeal.pk])).status_code == 404
    client = client_for(reviewer2)
    html = client.get(reverse("review:appeal", args=[appeal.pk])).content.decode()
    assert "是微信支付" in html and 'value="confirmed" checked' in html
    decisions = {f"finding_{d.pk}": "rejected" for d in review.decisions.all()}
    response = client.post(reverse("review:appeal", args=[appeal.pk]), {**SCORES, **decisions, "note": "撤销"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CHANGED
    html = client_for(agent_user).get(reverse("review:review", args=[review.pk])).content.decode()
    assert "撤销" in html and "已改判" in html


def test_a_reviewer_of_another_shop_sees_nothing_of_this_one(make_user, client_for, other_shop, queued, reviewer):
    review = review_of(queued, reviewer)
    elsewhere = make_user(Role.QA, username="zhijian_s2", shops=[other_shop])
    assert client_for(elsewhere).get(reverse("review:review", args=[review.pk])).status_code == 404
    html = client_for(elsewhere).get(reverse("review:precision")).content.decode()
    assert 'data-rule="off_platform"' not in html


# ---- management pages ----------------------------------------------------------------------------------------


def test_a_supervisor_adds_a_plan_and_fills_the_queues(client_for, s1_supervisor, shop, reviewer, agent):
    inspected(shop, agent=agent, flagged=True)
    client = client_for(s1_supervisor)
    response = client.post(reverse("review:plan_create"), {
        "shop": shop.pk, "name": "风险抽检", "kind": "risk", "per_day": "5", "low_score_below": "80",
        "low_rating_max": "2", "starts_on": "2020-01-01", "active": "on", "reviewers": [reviewer.pk],
    })
    assert response.status_code == 302, response.content.decode()
    assert SamplingPlan.objects.get().name == "风险抽检"
    client.post(reverse("review:fill"))
    assert QueueItem.objects.filter(reviewer=reviewer).count() == 1


def test_a_supervisor_cannot_touch_another_shops_plan_or_scorecard(make_user, client_for, s1_supervisor, other_shop):
    other = make_user(Role.SUPERVISOR, username="zhuguan2", shops=[other_shop])
    reviewer_s2 = make_user(Role.QA, username="zhijian_s2", shops=[other_shop])
    plan = plan_create(actor=other, shop=other_shop, reviewers=[reviewer_s2], name="二号店", kind=PlanKind.RISK,
                       per_day=1)
    client = client_for(s1_supervisor)
    assert client.get(reverse("review:plan_edit", args=[plan.pk])).status_code == 404
    assert client.get(reverse("review:scorecard_edit", args=[other_shop.pk])).status_code == 404
    assert "二号店" not in client.get(reverse("review:plans")).content.decode()


def test_editing_the_scorecard(client_for, s1_supervisor, shop):
    client = client_for(s1_supervisor)
    url = reverse("review:scorecard_edit", args=[shop.pk])
    assert "服务态度" in client.get(url).content.decode()
    bad = client.post(url, {"key": ["attitude", ""], "name": ["态度", "专业"], "weight": ["50", "40"]})
    assert bad.status_code == 400 and "100" in bad.content.decode()
    good = client.post(url, {"key": ["attitude", ""], "name": ["态度", "专业"], "weight": ["60", "40"]})
    assert good.status_code == 302
    assert [i.name for i in shop.review_scorecard.items.all()] == ["态度", "专业"]


def test_starting_a_calibration_and_reading_its_results(client_for, s1_supervisor, shop, reviewer, reviewer2, agent):
    inspection = inspected(shop, agent=agent, findings=[("no_greeting", [])])
    client = client_for(s1_supervisor)
    assert inspection.conversation.ext_id in client.get(reverse("review:calibration_create")).content.decode()
    response = client.post(reverse("review:calibration_create"), {
        "name": "十一月校准", "reviewers": [reviewer.pk, reviewer2.pk], "conversations": [inspection.conversation_id]})
    assert response.status_code == 302
    assert QueueItem.objects.filter(calibration__isnull=False).count() == 2
    html = client.get(response["Location"]).content.decode()
    assert "十一月校准" in html and "Fleiss" in html


# ---- query ceilings ---------------------------------------------------------------------------------------------


def test_the_queue_page_reads_in_a_bounded_number_of_queries(client_for, django_assert_max_num_queries, shop,
                                                              s1_supervisor, reviewer, agent):
    for _ in range(12):
        inspected(shop, agent=agent, flagged=True)
    plan_create(actor=s1_supervisor, shop=shop, reviewers=[reviewer], name="风险", kind=PlanKind.RISK, per_day=0)
    queues_fill()
    client = client_for(reviewer)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("review:queue")).status_code == 200


def test_my_results_read_in_a_bounded_number_of_queries(client_for, django_assert_max_num_queries, queued, reviewer,
                                                        reviewer2, agent_user):
    review_of(queued, reviewer)
    review_of(QueueItem.objects.get(reviewer=reviewer2), reviewer2)
    client = client_for(agent_user)
    with django_assert_max_num_queries(15):
        html = client.get(reverse("review:mine")).content.decode()
    assert html.count("data-review=") == 2


def test_the_review_screen_in_english(client_for, queued, reviewer):
    client = client_for(reviewer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("review:item", args=[queued.pk])).content.decode()
    assert 'lang="en"' in html
    assert "Automatic findings" in html and "Submit review" in html and "Critical finding" in html
    assert "QA review" in html and "提交复核" not in html


def test_the_review_screen_reads_in_a_bounded_number_of_queries(client_for, django_assert_max_num_queries, queued,
                                                                  reviewer):
    client = client_for(reviewer)
    client.get(reverse("review:item", args=[queued.pk]))  # the scorecard is created on first use
    with django_assert_max_num_queries(20):
        assert client.get(reverse("review:item", args=[queued.pk])).status_code == 200


def test_the_remaining_endpoints_refuse_who_may_not(make_user, client_for, s1_supervisor, shop, other_shop, reviewer,
                                                    reviewer2, agent_user, agent):
    from kefu.review.services import calibration_create

    inspection = inspected(shop, agent=agent)
    calibration = calibration_create(shop=shop, name="校准", conversation_ids=[inspection.conversation_id],
                                     reviewers=[reviewer, reviewer2], actor=s1_supervisor)
    assert client_for(agent_user).get(reverse("review:next")).status_code == 403
    assert client_for(reviewer).post(reverse("review:fill")).status_code == 403
    assert client_for(agent_user).post(reverse("review:fill")).status_code == 403
    assert client_for(reviewer).get(reverse("review:calibration", args=[calibration.pk])).status_code == 403
    other = make_user(Role.SUPERVISOR, username="zhuguan2", shops=[other_shop])
    assert client_for(other).get(reverse("review:calibration", args=[calibration.pk])).status_code == 404
    assert client_for(s1_supervisor).get(reverse("review:calibration", args=[calibration.pk])).status_code == 200
