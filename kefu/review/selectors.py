"""Reads of human review for pages: queues, reviews, appeals, plans, calibrations, the
conversation as a reviewer sees it, and rule precision. List selectors take the user and
scope by shop and role; ``*_get_for_user`` fetch and check in one step (the same 404 for
missing and forbidden)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from kefu.accounts.permissions import scope_to_shops, shop_ids_for_user
from kefu.accounts.selectors import user_agent
from kefu.conversations.models import Conversation, Message
from kefu.core.errors import NotFound
from kefu.qa.models import Finding, Inspection, Rule
from kefu.review.models import (
    Appeal,
    AppealStatus,
    Calibration,
    FindingDecision,
    ItemStatus,
    QueueItem,
    Review,
    SamplingPlan,
    Scorecard,
)

REVIEW_PERM = "review.review_conversation"
MANAGE_PERM = "review.manage_review"
OWN_PERM = "review.view_own_reviews"


def can_review(user) -> bool:
    return user.is_active and user.has_perm(REVIEW_PERM)


def can_manage(user) -> bool:
    return user.is_active and user.has_perm(MANAGE_PERM)


def user_covers_shop(user, shop_id: int) -> bool:
    shop_ids = shop_ids_for_user(user)
    return shop_ids is None or shop_id in shop_ids


# ---- people ---------------------------------------------------------------------------


def reviewers_for_shop(shop_id: int) -> QuerySet:
    """Active users who may review conversations of this shop (the role's permission or
    their own; superusers), ordered by name."""
    User = get_user_model()
    perm = Permission.objects.filter(codename="review_conversation", content_type__app_label="review")
    holders = Q(groups__permissions__in=perm) | Q(user_permissions__in=perm) | Q(is_superuser=True)
    shops = Q(shops__isnull=True) | Q(shops=shop_id)
    ids = User.objects.filter(holders, is_active=True).filter(shops).values("pk")
    return User.objects.filter(pk__in=ids).order_by("display_name", "username")


def conversation_agent_users(conversation_ids) -> dict[int, set[int]]:
    """For each conversation, the logins of its agents: assigned, inspected as the last
    replier, or author of a message. A reviewer never reviews their own service."""
    found: dict[int, set[int]] = defaultdict(set)
    ids = list(conversation_ids)
    for cid, uid in Conversation.objects.filter(pk__in=ids, assigned_agent__user__isnull=False).values_list(
        "pk", "assigned_agent__user_id"
    ):
        found[cid].add(uid)
    for cid, uid in Inspection.objects.filter(conversation_id__in=ids, agent__user__isnull=False).values_list(
        "conversation_id", "agent__user_id"
    ):
        found[cid].add(uid)
    for cid, uid in (
        Message.objects.filter(conversation_id__in=ids, agent__user__isnull=False)
        .values_list("conversation_id", "agent__user_id")
        .distinct()
    ):
        found[cid].add(uid)
    return found


# ---- scorecards -----------------------------------------------------------------------


def scorecard_items(shop_id: int) -> list:
    """The items of a shop's scorecard (empty if it has none yet: see ``scorecard_ensure``)."""
    card = Scorecard.objects.filter(shop_id=shop_id).prefetch_related("items").first()
    return list(card.items.all()) if card else []


def scorecards_for_user(user) -> QuerySet[Scorecard]:
    return scope_to_shops(Scorecard.objects.select_related("shop", "updated_by").prefetch_related("items"), user)


# ---- queues ---------------------------------------------------------------------------


def queue_for_user(user) -> QuerySet[QueueItem]:
    """The user's pending queue, in review order."""
    return scope_to_shops(
        QueueItem.objects.filter(reviewer=user, status=ItemStatus.PENDING).select_related(
            "conversation", "shop", "agent", "calibration"
        ),
        user,
    )


def queue_next(user, *, after: int | None = None) -> QueueItem | None:
    """The next conversation of the user's queue; with ``after``, the one following that
    item (wrapping round), to skip an item without reviewing it."""
    items = list(queue_for_user(user).values_list("pk", flat=True)[:500])
    if not items:
        return None
    pk = items[0]
    if after is not None and after in items and len(items) > 1:
        pk = items[(items.index(after) + 1) % len(items)]
    return queue_for_user(user).get(pk=pk)


def queue_item_get_for_user(*, user, item_id: int) -> QueueItem:
    item = (
        scope_to_shops(QueueItem.objects.filter(reviewer=user), user)
        .select_related("conversation", "shop", "agent", "plan", "calibration")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def queue_loads(shop_ids: list[int] | None) -> list[dict]:
    """Pending items per reviewer (for managers: is the load balanced?)."""
    items = QueueItem.objects.filter(status=ItemStatus.PENDING)
    if shop_ids is not None:
        items = items.filter(shop_id__in=shop_ids)
    rows = items.values("reviewer_id", "reviewer__username", "reviewer__display_name").annotate(
        pending=Count("id")
    ).order_by("-pending", "reviewer__username")
    return [
        {"reviewer": r["reviewer__display_name"] or r["reviewer__username"], "pending": r["pending"]} for r in rows
    ]


def done_by_user(user, *, limit: int = 10) -> QuerySet[Review]:
    return (
        Review.objects.filter(reviewer=user)
        .select_related("conversation", "agent", "shop", "appeal", "calibration")
        .order_by("-created_at", "-id")[:limit]
    )


# ---- the conversation as reviewed ------------------------------------------------------


@dataclass
class FindingView:
    pk: int | None
    rule_key: str
    rule_name: str
    severity: str
    severity_label: str
    message_ids: list
    evidence: str
    decision: str = ""  # confirmed / rejected / "" (not decided)


@dataclass
class ConversationView:
    conversation: Conversation
    inspection: Inspection | None
    messages: list
    findings: list[FindingView]
    flagged_messages: dict = field(default_factory=dict)  # ext id -> [finding index]


def rule_names(keys) -> dict[str, str]:
    """The current (latest default or shop) name of each rule key."""
    names = {}
    for key, name in Rule.objects.filter(key__in=set(keys)).order_by("key", "version").values_list("key", "name"):
        names[key] = name
    return names


def _severity_label(value: str) -> str:
    from kefu.qa.models import Severity

    try:
        return Severity(value).label
    except ValueError:
        return value


def conversation_view(conversation: Conversation, *, review: Review | None = None) -> ConversationView:
    """The messages in order and the findings to show with them: the review's decisions
    when a review is given (``pk``: the decision's), else the current inspection's
    findings (``pk``: the finding's)."""
    inspection = Inspection.objects.filter(conversation=conversation).first()
    messages = list(
        Message.objects.filter(conversation=conversation).select_related("agent").order_by("sent_at", "ext_id")
    )
    if review is not None:
        rows = [
            (d.pk, d.rule_key, d.severity, d.message_ids, d.evidence, d.decision)
            for d in review.decisions.all()
        ]
    elif inspection is not None:
        rows = [
            (f.pk, f.rule_key, f.severity, f.message_ids, f.evidence, "")
            for f in Finding.objects.filter(inspection=inspection).order_by("id")
        ]
    else:
        rows = []
    names = rule_names(r[1] for r in rows)
    findings = [
        FindingView(pk, key, names.get(key, key), severity, _severity_label(severity), list(ids or []), evidence,
                    decision)
        for pk, key, severity, ids, evidence, decision in rows
    ]
    flagged: dict[str, list[int]] = defaultdict(list)
    for index, finding in enumerate(findings):
        for ext in finding.message_ids:
            flagged[ext].append(index)
    for message in messages:
        message.finding_marks = [(index, findings[index]) for index in flagged.get(message.ext_id, [])]
    return ConversationView(conversation, inspection, messages, findings, dict(flagged))


# ---- reviews and appeals ------------------------------------------------------------------


def _reviews() -> QuerySet[Review]:
    return Review.objects.select_related("conversation", "shop", "agent", "reviewer", "calibration", "item")


def reviews_for_user(user) -> QuerySet[Review]:
    """Reviews the user may open: every review of their shops for reviewers and managers;
    otherwise their own (as the agent, outside calibrations)."""
    if can_manage(user):
        return scope_to_shops(_reviews(), user)
    if can_review(user):
        # Another reviewer's calibration scores would bias one's own: hidden from reviewers.
        return scope_to_shops(_reviews(), user).filter(Q(calibration__isnull=True) | Q(reviewer=user))
    agent = user_agent(user)
    if agent is None or not user.has_perm(OWN_PERM):
        return Review.objects.none()
    return _reviews().filter(agent=agent, calibration__isnull=True)


def review_get_for_user(*, user, review_id: int) -> Review:
    review = (
        reviews_for_user(user).prefetch_related("scores", "decisions").filter(pk=review_id).first()
        or Review.objects.filter(pk=review_id, appeal__reviewer=user).prefetch_related("scores", "decisions").first()
    )
    if review is None:
        raise NotFound()
    return review


def reviews_of_own_service(user) -> QuerySet[Review]:
    """The agent's own reviews, newest first (calibrations excluded)."""
    agent = user_agent(user)
    if agent is None:
        return Review.objects.none()
    return (
        Review.objects.filter(agent=agent, calibration__isnull=True)
        .select_related("conversation", "reviewer", "appeal")
        .prefetch_related("scores")
        .order_by("-created_at", "-id")
    )


def appeals_for_reviewer(user) -> QuerySet[Appeal]:
    return Appeal.objects.filter(reviewer=user, status=AppealStatus.OPEN).select_related(
        "review__conversation", "review__agent", "review__shop"
    ).order_by("created_at", "id")


def appeal_get_for_reviewer(*, user, appeal_id: int) -> Appeal:
    appeal = (
        Appeal.objects.filter(pk=appeal_id, reviewer=user)
        .select_related("review__conversation__shop", "review__agent", "review__reviewer", "appellant")
        .first()
    )
    if appeal is None:
        raise NotFound()
    return appeal


# ---- plans and calibrations -------------------------------------------------------------


def plans_for_user(user) -> QuerySet[SamplingPlan]:
    if not can_manage(user):
        return SamplingPlan.objects.none()
    return scope_to_shops(SamplingPlan.objects.select_related("shop").prefetch_related("reviewers"), user)


def plan_get_for_user(*, user, plan_id: int) -> SamplingPlan:
    plan = plans_for_user(user).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound()
    return plan


def calibrations_for_user(user) -> QuerySet[Calibration]:
    if not can_manage(user):
        return Calibration.objects.none()
    return scope_to_shops(
        Calibration.objects.select_related("shop", "created_by").prefetch_related("reviewers").annotate(
            conversations=Count("items__conversation", distinct=True),
            done=Count("items", filter=Q(items__status=ItemStatus.DONE), distinct=True),
            total_items=Count("items", distinct=True),
        ),
        user,
    )


def calibration_get_for_user(*, user, calibration_id: int) -> Calibration:
    calibration = calibrations_for_user(user).filter(pk=calibration_id).first()
    if calibration is None:
        raise NotFound()
    return calibration


def calibration_candidates(shop_id: int, *, today, days: int = 14, limit: int = 60) -> QuerySet[Inspection]:
    """Recently inspected conversations of a shop a supervisor may pick for a calibration
    (not those already sampled for a regular review)."""
    sampled = QueueItem.objects.filter(conversation_id=OuterRef("conversation_id"), calibration__isnull=True)
    return (
        Inspection.objects.filter(shop_id=shop_id, day__gte=today - timedelta(days=days))
        .exclude(Exists(sampled))
        .select_related("conversation", "agent")
        .annotate(finding_count=Count("findings"))
        .order_by("-flagged", "score", "-start")[:limit]
    )


# ---- rule precision -----------------------------------------------------------------------


@dataclass
class RulePrecision:
    rule_key: str
    name: str
    confirmed: int
    rejected: int

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.rejected

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.reviewed if self.reviewed else None


def rule_precision(*, user, shop_id: int | None = None, since=None) -> list[RulePrecision]:
    """Per rule: confirmed / (confirmed + rejected) over the reviewed findings of the user's
    shops (the current results of regular reviews, appeals included), worst first."""
    decisions = scope_to_shops(
        FindingDecision.objects.filter(review__calibration__isnull=True), user, field="review__shop"
    )
    if shop_id is not None:
        decisions = decisions.filter(review__shop_id=shop_id)
    if since is not None:
        decisions = decisions.filter(review__created_at__gte=since)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"confirmed": 0, "rejected": 0})
    for key, decision, n in decisions.values_list("rule_key", "decision").annotate(n=Count("id")).order_by():
        counts[key][decision] += n
    names = rule_names(counts)
    rows = [RulePrecision(key, names.get(key, key), c["confirmed"], c["rejected"]) for key, c in counts.items()]
    return sorted(rows, key=lambda r: (r.precision if r.precision is not None else 2, -r.reviewed, r.rule_key))


@dataclass
class Change:
    kind: str  # total, score, decision
    label: str
    before: object
    after: object

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _decision_label(value):
    from kefu.review.models import Decision

    return Decision(value).label if value in Decision.values else value


def appeal_changes(appeal: Appeal) -> list[Change]:
    """The appealed result against the decided one, line by line (total, items, findings)."""
    if not appeal.after:
        return []
    before, after = appeal.before, appeal.after
    rows = [Change("total", "", before.get("total"), after.get("total"))]
    for key, score in after.get("scores", {}).items():
        rows.append(Change("score", score["name"], before.get("scores", {}).get(key, {}).get("score"),
                           score["score"]))
    names = rule_names(d["rule_key"] for d in after.get("decisions", []))
    old = {d["id"]: d["decision"] for d in before.get("decisions", [])}
    for d in after.get("decisions", []):
        rows.append(Change("decision", names.get(d["rule_key"], d["rule_key"]), _decision_label(old.get(d["id"])),
                           _decision_label(d["decision"])))
    return rows
