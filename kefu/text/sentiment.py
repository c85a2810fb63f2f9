"""Complaint / negative-sentiment detection for Chinese, offline.

Two scorers, both giving the probability that a text is negative:

* :class:`SentimentModel`: TF-IDF on character 1-3-grams with logistic regression
  (scikit-learn). Chinese needs no word segmentation for this: character n-grams carry
  差评, 太慢, 不新鲜 directly. It is trained from the shop's *own* rated reviews at run
  time (:func:`train_from_ratings`) and saved in the shop's data directory; no model is
  shipped with Kefu. docs/text-accuracy.md has the measured accuracy (about 0.93 on
  product reviews, 0.89 on food-delivery reviews, thousands of texts a second).
* :func:`complaint_words_score`: a word-list fallback for a shop that has no model yet:
  spec/qa.md's complaint words and a short lexicon, with negation (不新鲜 is negative,
  不慢 is not).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

# scikit-learn, NumPy and joblib are imported where a model is built, saved or loaded:
# the word-list fallback (complaint_words_score) must not pay seconds of imports.

from kefu.text.lexicon import RULE_WORDS
from kefu.text.normalize import normalize_map

__all__ = [
    "LABELS",
    "NEGATIVE",
    "NEUTRAL",
    "POSITIVE",
    "SentimentModel",
    "complaint_words_score",
    "train_from_ratings",
]

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
LABELS = (NEGATIVE, NEUTRAL, POSITIVE)

_FORMAT = "kefu.text.sentiment/1"


def _prepare(text: str) -> str:
    # Full-width to half-width and case, but punctuation stays: "！！" and "？？" carry tone.
    return unicodedata.normalize("NFKC", text).casefold()


class SentimentModel:
    """Character n-gram TF-IDF + logistic regression over positive/negative (and neutral).

    Trained on two classes, :meth:`predict` still answers ``neutral`` when the model is
    unsure (the probability of negative within ``neutral_margin`` of 0.5), which is what
    most chat messages ("几号发货？") are. Trained with neutral examples, it predicts the
    three classes directly.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 3),
        min_df: int = 2,
        max_features: int | None = 300_000,
        c: float = 4.0,
        neutral_margin: float = 0.15,
    ) -> None:
        self.neutral_margin = neutral_margin
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        self._pipeline = Pipeline(
            [
                (
                    "tfidf",
                    TfidfVectorizer(
                        analyzer="char",
                        ngram_range=ngram_range,
                        min_df=min_df,
                        max_features=max_features,
                        sublinear_tf=True,
                        preprocessor=_prepare,
                        dtype=np.float32,
                    ),
                ),
                ("lr", LogisticRegression(C=c, max_iter=2000)),
            ]
        )
        self._fitted = False

    @property
    def classes(self) -> tuple[str, ...]:
        self._check_fitted()
        return tuple(self._pipeline.classes_)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> SentimentModel:
        """Trains on ``labels`` from :data:`LABELS`; needs positive and negative examples."""
        labels = list(labels)
        unknown = set(labels) - set(LABELS)
        if unknown:
            raise ValueError(f"unknown labels {sorted(unknown)}; use {LABELS}")
        if not {NEGATIVE, POSITIVE} <= set(labels):
            raise ValueError("training needs both positive and negative examples")
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        self._pipeline.fit(list(texts), labels)
        self._fitted = True
        return self

    def predict_proba(self, texts: Iterable[str]) -> list[float]:
        """The probability that each text is negative."""
        self._check_fitted()
        texts = list(texts)
        if not texts:
            return []
        column = self.classes.index(NEGATIVE)
        return [float(p) for p in self._pipeline.predict_proba(texts)[:, column]]

    score = predict_proba

    def predict(self, texts: Iterable[str]) -> list[str]:
        """``positive``, ``neutral`` or ``negative`` for each text."""
        self._check_fitted()
        texts = list(texts)
        if not texts:
            return []
        if NEUTRAL in self.classes:
            return [str(label) for label in self._pipeline.predict(texts)]
        margin = self.neutral_margin
        return [
            NEGATIVE if p > 0.5 + margin else POSITIVE if p < 0.5 - margin else NEUTRAL
            for p in self.predict_proba(texts)
        ]

    def save(self, path: str | Path) -> None:
        """Writes the model with joblib (a pickle: load only files Kefu wrote itself)."""
        self._check_fitted()
        payload = {
            "format": _FORMAT,
            "pipeline": self._pipeline,
            "neutral_margin": self.neutral_margin,
        }
        import joblib

        joblib.dump(payload, Path(path), compress=3)

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        import joblib

        payload = joblib.load(Path(path))
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise ValueError(f"{path} is not a Kefu sentiment model")
        model = cls(neutral_margin=payload["neutral_margin"])
        model._pipeline = payload["pipeline"]
        model._fitted = True
        return model

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise RuntimeError("the sentiment model is not trained yet")


def rating_label(stars: int) -> str:
    """1-2 stars negative, 3 neutral, 4-5 positive."""
    if not 1 <= stars <= 5:
        raise ValueError(f"a rating is 1 to 5 stars, not {stars}")
    return NEGATIVE if stars <= 2 else NEUTRAL if stars == 3 else POSITIVE


def train_from_ratings(
    pairs: Iterable[tuple[str, int]], *, keep_neutral: bool = False, **options
) -> SentimentModel:
    """A model trained on (review text, star rating 1-5) pairs.

    Three-star reviews are dropped unless ``keep_neutral`` (they mix praise and complaint
    and blur the two classes); empty texts are dropped. ``options`` go to
    :class:`SentimentModel`.
    """
    texts, labels = [], []
    for text, stars in pairs:
        label = rating_label(int(stars))
        if (label == NEUTRAL and not keep_neutral) or not text or not text.strip():
            continue
        texts.append(text)
        labels.append(label)
    return SentimentModel(**options).fit(texts, labels)


# -- the word-list fallback ---------------------------------------------------------

# Weight > 0: negative (complaint) evidence; < 0: positive. Written for shop reviews and
# customer chat; qa.md's complaint words (and the additions of kefu.text.lexicon) weigh 2.
_NEGATIVE_WORDS = {
    **{word: 2.0 for word in RULE_WORDS["complaint"].phrases},
    **dict.fromkeys(
        "很差 极差 太烂 难吃 难用 难看 难闻 发霉 变质 过期 上当 后悔 无语 敷衍 忽悠 糊弄"
        " 坑爹 差劲 烂透 再也不 不会再买 别买 千万别 不值 不推荐 退货 没收到 还没到 还没发"
        " 不发货 等了 太久 故障 坏了 漏液 异味 发臭 臭了 掉色 起球 缩水 卡顿 死机 质量问题"
        " 怎么回事 什么情况 搞什么 不靠谱 欺负 不好 好久".split(),
        1.5,
    ),
    **dict.fromkeys(
        "差 慢 贵 坏 破 漏 脏 臭 凉 冷 少 硬 咸 淡 腻 酸 一般 凑合 问题 毛病".split(), 1.0
    ),
}
_POSITIVE_WORDS = {
    **dict.fromkeys(
        "不错 满意 喜欢 好评 推荐 值得 很好 非常好 挺好 超好 好吃 好用 好看 好喝 好闻 新鲜"
        " 实惠 划算 超值 物美价廉 舒服 漂亮 完美 惊喜 给力 及时 准时 热情 耐心 周到 正品 满分"
        " 五星 棒 赞 快 香 感谢 谢谢 辛苦 回购 还会再".split(),
        -1.5,
    ),
    **dict.fromkeys("好 行 可以 不慢 还行".split(), -0.5),
}
# Words that contain a listed character but say nothing (快递 is not 快, 多少 not 少).
_NEUTRAL_WORDS = dict.fromkeys(
    "快递 快点 好的 好像 不好意思 差不多 差价 出差 冷冻 冷藏 多少 酸奶 一般来说 一般情况 贵店"
    " 慢慢 少量 至少 冷水 破费".split(),
    0.0,
)
_LEXICON = {**_NEGATIVE_WORDS, **_POSITIVE_WORDS, **_NEUTRAL_WORDS}
# A negator turns the next sentiment word (within two characters) around: 不新鲜, 没有想象中好.
_NEGATORS = frozenset("不 没 没有 别 不太 不够 不是 并不 一点也不 毫不 无 未".split())
_LONGEST = max(len(w) for w in (*_LEXICON, *_NEGATORS))


def complaint_words_score(text: str) -> float:
    """A rough probability that ``text`` is negative, from word lists: 0.5 with no clue.

    For a shop that has not trained a :class:`SentimentModel` yet; measured in
    docs/text-accuracy.md (it is well below the trained model).
    """
    norm = normalize_map(text)
    chars, clauses = norm.text, norm.clauses
    total = 0.0
    negated_until, negated_clause = -1, -1
    i = 0
    while i < len(chars):
        for size in range(min(_LONGEST, len(chars) - i), 0, -1):
            word = chars[i : i + size]
            if word in _LEXICON or word in _NEGATORS:
                break
        else:
            i += 1
            continue
        if word in _LEXICON:
            weight = _LEXICON[word]
            if i <= negated_until and clauses[i] == negated_clause:
                # "不满意" is listed itself; here 不 + 新鲜, 没有 + 好评 ... : flipped, and
                # a negated complaint ("不慢") counts as mild praise only.
                weight = -weight if weight < 0 else -0.5 * weight
                negated_until = -1
            total += weight
        else:
            negated_until, negated_clause = i + size + 2, clauses[i]
        i += size
    return 1.0 / (1.0 + math.exp(-total))
