"""How far reviewers agree (calibration, 校准).

On the decisions about automatic findings (confirmed / rejected): Cohen's kappa for each
pair of reviewers (scikit-learn), over the findings both decided, and Fleiss' kappa for
all reviewers together, over the findings every reviewer decided. Kappa is 1 for perfect
agreement, 0 for what chance alone would give; it is undefined (shown as —) when every
decision is the same, since then chance explains it all.

On the scores: the spread of each item's scores and of the totals, as the standard
deviation (population) across the reviewers of a conversation, averaged over the
calibration's conversations.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from statistics import mean, pstdev

from kefu.review.models import Decision, ItemStatus, Review

CATEGORIES = [Decision.CONFIRMED.value, Decision.REJECTED.value]


def cohen_kappa(a: list, b: list, labels=CATEGORIES) -> float | None:
    """Cohen's kappa of two raters' labels of the same subjects (None: undefined)."""
    if not a or len(a) != len(b) or len(set(a) | set(b)) < 2:
        return None
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b, labels=list(labels)))


def fleiss_kappa(table: list[list[int]]) -> float | None:
    """Fleiss' kappa of a subjects × categories table of rater counts (the same number of
    raters for every subject). None when undefined (fewer than two raters, or a single
    category used throughout)."""
    if not table:
        return None
    raters = sum(table[0])
    if raters < 2 or any(sum(row) != raters for row in table):
        return None
    subjects = len(table)
    shares = [sum(row[j] for row in table) / (subjects * raters) for j in range(len(table[0]))]
    agreement = mean((sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in table)
    chance = sum(p * p for p in shares)
    if chance >= 1:
        return None
    return (agreement - chance) / (1 - chance)


def _spread(values: list) -> float | None:
    return pstdev(values) if len(values) >= 2 else None


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return mean(values) if values else None


@dataclass
class PairAgreement:
    a: object
    b: object
    findings: int
    agreement: float | None  # share of findings decided alike
    kappa: float | None


@dataclass
class ItemSpread:
    key: str
    name: str
    mean_score: float | None
    spread: float | None  # mean SD across reviewers, in points of the 0-5 scale
    widest: int | None  # the largest max - min on one conversation


@dataclass
class ReviewerAgreement:
    reviewer: object
    done: int
    expected: int
    mean_total: float | None
    bias: float | None  # mean of (their total - the conversation's mean total)
    mean_kappa: float | None
    confirm_rate: float | None


@dataclass
class ConversationRow:
    conversation: object
    totals: list  # per reviewer, in the reviewers' order (None: not reviewed yet)
    spread: float | None


@dataclass
class CalibrationResults:
    reviewers: list
    conversations: list[ConversationRow]
    items: list[ItemSpread]
    pairs: list[PairAgreement]
    reviewer_rows: list[ReviewerAgreement]
    fleiss: float | None = None
    fleiss_findings: int = 0
    findings: int = 0
    total_spread: float | None = None
    done: int = 0
    expected: int = 0
    notes: list = field(default_factory=list)


def calibration_results(calibration) -> CalibrationResults:
    reviewers = sorted(calibration.reviewers.all(), key=lambda u: (str(u), u.pk))
    items = list(calibration.items.select_related("conversation").order_by("conversation_id", "reviewer_id"))
    reviews = list(
        Review.objects.filter(calibration=calibration).prefetch_related("scores", "decisions")
    )
    conversations = {i.conversation_id: i.conversation for i in items}
    by_pair = {(r.conversation_id, r.reviewer_id): r for r in reviews}

    # Finding decisions: subject = (conversation, rule, messages), stable across re-inspection.
    decided: dict[tuple, dict[int, str]] = defaultdict(dict)
    for review in reviews:
        for d in review.decisions.all():
            decided[(review.conversation_id, d.rule_key, tuple(d.message_ids))][review.reviewer_id] = d.decision
    pairs = []
    for a, b in combinations(reviewers, 2):
        both = [(v[a.pk], v[b.pk]) for v in decided.values() if a.pk in v and b.pk in v]
        agreement = sum(x == y for x, y in both) / len(both) if both else None
        pairs.append(PairAgreement(a, b, len(both), agreement, cohen_kappa([x for x, _ in both], [y for _, y in both])))
    everyone = [v for v in decided.values() if len(v) == len(reviewers)]
    table = [[sum(1 for d in v.values() if d == c) for c in CATEGORIES] for v in everyone]

    # Scores: item and total spread per conversation.
    names: dict[str, str] = {}
    item_scores: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for review in reviews:
        for s in review.scores.all():
            names.setdefault(s.key, s.name)
            item_scores[s.key][review.conversation_id].append(s.score)
    item_rows = []
    for key, per_conversation in item_scores.items():
        values = [v for scores in per_conversation.values() for v in scores]
        spreads = [_spread(scores) for scores in per_conversation.values()]
        widths = [max(s) - min(s) for s in per_conversation.values() if len(s) >= 2]
        item_rows.append(ItemSpread(key, names[key], _mean(values), _mean(spreads), max(widths) if widths else None))
    conversation_rows, conversation_means = [], {}
    for cid, conversation in sorted(conversations.items()):
        totals = [by_pair[(cid, r.pk)].total if (cid, r.pk) in by_pair else None for r in reviewers]
        present = [float(t) for t in totals if t is not None]
        if present:
            conversation_means[cid] = mean(present)
        conversation_rows.append(ConversationRow(conversation, totals, _spread(present)))

    reviewer_rows = []
    for reviewer in reviewers:
        own = [r for r in reviews if r.reviewer_id == reviewer.pk]
        decisions = [d.decision for r in own for d in r.decisions.all()]
        reviewer_rows.append(ReviewerAgreement(
            reviewer=reviewer,
            done=len(own),
            expected=sum(1 for i in items if i.reviewer_id == reviewer.pk),
            mean_total=_mean(float(r.total) for r in own),
            bias=_mean(float(r.total) - conversation_means[r.conversation_id] for r in own
                       if sum(1 for x in reviews if x.conversation_id == r.conversation_id) >= 2),
            mean_kappa=_mean(p.kappa for p in pairs if reviewer in (p.a, p.b)),
            confirm_rate=decisions.count(Decision.CONFIRMED) / len(decisions) if decisions else None,
        ))
    return CalibrationResults(
        reviewers=reviewers,
        conversations=conversation_rows,
        items=item_rows,  # in the scorecard's order (scores are saved in it)
        pairs=pairs,
        reviewer_rows=reviewer_rows,
        fleiss=fleiss_kappa(table),
        fleiss_findings=len(table),
        findings=len(decided),
        total_spread=_mean(row.spread for row in conversation_rows),
        done=sum(1 for i in items if i.status == ItemStatus.DONE),
        expected=len(items),
    )
