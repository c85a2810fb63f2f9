"""Sampling plans and filling the reviewers' queues (spec/qa.md "Sampling and human review").

``queues_fill`` is idempotent: each run tops every active plan up to what it promises
over the recent days (``LOOKBACK_DAYS``), so the periodic ``review_tick`` and the
supervisor's button can both call it at any time.

- random: ``rate`` % (rounded up) or ``per_day`` of each shop day's inspected conversations;
- per agent: at least ``per_agent_week`` of each agent's conversations each week (reviews
  from any plan count towards it);
- risk-weighted: every flagged conversation (a critical finding), then up to ``per_day``
  a day of the riskiest others, by a risk weight: 40 for a complaint, 20 + 5 a star below
  the limit for a low rating, one a point below the score limit.

Plans are filled risk-weighted first, then per agent, then random. A conversation is
queued once (one reviewer, one review), to a reviewer of the plan who
may review the shop and did not serve the conversation, the least loaded first. The
random draws are seeded by plan and day: the same data give the same sample.
"""

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.audit import audit_record
from kefu.core.errors import PermissionDenied, ValidationError
from kefu.qa.models import Finding, Inspection
from kefu.review.models import ItemStatus, PlanKind, QueueItem, Reason, SamplingPlan
from kefu.review.selectors import can_manage, conversation_agent_users, reviewers_for_shop, user_covers_shop

LOOKBACK_DAYS = 7
COMPLAINT_RULES = ("unresolved_complaint",)
PRIORITY = {Reason.FLAGGED: 300, Reason.COMPLAINT: 200, Reason.LOW_RATING: 150, Reason.LOW_SCORE: 100}


@dataclass
class Candidate:
    inspection_id: int
    conversation_id: int
    shop_id: int
    agent_id: int | None
    day: date
    week: date
    reason: str
    priority: int = 0


@dataclass
class FillResult:
    queued: int = 0
    unassigned: int = 0  # sampled, but no reviewer of the plan may take it
    reassigned: int = 0
    per_plan: dict = field(default_factory=dict)


# ---- plans --------------------------------------------------------------------------------

PLAN_FIELDS = ("name", "kind", "rate", "per_day", "per_agent_week", "low_score_below", "low_rating_max",
               "starts_on", "active")


def _plan_check(*, actor, shop, kind, reviewers, rate=None, per_day=None, per_agent_week=None, **_rest) -> None:
    if not can_manage(actor) or not user_covers_shop(actor, shop.pk):
        raise PermissionDenied()
    if kind == PlanKind.RANDOM and (rate is None) == (per_day is None):
        raise ValidationError(_("A random plan takes either a rate or a number a day."), detail={"field": "rate"})
    if kind == PlanKind.RANDOM and rate is not None and not 1 <= rate <= 100:
        raise ValidationError(_("The rate is a percentage from 1 to 100."), detail={"field": "rate"})
    if kind == PlanKind.PER_AGENT and not per_agent_week:
        raise ValidationError(_("Say how many conversations of each agent to review a week."),
                              detail={"field": "per_agent_week"})
    if not reviewers:
        raise ValidationError(_("Choose at least one reviewer."), detail={"field": "reviewers"})
    eligible = set(reviewers_for_shop(shop.pk).values_list("pk", flat=True))
    if any(r.pk not in eligible for r in reviewers):
        raise ValidationError(_("Every reviewer must be able to review this shop."), detail={"field": "reviewers"})


def _plan_detail(plan: SamplingPlan) -> dict:
    detail = {name: getattr(plan, name) for name in PLAN_FIELDS}
    detail["starts_on"] = plan.starts_on.isoformat()
    detail["shop"] = plan.shop_id
    detail["reviewers"] = sorted(plan.reviewers.values_list("pk", flat=True))
    return detail


@transaction.atomic
def plan_create(*, actor, shop, reviewers, request=None, **values) -> SamplingPlan:
    unknown = set(values) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"unknown plan field(s): {', '.join(sorted(unknown))}")
    values.setdefault("starts_on", timezone.localdate())
    _plan_check(actor=actor, shop=shop, reviewers=reviewers, **values)
    plan = SamplingPlan.objects.create(shop=shop, created_by=actor, **{k: v for k, v in values.items()
                                                                       if k in PLAN_FIELDS})
    plan.reviewers.set(reviewers)
    audit_record(actor=actor, action="review.plan_create", target=plan, detail=_plan_detail(plan), request=request)
    return plan


@transaction.atomic
def plan_update(*, plan: SamplingPlan, actor, reviewers, request=None, **values) -> SamplingPlan:
    merged = {name: values.get(name, getattr(plan, name)) for name in PLAN_FIELDS}
    _plan_check(actor=actor, shop=plan.shop, reviewers=reviewers, **merged)
    before = _plan_detail(plan)
    for name, value in merged.items():
        setattr(plan, name, value)
    plan.save()
    plan.reviewers.set(reviewers)
    after = _plan_detail(plan)
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if changed:
        audit_record(actor=actor, action="review.plan_update", target=plan, detail=changed, request=request)
    return plan


# ---- sampling -------------------------------------------------------------------------------


def _shop_today(shop, now) -> date:
    return timezone.localtime(now, ZoneInfo(shop.timezone or "Asia/Shanghai")).date()


def _unqueued(plan: SamplingPlan, first_day: date, last_day: date):
    queued = QueueItem.objects.filter(conversation_id=OuterRef("conversation_id"), calibration__isnull=True)
    return Inspection.objects.filter(shop_id=plan.shop_id, day__gte=first_day, day__lte=last_day).exclude(
        Exists(queued)
    )


def _candidate(row, reason, priority=0) -> Candidate:
    pk, cid, shop_id, agent_id, assigned, day, week = row[:7]
    return Candidate(pk, cid, shop_id, agent_id or assigned, day, week, reason, priority)


ROW = ("pk", "conversation_id", "shop_id", "agent_id", "conversation__assigned_agent_id", "day", "week")


def _draw(ids: list[int], n: int, seed: str) -> list[int]:
    """``n`` of ``ids`` at random, the same for the same ids and seed."""
    ids = sorted(ids)
    random.Random(seed).shuffle(ids)
    return ids[:n]


def _rows(pks, reason) -> list[Candidate]:
    # Only the drawn rows are read in full: a 双11 day has 10⁵ inspections and the fill runs every minute.
    rows = Inspection.objects.filter(pk__in=list(pks)).order_by("day", "pk").values_list(*ROW)
    return [_candidate(row, reason) for row in rows]


def _random(plan: SamplingPlan, first_day: date, last_day: date) -> list[Candidate]:
    totals = dict(
        Inspection.objects.filter(shop_id=plan.shop_id, day__gte=first_day, day__lte=last_day)
        .values_list("day").annotate(n=Count("id")).order_by()
    )
    taken = dict(
        QueueItem.objects.filter(plan=plan, day__gte=first_day).values_list("day").annotate(n=Count("id")).order_by()
    )
    drawn = []
    for day, total in sorted(totals.items()):
        wanted = math.ceil(total * plan.rate / 100) if plan.rate else plan.per_day
        missing = wanted - taken.get(day, 0)
        if missing > 0:
            ids = list(_unqueued(plan, day, day).values_list("pk", flat=True))
            drawn += _draw(ids, missing, f"{plan.pk}:{day.isoformat()}")
    return _rows(drawn, Reason.RANDOM)


def _per_agent(plan: SamplingPlan, first_day: date, last_day: date) -> list[Candidate]:
    first_week = first_day - timedelta(days=first_day.weekday())
    have = Counter({
        (agent_id, week): n
        for agent_id, week, n in QueueItem.objects.filter(
            shop_id=plan.shop_id, calibration__isnull=True, week__gte=first_week, agent__isnull=False
        ).values_list("agent_id", "week").annotate(n=Count("id")).order_by()
    })
    unqueued = _unqueued(plan, max(first_week, plan.starts_on), last_day).filter(agent__isnull=False)
    strata = unqueued.values_list("agent_id", "week").annotate(n=Count("id")).order_by("agent_id", "week")
    drawn = []
    for agent_id, week, _available in strata:
        missing = plan.per_agent_week - have[(agent_id, week)]
        if missing > 0:
            ids = list(unqueued.filter(agent_id=agent_id, week=week).values_list("pk", flat=True))
            drawn += _draw(ids, missing, f"{plan.pk}:{agent_id}:{week.isoformat()}")
    return _rows(drawn, Reason.PER_AGENT)


def _risk_weights(plan, score, rating, complaint) -> dict:
    return {
        Reason.COMPLAINT: 40 if complaint else 0,
        Reason.LOW_RATING: 20 + 5 * (plan.low_rating_max - rating) if rating and rating <= plan.low_rating_max else 0,
        Reason.LOW_SCORE: max(0, plan.low_score_below - score),
    }


def _risk(plan: SamplingPlan, first_day: date, last_day: date) -> list[Candidate]:
    unqueued = _unqueued(plan, first_day, last_day)
    out = [_candidate(row, Reason.FLAGGED, PRIORITY[Reason.FLAGGED])
           for row in unqueued.filter(flagged=True).order_by("day", "pk").values_list(*ROW)]
    if not plan.per_day:
        return out
    taken = dict(
        QueueItem.objects.filter(plan=plan, day__gte=first_day).exclude(reason=Reason.FLAGGED)
        .values_list("day").annotate(n=Count("id")).order_by()
    )
    complaint = Finding.objects.filter(inspection=OuterRef("pk"), rule_key__in=COMPLAINT_RULES)
    risky = unqueued.filter(flagged=False).annotate(complaint=Exists(complaint)).filter(
        Q(score__lt=plan.low_score_below) | Q(conversation__rating__lte=plan.low_rating_max) | Q(complaint=True)
    )
    for day in sorted({first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)}):
        missing = plan.per_day - taken.get(day, 0)
        if missing <= 0:
            continue
        ranked = []
        for row in risky.filter(day=day).values_list(*ROW, "score", "conversation__rating", "complaint", "start"):
            weights = _risk_weights(plan, row[7], row[8], row[9])
            reason = max(weights, key=lambda r: (weights[r], PRIORITY[r]))
            ranked.append((-sum(weights.values()), row[10], row[0], _candidate(row, reason, PRIORITY[reason])))
        out += [c for *_key, c in sorted(ranked, key=lambda r: r[:3])[:missing]]
    return out


SAMPLERS = {PlanKind.RANDOM: _random, PlanKind.PER_AGENT: _per_agent, PlanKind.RISK: _risk}
# Risk first (flagged conversations must never lose their place), then the agents' quotas
# (which risky reviews may already meet), then random shares.
FILL_ORDER = {PlanKind.RISK: 0, PlanKind.PER_AGENT: 1, PlanKind.RANDOM: 2}


def plan_sample(plan: SamplingPlan, *, now=None) -> list[Candidate]:
    """What the plan still has to queue (nothing is written)."""
    today = _shop_today(plan.shop, now or timezone.now())
    first_day = max(plan.starts_on, today - timedelta(days=LOOKBACK_DAYS))
    if first_day > today or not plan.active:
        return []
    return SAMPLERS[plan.kind](plan, first_day, today)


# ---- assigning --------------------------------------------------------------------------------


def _pending_loads(reviewer_ids) -> Counter:
    return Counter(dict(
        QueueItem.objects.filter(reviewer_id__in=reviewer_ids, status=ItemStatus.PENDING)
        .values_list("reviewer_id").annotate(n=Count("id")).order_by()
    ))


def _assign(plan, candidates, reviewers, loads, agents) -> tuple[list[QueueItem], int]:
    items, unassigned = [], 0
    for candidate in candidates:
        own = agents.get(candidate.conversation_id, set())
        eligible = [r for r in reviewers if r not in own]
        if not eligible:
            unassigned += 1
            continue
        reviewer = min(eligible, key=lambda r: (loads[r], r))
        loads[reviewer] += 1
        items.append(QueueItem(
            reviewer_id=reviewer, conversation_id=candidate.conversation_id, shop_id=candidate.shop_id,
            agent_id=candidate.agent_id, day=candidate.day, week=candidate.week, plan=plan,
            reason=candidate.reason, priority=candidate.priority,
        ))
    return items, unassigned


def _rebalance(plan, reviewers, loads) -> int:
    """Pending items of people no longer reviewing for the plan go to its reviewers."""
    stranded = list(QueueItem.objects.filter(plan=plan, status=ItemStatus.PENDING).exclude(reviewer_id__in=reviewers))
    if not stranded:
        return 0
    agents = conversation_agent_users(i.conversation_id for i in stranded)
    moved = 0
    for item in stranded:
        eligible = [r for r in reviewers if r not in agents.get(item.conversation_id, set())]
        if eligible:
            item.reviewer_id = min(eligible, key=lambda r: (loads[r], r))
            loads[item.reviewer_id] += 1
            item.save(update_fields=["reviewer"])
            moved += 1
    return moved


def plan_fill(plan: SamplingPlan, *, now=None) -> FillResult:
    result = FillResult()
    with transaction.atomic():
        plan = SamplingPlan.objects.select_for_update().select_related("shop").get(pk=plan.pk)
        eligible = set(reviewers_for_shop(plan.shop_id).values_list("pk", flat=True))
        reviewers = sorted(pk for pk in plan.reviewers.values_list("pk", flat=True) if pk in eligible)
        if not reviewers:
            return result
        loads = _pending_loads(reviewers)
        result.reassigned = _rebalance(plan, reviewers, loads)
        candidates = plan_sample(plan, now=now)
        if not candidates:
            return result
        agents = conversation_agent_users(c.conversation_id for c in candidates)
        items, result.unassigned = _assign(plan, candidates, reviewers, loads, agents)
        # Another fill may have queued some of these meanwhile: the one-review constraint keeps
        # the first, the rest are skipped.
        QueueItem.objects.bulk_create(items, ignore_conflicts=True)
        result.queued = len(items)
    return result


def queues_fill(*, plans=None, now=None, actor=None, request=None) -> FillResult:
    """Top up every active plan (or ``plans``); with ``actor`` (the button) it is audited."""
    if actor is not None and not can_manage(actor):
        raise PermissionDenied()
    if plans is None:
        plans = SamplingPlan.objects.filter(active=True)
    total = FillResult()
    for plan in sorted(plans, key=lambda p: (FILL_ORDER[p.kind], p.pk)):
        result = plan_fill(plan, now=now)
        total.queued += result.queued
        total.unassigned += result.unassigned
        total.reassigned += result.reassigned
        total.per_plan[plan.pk] = result.queued
    if actor is not None:
        audit_record(actor=actor, action="review.queues_fill", target=("review.samplingplan", "*"), request=request,
                     detail={"queued": total.queued, "unassigned": total.unassigned,
                             "per_plan": {str(k): v for k, v in total.per_plan.items()}})
    return total


def review_tick(now=None) -> int:
    """Periodic (settings.KEFU_PERIODIC): fill the queues of every active plan."""
    return queues_fill(now=now).queued
