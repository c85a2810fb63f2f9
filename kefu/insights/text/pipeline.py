"""Classify texts with the latest trained insight models, and train them.

:func:`texts_classify` is what ``kefu insights classify`` and the insight jobs call: it
prepares every text once, then runs sentiment, categories and aspects over the batch.
Without a trained sentiment model the word lists of :mod:`kefu.text.sentiment` judge;
without a category model, the taxonomy's keywords do (:mod:`.taxonomy`).

``*_train`` functions fit a model from (text, label) pairs and save it in the data
directory, where the next classification finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kefu.insights.text.aspects import AspectExtractor
from kefu.insights.text.features import prepare_texts
from kefu.insights.text.models import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    CategoryModel,
    IntentModel,
    SentimentModel,
    load_model,
    model_path,
)
from kefu.insights.text.taxonomy import DEFAULT_TAXONOMY, OTHER, keyword_categories

__all__ = ["Insights", "insights_load", "model_train", "texts_classify"]

NEUTRAL_BAND = 0.15  # |score - 0.5| within this: neutral (binary-trained model, word lists)
_cache: dict[Path, tuple[int, object]] = {}


@dataclass
class Insights:
    """The models one classification run uses (None: not trained; rules decide)."""

    sentiment: SentimentModel | None = None
    category: CategoryModel | None = None
    intent: IntentModel | None = None
    aspects: AspectExtractor | None = None
    taxonomy: tuple = DEFAULT_TAXONOMY

    def __post_init__(self) -> None:
        if self.aspects is None:
            self.aspects = AspectExtractor()

    @property
    def needs_words(self) -> bool:
        return any(m is not None and m.vectorizer.uses_words for m in (self.sentiment, self.category))


def _cached(path: Path):
    if not path.exists():
        return None
    stamp = path.stat().st_mtime_ns
    hit = _cache.get(path)
    if hit is None or hit[0] != stamp:
        hit = (stamp, load_model(path))
        _cache[path] = hit
    return hit[1]


def insights_load(*, data_dir: str | Path | None = None) -> Insights:
    """The latest trained models of the data directory (cached per file version)."""
    return Insights(
        sentiment=_cached(model_path("sentiment", data_dir)),
        category=_cached(model_path("category", data_dir)),
        intent=_cached(model_path("intent", data_dir)),
    )


def _word_list_sentiment(texts: Sequence[str]) -> list[tuple[str, float]]:
    from kefu.text.sentiment import complaint_words_score

    out = []
    for text in texts:
        score = 1.0 - complaint_words_score(text)
        label = POSITIVE if score > 0.5 + NEUTRAL_BAND else NEGATIVE if score < 0.5 - NEUTRAL_BAND else NEUTRAL
        out.append((label, score))
    return out


def texts_classify(texts: Sequence[str], *, insights: Insights | None = None, batch_size: int = 20_000) -> list[dict]:
    """Sentiment, score, categories and aspects of each text, as JSON-ready dicts."""
    insights = insights or insights_load()
    results: list[dict] = []
    for start in range(0, len(texts), batch_size):
        results += _classify_batch(list(texts[start : start + batch_size]), insights)
    return results


def _classify_batch(texts: list[str], insights: Insights) -> list[dict]:
    batch = prepare_texts(texts, words=insights.needs_words)
    if insights.sentiment is not None:
        sentiments = insights.sentiment.predict(batch)

        def polarity(phrases: list[str]) -> list[str]:
            return [label for label, _s in insights.sentiment.predict(prepare_texts(phrases, words=insights.needs_words))]
    else:
        sentiments = _word_list_sentiment(batch.texts)

        def polarity(phrases: list[str]) -> list[str]:
            return [label for label, _s in _word_list_sentiment(phrases)]

    if insights.category is not None:
        categories = insights.category.predict(batch)
    else:
        categories = [keyword_categories(t, insights.taxonomy) or [OTHER] for t in batch.texts]
    aspects = insights.aspects.extract_many(batch.texts, polarity)
    return [
        {
            "sentiment": label,
            "score": round(score, 4),
            "categories": cats,
            "aspects": [a.as_json() for a in found],
        }
        for (label, score), cats, found in zip(sentiments, categories, aspects, strict=True)
    ]


_MODELS = {"sentiment": SentimentModel, "category": CategoryModel, "intent": IntentModel}


def model_train(*, task: str, pairs: Sequence[tuple[str, object]], data_dir: str | Path | None = None,
                min_examples: int = 20) -> dict:
    """Train the ``task`` model on (text, label) pairs and save it as the latest model."""
    if task not in _MODELS:
        raise ValueError(f"unknown task {task!r}; use one of {tuple(_MODELS)}")
    pairs = [(t, label) for t, label in pairs if t and t.strip()]
    if len(pairs) < min_examples:
        raise ValueError(f"only {len(pairs)} labelled texts; at least {min_examples} are needed")
    model = _MODELS[task]()
    batch = prepare_texts([t for t, _label in pairs], words=model.vectorizer.uses_words)
    model.fit(batch, [label for _t, label in pairs])
    path = model.save(model_path(task, data_dir))
    return {"task": task, "examples": len(pairs), "classes": list(model.classes), "path": str(path)}
