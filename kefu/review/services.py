"""Writes of human review: scorecards, reviews, appeals and calibrations. Each write runs
in a transaction and leaves an audit entry; sampling plans and queue filling are in
``kefu.review.sampling``.

A review's decision on an automatic finding is also written onto the finding
(``qa.Finding.status``): that is how quality inspection learns which findings people
confirmed (the QA lead allows this one write into the qa app's rows)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.audit import audit_record
from kefu.core.errors import Conflict, PermissionDenied, ValidationError
from kefu.qa.models import Finding, FindingStatus, Inspection
from kefu.review.models import (
    MAX_SCORE,
    Appeal,
    AppealStatus,
    Calibration,
    Decision,
    FindingDecision,
    ItemScore,
    ItemStatus,
    QueueItem,
    Reason,
    Review,
    Scorecard,
    ScorecardItem,
)
from kefu.review.selectors import (
    can_manage,
    can_review,
    conversation_agent_users,
    reviewers_for_shop,
    user_covers_shop,
)

# The default scorecard of a shop: (key, name, weight); names are the shop's to change.
DEFAULT_ITEMS = [
    ("attitude", "服务态度", 30),
    ("knowledge", "专业知识", 25),
    ("resolution", "解决问题", 30),
    ("wording", "规范用语", 15),
]
MAX_ITEMS = 10
CALIBRATION_PRIORITY = 400  # above every sampling reason: a calibration waits for its slowest reviewer
WEIGHT_TOTAL = 100


def weighted_total(pairs) -> Decimal:
    """The total of (weight, score) pairs on 0-100: Σ w·s / (5 · Σ w) · 100, one decimal."""
    pairs = list(pairs)
    weights = sum(w for w, _s in pairs)
    if not weights:
        return Decimal("0.0")
    value = Decimal(sum(w * s for w, s in pairs) * 100) / Decimal(MAX_SCORE * weights)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---- scorecards -------------------------------------------------------------------------


def scorecard_ensure(*, shop) -> Scorecard:
    """The shop's scorecard, created with the default items the first time (idempotent)."""
    card, created = Scorecard.objects.get_or_create(shop=shop)
    if created:
        ScorecardItem.objects.bulk_create([
            ScorecardItem(scorecard=card, key=key, name=name, weight=weight, position=n)
            for n, (key, name, weight) in enumerate(DEFAULT_ITEMS)
        ])
    return card


def _clean_items(items: list[dict]) -> list[dict]:
    clean, names = [], set()
    for row in items:
        name = str(row.get("name") or "").strip()
        if not name:
            continue
        if name in names:
            raise ValidationError(_("Each item needs its own name: %(name)s appears twice.") % {"name": name})
        try:
            weight = int(row.get("weight"))
        except (TypeError, ValueError):
            raise ValidationError(_("The weight of %(name)s must be a whole number.") % {"name": name}) from None
        if not 1 <= weight <= 100:
            raise ValidationError(_("The weight of %(name)s must be between 1 and 100.") % {"name": name})
        names.add(name)
        clean.append({"key": (row.get("key") or "").strip(), "name": name[:50], "weight": weight})
    if not clean:
        raise ValidationError(_("A scorecard needs at least one item."))
    if len(clean) > MAX_ITEMS:
        raise ValidationError(_("A scorecard has at most %(n)d items.") % {"n": MAX_ITEMS})
    total = sum(row["weight"] for row in clean)
    if total != WEIGHT_TOTAL:
        raise ValidationError(_("The weights must add up to 100 (now %(total)d).") % {"total": total})
    return clean


@transaction.atomic
def scorecard_update(*, shop, items: list[dict], actor, request=None) -> Scorecard:
    """Replace a shop's items: ``[{"key": existing key or "", "name", "weight"}]`` in order.
    Past reviews keep the names and weights they were scored with."""
    if not can_manage(actor) or not user_covers_shop(actor, shop.pk):
        raise PermissionDenied()
    clean = _clean_items(items)
    card = scorecard_ensure(shop=shop)
    existing = {item.key: item for item in card.items.all()}
    before = [{"key": i.key, "name": i.name, "weight": i.weight} for i in existing.values()]
    used = {row["key"] for row in clean if row["key"] in existing}
    number = len(existing) + 1
    kept = []
    for position, row in enumerate(clean):
        item = existing.get(row["key"]) if row["key"] else None
        if item is None:
            while f"item{number}" in existing or f"item{number}" in used:
                number += 1
            item = ScorecardItem(scorecard=card, key=f"item{number}")
            used.add(item.key)
        item.name, item.weight, item.position = row["name"], row["weight"], position
        item.save()
        kept.append(item.pk)
    card.items.exclude(pk__in=kept).delete()
    card.updated_by = actor
    card.save()
    after = [{"key": i.key, "name": i.name, "weight": i.weight} for i in card.items.all()]
    audit_record(actor=actor, action="review.scorecard_update", target=card, request=request,
                 detail={"shop": shop.pk, "before": before, "after": after})
    return card


# ---- reviews ------------------------------------------------------------------------------


def _clean_scores(items, scores: dict) -> list[tuple]:
    out, missing = [], []
    for item in items:
        value = scores.get(item.key)
        if value in (None, ""):
            missing.append(item.name)
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = -1
        if not 0 <= value <= MAX_SCORE:
            raise ValidationError(_("Score %(name)s from 0 to 5.") % {"name": item.name}, detail={"field": item.key})
        out.append((item, value))
    if missing:
        raise ValidationError(_("Score every item: %(names)s.") % {"names": "、".join(missing)},
                              detail={"field": "scores"})
    return out


def _clean_decisions(rows, decisions: dict, key=lambda row: row.pk) -> list[tuple]:
    out, missing = [], 0
    for row in rows:
        value = decisions.get(key(row))
        if value not in Decision.values:
            missing += 1
            continue
        out.append((row, value))
    if missing:
        raise ValidationError(_("Confirm or reject every automatic finding (%(n)d left).") % {"n": missing},
                              detail={"field": "decisions"})
    return out


def _finding_status_apply(pairs) -> None:
    """Write the decisions onto the findings (``pairs``: finding id, decision)."""
    for decision in Decision.values:
        ids = [pk for pk, value in pairs if value == decision and pk is not None]
        if ids:
            Finding.objects.filter(pk__in=ids).update(status=FindingStatus(decision))


def review_result(review: Review) -> dict:
    """A review's result as stored in audit entries and appeals."""
    return {
        "total": str(review.total),
        "scores": {s.key: {"name": s.name, "weight": s.weight, "score": s.score} for s in review.scores.all()},
        "decisions": [
            {"id": d.pk, "rule_key": d.rule_key, "message_ids": d.message_ids, "decision": d.decision}
            for d in review.decisions.all()
        ],
        "comment": review.comment,
    }


@transaction.atomic
def review_submit(*, item: QueueItem, actor, scores: dict, decisions: dict, comment: str = "",
                  request=None) -> Review:
    """Save the reviewer's scores (item key -> 0-5), decisions (finding id -> confirmed or
    rejected, every current finding) and comment for a conversation of their queue."""
    item = QueueItem.objects.select_for_update().select_related("shop").get(pk=item.pk)
    if item.reviewer_id != actor.pk or not can_review(actor):
        raise PermissionDenied()
    if item.status != ItemStatus.PENDING:
        raise Conflict(_("This conversation has already been reviewed."))
    card = scorecard_ensure(shop=item.shop)
    clean_scores = _clean_scores(list(card.items.all()), scores)
    findings = list(Finding.objects.filter(inspection__conversation_id=item.conversation_id).order_by("id"))
    clean_decisions = _clean_decisions(findings, {int(k): v for k, v in decisions.items()})
    inspection = Inspection.objects.filter(conversation_id=item.conversation_id).first()
    review = Review.objects.create(
        item=item, conversation_id=item.conversation_id, shop_id=item.shop_id, agent_id=item.agent_id,
        reviewer=actor, calibration_id=item.calibration_id,
        inspection_score=inspection.score if inspection else None,
        total=weighted_total((i.weight, s) for i, s in clean_scores), comment=(comment or "").strip(),
    )
    ItemScore.objects.bulk_create([
        ItemScore(review=review, key=i.key, name=i.name, weight=i.weight, score=s) for i, s in clean_scores
    ])
    FindingDecision.objects.bulk_create([
        FindingDecision(review=review, finding=f, rule_key=f.rule_key, severity=f.severity,
                        message_ids=f.message_ids, evidence=f.evidence, decision=d)
        for f, d in clean_decisions
    ])
    if item.calibration_id is None:  # a calibration is an exercise: the findings keep their state
        _finding_status_apply([(f.pk, d) for f, d in clean_decisions])
    item.status, item.done_at = ItemStatus.DONE, timezone.now()
    item.save(update_fields=["status", "done_at"])
    audit_record(actor=actor, action="review.submit", target=review, request=request,
                 detail={"conversation": item.conversation_id, **review_result(review)})
    return review


# ---- appeals --------------------------------------------------------------------------------

# The one transition flow of an appeal: (from, to) pairs allowed.
APPEAL_TRANSITIONS = {
    (AppealStatus.OPEN, AppealStatus.UPHELD),
    (AppealStatus.OPEN, AppealStatus.CHANGED),
}


def _appeal_reviewer(review: Review):
    """Another reviewer: not the one appealed against, not an agent of the conversation;
    the sampling plan's reviewers first, then the least loaded."""
    excluded = {review.reviewer_id, *conversation_agent_users([review.conversation_id]).get(review.conversation_id,
                                                                                              set())}
    candidates = list(reviewers_for_shop(review.shop_id).exclude(pk__in=[pk for pk in excluded if pk]).annotate(
        open_appeals=Count("review_appeals", filter=Q(review_appeals__status=AppealStatus.OPEN), distinct=True),
        pending=Count("review_queue", filter=Q(review_queue__status=ItemStatus.PENDING), distinct=True),
    ))
    if not candidates:
        return None
    plan_reviewers = set(review.item.plan.reviewers.values_list("pk", flat=True)) if review.item.plan_id else set()
    return min(candidates, key=lambda u: (u.pk not in plan_reviewers, u.open_appeals, u.pending, u.pk))


@transaction.atomic
def appeal_create(*, review: Review, actor, reason: str, request=None) -> Appeal:
    """The agent appeals their review (once); another reviewer gets it."""
    from kefu.accounts.selectors import user_agent

    agent = user_agent(actor)
    if (review.calibration_id is not None or agent is None or review.agent_id != agent.pk
            or not actor.has_perm("review.view_own_reviews")):
        raise PermissionDenied(_("Only the agent whose conversation was reviewed can appeal."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why you appeal."), detail={"field": "reason"})
    if Appeal.objects.filter(review=review).exists():
        raise Conflict(_("This review has already been appealed: a review can be appealed once."))
    reviewer = _appeal_reviewer(review)
    if reviewer is None:
        raise ValidationError(_("No other reviewer can take this appeal; ask your supervisor."))
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(review=review, appellant=actor, reason=reason[:2000], reviewer=reviewer,
                                           before=review_result(review))
    except IntegrityError:
        raise Conflict(_("This review has already been appealed: a review can be appealed once.")) from None
    audit_record(actor=actor, action="review.appeal_create", target=appeal, request=request,
                 detail={"review": review.pk, "reviewer": reviewer.pk, "reason": appeal.reason})
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor, scores: dict, decisions: dict, note: str, request=None) -> Appeal:
    """The appeal reviewer's decision: the result as they judge it (item key -> 0-5,
    decision id -> confirmed/rejected) and a note. The same result upholds the review;
    any difference changes it (the review then holds the new result)."""
    appeal = Appeal.objects.select_for_update().select_related("review").get(pk=appeal.pk)
    if appeal.reviewer_id != actor.pk or not can_review(actor):
        raise PermissionDenied()
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Write a note for the agent: why the result stands or changes."),
                              detail={"field": "note"})
    review = appeal.review
    old_scores = list(review.scores.all())
    old_decisions = list(review.decisions.all())
    clean_scores = _clean_scores(old_scores, scores)
    clean_decisions = _clean_decisions(old_decisions, {int(k): v for k, v in decisions.items()})
    changed = any(row.score != value for row, value in clean_scores) or any(
        row.decision != value for row, value in clean_decisions
    )
    target = AppealStatus.CHANGED if changed else AppealStatus.UPHELD
    if (appeal.status, target) not in APPEAL_TRANSITIONS:
        raise Conflict(_("This appeal has already been decided."))
    if changed:
        for row, value in clean_scores:
            if row.score != value:
                row.score = value
                row.save(update_fields=["score"])
        for row, value in clean_decisions:
            if row.decision != value:
                row.decision = value
                row.save(update_fields=["decision"])
        review.total = weighted_total((row.weight, row.score) for row, _v in clean_scores)
        review.save(update_fields=["total"])
        _finding_status_apply([(row.finding_id, value) for row, value in clean_decisions])
    before_status = appeal.status
    appeal.status, appeal.note = target, note[:2000]
    appeal.after = review_result(review)
    appeal.decided_by, appeal.decided_at = actor, timezone.now()
    appeal.save()
    audit_record(actor=actor, action="review.appeal_decide", target=appeal, request=request,
                 detail={"review": review.pk, "from": before_status, "to": target, "note": appeal.note,
                         "before": appeal.before, "after": appeal.after})
    return appeal


# ---- calibrations ----------------------------------------------------------------------------


@transaction.atomic
def calibration_create(*, shop, name: str, conversation_ids, reviewers, actor, request=None) -> Calibration:
    """Give the same conversations to each reviewer, to be scored independently."""
    if not can_manage(actor) or not user_covers_shop(actor, shop.pk):
        raise PermissionDenied()
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the calibration a name."), detail={"field": "name"})
    reviewers = list(reviewers)
    if len(reviewers) < 2:
        raise ValidationError(_("Choose at least two reviewers."), detail={"field": "reviewers"})
    eligible = set(reviewers_for_shop(shop.pk).values_list("pk", flat=True))
    if any(r.pk not in eligible for r in reviewers):
        raise ValidationError(_("Every reviewer must be able to review this shop."), detail={"field": "reviewers"})
    inspections = {
        i.conversation_id: i
        for i in Inspection.objects.filter(conversation_id__in=list(conversation_ids), shop=shop)
        .select_related("conversation")
    }
    if not inspections:
        raise ValidationError(_("Choose at least one inspected conversation of the shop."),
                              detail={"field": "conversations"})
    if QueueItem.objects.filter(conversation_id__in=list(inspections), calibration__isnull=True).exists():
        # A reviewer would see it twice, and the sampled review would no longer be independent.
        raise ValidationError(_("Choose conversations not already sampled for review."),
                              detail={"field": "conversations"})
    agents = conversation_agent_users(inspections)
    for reviewer in reviewers:
        if any(reviewer.pk in agents.get(cid, set()) for cid in inspections):
            raise ValidationError(
                _("%(name)s served one of these conversations and cannot review it.") % {"name": reviewer},
                detail={"field": "reviewers"},
            )
    calibration = Calibration.objects.create(shop=shop, name=name[:100], created_by=actor)
    calibration.reviewers.set(reviewers)
    QueueItem.objects.bulk_create([
        QueueItem(reviewer=reviewer, conversation_id=cid, shop=shop,
                  agent_id=inspection.agent_id or inspection.conversation.assigned_agent_id, day=inspection.day,
                  week=inspection.week, calibration=calibration, reason=Reason.CALIBRATION,
                  priority=CALIBRATION_PRIORITY)
        for cid, inspection in sorted(inspections.items())
        for reviewer in reviewers
    ])
    audit_record(actor=actor, action="review.calibration_create", target=calibration, request=request,
                 detail={"conversations": sorted(inspections), "reviewers": [r.pk for r in reviewers]})
    return calibration
