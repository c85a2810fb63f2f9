"""Scorecards, reviews and appeals: the totals, the decisions written onto the findings,
one appeal per review, decided by another reviewer, with the history kept."""

from decimal import Decimal

import pytest

from kefu.accounts.roles import Role
from kefu.core.errors import Conflict, PermissionDenied, ValidationError
from kefu.core.models import AuditEntry
from kefu.qa.models import Finding, FindingStatus
from kefu.review.models import AppealStatus, ItemStatus, PlanKind, QueueItem, Reason, Review
from kefu.review.sampling import plan_create, queues_fill
from kefu.review.services import (
    appeal_create,
    appeal_decide,
    calibration_create,
    review_submit,
    scorecard_ensure,
    scorecard_update,
    weighted_total,
)
from kefu.review.tests.factories import inspected

pytestmark = pytest.mark.django_db

GOOD = {"attitude": 5, "knowledge": 4, "resolution": 5, "wording": 3}  # (150+100+150+45)/5 = 89.0


@pytest.fixture
def conversation(shop, agent):
    """A flagged conversation of 小美 with two findings on her reply."""
    return inspected(shop, agent=agent, flagged=True, score=58, messages=[
        ("m1", "customer", "在吗？有L码吗"), ("m2", "agent", "L码有货，加我微信"), ("m3", "customer", "好的"),
    ], findings=[("off_platform", ["m2"]), ("no_greeting", ["m2"])])


@pytest.fixture
def item(s1_supervisor, shop, reviewer, reviewer2, conversation):
    """The conversation in the queue of ``reviewer`` (the plan's other reviewer: reviewer2)."""
    plan_create(actor=s1_supervisor, shop=shop, reviewers=[reviewer, reviewer2], name="风险", kind=PlanKind.RISK,
                per_day=0)
    queues_fill()
    item = QueueItem.objects.get()
    assert item.reviewer == reviewer
    return item


def findings(conversation):
    return list(Finding.objects.filter(inspection=conversation).order_by("id"))


def submit(item, reviewer, conversation, scores=GOOD, decisions=("confirmed", "rejected"), comment="加微信不行"):
    return review_submit(item=item, actor=reviewer, scores=scores,
                         decisions={f.pk: d for f, d in zip(findings(conversation), decisions, strict=True)},
                         comment=comment)


# ---- scorecards ------------------------------------------------------------------------------------


def test_a_shop_starts_with_the_default_scorecard(shop):
    card = scorecard_ensure(shop=shop)
    assert [(i.key, i.name, i.weight) for i in card.items.all()] == [
        ("attitude", "服务态度", 30), ("knowledge", "专业知识", 25), ("resolution", "解决问题", 30), ("wording", "规范用语", 15),
    ]
    assert scorecard_ensure(shop=shop).items.count() == 4


@pytest.mark.parametrize("pairs, total", [
    ([(30, 5), (25, 5), (30, 5), (15, 5)], "100.0"),
    ([(30, 0), (25, 0), (30, 0), (15, 0)], "0.0"),
    ([(30, 4), (25, 3), (30, 5), (15, 2)], "75.0"),  # (120 + 75 + 150 + 30) / 5
    ([(30, 3), (25, 4), (30, 3), (15, 4)], "68.0"),  # (90 + 100 + 90 + 60) / 5
])
def test_the_total_is_the_weighted_score_on_100(pairs, total):
    assert weighted_total(pairs) == Decimal(total)


def test_the_total_rounds_half_up_to_one_decimal():
    assert weighted_total([(1, 1), (2, 0)]) == Decimal("6.7")  # 100 / 15 = 6.666…


def test_supervisors_rename_reweigh_and_add_items(s1_supervisor, shop):
    scorecard_ensure(shop=shop)
    card = scorecard_update(shop=shop, actor=s1_supervisor, items=[
        {"key": "attitude", "name": "态度", "weight": 40},
        {"key": "resolution", "name": "解决问题", "weight": 40},
        {"key": "", "name": "响应及时", "weight": 20},
    ])
    assert [(i.key, i.name, i.weight) for i in card.items.all()] == [
        ("attitude", "态度", 40), ("resolution", "解决问题", 40), ("item5", "响应及时", 20)]
    assert AuditEntry.objects.filter(action="review.scorecard_update").count() == 1


@pytest.mark.parametrize("items", [
    [{"name": "态度", "weight": 50}, {"name": "专业", "weight": 40}],  # 90
    [{"name": "态度", "weight": 50}, {"name": "态度", "weight": 50}],  # twice
    [{"name": "态度", "weight": 0}, {"name": "专业", "weight": 100}],
    [{"name": "", "weight": 100}],
])
def test_scorecards_are_checked(s1_supervisor, shop, items):
    with pytest.raises(ValidationError):
        scorecard_update(shop=shop, actor=s1_supervisor, items=items)


def test_only_the_shops_managers_edit_its_scorecard(make_user, shop, other_shop, reviewer):
    other = make_user(Role.SUPERVISOR, username="zhuguan2", shops=[other_shop])
    for actor in (reviewer, other):
        with pytest.raises(PermissionDenied):
            scorecard_update(shop=shop, actor=actor, items=[{"name": "态度", "weight": 100}])


# ---- reviews ---------------------------------------------------------------------------------------------


def test_a_review_stores_scores_decisions_and_total(item, reviewer, conversation, agent):
    review = submit(item, reviewer, conversation)
    assert review.total == Decimal("89.0")
    assert review.reviewer == reviewer and review.agent == agent and review.inspection_score == 58
    assert {s.key: s.score for s in review.scores.all()} == GOOD
    assert [(d.rule_key, d.decision) for d in review.decisions.all()] == [
        ("off_platform", "confirmed"), ("no_greeting", "rejected")]
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.done_at is not None
    entry = AuditEntry.objects.get(action="review.submit")
    assert entry.actor == reviewer and entry.detail["total"] == "89.0"


def test_decisions_set_the_findings_status(item, reviewer, conversation):
    submit(item, reviewer, conversation)
    assert [f.status for f in findings(conversation)] == [FindingStatus.CONFIRMED, FindingStatus.REJECTED]


def test_every_finding_and_item_must_be_decided(item, reviewer, conversation):
    with pytest.raises(ValidationError) as error:
        submit(item, reviewer, conversation, decisions=("confirmed", ""))
    assert error.value.detail["field"] == "decisions"
    with pytest.raises(ValidationError):
        submit(item, reviewer, conversation, scores={**GOOD, "wording": ""})
    with pytest.raises(ValidationError):
        submit(item, reviewer, conversation, scores={**GOOD, "wording": 6})
    assert Review.objects.count() == 0
    assert all(f.status == FindingStatus.PENDING for f in findings(conversation))


def test_only_the_assigned_reviewer_reviews(item, reviewer2, conversation):
    with pytest.raises(PermissionDenied):
        submit(item, reviewer2, conversation)


def test_a_conversation_is_reviewed_once(item, reviewer, conversation):
    submit(item, reviewer, conversation)
    with pytest.raises(Conflict):
        submit(item, reviewer, conversation)


def test_calibration_reviews_leave_the_findings_alone(s1_supervisor, shop, reviewer, reviewer2, conversation):
    calibration = calibration_create(shop=shop, name="十一月校准", conversation_ids=[conversation.conversation_id],
                                     reviewers=[reviewer, reviewer2], actor=s1_supervisor)
    assert QueueItem.objects.filter(calibration=calibration).count() == 2
    for person in (reviewer, reviewer2):
        submit(QueueItem.objects.get(calibration=calibration, reviewer=person), person, conversation)
    assert all(f.status == FindingStatus.PENDING for f in findings(conversation))
    assert set(QueueItem.objects.values_list("reason", flat=True)) == {Reason.CALIBRATION}


def test_calibration_conversations_come_first_in_the_queue(s1_supervisor, shop, reviewer, reviewer2, conversation):
    other = inspected(shop)
    plan_create(actor=s1_supervisor, shop=shop, reviewers=[reviewer], name="风险", kind=PlanKind.RISK, per_day=0)
    queues_fill()
    calibration_create(shop=shop, name="校准", conversation_ids=[other.conversation_id], reviewers=[reviewer, reviewer2],
                       actor=s1_supervisor)
    from kefu.review.selectors import queue_next

    assert queue_next(reviewer).calibration is not None


def test_a_calibration_takes_conversations_not_already_sampled(item, s1_supervisor, shop, reviewer, reviewer2):
    with pytest.raises(ValidationError):
        calibration_create(shop=shop, name="x", conversation_ids=[item.conversation_id],
                           reviewers=[reviewer, reviewer2], actor=s1_supervisor)


def test_a_calibration_needs_two_reviewers_who_did_not_serve_it(make_user, s1_supervisor, shop, reviewer,
                                                                conversation, agent_user):
    with pytest.raises(ValidationError):
        calibration_create(shop=shop, name="x", conversation_ids=[conversation.conversation_id], reviewers=[reviewer],
                           actor=s1_supervisor)
    lead = make_user(Role.TEAM_LEAD, username="zuzhang1", shops=[shop])
    agent = agent_user.agent
    agent.user = lead  # the conversation's agent is now this reviewer
    agent.save()
    with pytest.raises(ValidationError):
        calibration_create(shop=shop, name="x", conversation_ids=[conversation.conversation_id],
                           reviewers=[reviewer, lead], actor=s1_supervisor)


# ---- appeals -------------------------------------------------------------------------------------------------


@pytest.fixture
def review(item, reviewer, conversation):
    return submit(item, reviewer, conversation)


def test_the_agent_appeals_and_another_reviewer_gets_it(review, agent_user, reviewer, reviewer2):
    appeal = appeal_create(review=review, actor=agent_user, reason="我没有让顾客加微信，是平台的微信支付")
    assert appeal.reviewer == reviewer2 and appeal.reviewer != reviewer
    assert appeal.status == AppealStatus.OPEN and appeal.before["total"] == "89.0"
    assert AuditEntry.objects.filter(action="review.appeal_create", actor=agent_user).count() == 1


def test_a_review_is_appealed_once(review, agent_user):
    appeal_create(review=review, actor=agent_user, reason="不服")
    with pytest.raises(Conflict):
        appeal_create(review=review, actor=agent_user, reason="还是不服")


def test_only_the_reviewed_agent_appeals(review, other_agent_user, reviewer2):
    for actor in (other_agent_user, reviewer2):
        with pytest.raises(PermissionDenied):
            appeal_create(review=review, actor=actor, reason="不服")


def test_an_appeal_needs_a_reason(review, agent_user):
    with pytest.raises(ValidationError):
        appeal_create(review=review, actor=agent_user, reason="  ")


def test_without_another_reviewer_the_appeal_is_refused(item, reviewer, reviewer2, s1_supervisor, conversation,
                                                         agent_user):
    review = submit(item, reviewer, conversation)
    for other in (reviewer2, s1_supervisor):  # the supervisor may review too
        other.is_active = False
        other.save()
    with pytest.raises(ValidationError):
        appeal_create(review=review, actor=agent_user, reason="不服")


def test_the_appeal_prefers_the_plans_other_reviewers(make_user, s1_supervisor, shop, reviewer, reviewer2, reviewer3,
                                                      conversation, agent_user):
    plan_create(actor=s1_supervisor, shop=shop, reviewers=[reviewer, reviewer3], name="风险", kind=PlanKind.RISK,
                per_day=0)
    queues_fill()
    item = QueueItem.objects.get()
    review = submit(item, item.reviewer, conversation)
    appeal = appeal_create(review=review, actor=agent_user, reason="不服")
    assert appeal.reviewer == ({reviewer, reviewer3} - {item.reviewer}).pop()


def decide(appeal, actor, review, scores=GOOD, decisions=None, note="复核完毕"):
    rows = list(review.decisions.all())
    decisions = decisions or [d.decision for d in rows]
    return appeal_decide(appeal=appeal, actor=actor, scores=scores,
                         decisions={d.pk: v for d, v in zip(rows, decisions, strict=True)}, note=note)


def test_an_unchanged_result_upholds_the_review(review, agent_user, reviewer2, conversation):
    appeal = appeal_create(review=review, actor=agent_user, reason="不服")
    appeal = decide(appeal, reviewer2, review)
    assert appeal.status == AppealStatus.UPHELD and appeal.after == appeal.before
    review.refresh_from_db()
    assert review.total == Decimal("89.0")


def test_a_changed_result_replaces_the_review_and_keeps_both(review, agent_user, reviewer2, conversation):
    appeal = appeal_create(review=review, actor=agent_user, reason="微信支付不是站外交易")
    appeal = decide(appeal, reviewer2, review, scores={**GOOD, "wording": 5}, decisions=["rejected", "rejected"],
                    note="确为微信支付，撤销")
    assert appeal.status == AppealStatus.CHANGED and appeal.decided_by == reviewer2
    review.refresh_from_db()
    assert review.total == Decimal("95.0")  # (150 + 100 + 150 + 75) / 5
    assert appeal.before["total"] == "89.0" and appeal.after["total"] == "95.0"
    assert [d["decision"] for d in appeal.before["decisions"]] == ["confirmed", "rejected"]
    assert [d["decision"] for d in appeal.after["decisions"]] == ["rejected", "rejected"]
    assert [f.status for f in findings(conversation)] == [FindingStatus.REJECTED, FindingStatus.REJECTED]
    entry = AuditEntry.objects.get(action="review.appeal_decide")
    assert entry.detail["from"] == "open" and entry.detail["to"] == "changed" and entry.actor == reviewer2


def test_only_the_appeal_reviewer_decides_once_with_a_note(review, agent_user, reviewer, reviewer2):
    appeal = appeal_create(review=review, actor=agent_user, reason="不服")
    with pytest.raises(PermissionDenied):
        decide(appeal, reviewer, review)
    with pytest.raises(ValidationError):
        decide(appeal, reviewer2, review, note=" ")
    decide(appeal, reviewer2, review)
    with pytest.raises(Conflict):
        decide(appeal, reviewer2, review, scores={**GOOD, "wording": 0})
