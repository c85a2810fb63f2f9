"""Labels Kefu already holds, for training the insight models without a CSV:

* sentiment: review star ratings (1-2 negative, 3 neutral, 4-5 positive) and the
  supervisors' sentiment corrections;
* category: the supervisors' category corrections;
* intent: the consultation type (咨询类型) agents chose when ending live chats, with the
  customer's messages of that chat, and the supervisors' intent corrections.

:func:`text_correction_record` stores one correction (the write the insight pages call).
"""

from __future__ import annotations

from django.db import transaction

from kefu.insights.models import TextCorrection, TextTask
from kefu.insights.text.csvfiles import parse_category_labels, parse_sentiment_label
from kefu.insights.text.intents import INTENTS

__all__ = ["text_correction_record", "training_pairs_from_kefu"]


def _parse(task: str, label: str):
    if task == TextTask.SENTIMENT:
        return parse_sentiment_label(label)
    if task == TextTask.CATEGORY:
        return parse_category_labels(label)
    if label not in INTENTS:
        raise ValueError(f"unknown intent {label!r}; use one of {', '.join(INTENTS)}")
    return label


def text_correction_record(*, shop, task: str, text: str, label: str, actor=None) -> TextCorrection:
    """Store a supervisor's label for ``text``; the label is checked like a CSV's."""
    if task not in TextTask.values:
        raise ValueError(f"unknown task {task!r}")
    if not text.strip():
        raise ValueError("empty text")
    parsed = _parse(task, label.strip())
    stored = "|".join(parsed) if isinstance(parsed, tuple) else parsed
    with transaction.atomic():
        return TextCorrection.objects.create(shop=shop, task=task, text=text, label=stored, created_by=actor)


def _corrections(task: str, shops) -> list[tuple[str, object]]:
    rows = TextCorrection.objects.filter(task=task)
    if shops is not None:
        rows = rows.filter(shop__in=shops)
    return [(text, _parse(task, label)) for text, label in rows.order_by("id").values_list("text", "label")]


def training_pairs_from_kefu(*, task: str, shops=None) -> list[tuple[str, object]]:
    """(text, label) pairs for ``task`` from the shops' data (all shops by default)."""
    if task == TextTask.SENTIMENT:
        from kefu.commerce.models import Review
        from kefu.text.sentiment import rating_label

        reviews = Review.objects.exclude(text="")
        if shops is not None:
            reviews = reviews.filter(shop__in=shops)
        pairs = [(text, rating_label(stars)) for text, stars in reviews.order_by("id").values_list("text", "rating")]
        return pairs + _corrections(task, shops)
    if task == TextTask.CATEGORY:
        return _corrections(task, shops)
    if task == TextTask.INTENT:
        from kefu.conversations.models import Message, Sender
        from kefu.live.models import LiveState

        states = LiveState.objects.exclude(disposition="")
        if shops is not None:
            states = states.filter(conversation__shop__in=shops)
        labels = dict(states.values_list("conversation_id", "disposition"))
        texts: dict[int, list[str]] = {}
        messages = Message.objects.filter(conversation_id__in=list(labels), sender=Sender.CUSTOMER).exclude(text="")
        for conversation_id, text in messages.order_by("conversation_id", "sent_at").values_list(
            "conversation_id", "text"
        ):
            texts.setdefault(conversation_id, []).append(text)
        pairs = [(" ".join(texts[c]), labels[c]) for c in labels if c in texts]
        return pairs + _corrections(task, shops)
    raise ValueError(f"unknown task {task!r}")
