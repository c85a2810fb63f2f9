"""Offline Chinese retrieval over scripts: which scripts answer a customer's message.

Texts are normalised by kefu.text (full-width folded, symbols dropped) and cut into
words with jieba when it is installed, else into character 1-3-grams (Chinese has no
spaces; n-grams need no dictionary and work for product words jieba does not know). A
TF-IDF model (scikit-learn) is fitted on the candidate scripts' title + keywords + body
(keywords repeated, they are the strongest signal); the score is the cosine similarity
plus a bonus for every script keyword found whole in the message."""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from kefu.text.normalize import normalize

try:  # optional: better words when available
    import jieba  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    jieba = None

KEYWORD_BONUS = 0.25
KEYWORD_WEIGHT = 3  # how many times keywords count in a script's document


def analyzer(text: str) -> list[str]:
    norm = normalize(text)
    if jieba is not None:
        return [word for word in jieba.lcut(norm) if word.strip()]
    grams = []
    for n in (1, 2, 3):
        grams += [norm[i:i + n] for i in range(len(norm) - n + 1)]
    return grams


def document(title: str, keywords: list[str], body: str) -> str:
    return " ".join([title, *(list(keywords) * KEYWORD_WEIGHT), body])


@dataclass(frozen=True)
class Hit:
    index: int
    score: float


def rank(query: str, documents: list[tuple[str, list[str], str]], *, limit: int = 5) -> list[Hit]:
    """The best ``limit`` of ``documents`` ((title, keywords, body) each) for ``query``;
    documents scoring 0 are left out."""
    if not documents or not normalize(query):
        return []
    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
    matrix = vectorizer.fit_transform([document(*doc) for doc in documents])
    similarity = linear_kernel(vectorizer.transform([query]), matrix)[0]
    norm_query = normalize(query)
    hits = []
    for index, (_title, keywords, _body) in enumerate(documents):
        bonus = sum(KEYWORD_BONUS for word in keywords if word and normalize(word) in norm_query)
        score = float(similarity[index]) + bonus
        if score > 0:
            hits.append(Hit(index, score))
    hits.sort(key=lambda hit: (-hit.score, hit.index))
    return hits[:limit]
