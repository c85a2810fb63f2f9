"""Human review of inspected conversations (质检复核, spec/qa.md "Sampling and human review").

A shop's **scorecard** lists the items a reviewer scores and their weights. Each item is
scored on a 0-5 scale (0 unacceptable, 1 poor, 2 below standard, 3 standard, 4 good,
5 excellent: one key press each); the review's total is the weighted mean on 0-100:
``Σ weight × score / 5 / Σ weight × 100``, one decimal. Weights add up to 100.

**Sampling plans** put inspected conversations into reviewers' **queues**; a reviewer
scores the scorecard and confirms or rejects each automatic finding (the decision also
sets ``qa.Finding.status``). The agent sees the **review** and may **appeal** once; another
reviewer upholds or changes the result. A **calibration** gives the same conversations to
several reviewers to measure how far they agree; its reviews stay out of the agent's
results, the findings and the rule precision.

Reviews keep a copy of what they judged (item names and weights, each finding's rule,
messages and evidence) because a scorecard can be edited and a re-inspection replaces the
finding rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_SCORE = 5


class Scorecard(models.Model):
    """A shop's review scorecard (评分表): its items are in ``items``."""

    shop = models.OneToOneField("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE,
                                related_name="review_scorecard")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["shop"]

    def __str__(self) -> str:
        return str(self.shop)


class ScorecardItem(models.Model):
    """One item of a scorecard (服务态度, 专业知识 ...), scored 0-5, with its weight in the total."""

    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE,
                                  related_name="items")
    key = models.SlugField(_("key"), max_length=32)  # stable across renames: calibration compares by it
    name = models.CharField(_("name"), max_length=50)
    weight = models.PositiveSmallIntegerField(_("weight"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        ordering = ["scorecard", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "key"], name="review_item_key_unique"),
            models.CheckConstraint(condition=models.Q(weight__gte=1, weight__lte=100), name="review_item_weight_1_100"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class PlanKind(models.TextChoices):
    RANDOM = "random", _("Random")
    PER_AGENT = "per_agent", _("Per agent")
    RISK = "risk", _("Risk-weighted")


class SamplingPlan(models.Model):
    """How a shop's inspected conversations are sampled for review, and by whom.

    - random: ``rate`` per cent of each day's conversations, or ``per_day`` of them;
    - per agent: at least ``per_agent_week`` conversations of each agent each week;
    - risk-weighted: every flagged conversation (a critical finding), then up to
      ``per_day`` a day of the riskiest others: a score under ``low_score_below``, a
      rating of ``low_rating_max`` stars or fewer, a complaint.
    """

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE,
                             related_name="review_plans")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices)
    rate = models.PositiveSmallIntegerField(_("rate (%)"), null=True, blank=True)
    per_day = models.PositiveIntegerField(_("per day"), null=True, blank=True)
    per_agent_week = models.PositiveSmallIntegerField(_("per agent per week"), null=True, blank=True)
    low_score_below = models.PositiveSmallIntegerField(_("low score below"), default=80)
    low_rating_max = models.PositiveSmallIntegerField(_("low rating up to"), default=2)
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("reviewers"),
                                       related_name="review_plans")
    starts_on = models.DateField(_("from"))
    active = models.BooleanField(pgettext_lazy("sampling plan", "active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sampling plan")
        verbose_name_plural = _("sampling plans")
        ordering = ["shop", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__isnull=True) | models.Q(rate__gte=1, rate__lte=100),
                                   name="review_plan_rate_1_100"),
        ]

    def __str__(self) -> str:
        return self.name


class Calibration(models.Model):
    """A calibration session (校准): the same conversations scored independently by several
    reviewers. Its queue items and reviews point to it."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE,
                             related_name="review_calibrations")
    name = models.CharField(_("name"), max_length=100)
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("reviewers"), related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calibration")
        verbose_name_plural = _("calibrations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Reason(models.TextChoices):
    """Why a conversation is in a queue."""

    RANDOM = "random", _("Random sample")
    PER_AGENT = "per_agent", _("Agent quota")
    FLAGGED = "flagged", _("Critical finding")
    COMPLAINT = "complaint", _("Complaint")
    LOW_RATING = "low_rating", _("Low rating")
    LOW_SCORE = "low_score", _("Low score")
    CALIBRATION = "calibration", _("Calibration")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    DONE = "done", _("Reviewed")


class QueueItem(models.Model):
    """One conversation waiting in (or done from) one reviewer's queue.

    Outside calibrations a conversation is sampled once: one reviewer, one review
    (so never twice to the same reviewer)."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.CASCADE,
                                 related_name="review_queue")
    conversation = models.ForeignKey("conversations.Conversation", verbose_name=_("conversation"),
                                     on_delete=models.CASCADE, related_name="+")
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey("accounts.Agent", verbose_name=_("agent"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    day = models.DateField(_("day"))  # the conversation's shop day (as its inspection's)
    week = models.DateField(_("week"))
    plan = models.ForeignKey(SamplingPlan, verbose_name=_("sampling plan"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="items")
    calibration = models.ForeignKey(Calibration, verbose_name=_("calibration"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="items")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)  # higher comes first
    status = models.CharField(_("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    done_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("queue item")
        verbose_name_plural = _("queue items")
        ordering = ["-priority", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation"], condition=models.Q(calibration__isnull=True),
                                    name="review_item_one_regular_review"),
            models.UniqueConstraint(fields=["calibration", "reviewer", "conversation"],
                                    condition=models.Q(calibration__isnull=False),
                                    name="review_item_calibration_unique"),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="review_item_reviewer_status"),
            models.Index(fields=["plan", "day"], name="review_item_plan_day"),
            models.Index(fields=["agent", "week"], name="review_item_agent_week"),
        ]


class Review(models.Model):
    """A reviewer's judgement of one conversation: item scores, a decision on each automatic
    finding, a comment and the weighted total. After an appeal it holds the result the
    appeal decided (the appeal keeps both)."""

    item = models.OneToOneField(QueueItem, verbose_name=_("queue item"), on_delete=models.PROTECT,
                                related_name="review")
    conversation = models.ForeignKey("conversations.Conversation", verbose_name=_("conversation"),
                                     on_delete=models.CASCADE, related_name="+")
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey("accounts.Agent", verbose_name=_("agent"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True,
                                 on_delete=models.SET_NULL, related_name="reviews_written")
    calibration = models.ForeignKey(Calibration, verbose_name=_("calibration"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="reviews")
    inspection_score = models.PositiveSmallIntegerField(_("automatic score"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=4, decimal_places=1)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("reviewed"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("qa review", "review")
        verbose_name_plural = pgettext_lazy("qa review", "reviews")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("review_conversation", "Can review the conversations of their queue and decide appeals"),
            ("manage_review", "Can set scorecards, sampling plans and calibrations"),
            ("view_own_reviews", "Can see the reviews of their own conversations and appeal them"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0, total__lte=100), name="review_total_0_100"),
        ]
        indexes = [models.Index(fields=["agent", "created_at"], name="review_agent_created")]


class ItemScore(models.Model):
    """The score of one scorecard item in a review (name and weight as they were)."""

    review = models.ForeignKey(Review, verbose_name=pgettext_lazy("qa review", "review"), on_delete=models.CASCADE,
                               related_name="scores")
    key = models.SlugField(_("key"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    weight = models.PositiveSmallIntegerField(_("weight"))
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="review_score_key_unique"),
            models.CheckConstraint(condition=models.Q(score__lte=MAX_SCORE), name="review_score_0_5"),
        ]


class Decision(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("finding decision", "Confirmed")
    REJECTED = "rejected", pgettext_lazy("finding decision", "Rejected")


class FindingDecision(models.Model):
    """A reviewer's decision on one automatic finding (a copy of the finding: re-inspection
    replaces finding rows, keeping the decisions of unchanged ones)."""

    review = models.ForeignKey(Review, verbose_name=pgettext_lazy("qa review", "review"), on_delete=models.CASCADE,
                               related_name="decisions")
    finding = models.ForeignKey("qa.Finding", verbose_name=_("finding"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    rule_key = models.SlugField(_("rule"), max_length=64)
    severity = models.CharField(_("severity"), max_length=16)
    message_ids = models.JSONField(_("messages"), default=list)
    evidence = models.CharField(_("evidence"), max_length=500)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)

    class Meta:
        verbose_name = _("finding decision")
        verbose_name_plural = _("finding decisions")
        ordering = ["review", "id"]
        indexes = [models.Index(fields=["rule_key", "decision"], name="review_decision_rule")]


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a decision")
    UPHELD = "upheld", _("Upheld")
    CHANGED = "changed", _("Changed")


class Appeal(models.Model):
    """An agent's appeal (申诉) of a review: one per review, decided by another reviewer.
    ``before`` is the result appealed, ``after`` the result decided (both as
    ``{"total", "scores", "decisions", "comment"}``)."""

    review = models.OneToOneField(Review, verbose_name=pgettext_lazy("qa review", "review"), on_delete=models.CASCADE,
                                  related_name="appeal")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("appealed by"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("reason"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("appeal reviewer"), null=True,
                                 on_delete=models.SET_NULL, related_name="review_appeals")
    status = models.CharField(_("status"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    note = models.TextField(_("decision note"), blank=True)
    before = models.JSONField(_("result appealed"), default=dict)
    after = models.JSONField(_("result decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("appealed"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["reviewer", "status"], name="review_appeal_reviewer_status")]
