"""Sampling plans and filling the queues: each kind's guarantee, load balancing, never
reviewing one's own service, never the same conversation twice."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import AgentFactory
from kefu.core.errors import PermissionDenied, ValidationError
from kefu.core.models import AuditEntry
from kefu.review.models import ItemStatus, PlanKind, QueueItem, Reason
from kefu.review.sampling import plan_create, plan_sample, plan_update, queues_fill, review_tick
from kefu.review.tests.factories import inspected, monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def plan(supervisor, shop, reviewers, kind=PlanKind.RANDOM, **values):
    values.setdefault("name", f"{kind} plan")
    values.setdefault("starts_on", timezone.localdate() - timedelta(days=6))
    return plan_create(actor=supervisor, shop=shop, reviewers=reviewers, kind=kind, **values)


def queued() -> Counter:
    return Counter(QueueItem.objects.values_list("reviewer_id", flat=True))


# ---- random ----------------------------------------------------------------------------------


def test_random_rate_takes_that_share_of_each_day_rounded_up(s1_supervisor, shop, reviewer, today):
    for _ in range(10):
        inspected(shop, day=today)
    for _ in range(4):
        inspected(shop, day=today - timedelta(days=1))
    plan(s1_supervisor, shop, [reviewer], rate=25)
    assert queues_fill().queued == 3 + 1
    days = Counter(QueueItem.objects.values_list("day", flat=True))
    assert days == {today: 3, today - timedelta(days=1): 1}
    assert set(QueueItem.objects.values_list("reason", flat=True)) == {Reason.RANDOM}


def test_random_fill_is_idempotent_and_tops_up_as_conversations_arrive(s1_supervisor, shop, reviewer, today):
    for _ in range(4):
        inspected(shop, day=today)
    plan(s1_supervisor, shop, [reviewer], per_day=2)
    assert queues_fill().queued == 2
    assert queues_fill().queued == 0
    assert QueueItem.objects.count() == 2
    inspected(shop, day=today)  # more conversations do not raise a number-a-day plan
    assert queues_fill().queued == 0


def test_random_draw_is_reproducible(s1_supervisor, shop, reviewer, today):
    for _ in range(20):
        inspected(shop, day=today)
    p = plan(s1_supervisor, shop, [reviewer], per_day=5)
    first = [c.conversation_id for c in plan_sample(p)]
    assert first == [c.conversation_id for c in plan_sample(p)] and len(set(first)) == 5


def test_days_before_the_plan_start_are_left_alone(s1_supervisor, shop, reviewer, today):
    inspected(shop, day=today - timedelta(days=3))
    plan(s1_supervisor, shop, [reviewer], per_day=5, starts_on=today - timedelta(days=1))
    assert queues_fill().queued == 0


# ---- per agent -----------------------------------------------------------------------------------


def test_per_agent_gives_each_agent_at_least_n_a_week(s1_supervisor, shop, reviewer, today):
    busy, quiet, new = (AgentFactory(shop=shop) for _ in range(3))
    for _ in range(6):
        inspected(shop, agent=busy, day=today)
    inspected(shop, agent=quiet, day=today)
    plan(s1_supervisor, shop, [reviewer], kind=PlanKind.PER_AGENT, per_agent_week=2,
         starts_on=monday(today))
    queues_fill()
    per_agent = Counter(QueueItem.objects.values_list("agent_id", flat=True))
    assert per_agent == {busy.pk: 2, quiet.pk: 1}  # the quiet agent has only one conversation
    inspected(shop, agent=new, day=today)
    inspected(shop, agent=quiet, day=today)
    queues_fill()
    assert Counter(QueueItem.objects.values_list("agent_id", flat=True)) == {busy.pk: 2, quiet.pk: 2, new.pk: 1}


def test_reviews_from_other_plans_count_towards_the_agent_quota(s1_supervisor, shop, reviewer, today):
    agent = AgentFactory(shop=shop)
    for _ in range(3):
        inspected(shop, agent=agent, day=today, flagged=True)
    inspected(shop, agent=agent, day=today)
    plan(s1_supervisor, shop, [reviewer], kind=PlanKind.RISK, per_day=0)
    plan(s1_supervisor, shop, [reviewer], kind=PlanKind.PER_AGENT, per_agent_week=2, starts_on=monday(today))
    queues_fill()
    assert set(QueueItem.objects.values_list("reason", flat=True)) == {Reason.FLAGGED}
    assert QueueItem.objects.count() == 3


# ---- risk-weighted -------------------------------------------------------------------------------


def test_risk_takes_every_flagged_conversation_then_the_riskiest(s1_supervisor, shop, reviewer, today):
    flagged = [inspected(shop, day=today, flagged=True, score=60) for _ in range(3)]
    complaint = inspected(shop, day=today, score=90, findings=[("unresolved_complaint", [])])
    low_rating = inspected(shop, day=today, score=98, rating=1)
    low_score = inspected(shop, day=today, score=70)
    slightly_low = inspected(shop, day=today, score=79)
    inspected(shop, day=today, score=100, rating=5)  # no risk: never sampled by this plan
    plan(s1_supervisor, shop, [reviewer], kind=PlanKind.RISK, per_day=3, low_score_below=80, low_rating_max=2)
    queues_fill()
    reasons = dict(QueueItem.objects.values_list("conversation_id", "reason"))
    assert {i.conversation_id for i in flagged} <= reasons.keys()  # beyond per_day: always
    assert reasons[complaint.conversation_id] == Reason.COMPLAINT
    assert reasons[low_rating.conversation_id] == Reason.LOW_RATING
    assert reasons[low_score.conversation_id] == Reason.LOW_SCORE
    assert slightly_low.conversation_id not in reasons  # the least risky waits for a quieter day
    assert len(reasons) == 6
    # Flagged conversations come first in the queue.
    first = QueueItem.objects.order_by("-priority", "created_at", "id").first()
    assert first.reason == Reason.FLAGGED


def test_a_flagged_conversation_arriving_later_is_still_taken(s1_supervisor, shop, reviewer, today):
    plan(s1_supervisor, shop, [reviewer], kind=PlanKind.RISK, per_day=0)
    queues_fill()
    late = inspected(shop, day=today, flagged=True)
    assert review_tick() == 1
    assert QueueItem.objects.get().conversation_id == late.conversation_id


# ---- assignment ------------------------------------------------------------------------------------


def test_queues_are_balanced_across_reviewers(s1_supervisor, shop, reviewer, reviewer2, reviewer3, today):
    for _ in range(9):
        inspected(shop, day=today)
    plan(s1_supervisor, shop, [reviewer, reviewer2, reviewer3], per_day=9)
    queues_fill()
    assert sorted(queued().values()) == [3, 3, 3]


def test_the_least_loaded_reviewer_gets_new_work(s1_supervisor, shop, reviewer, reviewer2, today):
    for _ in range(4):
        inspected(shop, day=today, flagged=True)
    plan(s1_supervisor, shop, [reviewer], kind=PlanKind.RISK, per_day=0)
    queues_fill()
    assert queued() == {reviewer.pk: 4}
    for _ in range(6):
        inspected(shop, day=today)
    plan(s1_supervisor, shop, [reviewer, reviewer2], per_day=6)
    queues_fill()
    assert queued() == {reviewer.pk: 5, reviewer2.pk: 5}


def test_a_reviewer_never_gets_a_conversation_they_served(make_user, s1_supervisor, shop, reviewer, today):
    lead = make_user(Role.TEAM_LEAD, username="zuzhang1", shops=[shop], agent_shop=shop)
    own = [inspected(shop, agent=lead.agent, day=today) for _ in range(3)]
    others = [inspected(shop, day=today) for _ in range(3)]
    plan(s1_supervisor, shop, [lead, reviewer], per_day=6)
    queues_fill()
    mine = set(QueueItem.objects.filter(reviewer=lead).values_list("conversation_id", flat=True))
    assert mine and not mine & {i.conversation_id for i in own}
    assert QueueItem.objects.count() == 6
    assert set(QueueItem.objects.filter(reviewer=reviewer).values_list("conversation_id", flat=True)) >= {
        i.conversation_id for i in own}
    assert len(others) == 3


def test_a_conversation_only_its_own_agent_could_review_stays_out(make_user, s1_supervisor, shop, today):
    lead = make_user(Role.TEAM_LEAD, username="zuzhang1", shops=[shop], agent_shop=shop)
    inspection = inspected(shop, day=today, flagged=True)
    # The agent wrote in the conversation without being assigned or the last replier.
    from kefu.core.testing.factories import MessageFactory

    MessageFactory(conversation=inspection.conversation, sender="agent", agent=lead.agent, text="亲，在的")
    plan(s1_supervisor, shop, [lead], kind=PlanKind.RISK, per_day=0)
    result = queues_fill()
    assert result.queued == 0 and result.unassigned == 1


def test_a_conversation_is_never_queued_twice(s1_supervisor, shop, reviewer, reviewer2, today):
    for _ in range(5):
        inspected(shop, day=today, flagged=True, score=50)
    plan(s1_supervisor, shop, [reviewer], kind=PlanKind.RISK, per_day=5)
    plan(s1_supervisor, shop, [reviewer, reviewer2], rate=100)
    queues_fill()
    queues_fill()
    pairs = list(QueueItem.objects.values_list("reviewer_id", "conversation_id"))
    assert len(pairs) == len(set(pairs)) == 5
    assert len({cid for _r, cid in pairs}) == 5


def test_reviewers_outside_the_shop_or_role_get_nothing(make_user, s1_supervisor, shop, other_shop, reviewer, today):
    inspected(shop, day=today, flagged=True)
    p = plan(s1_supervisor, shop, [reviewer], kind=PlanKind.RISK, per_day=0)
    elsewhere = make_user(Role.QA, username="zhijian_s2", shops=[other_shop])
    p.reviewers.add(elsewhere)  # bypassing the form: the fill still checks
    queues_fill()
    assert queued() == {reviewer.pk: 1}


def test_pending_work_of_a_removed_reviewer_moves_to_the_others(s1_supervisor, shop, reviewer, reviewer2, today):
    for _ in range(4):
        inspected(shop, day=today)
    p = plan(s1_supervisor, shop, [reviewer, reviewer2], per_day=4)
    queues_fill()
    plan_update(plan=p, actor=s1_supervisor, reviewers=[reviewer2])
    result = queues_fill()
    assert result.reassigned == 2
    assert queued() == {reviewer2.pk: 4}


def test_paused_plans_sample_nothing(s1_supervisor, shop, reviewer, today):
    inspected(shop, day=today)
    plan(s1_supervisor, shop, [reviewer], per_day=3, active=False)
    assert review_tick() == 0


def test_done_items_do_not_count_as_load(s1_supervisor, shop, reviewer, reviewer2, today):
    for _ in range(2):
        inspected(shop, day=today, flagged=True)
    plan(s1_supervisor, shop, [reviewer], kind=PlanKind.RISK, per_day=0)
    queues_fill()
    QueueItem.objects.update(status=ItemStatus.DONE)
    for _ in range(2):
        inspected(shop, day=today)
    plan(s1_supervisor, shop, [reviewer, reviewer2], per_day=2)
    queues_fill()
    assert Counter(QueueItem.objects.filter(status=ItemStatus.PENDING).values_list("reviewer_id", flat=True)) == {
        reviewer.pk: 1, reviewer2.pk: 1}


# ---- plans ---------------------------------------------------------------------------------------------


def test_the_fill_button_is_audited(s1_supervisor, shop, reviewer, today):
    inspected(shop, day=today, flagged=True)
    plan(s1_supervisor, shop, [reviewer], kind=PlanKind.RISK, per_day=0)
    queues_fill(actor=s1_supervisor)
    entry = AuditEntry.objects.get(action="review.queues_fill")
    assert entry.actor == s1_supervisor and entry.detail["queued"] == 1


@pytest.mark.parametrize("values, field", [
    ({"kind": PlanKind.RANDOM}, "rate"),
    ({"kind": PlanKind.RANDOM, "rate": 10, "per_day": 5}, "rate"),
    ({"kind": PlanKind.PER_AGENT}, "per_agent_week"),
])
def test_plans_say_how_many(s1_supervisor, shop, reviewer, values, field):
    with pytest.raises(ValidationError) as error:
        plan_create(actor=s1_supervisor, shop=shop, reviewers=[reviewer], name="x", **values)
    assert error.value.detail["field"] == field


def test_plan_reviewers_must_cover_the_shop(make_user, s1_supervisor, shop, other_shop):
    elsewhere = make_user(Role.QA, username="zhijian_s2", shops=[other_shop])
    agent = make_user(Role.AGENT, username="kefu9", shops=[shop])
    for people in ([elsewhere], [agent], []):
        with pytest.raises(ValidationError):
            plan_create(actor=s1_supervisor, shop=shop, reviewers=people, name="x", kind=PlanKind.RISK, per_day=1)


def test_only_managers_of_the_shop_set_plans(make_user, shop, other_shop, reviewer):
    other_supervisor = make_user(Role.SUPERVISOR, username="zhuguan2", shops=[other_shop])
    for actor in (reviewer, other_supervisor):
        with pytest.raises(PermissionDenied):
            plan_create(actor=actor, shop=shop, reviewers=[reviewer], name="x", kind=PlanKind.RISK, per_day=1)
