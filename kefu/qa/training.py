"""The complaint / negative-sentiment model of quality inspection, learned from the shops'
own data: review star ratings are free labels (1-2 negative, 4-5 positive), and so are
reviewers' decisions on ``unresolved_complaint`` findings (confirmed: the customer's
flagged messages were complaints; rejected: they were not). The model is stored in the
data directory and never shipped (kefu.text.sentiment)."""

from pathlib import Path

from django.conf import settings

from kefu.commerce.models import Review

MIN_REVIEWS = 200  # fewer labelled reviews than this: the word list alone judges complaints
_cache: dict = {}


def sentiment_model_path() -> Path:
    return Path(settings.DATA_DIR) / "models" / "sentiment.joblib"


def sentiment_model_load():
    """The trained model, or None (then complaint words decide). Cached per file version."""
    path = sentiment_model_path()
    if not path.exists():
        return None
    from kefu.text.sentiment import SentimentModel  # scikit-learn: imported only when a model exists

    stamp = path.stat().st_mtime_ns
    if _cache.get("stamp") != stamp:
        _cache.update(stamp=stamp, model=SentimentModel.load(path))
    return _cache["model"]


def sentiment_train_from_reviews(*, shops=None) -> dict:
    """Train from the reviews with text and a rating; save it where inspection finds it."""
    from kefu.text.sentiment import train_from_ratings

    reviews = Review.objects.exclude(text="")
    if shops is not None:
        reviews = reviews.filter(shop__in=shops)
    pairs = list(reviews.values_list("text", "rating")) + reviewed_complaint_pairs(shops=shops)
    labelled = [p for p in pairs if p[1] != 3]
    if len(labelled) < MIN_REVIEWS:
        return {"trained": False, "reviews": len(labelled), "needed": MIN_REVIEWS}
    model = train_from_ratings(pairs)
    path = sentiment_model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return {"trained": True, "reviews": len(labelled), "path": str(path)}


def reviewed_complaint_pairs(*, shops=None) -> list[tuple[str, int]]:
    """(customer message, 1 or 5) from reviewed ``unresolved_complaint`` findings, on the
    star scale the trainer reads: a confirmed finding's messages are complaints (1), a
    rejected one's are not (5)."""
    from kefu.conversations.models import Message
    from kefu.qa.models import Finding, FindingStatus

    findings = Finding.objects.filter(
        rule_key="unresolved_complaint", status__in=[FindingStatus.CONFIRMED, FindingStatus.REJECTED]
    )
    if shops is not None:
        findings = findings.filter(inspection__shop__in=shops)
    pairs = []
    for conversation_id, message_ids, status in findings.values_list(
        "inspection__conversation_id", "message_ids", "status"
    ):
        stars = 1 if status == FindingStatus.CONFIRMED else 5
        texts = Message.objects.filter(conversation_id=conversation_id, ext_id__in=message_ids).values_list(
            "text", flat=True
        )
        pairs += [(text, stars) for text in texts if text]
    return pairs
