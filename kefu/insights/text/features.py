"""Text features shared by the insight models: characters and jieba words, TF-IDF.

A text is prepared once (:func:`prepare_texts`): NFKC + case folding, and jieba's words
joined by spaces. Every model then reads the same :class:`Prepared` batch, so a
classification run segments each text once however many models look at it (jieba is
the slow part: about 0.8 s to load its dictionary, then tens of thousands of short
texts a second).

:class:`TextVectorizer` is the union of two TF-IDF views with sublinear term frequency:

* character 1-4-grams: Chinese needs no segmentation for these, they carry 太慢, 不新鲜,
  差评, and they survive typos and new words;
* jieba word 1-2-grams: whole words and word pairs (不 好用, 没 收到), which carry
  negation and phrases longer than four characters.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Prepared", "TextVectorizer", "normalize_text", "prepare_texts", "segment"]

_SPACES = re.compile(r"\s+")
_jieba_lock = threading.Lock()
_jieba = None


def normalize_text(text: str) -> str:
    """Full-width to half-width, case-folded, whitespace collapsed; punctuation kept
    ("！！" and "？" carry tone)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def _tokenizer():
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.CRITICAL + 10)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def segment(text: str) -> list[str]:
    """jieba's words of a normalised text, spaces dropped."""
    # HMM off: a third faster; the unknown words it would guess are covered by the character n-grams.
    return [w for w in _tokenizer().lcut(text, HMM=False) if not w.isspace()]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A batch of texts ready for the models: normalised text and its words."""

    texts: tuple[str, ...]
    words: tuple[str, ...]  # jieba words joined by single spaces

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: Sequence[int]) -> Prepared:
        return Prepared(tuple(self.texts[i] for i in indices), tuple(self.words[i] for i in indices))


def prepare_texts(texts: Sequence[str], *, words: bool = True) -> Prepared:
    """Normalise ``texts`` and (with ``words``) segment each once."""
    normalized = tuple(normalize_text(t) for t in texts)
    if not words:
        return Prepared(normalized, ("",) * len(normalized))
    return Prepared(normalized, tuple(" ".join(segment(t)) for t in normalized))


def _split_words(doc: str) -> list[str]:
    return doc.split(" ") if doc else []


def _identity(doc: str) -> str:
    return doc


class TextVectorizer:
    """Character 1-4-gram and word 1-2-gram TF-IDF, side by side in one sparse matrix."""

    def __init__(self, *, words: bool = True, char_ngrams=(1, 4), word_ngrams=(1, 2), min_df: int = 2,
                 max_char_features: int | None = 400_000, max_word_features: int | None = 200_000) -> None:
        import numpy as np

        self.uses_words = words
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.chars = TfidfVectorizer(
            analyzer="char", ngram_range=char_ngrams, min_df=min_df, max_features=max_char_features,
            sublinear_tf=True, lowercase=False, preprocessor=_identity, dtype=np.float32,
        )
        self.words = TfidfVectorizer(
            analyzer="word", tokenizer=_split_words, token_pattern=None, ngram_range=word_ngrams,
            min_df=min_df, max_features=max_word_features, sublinear_tf=True, lowercase=False,
            preprocessor=_identity, dtype=np.float32,
        )

    def fit_transform(self, batch: Prepared):
        from scipy.sparse import hstack

        if not self.uses_words:
            return self.chars.fit_transform(batch.texts).tocsr()
        return hstack([self.chars.fit_transform(batch.texts), self.words.fit_transform(batch.words)]).tocsr()

    def transform(self, batch: Prepared):
        from scipy.sparse import hstack

        if not self.uses_words:
            return self.chars.transform(batch.texts).tocsr()
        return hstack([self.chars.transform(batch.texts), self.words.transform(batch.words)]).tocsr()
